"""Presenters: from a core result to a `bot.ui.Reply`, shared by the Telegram handlers and the preview."""
