"""A learner's private chat: every command, button and message goes through the shared router."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from bot.context import RetainApp, RetainContext
from bot.handlers.common import acknowledge, answer_button, carry_out
from bot.presenters import router
from bot.views.common import stale_button

PRIVATE = filters.ChatType.PRIVATE


async def on_command(update: Update, context: RetainContext) -> None:
    """Any command in a private chat (/start, /next, /stats... or one Retain does not have)."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or not message.text:
        return
    await carry_out(update, context, await router.command(context.tutor, user.id, message.text))


async def on_text(update: Update, context: RetainContext) -> None:
    """A message that is not a command: a typed calculation answer, else a short hint."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    await carry_out(update, context, await router.text(context.tutor, user.id, message.text or ""))


async def on_button(update: Update, context: RetainContext) -> None:
    """Any button but a class quiz answer; data no button of ours carries gets "expired".

    Retain's private buttons live only in the learner's own chat with Retain: the same data under
    a message of a group or of another chat is a forgery, and changes nothing.
    """
    query = update.callback_query
    if query is None:
        return
    message, user = query.message, query.from_user
    own_chat = message is not None and message.chat.type == ChatType.PRIVATE and message.chat.id == user.id
    if message is None or not own_chat:
        await acknowledge(query, stale_button())
        return
    await answer_button(
        update, context, router.button(context.tutor, user.id, query.data, message.message_id)
    )


def register(app: RetainApp) -> None:
    """Add the private chat's handlers (after the class quiz's: they catch every other button)."""
    app.add_handler(MessageHandler(PRIVATE & filters.COMMAND, on_command))
    app.add_handler(MessageHandler(PRIVATE & ~filters.COMMAND & ~filters.StatusUpdate.ALL, on_text))
    app.add_handler(CallbackQueryHandler(on_button))  # last: every button the features left
