"""Adaptive selection: a pure function of (items, the learner's memory of each, now) to the next item.

The learner's goal is an exam on the whole unit, so the measure is the weakest topic area, not
the average card. The rules, in order:

1. In a set of prompts, a miss from earlier in the set comes back before the set ends
   (`due_retry`): once RETRY_GAP other prompts have passed, or when the slots left are only
   enough for the retries still waiting (the set is extended by them). One retry per item per
   set: the bot asks again only once.
2. Never the item just served, and (unless the learner chose /focus) never a third prompt in a
   row from one topic area: areas are interleaved.
3. A challenge is not served before the concept cards that teach it (`tests`) have been seen.
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

from bot.tutor.evidence import AreaEvidence, area_adjustment, area_evidence, item_recall
from bot.tutor.memory import DESIRED_RETENTION, ItemMemory, missed_last, recall
from content.schema import Answerable, ConceptCard

MAX_RUN = 2  # prompts in a row from one area before another area must come
RETRY_GAP = 2  # other prompts between a miss and its retry in the same set, when the set has room
REST = timedelta(hours=12)  # an item answered this recently is not served again (retries aside)
UNSEEN_RECALL = 0.1  # what an item never met counts as: barely known
READINESS_WEIGHT = 2.0  # how much an area's unreadiness (coverage and memory) raises its items' gain
RECALL_WEIGHT = 2.0  # how much an area's low recall of the items met raises it


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


def _ready(item: Answerable, eligible_ids: set[str], memories: Mapping[str, ItemMemory]) -> bool:
    """Met before, or every concept that teaches it (among those the learner meets) was seen."""
    return item.id in memories or all(ref in memories or ref not in eligible_ids for ref in item.tests)


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
    if not items:
        return None
    by_id = {item.id: item for item in items}
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
    eligible_ids = set(by_id)
    candidates = [item for item in candidates if _ready(item, eligible_ids, memories)] or candidates
    evidence = area_evidence(items, memories, now)
    adjustment = area_adjustment(items, memories)

    def weakness(area: str) -> float:
        return _weakness(evidence[area])

    if in_set is None:
        retries = [
            item
            for item in candidates
            if (r := memories.get(item.id)) and r.relearning and r.due_at is not None and r.due_at <= now
        ]
        if retries:
            chosen = min(retries, key=lambda item: (-weakness(item.area), memories[item.id].due_at))
            return Selection(chosen, Reason.RETRY)
    candidates = [item for item in candidates if _rested(memories.get(item.id), now)] or candidates

    def variety(item: Answerable) -> int:
        # Among equals: first test what was just taught (a challenge whose concepts are met),
        # then teach something new, then other challenges.
        if item.id in memories:
            return 2
        if item.tests and all(ref in memories for ref in item.tests):
            return 0
        return 1 if isinstance(item, ConceptCard) else 2

    def score(pair: tuple[int, Answerable]) -> tuple[float, int, int]:
        index, item = pair
        memory = memories.get(item.id)
        known = item_recall(memory, now, adjustment=adjustment[item.area]) if memory else UNSEEN_RECALL
        gain = (1 - known) * (1 + weakness(item.area))
        return (-round(gain, 9), variety(item), index)

    _, chosen = min(enumerate(candidates), key=score)
    memory = memories.get(chosen.id)
    if memory is None:
        return Selection(chosen, Reason.NEW)
    due = missed_last(memory) or recall(memory, now) < DESIRED_RETENTION
    return Selection(chosen, Reason.DUE if due else Reason.AHEAD)


def _weakness(evidence: AreaEvidence) -> float:
    held = evidence.recall if evidence.recall is not None else UNSEEN_RECALL
    return READINESS_WEIGHT * (1 - evidence.readiness) + RECALL_WEIGHT * (1 - held)


def _rested(memory: ItemMemory | None, now: datetime) -> bool:
    """Never answered, or not within the last REST hours."""
    return memory is None or memory.last_answered_at is None or now - memory.last_answered_at >= REST
