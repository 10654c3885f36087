"""What the learner's answers say, per topic area: met, recall and readiness. /stats and the selector
use these same figures, so what Retain shows a learner is what it acts on.

- *met*: items answered at least once, of the area's items in the learner's course.
- *recall*: the chance of getting each met item right now, averaged over the items met. An item
  whose latest answer was wrong counts as not known until it is answered right again, so a miss
  shows at once. Otherwise it is FSRS's predicted recall (fractional days), moved by how the area
  goes compared with the learner's other areas: FSRS's default curve does not know this learner,
  and the benchmark showed it ranks areas badly (an area practised hard looks best-remembered
  because it was practised recently). An area answered 15 points worse than the learner's own
  average counts 15 points lower (accuracies smoothed with one right and one wrong answer
  imagined, and lucky guesses on true/false and multiple choice taken out).
- *readiness*: the share of the area's exam the learner would get right today: recall summed over
  the items met, divided by all the area's items (an unseen item counts as not known).

The *weakest area* is the one with the lowest recall among the areas started: an area with no
evidence is "not started", never "weakest".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.tutor.memory import ItemMemory, missed_last, recall
from content.schema import Answerable, MetricDrill, MultipleChoice, TrueFalse


def item_recall(memory: ItemMemory | None, now: datetime, *, adjustment: float = 0.0) -> float:
    """The chance the learner gets an item right now, on the evidence (0 if never met or last missed).

    `adjustment` is the item's area's accuracy less the learner's own average (`area_adjustment`).
    """
    if memory is None or not memory.seen or missed_last(memory):
        return 0.0
    return min(1.0, max(0.0, recall(memory, now) + adjustment))


def guess_rate(item: Answerable) -> float:
    """The chance of answering an item right by guessing (a concept card is graded honestly)."""
    if isinstance(item, TrueFalse):
        return 0.5
    if isinstance(item, MultipleChoice):
        return 1 / (1 + len(item.wrong))
    if isinstance(item, MetricDrill):
        return 0.25  # one of four buttons
    return 0.0


def _skill(answers: float, right: float, guessed: float) -> float:
    """The share of answers right, smoothed (one right, one wrong imagined), less lucky guesses."""
    accuracy = (right + 1) / (answers + 2)
    guess = guessed / answers if answers else 0.0
    return min(1.0, max(0.0, (accuracy - guess) / (1 - guess)))


def area_adjustment(items: Sequence[Answerable], memories: Mapping[str, ItemMemory]) -> dict[str, float]:
    """Per area: its accuracy less the learner's accuracy over every area (0 for an area not started)."""
    rows: dict[str, list[float]] = {}  # answers, right, expected lucky guesses
    for item in items:
        row = rows.setdefault(item.area, [0.0, 0.0, 0.0])
        memory = memories.get(item.id)
        if memory is not None and memory.seen:
            answers = memory.correct + memory.wrong
            row[0] += answers
            row[1] += memory.correct
            row[2] += answers * guess_rate(item)
    overall = _skill(*(sum(row[n] for row in rows.values()) for n in range(3)))
    return {area: _skill(*row) - overall if row[0] else 0.0 for area, row in rows.items()}


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
    adjustment = area_adjustment(items, memories)
    totals: dict[str, list[float]] = {}  # items, met, answers, right, recall sum
    for item in items:
        row = totals.setdefault(item.area, [0, 0, 0, 0, 0.0])
        row[0] += 1
        memory = memories.get(item.id)
        if memory is not None and memory.seen:
            row[1] += 1
            row[2] += memory.correct + memory.wrong
            row[3] += memory.correct
            row[4] += item_recall(memory, now, adjustment=adjustment[item.area])
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
