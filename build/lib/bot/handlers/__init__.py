"""Telegram handlers, one module per feature; each has a `register(app)`."""
