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

from bot.tutor.memory import ItemFacts, ItemMemory, facts_of, micros, missed_last, recall, retrievability
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
    return _adjustment(items, _facts(memories))


def _adjustment(items: Sequence[Answerable], facts: Mapping[str, ItemFacts]) -> dict[str, float]:
    rows: dict[str, list[float]] = {}  # answers, right, expected lucky guesses
    for item in items:
        row = rows.setdefault(item.area, [0, 0, 0.0])
        memory = facts.get(item.id)
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


@dataclass(frozen=True)
class Course:
    """The items a learner can meet, prepared once for the many prompts that weigh them."""

    items: Sequence[Answerable]
    by_id: dict[str, Answerable]
    rows: tuple[tuple[str, str, float], ...]  # each item's id, area and guess rate, in bank order
    sizes: dict[str, int]  # items per area, areas in the order they first appear
    teachers: dict[str, tuple[str, ...]]  # each item's concepts (`tests`) that are in the course


_COURSES: dict[int, Course] = {}
_MAX_COURSES = 64  # a bank's bodies and areas: the courses kept prepared


def course_of(items: Sequence[Answerable]) -> Course:
    """`items` prepared (a tuple is prepared once and kept: the bank hands out the same tuples)."""
    frozen = type(items) is tuple
    if frozen:
        found = _COURSES.get(id(items))
        if found is not None and found.items is items:
            return found
    sizes: dict[str, int] = {}
    for item in items:
        sizes[item.area] = sizes.get(item.area, 0) + 1
    by_id = {item.id: item for item in items}
    course = Course(
        items,
        by_id,
        tuple((item.id, item.area, guess_rate(item)) for item in items),
        sizes,
        {item.id: tuple(ref for ref in item.tests if ref in by_id) for item in items},
    )
    if frozen:
        if len(_COURSES) >= _MAX_COURSES:
            _COURSES.clear()
        _COURSES[id(items)] = course  # the course holds the tuple, so its id is not reused meanwhile
    return course


@dataclass(frozen=True)
class Weighed:
    """Everything the evidence says at one moment: per area, and for each item the learner has met."""

    evidence: dict[str, AreaEvidence]  # in the order areas first appear in the items
    adjustment: dict[str, float]  # `area_adjustment`
    known: dict[str, float]  # `item_recall` of each item with a memory, by id


def weigh(items: Sequence[Answerable], facts: Mapping[str, ItemFacts], now_us: int) -> Weighed:
    """`area_evidence`, `area_adjustment` and each met item's `item_recall` together: the same
    arithmetic in the same order as each alone (so the same floats), with FSRS's recall worked out
    once per item met and nothing done for items never met."""
    course = course_of(items)
    # per area: answers, right, expected lucky guesses, items met (answered at least once)
    counts: dict[str, list[float]] = {area: [0, 0, 0.0, 0] for area in course.sizes}
    met: list[tuple[str, str, ItemFacts]] = []
    get = facts.get
    for item_id, area, guess in course.rows:
        memory = get(item_id)
        if memory is None:
            continue
        met.append((item_id, area, memory))
        if memory.seen:
            answers = memory.correct + memory.wrong
            row = counts[area]
            row[0] += answers
            row[1] += memory.correct
            row[2] += answers * guess
            row[3] += 1
    overall = _skill(*(sum(row[n] for row in counts.values()) for n in range(3)))
    adjustment = {area: _skill(*row[:3]) - overall if row[0] else 0.0 for area, row in counts.items()}
    recall_sums = dict.fromkeys(course.sizes, 0.0)  # per area: the recall of its items met, summed
    known: dict[str, float] = {}
    fsrs = retrievability
    for item_id, area, (seen, _, wrong, streak, answered_us, _, state, _, stability, _) in met:
        if not seen:
            known[item_id] = 0.0
            continue
        if wrong > 0 and streak == 0:  # missed last: not known until answered right again
            value = 0.0
        else:
            # FSRS's recall (0 without an FSRS state) moved by the area's accuracy, within 0..1:
            # min(1.0, max(0.0, x)), written out.
            value = adjustment[area]
            if state is not None and stability is not None and answered_us is not None:
                value = fsrs(stability, answered_us, now_us) + value
            else:
                value = 0.0 + value
            if value > 1.0:
                value = 1.0
            elif value <= 0.0:
                value = 0.0
        known[item_id] = value
        recall_sums[area] += value
    evidence = {}
    for area, n in course.sizes.items():
        answered, right, _guessed, met_n = counts[area]
        recall_sum = recall_sums[area]
        evidence[area] = AreaEvidence(
            area,
            n,
            int(met_n),
            int(answered),
            int(right),
            recall_sum / met_n if met_n else None,
            recall_sum / n if n else 0.0,
        )
    return Weighed(evidence, adjustment, known)


def area_evidence(
    items: Sequence[Answerable], memories: Mapping[str, ItemMemory], now: datetime
) -> dict[str, AreaEvidence]:
    """Per topic area (in the order areas first appear in `items`): met, answers, recall, readiness."""
    return weigh(items, _facts(memories), micros(now)).evidence


def _facts(memories: Mapping[str, ItemMemory]) -> dict[str, ItemFacts]:
    return {item_id: facts_of(memory) for item_id, memory in memories.items()}


def weakest_area(evidence: Mapping[str, AreaEvidence]) -> AreaEvidence | None:
    """The area the evidence says is weakest: lowest recall among areas started (None before any).

    Ties go to the area with the lower share of right answers, then fewer items met.
    """
    started = [e for e in evidence.values() if e.started and e.recall is not None]
    if not started:
        return None
    return min(started, key=lambda e: (e.recall, e.right / max(e.answers, 1), e.met))
