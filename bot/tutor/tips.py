"""Exam tips: on the area just practised, for the learner's own awarding body, never twice in a row.

After a run of right answers a tip comes at 5, 10 and 20 in a row (once each per run); every third
nudge carries one too.
"""

from __future__ import annotations

from datetime import UTC, datetime

from content.schema import ANY_AREA, Bank, ExamTip
from storage import repo
from storage.db import Session
from storage.models import Learner

TIP_STREAKS = (5, 10, 20)  # right answers in a row that earn a tip
TIP_EVERY_NTH_NUDGE = 3  # every third nudge also carries an exam tip
_NEVER = datetime.min.replace(tzinfo=UTC)


async def next_tip(
    session: Session, bank: Bank, learner: Learner, area: str, now: datetime
) -> ExamTip | None:
    """The next exam tip on `area` (or on exam technique in general) for the learner's body.

    Unseen tips first, this area's before general ones; then the one shown longest ago. Tips
    on other areas are never offered. The tip is remembered as shown.
    """
    tips = [tip for tip in bank.tips_for(learner.awarding_body) if tip.area in (area, ANY_AREA)]
    if not tips:
        return None
    shown = await repo.tips_shown(session, learner.id)
    tip = min(tips, key=lambda t: (t.id in shown, shown.get(t.id, _NEVER), t.area != area))
    await repo.mark_tip_shown(session, learner.id, tip.id, now, new=tip.id not in shown)
    return tip


async def streak_tip(
    session: Session, bank: Bank, learner: Learner, area: str, now: datetime
) -> tuple[ExamTip, int] | None:
    """After a right answer (recorded): a tip and the run length, when the run just reached 5, 10 or 20."""
    run = learner.right_run
    if run not in TIP_STREAKS:
        return None
    tip = await next_tip(session, bank, learner, area, now)
    return (tip, run) if tip is not None else None
