"""Progress figures: mastery and accuracy per topic area, what is due, as plain data."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot.tutor.memory import ItemMemory
from bot.tutor.selection import area_mastery
from content.schema import Answerable, Area


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
    next_up: list[Answerable] = field(default_factory=list)  # the next few things the tutor would pick

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
    areas: Sequence[Area], items: Sequence[Answerable], memories: Mapping[str, ItemMemory], now: datetime
) -> LearnerStats:
    """Summarise `memories` per area (in the order of `areas`) and count what is due at `now`."""
    mastery = area_mastery(items, memories, now)
    per_area = []
    for area in areas:
        in_area = [item for item in items if item.area == area.id]
        if not in_area:
            continue
        answered = [memories[i.id] for i in in_area if i.id in memories]
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
    due_times = [r.due_at for i in items if (r := memories.get(i.id)) and r.due_at]
    due_now = sum(1 for t in due_times if t <= now)
    upcoming = [t for t in due_times if t > now]
    return LearnerStats(per_area, due_now, min(upcoming) if upcoming else None)
