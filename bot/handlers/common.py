"""Carrying out a presenter's reply with the Bot API: the one place handlers talk to Telegram for it."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable

from telegram import CallbackQuery, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, NetworkError, TelegramError, TimedOut

from bot.charts import chart_png
from bot.context import RetainContext
from bot.markup import markup
from bot.ui import (
    Chart,
    ClearButtons,
    Document,
    Edit,
    EditButtons,
    Keyboard,
    Reply,
    Send,
    StripButtons,
    Toast,
)

log = logging.getLogger(__name__)


async def acknowledge(query: CallbackQuery, text: str | None = None) -> None:
    """Answer a callback query, so the client stops its spinner and never resends it.

    Answering never stops the work: when Telegram refuses (a query too old), fails or times out,
    that is logged and the tap it carries is handled all the same.
    """
    try:
        await query.answer(text)
    except TelegramError as exc:
        log.warning("Could not answer callback query %s: %s", query.id, exc)


async def edit(
    context: RetainContext, query: CallbackQuery, chat_id: int, text: str, keyboard: Keyboard | None = None
) -> None:
    """Edit the message under a button; an edit to the same content counts as done.

    A message that can no longer be edited (deleted, too old, refused, a server error) gets the
    text as a new message instead, so what was recorded is always shown. A timed-out edit was
    most likely made, and is not repeated.
    """
    try:
        await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=markup(keyboard))
        return
    except BadRequest as exc:
        if "not modified" in exc.message.lower():
            return
        reason = exc.message
    except TimedOut as exc:
        log.warning("Editing a message timed out; Telegram most likely made the edit: %s", exc)
        return
    except NetworkError as exc:
        reason = exc.message
    except TypeError as exc:  # python-telegram-bot will not edit an inaccessible message
        reason = str(exc)
    log.info("Could not edit the message under a button (%s); sending the text instead", reason)
    await send(context, chat_id, text, keyboard)


async def send(context: RetainContext, chat_id: int, text: str, keyboard: Keyboard | None = None) -> int:
    """Send an HTML message; returns its message id."""
    message = await context.bot.send_message(
        chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup(keyboard)
    )
    return message.message_id


async def strip_buttons(context: RetainContext, chat_id: int, message_ids: tuple[int, ...]) -> None:
    """Take the buttons off earlier messages; one already gone or already bare is fine."""
    for message_id in message_ids:
        with contextlib.suppress(BadRequest):
            await context.bot.edit_message_reply_markup(chat_id, message_id, reply_markup=None)


async def _chart(context: RetainContext, chat_id: int, chart: Chart) -> None:
    try:
        png = await chart_png(chart.bars, chart.title, chart.axis)  # drawn off the event loop
    except Exception:  # any failure to draw falls back to text: the learner still gets their stats
        log.exception("Could not draw a chart; sending text")
        await send(context, chat_id, chart.fallback)
        return
    await context.bot.send_photo(chat_id, png, caption=chart.caption, parse_mode=ParseMode.HTML)


async def carry_out(update: Update, context: RetainContext, reply: Reply) -> None:
    """Do what a reply says, in order, in the chat the update came from.

    A tapped button is always answered exactly once: with the reply's toast, or an empty one.
    """
    query = update.callback_query
    if query is not None:
        toast = next((op for op in reply if isinstance(op, Toast)), Toast())
        await acknowledge(query, toast.text)
    chat = update.effective_chat
    if chat is None:
        return
    for op in reply:
        if isinstance(op, Send):
            try:
                message_id = await send(context, chat.id, op.text, op.keyboard)
            except TimedOut as exc:  # most likely delivered; its message id is unknown
                log.warning("Sending a message timed out; Telegram most likely delivered it: %s", exc)
                continue
            if op.receipt is not None:
                context.bot_data.receipts.record(op.receipt, message_id)
        elif isinstance(op, StripButtons):
            await strip_buttons(context, chat.id, op.message_ids)
        elif isinstance(op, Edit) and query is not None:
            await edit(context, query, chat.id, op.text, op.keyboard)
        elif isinstance(op, ClearButtons) and query is not None:
            await clear_buttons(query)
        elif isinstance(op, EditButtons) and query is not None:
            await clear_buttons(query, op.keyboard)
        elif isinstance(op, Chart):
            await _chart(context, chat.id, op)
        elif isinstance(op, Document):
            await context.bot.send_document(
                chat.id, op.content, filename=op.filename, caption=op.caption, parse_mode=ParseMode.HTML
            )


async def answer_button(update: Update, context: RetainContext, making: Awaitable[Reply]) -> None:
    """Work out a tapped button's reply and carry it out; a failure still answers the tap."""
    query = update.callback_query
    try:
        reply = await making
    except Exception:
        if query is not None:
            await acknowledge(query)
        raise
    await carry_out(update, context, reply)


async def clear_buttons(query: CallbackQuery, keyboard: Keyboard | None = None) -> None:
    """Take the buttons off the message under a tap (or put `keyboard` in their place); already so,
    or gone, counts as done."""
    try:
        await query.edit_message_reply_markup(markup(keyboard))
    except BadRequest as exc:
        if "not modified" not in exc.message.lower():
            log.info("Could not take the buttons off a message: %s", exc.message)
    except TypeError:  # an inaccessible message: no buttons to take off
        pass


def user_id(update: Update) -> int:
    """The id of the user behind an update (0 for updates with none, such as channel posts)."""
    user = update.effective_user
    return user.id if user is not None else 0
