"""What the learner's answers say, per topic area: met, recall and readiness. /stats and the selector
use these same figures, so what Retain shows a learner is what it acts on.

- *met*: items answered at least once, of the area's items in the learner's course.
- *recall*: the chance of getting each met item right now, averaged over the items met. An item
  whose latest answer was wrong counts as not known until it is answered right again, so a miss
  shows at once; otherwise it is FSRS's predicted recall (fractional days).
- *readiness*: the share of the area's exam the learner would get right today: recall summed over
  the items met, divided by all the area's items (an unseen item counts as not known).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.tutor.memory import ItemMemory, missed_last, recall
from content.schema import Answerable


def item_recall(memory: ItemMemory | None, now: datetime) -> float:
    """The chance the learner gets an item right now, on the evidence (0 if never met or last missed)."""
    if memory is None or missed_last(memory):
        return 0.0
    return recall(memory, now)


@dataclass(frozen=True)
class AreaEvidence:
    """The evidence in one topic area."""

    area: str
    items: int  # the area's items in the learner's course
    met: int
    answers: int
    right: int
    recall: float | None  # None before any item of the area is met
    readiness: float

    @property
    def started(self) -> bool:
        """Whether the learner has answered anything in the area."""
        return self.met > 0


def area_evidence(
    items: Sequence[Answerable], memories: Mapping[str, ItemMemory], now: datetime
) -> dict[str, AreaEvidence]:
    """Per topic area (in the order areas first appear in `items`): met, answers, recall, readiness."""
    totals: dict[str, list[float]] = {}  # items, met, answers, right, recall sum
    for item in items:
        row = totals.setdefault(item.area, [0, 0, 0, 0, 0.0])
        row[0] += 1
        memory = memories.get(item.id)
        if memory is not None and memory.seen:
            row[1] += 1
            row[2] += memory.correct + memory.wrong
            row[3] += memory.correct
            row[4] += item_recall(memory, now)
    return {
        area: AreaEvidence(
            area,
            int(n),
            int(met),
            int(answers),
            int(right),
            recall_sum / met if met else None,
            recall_sum / n if n else 0.0,
        )
        for area, (n, met, answers, right, recall_sum) in totals.items()
    }


def weakest_area(evidence: Mapping[str, AreaEvidence]) -> AreaEvidence | None:
    """The area the evidence says is weakest: lowest recall among areas started (None before any).

    Ties go to the area with the lower share of right answers, then fewer items met.
    """
    started = [e for e in evidence.values() if e.started and e.recall is not None]
    if not started:
        return None
    return min(started, key=lambda e: (e.recall, e.right / max(e.answers, 1), e.met))
