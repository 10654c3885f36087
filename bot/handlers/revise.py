"""The revision loop: /next, revealing a card, answering, and "Next"."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot import views
from bot.codec import Action, decode, matches
from bot.context import RetainApp, RetainContext
from bot.handlers.common import acknowledge, edit, reply, send_prompt, user_id
from bot.tutor.service import AnswerResult, Status
from content.schema import ConceptCard, ItemKind


async def next_command(update: Update, context: RetainContext) -> None:
    """/next: serve the next prompt."""
    await send_prompt(update, context, await context.tutor.next_prompt(user_id(update)))


async def on_reveal(update: Update, context: RetainContext) -> None:
    """Show a concept card's answer and ask whether the learner knew it."""
    query = update.callback_query
    assert query is not None
    await acknowledge(query)
    prompt_id = decode(query.data).prompt_id or 0
    result = await context.tutor.reveal(user_id(update), prompt_id)
    if result.status is Status.OK and isinstance(result.item, ConceptCard):
        await edit(
            query, views.revealed_text(context.tutor.bank, result.item), views.knew_keyboard(prompt_id)
        )
    else:
        await _show_answer(update, context, result)


async def on_answer(update: Update, context: RetainContext) -> None:
    """Record "knew it" / "not yet" or True / False, once, and say why."""
    query = update.callback_query
    assert query is not None
    await acknowledge(query)
    data = decode(query.data)
    kind = ItemKind.CONCEPT if data.action is Action.KNEW else ItemKind.TRUE_FALSE
    result = await context.tutor.answer(user_id(update), data.prompt_id or 0, kind, data.flag)
    await _show_answer(update, context, result)


async def _show_answer(update: Update, context: RetainContext, result: AnswerResult) -> None:
    query = update.callback_query
    assert query is not None
    if result.status in (Status.OK, Status.ALREADY):
        await edit(
            query, views.answered_text(context.tutor.bank, result), views.next_keyboard(result.prompt_id)
        )
    else:
        await reply(update, context, views.stale_button())


async def on_next(update: Update, context: RetainContext) -> None:
    """Serve the prompt after this one (once, however often the button is tapped)."""
    query = update.callback_query
    assert query is not None
    await acknowledge(query)
    result = await context.tutor.next_prompt(user_id(update), after_prompt_id=decode(query.data).prompt_id)
    if result.status is Status.OK:
        await query.edit_message_reply_markup(None)
    await send_prompt(update, context, result)


def register(app: RetainApp) -> None:
    """Add the revision handlers."""
    app.add_handler(CommandHandler("next", next_command, filters=filters.ChatType.PRIVATE))
    app.add_handler(CallbackQueryHandler(on_reveal, pattern=matches(Action.REVEAL)))
    app.add_handler(CallbackQueryHandler(on_answer, pattern=matches(Action.KNEW, Action.TRUE_FALSE)))
    app.add_handler(CallbackQueryHandler(on_next, pattern=matches(Action.NEXT)))
