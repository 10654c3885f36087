"""Nudge settings' replies: /remind, /timezone, /pause and /resume."""

from __future__ import annotations

from bot.tutor.core import InvalidChoice
from bot.tutor.tutor import Tutor
from bot.ui import Reply, Send
from bot.views import reminders

OFF = "off"


async def remind(tutor: Tutor, user_id: int, text: str) -> Reply:
    """/remind 18:30 sets the nudge time, /remind off stops nudges, /remind alone offers buttons."""
    nudges, now = tutor.nudges, tutor.core.clock()
    if not text:
        current = await nudges.settings(user_id)
        return [Send(reminders.remind_menu(current, now), reminders.remind_keyboard())]
    try:
        settings = await nudges.set_reminder(user_id, None if text.casefold() == OFF else text)
    except InvalidChoice:
        return [Send(reminders.invalid_time(text))]
    return [Send(reminders.reminder_settings(settings, now))]


async def timezone(tutor: Tutor, user_id: int, text: str) -> Reply:
    """/timezone Europe/London (or a city, or +2); alone it shows the current zone."""
    if not text:
        return [Send(reminders.timezone_usage(await tutor.nudges.zone_of(user_id)))]
    change = await tutor.nudges.set_timezone(user_id, text)
    if change.settings is None:
        return [Send(reminders.unknown_timezone(text, change.suggestions))]
    return [Send(reminders.timezone_set(change.settings, tutor.core.clock()))]


async def pause(tutor: Tutor, user_id: int, text: str) -> Reply:
    """/pause 3: no nudges for three days."""
    try:
        settings = await tutor.nudges.pause(user_id, text)
    except InvalidChoice:
        return [Send(reminders.pause_usage())]
    return [Send(reminders.paused(settings))]


async def resume(tutor: Tutor, user_id: int) -> Reply:
    """/resume: nudges again, from the next chosen time."""
    settings = await tutor.nudges.pause(user_id, None)
    return [Send(reminders.resumed(settings, tutor.core.clock()))]
