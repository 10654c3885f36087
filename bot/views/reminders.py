"""Nudge texts: the reminder settings in the learner's own words, and the daily nudge itself."""

from __future__ import annotations

from datetime import datetime
from html import escape

from bot.codec import Action, Callback
from bot.tutor.examdate import ExamNote, Phase
from bot.tutor.nudging import MAX_PAUSE_DAYS, MIN_PAUSE_DAYS
from bot.tutor.results import ReminderSettings, ServedPrompt
from bot.tutor.schedule import zone_label
from bot.ui import Keyboard, keyboard
from bot.views.common import REMINDER_CHOICES, button, day, echo, when
from bot.views.revise import prompt_text, tip_text
from content.schema import Bank, ExamTip


def reminder_settings(settings: ReminderSettings, now: datetime) -> str:
    """A learner's nudge settings, in their own words."""
    zone = settings.zone
    if settings.reminder is None:
        lines = [f"Daily nudges are off. Your time zone is {escape(zone_label(zone))} ({escape(zone)})."]
    else:
        every = "Every other day" if settings.every_other_day else "Every day"
        lines = [f"{every} at <b>{settings.reminder}</b>, {escape(zone_label(zone))} time."]
        if settings.paused_until is not None and settings.paused_until > now:
            lines.append(f"Paused until {day(settings.paused_until, zone)}: /resume to start sooner.")
        elif settings.next_at is not None:
            lines.append(f"Next nudge: {when(settings.next_at, now, zone)}.")
    return "\n".join(lines)


def remind_menu(settings: ReminderSettings | None, now: datetime) -> str:
    """/remind without a time."""
    current = reminder_settings(settings, now) + "\n\n" if settings else ""
    return (
        f"{current}Choose a time for your daily nudge, or send one like <code>/remind 18:30</code>. "
        "<code>/remind off</code> stops them; <code>/timezone</code> sets your time zone."
    )


def remind_keyboard() -> Keyboard:
    """Common nudge times and "off" (the same buttons as at set-up)."""
    times = [button(t, Callback(Action.REMIND, value=t.replace(":", ""))) for t in REMINDER_CHOICES]
    return keyboard([times[:2], times[2:], [button("No nudges", Callback(Action.REMIND, value="off"))]])


def invalid_time(text: str) -> str:
    """/remind with something that is not a time of day."""
    return (
        f"“{echo(text)}” isn't a time of day. Send a 24-hour time like <code>/remind 18:30</code> "
        "(or <code>/remind 6:30pm</code>), or <code>/remind off</code>."
    )


def timezone_usage(zone: str) -> str:
    """/timezone without a zone."""
    return (
        f"Your time zone is <b>{escape(zone_label(zone))}</b> ({escape(zone)}). Change it with a name like "
        "<code>/timezone Europe/London</code>, a city like <code>/timezone Paris</code>, or an offset from "
        "UTC like <code>/timezone +2</code>."
    )


def unknown_timezone(text: str, suggestions: list[str]) -> str:
    """/timezone with a zone that does not exist."""
    hint = ""
    if suggestions:
        hint = " Did you mean " + " or ".join(f"<code>{escape(s)}</code>" for s in suggestions) + "?"
    return (
        f"I don't know the time zone “{echo(text)}”.{hint} Send a name like <code>Europe/London</code>, "
        "a city like <code>Paris</code>, or a whole-hour offset like <code>+2</code>."
    )


def timezone_set(settings: ReminderSettings, now: datetime) -> str:
    """Confirms /timezone."""
    return (
        f"Time zone set: {escape(zone_label(settings.zone))} ({escape(settings.zone)}).\n"
        + reminder_settings(settings, now)
    )


def pause_usage() -> str:
    """/pause with no or a bad number of days."""
    return (
        f"Send /pause and a number of days from {MIN_PAUSE_DAYS} to {MAX_PAUSE_DAYS}, "
        "like <code>/pause 3</code>. "
        "/resume starts nudges again."
    )


def paused(settings: ReminderSettings) -> str:
    """Confirms /pause."""
    if settings.paused_until is None:  # nothing paused after all: say how things stand
        return "Nudges are not paused. /pause 3 takes a three-day break."
    return (
        f"Nudges paused until {day(settings.paused_until, settings.zone)}. "
        "Your progress is kept; /resume starts them again sooner."
    )


def resumed(settings: ReminderSettings, now: datetime) -> str:
    """Confirms /resume."""
    return "Nudges are back on. " + reminder_settings(settings, now)


def exam_line(note: ExamNote) -> str:
    """What a nudge says about the exam: the days left and where the learner stands, luck on the day,
    or that the day has passed."""
    if note.phase is Phase.PASSED:
        return (
            f"Your exam day, {note.day:%A} {note.day.day} {note.day:%B}, has passed: I hope it went well! "
            "I've stopped planning towards it. /exam off clears the date, or set a new one like "
            "<code>/exam 12 June</code>."
        )
    if note.phase is Phase.EXAM_DAY:
        return "🍀 <b>Exam day: good luck!</b> Just a last quick review of what you know, nothing new today."
    left = "1 day" if note.days_left == 1 else f"{note.days_left} days"
    line = f"📅 <b>{left}</b> to your exam."
    area = escape(note.focus_area) if note.focus_area else None
    # Said as facts about the learner's record, not as what today's prompts will be: the selector
    # weighs every item, so a nudge's prompt may well be from another area.
    if note.focus_new and area:
        return f"{line} The area you have met least so far: <b>{area}</b>."
    if note.exam_questions and area:
        weakest = f"your weakest area, <b>{area}</b>"
        return f"{line} Final days: exam questions and {weakest}, get more of your prompts."
    if note.exam_questions:
        return f"{line} Final days: exam questions get more of your prompts."
    if area:
        return f"{line} Your weakest area: <b>{area}</b>."
    return line


def nudge_text(
    bank: Bank,
    served: ServedPrompt,
    streak: int,
    backoff_notice: bool,
    tip: ExamTip | None,
    exam: ExamNote | None = None,
) -> str:
    """A daily nudge: a prompt to answer right here, the streak, the days to the exam if a date is
    set, sometimes a tip."""
    days = "day" if streak == 1 else "days"
    head = "⏰ <b>Your daily revision</b>" + (f" · 🔥 {streak} {days} in a row" if streak else "")
    if exam is not None:
        head += "\n" + exam_line(exam)
    parts = [head, prompt_text(bank, served)]
    if tip is not None:
        parts.append(tip_text(tip, streak=False))
    if backoff_notice:
        parts.append(
            "<i>You've missed a few nudges, so I'll nudge you every other day for now; answer any prompt "
            "to go back to daily. /pause 3 takes a break, /remind off stops nudges.</i>"
        )
    return "\n\n".join(parts)
