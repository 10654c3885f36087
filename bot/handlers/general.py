"""/help, /stats, /define, and the fallbacks: typed answers, free text, unknown commands, bad buttons."""

from __future__ import annotations

import asyncio
import logging

from telegram import Update
from telegram.constants import ParseMode
from telegram.error import Forbidden, TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot import views
from bot.charts import mastery_chart
from bot.codec import Action, decode, matches
from bot.context import RetainApp, RetainContext
from bot.handlers.common import acknowledge, reply, user_id
from bot.handlers.revise import typed_answer
from bot.tutor.service import Status

log = logging.getLogger(__name__)


async def help_command(update: Update, context: RetainContext) -> None:
    """/help: what Retain does and its commands."""
    await reply(update, context, views.help_text())


async def stats_command(update: Update, context: RetainContext) -> None:
    """/stats: a chart of mastery per area with streak, counts and what to revise; text if no chart."""
    tutor = context.tutor
    found = await tutor.stats(user_id(update))
    if found is None:
        await reply(update, context, views.not_started())
        return
    learner, stats = found
    body, now, zone = learner.awarding_body, tutor.clock(), learner.timezone
    try:
        png = await asyncio.to_thread(mastery_chart, stats, views.stats_title(tutor.bank, body))
    except Exception:  # any failure to draw falls back to text: the learner still gets their stats
        log.exception("Could not draw the /stats chart; sending text")
        await reply(update, context, views.stats_text(tutor.bank, body, stats, now, zone))
        return
    chat = update.effective_chat
    assert chat is not None
    caption = views.stats_caption(tutor.bank, body, stats, now, zone)
    await context.bot.send_photo(chat.id, png, caption=caption, parse_mode=ParseMode.HTML)


async def unknown_command(update: Update, context: RetainContext) -> None:
    """Any command Retain does not have."""
    message = update.effective_message
    assert message is not None and message.text is not None
    await reply(update, context, views.unknown_command(message.text.split()[0].split("@")[0]))


async def free_text(update: Update, context: RetainContext) -> None:
    """A message that is not a command: a typed calculation answer, else a short hint, never silence."""
    tutor = context.tutor
    message = update.effective_message
    assert message is not None
    result = await tutor.answer_typed(user_id(update), message.text or "")
    if result.status is not Status.NOT_EXPECTED:
        await typed_answer(update, context, result)
        return
    learner = await tutor.learner(user_id(update))
    if learner is None or learner.awarding_body is None:
        await reply(update, context, views.not_started())
        return
    await reply(update, context, views.free_text_hint(await tutor.awaiting_answer(learner.id)))


async def define_command(update: Update, context: RetainContext) -> None:
    """/define <term>: the bank's definition, or the nearest terms."""
    tutor = context.tutor
    if not context.args:
        await reply(update, context, views.define_usage(tutor.glossary.acronyms()))
        return
    term = " ".join(context.args)
    found = await tutor.define(term)
    if found.card is not None:
        await reply(update, context, views.definition(tutor.bank, found.term, found.card))
    elif found.suggestions:
        markup = views.suggestions_keyboard(found.suggestions)
        await reply(update, context, views.not_in_glossary(term, True), markup)
    else:
        await reply(update, context, views.not_in_glossary(term, False))


async def on_define(update: Update, context: RetainContext) -> None:
    """A suggested term's button."""
    query = update.callback_query
    assert query is not None
    await acknowledge(query)
    card = context.tutor.card(decode(query.data).value or "")
    if card is None:
        await reply(update, context, views.stale_button())
        return
    term = card.terms[0] if card.terms else card.id
    await reply(update, context, views.definition(context.tutor.bank, term, card))


async def bad_button(update: Update, context: RetainContext) -> None:
    """Callback data no handler accepted: forged, or from a retired version of the bot."""
    query = update.callback_query
    assert query is not None
    await acknowledge(query, views.stale_button())


async def on_error(update: object, context: RetainContext) -> None:
    """Log the failure and, where possible, tell the learner nothing was lost."""
    error = context.error
    if isinstance(error, Forbidden):
        log.info("A user blocked the bot; nothing sent: %s", error)
        return
    log.error("Update failed", exc_info=error)
    if isinstance(update, Update) and update.effective_chat and update.effective_chat.type == "private":
        try:
            await context.bot.send_message(update.effective_chat.id, views.something_went_wrong())
        except TelegramError:
            log.warning("Could not tell the user about the failure")


def register(app: RetainApp) -> None:
    """Add the general handlers; register last, they catch what the features do not."""
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("help", help_command, filters=private))
    app.add_handler(CommandHandler("stats", stats_command, filters=private))
    app.add_handler(CommandHandler("define", define_command, filters=private))
    app.add_handler(CallbackQueryHandler(on_define, pattern=matches(Action.DEFINE)))
    app.add_handler(MessageHandler(private & filters.COMMAND, unknown_command))
    app.add_handler(MessageHandler(private & ~filters.COMMAND & ~filters.StatusUpdate.ALL, free_text))
    app.add_handler(CallbackQueryHandler(bad_button))
    app.add_error_handler(on_error)
