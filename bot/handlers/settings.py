"""Nudge settings: /remind, /timezone, /pause and /resume."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler, filters

from bot import views
from bot.context import RetainApp, RetainContext
from bot.handlers.common import reply, user_id
from bot.tutor.schedule import parse_timezone, valid_zone
from bot.tutor.service import InvalidChoice


async def remind_command(update: Update, context: RetainContext) -> None:
    """/remind 18:30 sets the nudge time, /remind off stops nudges, /remind alone offers buttons."""
    nudger, now = context.nudger, context.tutor.clock()
    if not context.args:
        current = await nudger.settings(user_id(update))
        await reply(update, context, views.remind_menu(current, now), views.remind_keyboard())
        return
    text = " ".join(context.args)
    try:
        settings = await nudger.set_reminder(user_id(update), None if text.casefold() == "off" else text)
    except InvalidChoice:
        await reply(update, context, views.invalid_time(text))
        return
    await reply(update, context, views.reminder_settings(settings, now))


async def timezone_command(update: Update, context: RetainContext) -> None:
    """/timezone Europe/London (or a city, or +2); alone it shows the current zone."""
    nudger, now = context.nudger, context.tutor.clock()
    if not context.args:
        current = await nudger.settings(user_id(update))
        await reply(
            update, context, views.timezone_usage(current.zone if current else context.tutor.default_timezone)
        )
        return
    text = " ".join(context.args)
    found = parse_timezone(text)
    if found.zone is None or not valid_zone(found.zone):
        await reply(update, context, views.unknown_timezone(text, found.suggestions))
        return
    settings = await nudger.set_timezone(user_id(update), found.zone)
    await reply(update, context, views.timezone_set(settings, now))


async def pause_command(update: Update, context: RetainContext) -> None:
    """/pause 3: no nudges for three days."""
    text = " ".join(context.args or [])
    if not text.isdigit():
        await reply(update, context, views.pause_usage())
        return
    try:
        settings = await context.nudger.pause(user_id(update), int(text))
    except InvalidChoice:
        await reply(update, context, views.pause_usage())
        return
    await reply(update, context, views.paused(settings))


async def resume_command(update: Update, context: RetainContext) -> None:
    """/resume: nudges again, from the next chosen time."""
    settings = await context.nudger.pause(user_id(update), None)
    await reply(update, context, views.resumed(settings, context.tutor.clock()))


def register(app: RetainApp) -> None:
    """Add the settings handlers."""
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("remind", remind_command, filters=private))
    app.add_handler(CommandHandler("timezone", timezone_command, filters=private))
    app.add_handler(CommandHandler("pause", pause_command, filters=private))
    app.add_handler(CommandHandler("resume", resume_command, filters=private))
