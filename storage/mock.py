"""Mock exams' SQL: the running mock, its prompts, its written answer and the results' outbox."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import locks
from storage.models import MockExam, Prompt

RUNNING = "running"


async def add_mock(session: AsyncSession, mock: MockExam) -> None:
    """Store a new mock exam."""
    session.add(mock)
    await session.flush()


async def get_mock(session: AsyncSession, set_id: int) -> MockExam | None:
    """A mock exam by its set's id."""
    return await session.get(MockExam, set_id)


async def running_mock(session: AsyncSession, learner_id: int) -> MockExam | None:
    """The learner's running mock exam (its time may be up), if any."""
    result = await session.exec(
        select(MockExam)
        .where(col(MockExam.learner_id) == learner_id, col(MockExam.status) == RUNNING)
        .order_by(col(MockExam.set_id).desc())
        .limit(1)
    )
    return result.first()


async def set_prompts(session: AsyncSession, set_id: int) -> Sequence[Prompt]:
    """A set's prompts in the order served."""
    result = await session.exec(select(Prompt).where(col(Prompt.set_id) == set_id).order_by(col(Prompt.id)))
    return result.all()


async def leasable(session: AsyncSession, now: datetime, limit: int) -> Sequence[MockExam]:
    """Mocks whose results are due to be sent: time up while running, and leases a crash left."""
    time_up = and_(col(MockExam.status) == RUNNING, col(MockExam.ends_at) <= now)
    lost = and_(col(MockExam.status) == "sending", col(MockExam.lease_until) <= now)
    statement = select(MockExam).where(or_(time_up, lost)).order_by(col(MockExam.ends_at)).limit(limit)
    result = await session.exec(locks.claim(session, statement))
    return result.all()


async def mocks(session: AsyncSession, ids: Sequence[int]) -> dict[int, MockExam]:
    """Mock exams by set id."""
    result = await session.exec(select(MockExam).where(col(MockExam.set_id).in_(ids)))
    return {row.set_id: row for row in result.all()}
