"""/start and the two-tap set-up: awarding body, then daily reminder time."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot import views
from bot.codec import Action, decode, matches
from bot.context import RetainApp, RetainContext
from bot.handlers.common import acknowledge, edit, reply, send_prompt, user_id
from bot.tutor.nudging import settings_of
from bot.tutor.service import InvalidChoice


async def start(update: Update, context: RetainContext) -> None:
    """Welcome a learner: set-up for a new one, the next prompt for a returning one."""
    tutor = context.tutor
    learner, needs_setup = await tutor.begin(user_id(update))
    if learner.awarding_body is None:
        await reply(update, context, views.welcome(), views.body_keyboard(tutor.bank))
    elif needs_setup:
        text = views.reminder_question(tutor.bank, learner.awarding_body, learner.timezone)
        await reply(update, context, text, views.reminder_keyboard())
    else:
        text = views.welcome_back(tutor.bank, learner.awarding_body)
        await reply(update, context, text, views.change_course_keyboard())
        await send_prompt(update, context, await tutor.next_prompt(learner.id))


async def on_change_course(update: Update, context: RetainContext) -> None:
    """Offer the awarding bodies again."""
    query = update.callback_query
    assert query is not None
    await acknowledge(query)
    await edit(query, views.choose_course(), views.body_keyboard(context.tutor.bank))


async def on_body(update: Update, context: RetainContext) -> None:
    """Store the chosen awarding body, then ask for a reminder time (first set-up only)."""
    query = update.callback_query
    assert query is not None
    await acknowledge(query)
    tutor = context.tutor
    body = decode(query.data).value or ""
    try:
        learner, changed = await tutor.choose_body(user_id(update), body)
    except InvalidChoice:
        await reply(update, context, views.choose_from_buttons())
        return
    if not learner.reminder_chosen:
        text = views.reminder_question(tutor.bank, body, learner.timezone)
        await edit(query, text, views.reminder_keyboard())
        return
    await edit(query, views.course_changed(tutor.bank, body))
    if changed:
        await send_prompt(update, context, await tutor.next_prompt(learner.id))


async def on_reminder(update: Update, context: RetainContext) -> None:
    """Store the reminder choice and serve the first prompt."""
    query = update.callback_query
    assert query is not None
    await acknowledge(query)
    tutor = context.tutor
    local_time = decode(query.data).reminder_time
    learner, first = await tutor.choose_reminder(user_id(update), local_time)
    if first:
        await edit(query, views.reminder_saved(local_time, learner.timezone))
        await send_prompt(update, context, await tutor.next_prompt(learner.id))
    else:  # a button from /remind
        await edit(query, views.reminder_settings(settings_of(learner), tutor.clock()))


def register(app: RetainApp) -> None:
    """Add the onboarding handlers."""
    app.add_handler(CommandHandler("start", start, filters=filters.ChatType.PRIVATE))
    app.add_handler(CallbackQueryHandler(on_change_course, pattern=matches(Action.CHANGE_COURSE)))
    app.add_handler(CallbackQueryHandler(on_body, pattern=matches(Action.BODY)))
    app.add_handler(CallbackQueryHandler(on_reminder, pattern=matches(Action.REMIND)))
