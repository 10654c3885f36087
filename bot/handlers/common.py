"""Small sending helpers shared by the feature modules."""

from __future__ import annotations

import logging

from telegram import CallbackQuery, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, TimedOut

from bot import views
from bot.context import RetainContext
from bot.tutor.service import PromptResult, Status

log = logging.getLogger(__name__)


async def acknowledge(query: CallbackQuery, text: str | None = None) -> None:
    """Answer a callback query at once, so the client stops its spinner and never resends it.

    A query that Telegram considers too old can no longer be answered; the tap it carries is
    still handled.
    """
    try:
        await query.answer(text)
    except (BadRequest, TimedOut) as exc:
        log.info("Could not answer a callback query: %s", exc)


async def edit(query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """Edit the message under a button; an edit to the same content counts as done."""
    try:
        await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)
    except BadRequest as exc:
        if "not modified" not in exc.message.lower():
            raise


async def reply(
    update: Update, context: RetainContext, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    """Send a message to the chat the update came from."""
    chat = update.effective_chat
    assert chat is not None
    await context.bot.send_message(chat.id, text, parse_mode=ParseMode.HTML, reply_markup=markup)


async def send_prompt(update: Update, context: RetainContext, result: PromptResult) -> None:
    """Send a prompt the tutor served, or say why there is none."""
    if result.status is Status.OK:
        assert result.prompt is not None
        bank = context.tutor.bank
        await reply(
            update, context, views.prompt_text(bank, result.prompt), views.prompt_keyboard(result.prompt)
        )
    elif result.status is Status.NOT_ONBOARDED:
        await reply(update, context, views.not_started())
    elif result.status is Status.EMPTY:
        await reply(update, context, views.nothing_to_serve())
    elif result.status is Status.UNKNOWN:
        await reply(update, context, views.stale_button())
    # Status.ALREADY: this "Next" was served before (a double tap); the prompt is already there.


def user_id(update: Update) -> int:
    """The id of the user behind an update."""
    user = update.effective_user
    assert user is not None
    return user.id
