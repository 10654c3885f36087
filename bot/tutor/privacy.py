"""A learner's data is theirs: see all of it, erase all of it, decide whether class answers join it,
and have it deleted after a long absence (UK GDPR: access, erasure, storage limitation)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.tutor.core import Core
from bot.tutor.homework import enrol_waiting
from bot.tutor.written import KEEP_DRAFT
from storage import privacy, repo, written

KEEP_INACTIVE = timedelta(days=548)  # about 18 months without any activity, then the record goes
SWEEP_BATCH = 200
KEEP_WAITING = timedelta(days=1)  # a class answer whose poll was never seen (it holds a first name)


@dataclass(frozen=True)
class Export:
    """Everything stored about a learner, as a JSON file."""

    filename: str
    content: bytes
    rows: int


class Privacy:
    """Access, erasure and consent, each one unit of work."""

    def __init__(self, core: Core, keep_inactive: timedelta = KEEP_INACTIVE) -> None:
        self.core = core
        self.keep_inactive = keep_inactive

    async def export(self, user_id: int) -> Export:
        """Every row stored about the learner (settings, answers, memory, prompts, class answers)."""
        async with self.core.sessions() as session:
            tables = await privacy.export(session, user_id)
        body = {
            "about": "Everything Retain stores about you, table by table. Times are UTC.",
            "exported_at": self.core.clock().isoformat(),
            "user_id": user_id,
            "tables": tables,
        }
        content = json.dumps(body, indent=2, ensure_ascii=False).encode()
        return Export(f"retain-data-{user_id}.json", content, sum(len(rows) for rows in tables.values()))

    async def holds_anything(self, user_id: int) -> bool:
        """Whether anything is stored about the user: a learner's record, or only class quiz answers."""
        async with self.core.sessions() as session:
            return await privacy.holds_any(session, user_id)

    async def forget(self, user_id: int) -> None:
        """Erase the learner's record; class boards keep their totals, with no name or id behind them."""
        async with self.core.sessions() as session, session.begin():
            await privacy.forget(session, user_id)

    async def set_class_consent(self, user_id: int, agree: bool) -> bool:
        """Whether class quiz answers join the learner's own record from now on; returns the choice.

        Only a learner who has started Retain can agree (a class answer alone creates no record).
        """
        async with self.core.sessions() as session, session.begin():
            learner = await repo.get_learner(session, user_id)
            if learner is None:
                return False
            now = self.core.clock()
            learner.class_consent_at = now if agree else None
            if agree:  # homework whose link they opened before agreeing is on its way now
                await enrol_waiting(session, learner, now)
            return agree

    async def sweep_inactive(self, now: datetime) -> int:
        """Delete the records of learners with no activity for `keep_inactive`; returns how many.

        Class answers still waiting after a day for a poll never seen go too, and written answers
        nobody has added to for KEEP_DRAFT (the learner's own words, never marked).
        """
        async with self.core.sessions() as session, session.begin():
            await privacy.drop_waiting_answers(session, now - KEEP_WAITING)
            await written.drop_stale_drafts(session, now - KEEP_DRAFT)
        removed = 0
        while True:
            async with self.core.sessions() as session, session.begin():
                stale = await privacy.inactive_learners(session, now - self.keep_inactive, SWEEP_BATCH)
                for learner_id in stale:
                    await privacy.forget(session, learner_id)
            removed += len(stale)
            if len(stale) < SWEEP_BATCH:
                return removed
