"""The learner's exam date: reading it, and where the plan towards it stands. Plain functions.

Dates are read as homework deadlines are (`deadlines.read_day`: "12 March" is its next
occurrence, an ISO date that day), and also as "12/03/2027" (day first, as in the UK), "12/03"
and "in 6 weeks". A date before today, or more than MAX_AHEAD ahead, is refused.

The exam is taken to start at EXAM_TIME on its day in the learner's zone. The plan has phases:
AHEAD (new material paced so every area is met in time, reviews timed for the day), FINAL (the
last FINAL_DAYS days before it: exam questions and the weakest area first), EXAM_DAY (a last
quick review, nothing new) and PASSED (the plan stops: Retain behaves as without a date).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.tutor.deadlines import WEEKDAYS, DateProblem, Deadline, day_month, named, read_day
from bot.tutor.memory import micros

MAX_AHEAD = timedelta(days=548)  # about 18 months: a date further off is most likely a typo
FINAL_DAYS = 7  # the last days before the exam, when the mix favours exam questions and the weakest area
EXAM_TIME = time(9, 0)  # when, on its day, the exam is taken to start (recall is predicted for then)
OFF_WORDS = ("off", "none", "clear", "remove", "delete")

_NUMERIC = re.compile(r"(\d{1,2})[/.](\d{1,2})(?:[/.](\d{2}|\d{4}))?")
_IN = re.compile(r"in\s+(\d{1,3}|a|an|one)\s+(day|week|month)s?")


class Phase(StrEnum):
    """Where the learner is on the way to their exam."""

    AHEAD = "ahead"
    FINAL = "final"
    EXAM_DAY = "exam day"
    PASSED = "passed"


@dataclass(frozen=True)
class ExamPlan:
    """A learner's exam date as the selector, the nudges and /stats see it on one local day."""

    day: date
    today: date  # the learner's local today
    at_us: int  # EXAM_TIME on the exam day in the learner's zone, as microseconds since 1970 (UTC)

    @property
    def days_left(self) -> int:
        """Whole days from today to the exam day (0 on the day, negative after it)."""
        return (self.day - self.today).days

    @property
    def phase(self) -> Phase:
        """Where the plan stands today."""
        left = self.days_left
        if left < 0:
            return Phase.PASSED
        if left == 0:
            return Phase.EXAM_DAY
        return Phase.FINAL if left <= FINAL_DAYS else Phase.AHEAD

    @property
    def active(self) -> bool:
        """Whether the plan still steers anything (the exam is today or ahead)."""
        return self.days_left >= 0


def exam_moment(day: date, zone: str) -> datetime:
    """EXAM_TIME on `day` in `zone`, as an aware time."""
    return datetime.combine(day, EXAM_TIME, tzinfo=ZoneInfo(zone))


def plan_of(exam_date: str | None, zone: str, now: datetime) -> ExamPlan | None:
    """The plan a learner's stored exam date (ISO, or None) describes at `now`."""
    if not exam_date:
        return None
    try:
        day = date.fromisoformat(exam_date)
    except ValueError:
        return None
    today = now.astimezone(ZoneInfo(zone)).date()
    return ExamPlan(day, today, micros(exam_moment(day, zone)))


def _numeric(text: str, today: date) -> date | None:
    """ "12/03/2027", "12.03.27", "12/03" (day first; without a year, the next occurrence)."""
    found = _NUMERIC.fullmatch(text)
    if found is None:
        return None
    day, month, year = int(found.group(1)), int(found.group(2)), found.group(3)
    try:
        if year is not None:
            return date(int(year) + (2000 if len(year) == 2 else 0), month, day)
        for candidate_year in (today.year, today.year + 1):
            candidate = date(candidate_year, month, day)
            if candidate >= today:
                return candidate
    except ValueError:
        return None
    return None


def _with_year(text: str) -> date | None:
    """ "12 March 2027", "Friday 12 March 2027", "March 12th, 2027": a named day with its year (the
    form Retain itself writes a date in)."""
    words = text.split()
    if words and named(words[0], WEEKDAYS) is not None:
        words = words[1:]
    if len(words) < 3 or not words[-1].isdigit() or len(words[-1]) != 4:
        return None
    found = day_month(words[:-1])
    if found is None:
        return None
    try:
        return date(int(words[-1]), found[1], found[0])
    except ValueError:
        return None


def _relative(text: str, today: date) -> date | None:
    """ "in 6 weeks", "in 10 days", "in a month" (a month is four weeks: the day of the week stays)."""
    found = _IN.fullmatch(text)
    if found is None:
        return None
    count = found.group(1)
    n = 1 if count in ("a", "an", "one") else int(count)
    days = {"day": 1, "week": 7, "month": 28}[found.group(2)]
    return today + timedelta(days=n * days)


def parse_exam_date(text: str, today: date) -> Deadline:
    """The exam day `text` names, relative to the learner's `today`, or why it was refused."""
    cleaned = " ".join(text.casefold().replace(",", " ").split())
    if cleaned.startswith("on "):
        cleaned = cleaned[3:]
    day = (
        _numeric(cleaned, today)
        or _relative(cleaned, today)
        or _with_year(cleaned)
        or read_day(cleaned.split(), today)
    )
    if day is None:
        return Deadline(None, DateProblem.UNREADABLE)
    if day < today:
        return Deadline(None, DateProblem.PAST)
    if day - today > MAX_AHEAD:
        return Deadline(None, DateProblem.TOO_FAR)
    return Deadline(day)


@dataclass(frozen=True)
class ExamNote:
    """What a nudge says about the exam: the days left and today's focus, luck on the day, or (once)
    that the day has passed and the plan stopped."""

    phase: Phase
    day: date
    days_left: int
    focus_area: str | None = None  # the area's name
    focus_new: bool = False  # the focus is meeting the area's items not yet met (else: its recall)
    exam_questions: bool = False  # the final days' focus includes exam questions
