"""/exam texts: the exam date set, shown, cleared or refused, and what Retain does with it."""

from __future__ import annotations

from datetime import date

from bot.tutor.deadlines import DateProblem
from bot.tutor.exam_dates import ExamDate
from bot.tutor.examdate import FINAL_DAYS
from bot.views.common import echo

EXAMPLES = (
    "<code>/exam 12 March</code>, <code>/exam 2027-03-12</code>, <code>/exam 12/03/2027</code> "
    "or <code>/exam in 6 weeks</code>"
)


def long_day(day: date) -> str:
    """ "Thursday 12 March 2027"."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def _left(n: int) -> str:
    return "tomorrow" if n == 1 else f"in {n} days"


PLAN = (
    "Until then, I choose each prompt by how much it would add to what you remember on the day, and in "
    f"the final {FINAL_DAYS} days exam questions and your weakest area get more of your prompts. "
    "Your daily nudges (if they're on) count the days down, and /stats shows "
    "your predicted score on the day."
)


def _status(result: ExamDate) -> str:
    day, left = result.day, result.days_left
    if day is None or left is None:
        return "You haven't set an exam date."
    if left < 0:
        return (
            f"Your exam date, {long_day(day)}, has passed, so Retain no longer plans towards it: "
            "<code>/exam off</code> clears it, or set a new one like <code>/exam 12 June</code>."
        )
    if left == 0:
        return f"Your exam is <b>today</b>, {long_day(day)}. Good luck!"
    return f"Your exam: <b>{long_day(day)}</b>, {_left(left)}."


def shown(result: ExamDate) -> str:
    """/exam alone: the date and days left, and how to change it (or how to set one)."""
    if result.day is None:
        return (
            "You haven't set an exam date. Send it like "
            f"{EXAMPLES}, and Retain plans your revision towards the day and predicts your score on it."
        )
    status = _status(result)
    if (result.days_left or 0) < 0:
        return status
    return f"{status}\nTo change it, send the new date like {EXAMPLES}; <code>/exam off</code> clears it."


def set_text(result: ExamDate) -> str:
    """Confirms a new exam date."""
    if result.days_left == 0:
        return (
            f"Exam date set: <b>today</b>, {long_day(result.day or result.today)}. Good luck! Today your "
            "prompts are a last quick review of what you've met, nothing new. "
            "<code>/exam off</code> clears it."
        )
    return (
        f"Exam date set: <b>{long_day(result.day or result.today)}</b>, {_left(result.days_left or 0)}.\n"
        f"{PLAN} <code>/exam off</code> clears the date."
    )


def cleared(result: ExamDate) -> str:
    """/exam off."""
    if not result.changed:
        return "You have no exam date set. Send one like <code>/exam 12 March</code>."
    return "Exam date cleared: Retain revises with you as before, with no date to plan towards."


def refused(result: ExamDate) -> str:
    """A date that could not be read, has passed or is too far ahead."""
    typed = echo(result.typed)
    if result.problem is DateProblem.PAST:
        return f"“{typed}” has already passed: send your exam's date, today or later."
    if result.problem is DateProblem.TOO_FAR:
        return f"“{typed}” is more than 18 months away: check the year, or set the date nearer the time."
    return f"I couldn't read “{typed}” as a date. Send it like {EXAMPLES}."
