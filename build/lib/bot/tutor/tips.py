"""Exam tips: which one a learner sees next, so they rotate rather than repeat."""

from __future__ import annotations

from datetime import UTC, datetime

from content.schema import ANY_AREA, Bank, ExamTip
from storage import repo
from storage.db import Session
from storage.models import Learner

TIP_EVERY = 5  # an exam tip after every fifth right answer in a row
TIP_EVERY_NTH_NUDGE = 3  # every third nudge also carries an exam tip


async def next_tip(
    session: Session, bank: Bank, learner: Learner, area: str, now: datetime
) -> ExamTip | None:
    """The next exam tip for the learner (and remember it was shown).

    Unseen tips first (this area's, then general ones), else the one shown longest ago.
    """
    tips = bank.tips_for(learner.awarding_body)
    if not tips:
        return None
    shown = await repo.tips_shown(session, learner.id)
    tip = min(
        tips,
        key=lambda t: (
            t.id in shown,
            shown.get(t.id, datetime.min.replace(tzinfo=UTC)),
            t.area not in (area, ANY_AREA),
        ),
    )
    await repo.mark_tip_shown(session, learner.id, tip.id, now)
    return tip
