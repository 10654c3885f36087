"""Plain keyboards (`bot.ui`) as Telegram's inline keyboards."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.ui import Keyboard


def markup(keyboard: Keyboard | None) -> InlineKeyboardMarkup | None:
    """A plain keyboard as Telegram's inline keyboard."""
    if keyboard is None:
        return None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(b.label, url=b.url)
                if b.url
                else InlineKeyboardButton(b.label, callback_data=b.data)
                for b in row
            ]
            for row in keyboard
        ]
    )
