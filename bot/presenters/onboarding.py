"""Set-up's replies: /start, the awarding body and reminder buttons, changing course."""

from __future__ import annotations

from bot.presenters.revise import prompt_reply
from bot.tutor.core import InvalidChoice
from bot.tutor.results import Stage
from bot.tutor.tutor import Tutor
from bot.ui import Edit, Reply, Send
from bot.views import common, onboarding, reminders


async def start(tutor: Tutor, user_id: int) -> Reply:
    """/start: set-up for a new learner, the next prompt for a returning one."""
    bank = tutor.bank
    result = await tutor.profiles.start(user_id)
    profile = result.profile
    if result.stage is Stage.CHOOSE_BODY or profile.awarding_body is None:
        return [Send(onboarding.welcome(), onboarding.body_keyboard(bank))]
    if result.stage is Stage.CHOOSE_REMINDER:
        text = onboarding.reminder_question(bank, profile.awarding_body, profile.timezone)
        return [Send(text, onboarding.reminder_keyboard())]
    welcome = Send(onboarding.welcome_back(bank, profile.awarding_body), onboarding.change_course_keyboard())
    return [welcome, *(prompt_reply(bank, result.prompt) if result.prompt else [])]


def change_course(tutor: Tutor) -> Reply:
    """ "Change course": the awarding bodies again."""
    return [Edit(onboarding.choose_course(), onboarding.body_keyboard(tutor.bank))]


async def choose_body(tutor: Tutor, user_id: int, body: str) -> Reply:
    """The chosen awarding body; then the reminder question (first set-up) or the next prompt."""
    bank = tutor.bank
    try:
        result = await tutor.profiles.choose_body(user_id, body)
    except InvalidChoice:
        return [Send(common.choose_from_buttons())]
    if not result.profile.reminder_chosen:
        text = onboarding.reminder_question(bank, body, result.profile.timezone)
        return [Edit(text, onboarding.reminder_keyboard())]
    confirmed = Edit(onboarding.course_changed(bank, body, result.already_met, result.course_items))
    return [confirmed, *(prompt_reply(bank, result.prompt) if result.prompt else [])]


async def choose_reminder(tutor: Tutor, user_id: int, local_time: str | None) -> Reply:
    """The reminder choice: the first prompt after set-up, or the settings when changed from /remind."""
    try:
        result = await tutor.profiles.choose_reminder(user_id, local_time)
    except InvalidChoice:
        return [Send(common.choose_from_buttons())]
    if result.first:
        saved = Edit(onboarding.reminder_saved(local_time, result.profile.timezone))
        return [saved, *(prompt_reply(tutor.bank, result.prompt) if result.prompt else [])]
    return [Edit(reminders.reminder_settings(result.settings, tutor.core.clock()))]
