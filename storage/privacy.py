"""A learner's data, whole: everything stored about them (to export), erased (to forget), and who
has been away long enough for their record to go."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, update
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import (
    Answer,
    ExamDraft,
    ExamMark,
    HomeworkPupil,
    ItemState,
    Learner,
    MockExam,
    NudgeSend,
    PracticeSet,
    Prompt,
    QuizAnswer,
    QuizRound,
    TipShown,
    WaitingPollAnswer,
)

# Tables keyed by the learner, in the order an export lists them: (name, table, its learner column).
BY_LEARNER: tuple[tuple[str, type[SQLModel], Any], ...] = (
    ("itemstate", ItemState, ItemState.learner_id),
    ("answer", Answer, Answer.learner_id),
    ("prompt", Prompt, Prompt.learner_id),
    ("practiceset", PracticeSet, PracticeSet.learner_id),
    ("nudgesend", NudgeSend, NudgeSend.learner_id),
    ("tipshown", TipShown, TipShown.learner_id),
    ("homeworkpupil", HomeworkPupil, HomeworkPupil.learner_id),
    ("examdraft", ExamDraft, ExamDraft.learner_id),
    ("mockexam", MockExam, MockExam.learner_id),
)
ANONYMOUS = "a classmate"


def _prompts_of(learner_id: int) -> Any:
    """The ids of a learner's prompts, as a subquery."""
    return select(Prompt.id).where(col(Prompt.learner_id) == learner_id)


def _plain(row: SQLModel) -> dict[str, Any]:
    return {
        key: value.isoformat() if isinstance(value, datetime) else value
        for key, value in row.model_dump().items()
    }


async def export(session: AsyncSession, learner_id: int) -> dict[str, list[dict[str, Any]]]:
    """Every row stored about a learner, table by table, as plain JSON-ready values."""
    learner = await session.get(Learner, learner_id)
    found: dict[str, list[dict[str, Any]]] = {"learner": [_plain(learner)] if learner else []}
    for name, table, column in BY_LEARNER:
        rows = await session.exec(select(table).where(column == learner_id))
        found[name] = [_plain(row) for row in rows.all()]
    marks = await session.exec(
        select(ExamMark)
        .where(col(ExamMark.prompt_id).in_(_prompts_of(learner_id)))
        .order_by(col(ExamMark.prompt_id), col(ExamMark.position))
    )
    found["exammark"] = [_plain(row) for row in marks.all()]
    answers = await session.exec(select(QuizAnswer).where(QuizAnswer.user_id == learner_id))
    found["quizanswer"] = [_plain(row) for row in answers.all()]
    waiting = await session.exec(select(WaitingPollAnswer).where(WaitingPollAnswer.user_id == learner_id))
    found["waitingpollanswer"] = [_plain(row) for row in waiting.all()]
    rounds = await session.exec(select(QuizRound).where(QuizRound.started_by == learner_id))
    found["quizround"] = [_plain(row) for row in rounds.all()]  # class rounds this user started
    return found


async def holds_any(session: AsyncSession, user_id: int) -> bool:
    """Whether anything at all is stored about this Telegram user (a record, or class answers)."""
    if await session.get(Learner, user_id) is not None:
        return True
    held: tuple[tuple[type[SQLModel], Any], ...] = (
        (QuizAnswer, QuizAnswer.user_id),
        (WaitingPollAnswer, WaitingPollAnswer.user_id),
        (QuizRound, QuizRound.started_by),
    )
    for table, column in held:
        if (await session.exec(select(table).where(column == user_id).limit(1))).first() is not None:
            return True
    return False


async def forget(session: AsyncSession, learner_id: int) -> None:
    """Erase a learner: their rows go; their class quiz answers stay on the boards, anonymised."""
    await session.exec(delete(ExamMark).where(col(ExamMark.prompt_id).in_(_prompts_of(learner_id))))
    for _name, table, column in BY_LEARNER:
        await session.exec(delete(table).where(column == learner_id))
    await session.exec(delete(WaitingPollAnswer).where(col(WaitingPollAnswer.user_id) == learner_id))
    stand_in = -secrets.randbelow(2**62) - 1  # a board total with no person behind it
    await session.exec(
        update(QuizAnswer)
        .where(col(QuizAnswer.user_id) == learner_id)
        .values(user_id=stand_in, name=ANONYMOUS)
    )
    await session.exec(update(QuizRound).where(col(QuizRound.started_by) == learner_id).values(started_by=0))
    await session.exec(delete(Learner).where(col(Learner.id) == learner_id))


async def inactive_learners(session: AsyncSession, before: datetime, limit: int) -> Sequence[int]:
    """Learners with no activity (nor anything else) since `before`, oldest first."""
    last_seen = func.coalesce(col(Learner.last_active_at), col(Learner.created_at))
    result = await session.exec(select(Learner.id).where(last_seen < before).order_by(last_seen).limit(limit))
    return result.all()


async def drop_waiting_answers(session: AsyncSession, before: datetime) -> int:
    """Delete class answers that waited since before `before` for a poll never seen; returns how many."""
    result = await session.exec(delete(WaitingPollAnswer).where(col(WaitingPollAnswer.answered_at) < before))
    return int(result.rowcount or 0)
