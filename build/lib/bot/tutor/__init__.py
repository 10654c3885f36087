"""The tutor core: selection, grading and statistics as plain Python (no Telegram imports)."""
