"""Set-up texts: the welcome, the awarding body and reminder questions, changing course."""

from __future__ import annotations

from html import escape

from bot.codec import Action, Callback
from bot.ui import Keyboard, keyboard
from bot.views.common import REMINDER_CHOICES, button, course_name, place
from content.schema import ALL_BODIES, Bank


def welcome() -> str:
    """The first message a new learner sees."""
    return (
        "<b>Welcome to Retain!</b>\n\n"
        "I help you revise <i>Understand customers and customer retention</i>: CRM, keeping "
        "customers, and measuring satisfaction. A few minutes a day of short prompts and "
        "true-or-false challenges, and I bring back what you find hard.\n\n"
        "First, which awarding body is your diploma with?"
    )


def body_keyboard(bank: Bank) -> Keyboard:
    """One button per awarding body, and one for all of them."""
    rows = [
        [button(body.name, Callback(Action.BODY, value=body.id))] for body in bank.catalogue.awarding_bodies
    ]
    rows.append([button("Not sure: all of them", Callback(Action.BODY, value=ALL_BODIES))])
    return keyboard(rows)


def reminder_question(bank: Bank, body: str, timezone: str) -> str:
    """Confirms the course and asks for a reminder time."""
    return (
        f"Got it: <b>{escape(course_name(bank, body))}</b>.\n\n"
        "Would you like a daily reminder with a question to answer? "
        f"Times are {escape(place(timezone))} time."
    )


def reminder_keyboard() -> Keyboard:
    """Common reminder times and "not now"."""
    times = [button(t, Callback(Action.REMIND, value=t.replace(":", ""))) for t in REMINDER_CHOICES]
    return keyboard([times[:2], times[2:], [button("Not now", Callback(Action.REMIND, value="off"))]])


def reminder_saved(local_time: str | None, timezone: str) -> str:
    """Confirms the reminder choice in the learner's own words."""
    if local_time is None:
        return "No daily reminder for now. Here is your first prompt."
    return (
        f"Saved: a daily reminder at <b>{local_time}</b>, {escape(place(timezone))} time. "
        "Here is your first prompt."
    )


def welcome_back(bank: Bank, body: str | None) -> str:
    """What /start says to a learner who has already set up."""
    return (
        f"Welcome back! You are revising for <b>{escape(course_name(bank, body))}</b>. "
        "Here is your next prompt."
    )


def change_course_keyboard() -> Keyboard:
    """Lets a returning learner pick another awarding body."""
    return keyboard([[button("Change course", Callback(Action.CHANGE_COURSE))]])


def choose_course() -> str:
    """Asks a returning learner for their awarding body."""
    return "Which awarding body is your diploma with? Your progress so far is kept."


def course_changed(bank: Bank, body: str, already_met: int, course_items: int) -> str:
    """Confirms a changed course: everything answered so far is kept, and counts where it applies."""
    return (
        f"Done: you are now revising for <b>{escape(course_name(bank, body))}</b>. "
        f"Your progress is kept: {already_met} of its {course_items} items you have met already."
    )
