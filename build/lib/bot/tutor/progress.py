"""/stats as one unit of work: mastery per area, streak, counts today and this week, what comes next."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from bot.tutor.core import Core
from bot.tutor.record import memories_of
from bot.tutor.selection import next_item
from bot.tutor.stats import LearnerStats, learner_stats
from bot.tutor.streaks import answered_since, current_streak, start_of_week
from content.schema import Answerable
from storage import repo

NEXT_UP = 3  # how many "next to revise" items /stats lists


@dataclass(frozen=True)
class Progress:
    """A learner's progress, with what a front end needs to show it in their own time zone."""

    awarding_body: str | None
    timezone: str
    now: datetime
    stats: LearnerStats


class ProgressReports:
    """Reads a learner's progress."""

    def __init__(self, core: Core) -> None:
        self.core = core

    async def stats(self, user_id: int) -> Progress | None:
        """The learner's progress, or None before they have chosen a course."""
        now = self.core.clock()
        async with self.core.sessions() as session:
            learner = await repo.get_learner(session, user_id)
            if learner is None or learner.awarding_body is None:
                return None
            memories = await memories_of(session, user_id)
            times = await repo.answer_times(session, user_id, start_of_week(now, learner.timezone))
        items = self.core.bank.for_body(learner.awarding_body)
        base = learner_stats(self.core.bank.areas, items, memories, now)
        today, week = answered_since(times, learner.timezone, now)
        next_up: list[Answerable] = []
        for _ in range(NEXT_UP):
            remaining = [item for item in items if item not in next_up]
            pick = next_item(remaining, memories, now, focus=True)
            if pick is None:
                break
            next_up.append(pick.item)
        stats = replace(
            base,
            streak_days=current_streak(learner, now),
            answered_today=today,
            answered_this_week=week,
            daily_goal=learner.daily_goal,
            next_up=next_up,
        )
        return Progress(learner.awarding_body, learner.timezone, now, stats)
