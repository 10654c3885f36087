"""/stats as one unit of work: mastery per area, streak, counts today and this week, what comes next."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from bot.tutor.core import Core
from bot.tutor.examdate import ExamPlan, plan_of
from bot.tutor.readiness import Readiness, pace_of, predict
from bot.tutor.record import answered_this_week, answered_today, facts_from
from bot.tutor.stats import LearnerStats, learner_stats
from bot.tutor.streaks import current_streak
from content.schema import Answerable
from storage import repo

RECENT_LOG = 400  # the latest answers read for "right 4 of 6 recently" per area


@dataclass(frozen=True)
class Progress:
    """A learner's progress, with what a front end needs to show it in their own time zone."""

    awarding_body: str | None
    timezone: str
    now: datetime
    stats: LearnerStats
    readiness: Readiness | None = None  # predicted exam scores
    exam: ExamPlan | None = None  # the learner's exam date, if they set one


class ProgressReports:
    """Reads a learner's progress."""

    def __init__(self, core: Core) -> None:
        self.core = core

    async def stats(self, user_id: int) -> Progress | None:
        """The learner's progress, or None before they have chosen a course.

        Areas of the learner's course are shown, and so is any area they answered in outside it
        (after a change of course, nothing they did disappears).
        """
        now = self.core.clock()
        kept = self.core.memories
        known = kept.get(user_id)
        async with self.core.reads() as session:
            rows = await repo.progress_rows(session, user_id, RECENT_LOG, known[0] if known else None)
        if rows is None or rows.learner.awarding_body is None:
            return None
        if rows.states is None and known is not None:
            memories = dict(known[1])
        else:
            memories = facts_from(rows.states or [])
            kept.keep(user_id, rows.learner.memory_tag, memories)
        learner, recent = rows.learner, rows.answers
        bank = self.core.bank
        items: list[Answerable] = list(bank.for_body(learner.awarding_body))
        in_course = {item.id for item in items}
        items += [i for i in bank.for_body(None) if i.id in memories and i.id not in in_course]
        base = learner_stats(bank.areas, items, memories, recent, now)
        stats = replace(
            base,
            streak_days=current_streak(learner, now),
            answered_today=answered_today(learner, now),
            answered_this_week=answered_this_week(learner, now),
            daily_goal=learner.daily_goal,
        )
        exam = plan_of(learner.exam_date, learner.timezone, now)
        course = bank.for_body(learner.awarding_body)
        pace = pace_of(
            list(zip((i for i, _ in recent), rows.answered_us, strict=False)), memories, now, learner.timezone
        )
        readiness = predict(course, memories, now, pace, exam)
        return Progress(learner.awarding_body, learner.timezone, now, stats, readiness, exam)
