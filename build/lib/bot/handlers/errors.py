"""What happens when handling an update fails: a log line, and a word to the learner where possible."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Forbidden, TelegramError

from bot.context import RetainApp, RetainContext
from bot.views.common import something_went_wrong

log = logging.getLogger(__name__)


async def on_error(update: object, context: RetainContext) -> None:
    """Log the failure and, where possible, tell the learner nothing was lost."""
    error = context.error
    if isinstance(error, Forbidden):
        log.info("A user blocked the bot; nothing sent: %s", error)
        return
    log.error("Update failed", exc_info=error)
    if isinstance(update, Update) and update.effective_chat and update.effective_chat.type == "private":
        try:
            await context.bot.send_message(update.effective_chat.id, something_went_wrong())
        except TelegramError:
            log.warning("Could not tell the user about the failure")


def register(app: RetainApp) -> None:
    """Add the error handler."""
    app.add_error_handler(on_error)
