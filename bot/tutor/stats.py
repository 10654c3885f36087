"""Progress figures for /stats, from the evidence: per area readiness, recent answers and what is met;
the weakest area and why; areas not started; what to revise next. Plain data, no I/O."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot.tutor.evidence import AreaEvidence, weakest_area, weigh
from bot.tutor.memory import ItemFacts, micros, missed_last, moment_of
from content.schema import Answerable, Area

RECENT_ANSWERS = 10  # "right 4 of 6 recently": an area's latest answers, at most this many
TO_REVISE = 3


@dataclass(frozen=True)
class AreaProgress:
    """One topic area: the evidence, and how the latest answers in it went."""

    area: Area
    evidence: AreaEvidence
    recent_right: int
    recent_answers: int


@dataclass(frozen=True)
class LearnerStats:
    """A learner's progress over their course (and any area they answered outside it)."""

    areas: list[AreaProgress]  # catalogue order
    weakest: AreaProgress | None  # among areas with evidence
    to_revise: list[Answerable]  # missed or due, most urgent first (never unseen items)
    due_now: int
    next_due_at: datetime | None
    answers: int
    streak_days: int = 0
    answered_today: int = 0
    answered_this_week: int = 0
    daily_goal: int | None = None
    not_started: list[Area] = field(default_factory=list)

    @property
    def items_met(self) -> int:
        """Distinct items answered at least once."""
        return sum(a.evidence.met for a in self.areas)

    @property
    def items_total(self) -> int:
        """Items the learner can meet."""
        return sum(a.evidence.items for a in self.areas)

    @property
    def goal_met(self) -> bool:
        """Whether today's goal (if any) is reached."""
        return bool(self.daily_goal) and self.answered_today >= (self.daily_goal or 0)


def recent_by_area(
    recent: Sequence[tuple[str, bool]], area_of: Mapping[str, str], limit: int = RECENT_ANSWERS
) -> dict[str, tuple[int, int]]:
    """Per area, (right, answered) over its latest `limit` answers (`recent` is newest first)."""
    counts: dict[str, list[int]] = {}
    for item_id, correct in recent:
        area = area_of.get(item_id)
        if area is None:
            continue
        right_answered = counts.setdefault(area, [0, 0])
        if right_answered[1] < limit:
            right_answered[0] += int(correct)
            right_answered[1] += 1
    return {area: (right, answered) for area, (right, answered) in counts.items()}


def learner_stats(
    areas: Sequence[Area],
    items: Sequence[Answerable],
    memories: Mapping[str, ItemFacts],
    recent: Sequence[tuple[str, bool]],
    now: datetime,
) -> LearnerStats:
    """Summarise a learner's record per area (in the order of `areas`) at `now`."""
    now_us = micros(now)
    evidence = weigh(items, memories, now_us).evidence
    recent_counts = recent_by_area(recent, {item.id: item.area for item in items})
    per_area = [
        AreaProgress(area, evidence[area.id], *recent_counts.get(area.id, (0, 0)))
        for area in areas
        if area.id in evidence
    ]
    weakest_evidence = weakest_area(evidence)
    weakest = next((a for a in per_area if weakest_evidence and a.area.id == weakest_evidence.area), None)
    missed, due, upcoming = [], [], []
    for item in items:
        memory = memories.get(item.id)
        if memory is None:
            continue
        if missed_last(memory):
            missed.append(item)
        elif memory.due_us is not None and memory.due_us <= now_us:
            due.append((memory.due_us, item))
        if memory.due_us is not None and memory.due_us > now_us:
            upcoming.append(memory.due_us)
    due.sort(key=lambda pair: pair[0])
    return LearnerStats(
        areas=per_area,
        weakest=weakest,
        to_revise=(missed + [item for _, item in due])[:TO_REVISE],
        due_now=len(missed) + len(due),
        next_due_at=moment_of(min(upcoming)) if upcoming else None,
        answers=sum(a.evidence.answers for a in per_area),
        not_started=[a.area for a in per_area if not a.evidence.started],
    )
