"""A learner's private chat: every command, button and message goes through the shared router."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from bot.context import RetainApp, RetainContext
from bot.handlers.common import answer_button, carry_out, user_id
from bot.presenters import router

PRIVATE = filters.ChatType.PRIVATE


async def on_command(update: Update, context: RetainContext) -> None:
    """Any command in a private chat (/start, /next, /stats... or one Retain does not have)."""
    message = update.effective_message
    if message is None or not message.text:
        return
    await carry_out(update, context, await router.command(context.tutor, user_id(update), message.text))


async def on_text(update: Update, context: RetainContext) -> None:
    """A message that is not a command: a typed calculation answer, else a short hint."""
    message = update.effective_message
    if message is None:
        return
    await carry_out(update, context, await router.text(context.tutor, user_id(update), message.text or ""))


async def on_button(update: Update, context: RetainContext) -> None:
    """Any button but a class quiz answer; data no button of ours carries gets "expired"."""
    query = update.callback_query
    if query is None:
        return
    message_id = query.message.message_id if query.message is not None else None
    await answer_button(
        update, context, router.button(context.tutor, user_id(update), query.data, message_id)
    )


def register(app: RetainApp) -> None:
    """Add the private chat's handlers (after the class quiz's: they catch every other button)."""
    app.add_handler(MessageHandler(PRIVATE & filters.COMMAND, on_command))
    app.add_handler(MessageHandler(PRIVATE & ~filters.COMMAND & ~filters.StatusUpdate.ALL, on_text))
    app.add_handler(CallbackQueryHandler(on_button))  # last: every button the features left
