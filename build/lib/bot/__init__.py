"""Retain: a Telegram revision tutor for the unit "Understand customers and customer retention"."""
