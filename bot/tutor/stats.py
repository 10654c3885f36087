"""Progress: mastery per topic area, streaks and daily counts in the learner's own time zone."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.tutor.memory import ItemRecord
from bot.tutor.selection import Item, area_mastery
from content.schema import Area


@dataclass(frozen=True)
class AreaStats:
    """Progress in one topic area."""

    area: Area
    items_total: int
    items_seen: int
    answers: int
    correct: int
    mastery: float  # predicted recall summed over the items met / all the area's items

    @property
    def accuracy(self) -> float | None:
        """Share of answers that were right, or None before any answer."""
        return self.correct / self.answers if self.answers else None


@dataclass(frozen=True)
class LearnerStats:
    """A learner's progress over the items they can meet."""

    areas: list[AreaStats]
    due_now: int
    next_due_at: datetime | None
    streak_days: int = 0
    answered_today: int = 0
    answered_this_week: int = 0
    daily_goal: int | None = None
    next_up: list[Item] = field(default_factory=list)  # the next few things the tutor would pick

    @property
    def items_seen(self) -> int:
        """Distinct items answered at least once."""
        return sum(a.items_seen for a in self.areas)

    @property
    def items_total(self) -> int:
        """Items the learner can meet."""
        return sum(a.items_total for a in self.areas)

    @property
    def answers(self) -> int:
        """Answers given in all."""
        return sum(a.answers for a in self.areas)

    @property
    def weakest(self) -> AreaStats | None:
        """The area with the lowest mastery (the first of equals)."""
        return min(self.areas, key=lambda a: a.mastery) if self.areas else None


def learner_stats(
    areas: Sequence[Area], items: Sequence[Item], records: Mapping[str, ItemRecord], now: datetime
) -> LearnerStats:
    """Summarise `records` per area (in the order of `areas`) and count what is due at `now`."""
    mastery = area_mastery(items, records, now)
    per_area = []
    for area in areas:
        in_area = [item for item in items if item.area == area.id]
        if not in_area:
            continue
        answered = [records[i.id] for i in in_area if i.id in records]
        per_area.append(
            AreaStats(
                area=area,
                items_total=len(in_area),
                items_seen=len(answered),
                answers=sum(r.correct + r.wrong for r in answered),
                correct=sum(r.correct for r in answered),
                mastery=mastery.get(area.id, 0.0),
            )
        )
    due_times = [r.due_at for i in items if (r := records.get(i.id)) and r.due_at]
    due_now = sum(1 for t in due_times if t <= now)
    upcoming = [t for t in due_times if t > now]
    return LearnerStats(per_area, due_now, min(upcoming) if upcoming else None)


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
