"""Written answers to exam questions: drafts while the learner writes, and the marks once marked."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete
from sqlmodel import col, select

from storage.db import Session
from storage.models import ExamDraft, ExamMark


async def get_draft(session: Session, prompt_id: int) -> ExamDraft | None:
    """The answer being written to this prompt, if any."""
    return await session.get(ExamDraft, prompt_id)


def add_draft(session: Session, draft: ExamDraft) -> None:
    """Start keeping an answer being written."""
    session.add(draft)


async def drop_draft(session: Session, prompt_id: int) -> None:
    """Discard an answer being written (marked, or set aside)."""
    await session.exec(delete(ExamDraft).where(col(ExamDraft.prompt_id) == prompt_id))


async def drop_stale_drafts(session: Session, before: datetime) -> int:
    """Discard answers nobody has added to since `before`; returns how many."""
    result = await session.exec(delete(ExamDraft).where(col(ExamDraft.updated_at) < before))
    return int(result.rowcount or 0)


def add_marks(session: Session, marks: Sequence[ExamMark]) -> None:
    """Keep which points a marked answer earned."""
    session.add_all(marks)


async def marks_of(session: Session, prompt_id: int) -> list[ExamMark]:
    """A marked answer's points, in scheme order (none before it is marked)."""
    result = await session.exec(
        select(ExamMark).where(col(ExamMark.prompt_id) == prompt_id).order_by(col(ExamMark.position))
    )
    return list(result.all())


async def drop_drafts(session: Session, prompt_ids: Sequence[int]) -> None:
    """Discard the answers being written to these prompts (an abandoned mock's)."""
    if prompt_ids:
        await session.exec(delete(ExamDraft).where(col(ExamDraft.prompt_id).in_(prompt_ids)))


async def marks_for(session: Session, prompt_ids: Sequence[int]) -> Sequence[ExamMark]:
    """The marks of several marked answers, each in scheme order."""
    if not prompt_ids:
        return []
    result = await session.exec(
        select(ExamMark).where(col(ExamMark.prompt_id).in_(prompt_ids)).order_by(col(ExamMark.position))
    )
    return result.all()
