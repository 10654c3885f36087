"""Adaptive selection: a pure function of (items, the learner's memory of each, now) to the next item.

The learner's goal is an exam on the whole unit, so the measure is the weakest topic area, not
the average card. The rules, in order:

1. In a set of prompts, a miss from earlier in the set comes back before the set ends
   (`due_retry`): once RETRY_GAP other prompts have passed, or when the slots left are only
   enough for the retries still waiting (the set is extended by them). One retry per item per
   set: the bot asks again only once.
2. Never the item just served, and (unless the learner chose /focus) never a third prompt in a
   row from one topic area: areas are interleaved.
3. A challenge is not served before the concept cards that teach it (`tests`) have been seen, and
   a written exam question not before EXAM_AFTER items of its area have been met.
4. Outside a set (a nudge, or a prompt asked for on its own), an item missed a few minutes ago
   comes back once FSRS's short step is due, weakest area first, most overdue first. Inside a
   set rule 1 does this instead, so a miss never comes back twice in one set.
5. Otherwise nothing answered in the last REST hours comes again: both learner models of the
   benchmark agree that a repetition on the same day adds little to memory, so the prompts go to
   items that gain more.
6. Every remaining candidate is scored by what practising it would gain: one minus its recall on
   the evidence (`bot.tutor.evidence.item_recall`: 0 for an item whose latest answer was a miss;
   a small prior for an item never met, which counts as barely known), times one plus its area's
   weakness. Due reviews and new items compete on that one score, so whole areas are never left
   unseen while a few items are polished. Among equals, a challenge testing a concept just met
   comes first (retrieval practice straight after teaching), then a new concept card, then bank
   order.

An area's weakness comes from the figures /stats shows (`area_evidence`):
READINESS_WEIGHT x (1 - readiness) + RECALL_WEIGHT x (1 - recall of the items met). Readiness
brings in the areas not yet covered; recall the areas covered but not held.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.tutor.evidence import AreaEvidence, course_of, weigh
from bot.tutor.memory import DESIRED_RETENTION, ItemFacts, ItemMemory, facts_of, micros, missed_last
from content.schema import Answerable, ConceptCard, ExamQuestion

MAX_RUN = 2  # prompts in a row from one area before another area must come
RETRY_GAP = 2  # other prompts between a miss and its retry in the same set, when the set has room
REST = timedelta(hours=12)  # an item answered this recently is not served again (retries aside)
_REST_US = REST // timedelta(microseconds=1)
UNSEEN_RECALL = 0.1  # what an item never met counts as: barely known
READINESS_WEIGHT = 2.0  # how much an area's unreadiness (coverage and memory) raises its items' gain
RECALL_WEIGHT = 2.0  # how much an area's low recall of the items met raises it
EXAM_AFTER = 3  # items of its area a learner has met before a written exam question on it comes


class Reason(StrEnum):
    """Why the selector chose an item."""

    RETRY = "retry"  # got it wrong a few minutes ago
    DUE = "due"  # predicted recall has fallen below the target, or the latest answer was a miss
    NEW = "new"  # never met
    AHEAD = "ahead"  # met and still well remembered: practice ahead of schedule


@dataclass(frozen=True)
class SetContext:
    """Where the learner is in a set of prompts (a session with an end).

    `retries` are the items missed earlier in this set that have not come back yet, each with
    the position it was missed at, oldest first. Every one comes back before the set ends.
    """

    position: int  # the position about to be served, 1-based
    total: int  # the set's planned length (a retry near the end extends it)
    retries: tuple[tuple[str, int], ...] = ()


def must_retry(in_set: SetContext) -> bool:
    """Whether the slots left in the set are only enough for the retries still waiting."""
    return bool(in_set.retries) and in_set.total - in_set.position + 1 <= len(in_set.retries)


def due_retry(in_set: SetContext) -> str | None:
    """The missed item that comes back now: once RETRY_GAP other prompts have passed, or when the
    slots left are only enough for the retries still waiting."""
    if not in_set.retries:
        return None
    item_id, missed_at = in_set.retries[0]
    if in_set.position - missed_at > RETRY_GAP or must_retry(in_set):
        return item_id
    return None


@dataclass(frozen=True)
class Selection:
    """The next item and why it was chosen."""

    item: Answerable
    reason: Reason


def _ready(item_id: str, teachers: tuple[str, ...], memories: Mapping[str, ItemFacts]) -> bool:
    """Met before, or every concept that teaches it (`teachers`: those the learner meets) was seen."""
    return item_id in memories or all(ref in memories for ref in teachers)


def _interleaved(candidates: list[Answerable], recent_areas: Sequence[str]) -> list[Answerable]:
    """Drop the area of the last MAX_RUN prompts when they were all from one area (if others remain)."""
    if len(recent_areas) < MAX_RUN or len(set(recent_areas[-MAX_RUN:])) != 1:
        return candidates
    others = [item for item in candidates if item.area != recent_areas[-1]]
    return others or candidates


def next_item(
    items: Sequence[Answerable],
    memories: Mapping[str, ItemMemory],
    now: datetime,
    recent: Sequence[str] = (),
    *,
    focus: bool = False,
    in_set: SetContext | None = None,
) -> Selection | None:
    """Choose the next item for a learner.

    Args:
        items: the items this learner can meet (their awarding body's, or one area's under
            /focus), in bank order.
        memories: the learner's memory of each item, by id (items never answered are absent).
        now: the current time, aware UTC.
        recent: the ids of the latest items served, oldest first (the last is never repeated).
        focus: the learner chose one area, so interleaving does not apply.
        in_set: where the learner is in their current set; a miss from earlier in the set
            comes back before it ends (`due_retry`).

    Returns:
        The selection, or None when `items` is empty.
    """
    facts = {item_id: facts_of(memory) for item_id, memory in memories.items()}
    return choose(items, facts, now, recent, focus=focus, in_set=in_set)


def choose(
    items: Sequence[Answerable],
    facts: Mapping[str, ItemFacts],
    now: datetime,
    recent: Sequence[str] = (),
    *,
    focus: bool = False,
    in_set: SetContext | None = None,
) -> Selection | None:
    """`next_item` on the learner's memories as read in bulk (`ItemFacts`): the same rules.

    FSRS's recall is worked out once for each item met (the areas' weakness needs every one),
    from stability and elapsed time in plain arithmetic.
    """
    if not items:
        return None
    course = course_of(items)
    by_id = course.by_id
    retry_id = due_retry(in_set) if in_set is not None else None
    if retry_id is not None and retry_id in by_id:
        # A retry waits rather than make a third prompt in a row from one area; when it waits at
        # the end of a set, the set grows by one (see `Practice`).
        recent_areas = [by_id[i].area for i in recent if i in by_id][-MAX_RUN:]
        run = len(recent_areas) == MAX_RUN and set(recent_areas) == {by_id[retry_id].area}
        if focus or not run:
            return Selection(by_id[retry_id], Reason.RETRY)
    last = recent[-1] if recent else None
    candidates = [item for item in items if item.id != last] or list(items)
    if not focus:
        recent_areas = [by_id[i].area for i in recent if i in by_id]
        candidates = _interleaved(candidates, recent_areas)
    teachers = course.teachers
    candidates = [
        item
        for item in candidates
        if item.id in facts or not (refs := teachers[item.id]) or _ready(item.id, refs, facts)
    ] or candidates
    now_us = micros(now)
    weighed = weigh(items, facts, now_us)
    weakness = {area: _weakness(evidence) for area, evidence in weighed.evidence.items()}
    candidates = [
        item
        for item in candidates
        if not isinstance(item, ExamQuestion)
        or item.id in facts
        or weighed.evidence[item.area].met >= EXAM_AFTER
    ] or candidates

    if in_set is None:
        retries = [
            item
            for item in candidates
            if (r := facts.get(item.id)) is not None
            and r.relearning
            and r.due_us is not None
            and r.due_us <= now_us
        ]
        if retries:
            chosen = min(retries, key=lambda item: (-weakness[item.area], facts[item.id].due_us or 0))
            return Selection(chosen, Reason.RETRY)
    rested_before = now_us - _REST_US  # answered at or before this, or never: rested
    candidates = [
        item
        for item in candidates
        if (memory := facts.get(item.id)) is None
        or memory.answered_us is None
        or memory.answered_us <= rested_before
    ] or candidates

    # The highest gain wins (rounded, so that float noise never decides), then variety, then bank
    # order: the gains first, variety only for the items that tie.
    known = weighed.known
    lift = {area: 1 + value for area, value in weakness.items()}
    gains = [-round((1 - known.get(item.id, UNSEEN_RECALL)) * lift[item.area], 9) for item in candidates]
    best = min(gains)
    tied = [index for index, gain in enumerate(gains) if gain == best]

    def variety(item: Answerable) -> int:
        # Among equals: first test what was just taught (a challenge whose concepts are met),
        # then teach something new, then other challenges.
        if item.id in facts:
            return 2
        if item.tests and all(ref in facts for ref in item.tests):
            return 0
        return 1 if isinstance(item, ConceptCard) else 2

    chosen = candidates[min(tied, key=lambda index: (variety(candidates[index]), index))]
    memory = facts.get(chosen.id)
    if memory is None:
        return Selection(chosen, Reason.NEW)
    due = missed_last(memory) or memory.recall(now_us) < DESIRED_RETENTION
    return Selection(chosen, Reason.DUE if due else Reason.AHEAD)


def _weakness(evidence: AreaEvidence) -> float:
    held = evidence.recall if evidence.recall is not None else UNSEEN_RECALL
    return READINESS_WEIGHT * (1 - evidence.readiness) + RECALL_WEIGHT * (1 - held)
