"""Homework deadlines: reading "until Friday" and friends, the end of the due day in a zone, and when
the reminder comes. Plain functions of dates, zones and UTC moments.

Rules:

- A weekday means the next such day after today ("until Friday" on a Friday: a week today).
- A day and month without a year ("12 March", "March 12") means its next occurrence, today
  included; an ISO date ("2026-12-11") means that day. "today" and "tomorrow" mean what they say.
- The deadline is the end of the due day (23:59) in the zone it was read in (the teacher's).
- A date before today, or more than MAX_AHEAD ahead, is refused.
- The reminder comes at REMIND_AT in the pupil's own zone on the day before the due day (theirs).
  When that moment is less than REMIND_GAP after the pupil received the homework (it was set
  late the day before, or on the day), it comes at REMIND_AT on the due day itself instead, as
  long as that is at least REMIND_GAP after they received it and REMIND_GAP before the deadline;
  otherwise there is no reminder: the homework itself says when it is due.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

DEFAULT_AHEAD = timedelta(days=7)  # no date given: due a week today
MAX_AHEAD = timedelta(days=90)  # a deadline further off is most likely a typo
END_OF_DAY = time(23, 59)
REMIND_AT = time(18, 0)
REMIND_GAP = timedelta(hours=2)
DEADLINE_WORDS = ("until", "by", "due")

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DAY = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?")


class DateProblem(StrEnum):
    """Why a deadline was refused."""

    UNREADABLE = "unreadable"
    PAST = "past"
    TOO_FAR = "too far"


@dataclass(frozen=True)
class Deadline:
    """A due day as read, or why it was refused (`problem`)."""

    day: date | None
    problem: DateProblem | None = None


def named(word: str, names: tuple[str, ...]) -> int | None:
    """The index of the name `word` spells or begins (at least three letters: "fri", "sept")."""
    word = word.casefold().rstrip(".,")
    if len(word) < 3:
        return None
    found = [n for n, name in enumerate(names) if name.startswith(word)]
    return found[0] if len(found) == 1 else None


def day_month(words: list[str]) -> tuple[int, int] | None:
    """ "12 March", "March 12", "12th Mar" as (day, month)."""
    if len(words) != 2:
        return None
    for day_word, month_word in (words, words[::-1]):
        day = _DAY.fullmatch(day_word.casefold())
        month = named(month_word, MONTHS)
        if day is not None and month is not None:
            return int(day.group(1)), month + 1
    return None


def read_day(words: list[str], today: date) -> date | None:
    """The day `words` name, relative to `today` (see the module notes), or None."""
    text = " ".join(words).casefold().strip()
    if text == "today":
        return today
    if text == "tomorrow":
        return today + timedelta(days=1)
    if len(words) == 1 and (iso := _ISO.fullmatch(text)) is not None:
        try:
            return date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        except ValueError:
            return None
    if len(words) == 1 and (weekday := named(text, WEEKDAYS)) is not None:
        return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)
    found = day_month(words)
    if found is None:
        return None
    day, month = found
    for year in (today.year, today.year + 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            return None
        if candidate >= today:
            return candidate
    return None


def parse_deadline(words: list[str], today: date) -> Deadline:
    """The due day `words` name ("Friday", "12 March", "tomorrow", "2026-12-11"), or why not."""
    day = read_day(words, today)
    if day is None:
        return Deadline(None, DateProblem.UNREADABLE)
    if day < today:
        return Deadline(None, DateProblem.PAST)
    if day - today > MAX_AHEAD:
        return Deadline(None, DateProblem.TOO_FAR)
    return Deadline(day)


def default_day(today: date) -> date:
    """The due day when none is given: a week today."""
    return today + DEFAULT_AHEAD


def end_of_day(day: date, zone: str) -> datetime:
    """23:59 on `day` in `zone`, in UTC."""
    return datetime.combine(day, END_OF_DAY, tzinfo=ZoneInfo(zone)).astimezone(ZoneInfo("UTC"))


def local_day(moment: datetime, zone: str) -> date:
    """The date of `moment` in `zone`."""
    return moment.astimezone(ZoneInfo(zone)).date()


def reminder_at(due_at: datetime, zone: str, received: datetime) -> datetime | None:
    """When a pupil in `zone` who received the homework at `received` is reminded (see the notes)."""
    tz = ZoneInfo(zone)
    due_day = due_at.astimezone(tz).date()
    for day in (due_day - timedelta(days=1), due_day):
        moment = datetime.combine(day, REMIND_AT, tzinfo=tz).astimezone(ZoneInfo("UTC"))
        if moment - received >= REMIND_GAP and due_at - moment >= REMIND_GAP:
            return moment
    return None
