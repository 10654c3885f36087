"""Progress statistics: what the learner has seen, how well, and what is due."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.tutor.memory import ItemRecord
from bot.tutor.selection import Item
from content.schema import Area


@dataclass(frozen=True)
class AreaStats:
    """Progress in one topic area."""

    area: Area
    items_total: int
    items_seen: int
    answers: int
    correct: int

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


def learner_stats(
    areas: Sequence[Area], items: Sequence[Item], records: Mapping[str, ItemRecord], now: datetime
) -> LearnerStats:
    """Summarise `records` per area (in the order of `areas`) and count what is due at `now`."""
    per_area = []
    for area in areas:
        in_area = [item for item in items if item.area == area.id]
        answered = [records[i.id] for i in in_area if i.id in records]
        per_area.append(
            AreaStats(
                area=area,
                items_total=len(in_area),
                items_seen=len(answered),
                answers=sum(r.correct + r.wrong for r in answered),
                correct=sum(r.correct for r in answered),
            )
        )
    due_times = [r.due_at for i in items if (r := records.get(i.id)) and r.due_at]
    due_now = sum(1 for t in due_times if t <= now)
    upcoming = [t for t in due_times if t > now]
    return LearnerStats(per_area, due_now, min(upcoming) if upcoming else None)
