"""Days in the learner's own time zone: streaks, answers today and this week."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo


def local_day(moment: datetime, timezone: str) -> date:
    """The calendar day `moment` falls on in `timezone`."""
    return moment.astimezone(ZoneInfo(timezone)).date()


def advance_streak(streak: int, last_day: str | None, today: date) -> tuple[int, str]:
    """The day streak after an answer given on local day `today` (ISO dates, as stored)."""
    if last_day == today.isoformat():
        return streak, last_day
    if last_day == (today - timedelta(days=1)).isoformat():
        return streak + 1, today.isoformat()
    return 1, today.isoformat()


class _HasStreak(Protocol):
    timezone: str
    streak_days: int
    streak_day: str | None


def current_streak(learner: _HasStreak, now: datetime) -> int:
    """Days in a row with an answer, in the learner's zone; alive until the end of today."""
    today = local_day(now, learner.timezone)
    alive = (today.isoformat(), (today - timedelta(days=1)).isoformat())
    return learner.streak_days if learner.streak_day in alive else 0


def answered_since(answered: Iterable[datetime], timezone: str, now: datetime) -> tuple[int, int]:
    """Answers given today and this week (Monday to Sunday), in the learner's zone."""
    today = local_day(now, timezone)
    monday = today - timedelta(days=today.weekday())
    days = [local_day(moment, timezone) for moment in answered]
    return sum(1 for d in days if d == today), sum(1 for d in days if monday <= d <= today)


def start_of_week(now: datetime, timezone: str) -> datetime:
    """Monday 00:00 of this week in the learner's zone, as an aware datetime."""
    local = now.astimezone(ZoneInfo(timezone))
    monday = local.date() - timedelta(days=local.weekday())
    return datetime.combine(monday, datetime.min.time(), tzinfo=ZoneInfo(timezone))
