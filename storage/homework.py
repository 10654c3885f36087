"""Homework's SQL: the homework a group set, its pupils' outbox rows, the class roster. Never commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, case, func, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import dialect, locks
from storage.models import Homework, HomeworkPupil, Learner, Prompt, QuizAnswer, QuizQuestion, QuizRound

DELIVERED = ("sent", "unsure")


async def open_homework(session: AsyncSession, chat_id: int, now: datetime) -> Homework | None:
    """The group's homework still open (not cancelled, not yet due), the newest if several."""
    result = await session.exec(
        select(Homework)
        .where(
            Homework.chat_id == chat_id,
            col(Homework.cancelled_at).is_(None),
            col(Homework.due_at) > now,
        )
        .order_by(col(Homework.id).desc())
        .limit(1)
    )
    return result.first()


async def get_homework(session: AsyncSession, homework_id: int) -> Homework | None:
    """A homework by id."""
    return await session.get(Homework, homework_id)


async def homeworks(session: AsyncSession, ids: Sequence[int]) -> dict[int, Homework]:
    """The homework with these ids, by id."""
    result = await session.exec(select(Homework).where(col(Homework.id).in_(ids)))
    return {row.id: row for row in result.all() if row.id is not None}


async def latest_homework(session: AsyncSession, chat_id: int, limit: int) -> Sequence[Homework]:
    """The group's latest homework, newest first."""
    result = await session.exec(
        select(Homework).where(Homework.chat_id == chat_id).order_by(col(Homework.id).desc()).limit(limit)
    )
    return result.all()


async def add_homework(session: AsyncSession, homework: Homework) -> int:
    """Store a new homework; its id."""
    session.add(homework)
    await session.flush()
    if homework.id is None:
        raise RuntimeError("homework stored without an id")
    return homework.id


async def class_roster(session: AsyncSession, chat_id: int) -> list[tuple[int, str | None]]:
    """The class: learners who agreed (and have not blocked the bot) who answered in this group's
    rounds or had an earlier homework of it, each with the name they were last seen under."""
    answered = (
        select(QuizAnswer.user_id, func.max(QuizAnswer.answered_at).label("latest"))
        .join(QuizQuestion, col(QuizQuestion.id) == col(QuizAnswer.question_id))
        .join(QuizRound, col(QuizRound.id) == col(QuizQuestion.round_id))
        .where(QuizRound.chat_id == chat_id, col(QuizAnswer.user_id) > 0)
        .group_by(col(QuizAnswer.user_id))
    )
    names: dict[int, str | None] = {}
    for user_id, _latest in (await session.exec(answered)).all():
        names[int(user_id)] = None  # named below
    if names:
        latest = (
            select(QuizAnswer.user_id, QuizAnswer.name)
            .join(QuizQuestion, col(QuizQuestion.id) == col(QuizAnswer.question_id))
            .join(QuizRound, col(QuizRound.id) == col(QuizQuestion.round_id))
            .where(QuizRound.chat_id == chat_id, col(QuizAnswer.user_id).in_(list(names)))
            .order_by(col(QuizAnswer.answered_at))
        )
        for user_id, name in (await session.exec(latest)).all():
            names[int(user_id)] = str(name)  # the newest wins
    earlier = (
        select(HomeworkPupil.learner_id, HomeworkPupil.name)
        .join(Homework, col(Homework.id) == col(HomeworkPupil.homework_id))
        .where(Homework.chat_id == chat_id, col(HomeworkPupil.status) != "waiting")
    )
    for learner_id, known in (await session.exec(earlier)).all():
        names.setdefault(int(learner_id), known)
    if not names:
        return []
    agreed = await session.exec(
        select(Learner.id).where(
            col(Learner.id).in_(list(names)),
            col(Learner.class_consent_at).is_not(None),
            col(Learner.active).is_(True),
        )
    )
    return sorted((int(learner_id), names[int(learner_id)]) for learner_id in agreed.all())


async def enrol(session: AsyncSession, **values: object) -> bool:
    """A pupil's row for a homework, unless they have one already (never two); whether it was added."""
    statement = dialect.insert(session, HomeworkPupil).values(**values).on_conflict_do_nothing()
    result = await session.exec(statement)
    return bool(result.rowcount)


async def pupil(session: AsyncSession, homework_id: int, learner_id: int) -> HomeworkPupil | None:
    """A pupil's row for a homework."""
    result = await session.exec(
        select(HomeworkPupil).where(
            HomeworkPupil.homework_id == homework_id, HomeworkPupil.learner_id == learner_id
        )
    )
    return result.first()


async def pupils_of(session: AsyncSession, homework_id: int) -> Sequence[HomeworkPupil]:
    """Every pupil row of a homework (those still waiting to agree included)."""
    result = await session.exec(
        select(HomeworkPupil).where(HomeworkPupil.homework_id == homework_id).order_by(col(HomeworkPupil.id))
    )
    return result.all()


async def pupils(session: AsyncSession, ids: Sequence[int]) -> dict[int, HomeworkPupil]:
    """The pupil rows with these ids, by id."""
    result = await session.exec(select(HomeworkPupil).where(col(HomeworkPupil.id).in_(ids)))
    return {row.id: row for row in result.all() if row.id is not None}


async def pupil_of_set(session: AsyncSession, set_id: int) -> HomeworkPupil | None:
    """The pupil row whose homework set this is, if it is one."""
    result = await session.exec(select(HomeworkPupil).where(HomeworkPupil.set_id == set_id).limit(1))
    return result.first()


async def waiting_for(session: AsyncSession, learner_id: int) -> Sequence[HomeworkPupil]:
    """A learner's rows waiting for them to agree."""
    result = await session.exec(
        select(HomeworkPupil).where(HomeworkPupil.learner_id == learner_id, HomeworkPupil.status == "waiting")
    )
    return result.all()


async def open_for_learner(session: AsyncSession, learner_id: int, now: datetime) -> Sequence[HomeworkPupil]:
    """A learner's delivered, unfinished homework still open, the newest first."""
    result = await session.exec(
        select(HomeworkPupil)
        .join(Homework, col(Homework.id) == col(HomeworkPupil.homework_id))
        .where(
            HomeworkPupil.learner_id == learner_id,
            col(HomeworkPupil.status).in_(DELIVERED),
            col(HomeworkPupil.completed_at).is_(None),
            col(Homework.cancelled_at).is_(None),
            col(Homework.due_at) > now,
        )
        .order_by(col(HomeworkPupil.id).desc())
    )
    return result.all()


async def leasable_deliveries(session: AsyncSession, now: datetime, limit: int) -> Sequence[HomeworkPupil]:
    """Homework to send now: pending rows whose time has come, and leases a crash left to run out."""
    pending = and_(col(HomeworkPupil.status) == "pending", col(HomeworkPupil.attempt_at) <= now)
    lost = and_(col(HomeworkPupil.status) == "sending", col(HomeworkPupil.lease_until) <= now)
    statement = (
        select(HomeworkPupil).where(or_(pending, lost)).order_by(col(HomeworkPupil.attempt_at)).limit(limit)
    )
    result = await session.exec(locks.claim(session, statement))
    return result.all()


async def leasable_reminders(session: AsyncSession, now: datetime, limit: int) -> Sequence[HomeworkPupil]:
    """Reminders due now: delivered, unfinished, not yet reminded, not leased (or a lease run out)."""
    statement = (
        select(HomeworkPupil)
        .where(
            col(HomeworkPupil.remind_at) <= now,
            col(HomeworkPupil.reminded_at).is_(None),
            col(HomeworkPupil.completed_at).is_(None),
            col(HomeworkPupil.status).in_(DELIVERED),
            or_(col(HomeworkPupil.lease_until).is_(None), col(HomeworkPupil.lease_until) <= now),
        )
        .order_by(col(HomeworkPupil.remind_at))
        .limit(limit)
    )
    result = await session.exec(locks.claim(session, statement))
    return result.all()


async def cancel_undelivered(session: AsyncSession, homework_id: int) -> None:
    """A cancelled homework's rows not yet sent are never sent."""
    await session.exec(
        update(HomeworkPupil)
        .where(
            col(HomeworkPupil.homework_id) == homework_id,
            col(HomeworkPupil.status).in_(("pending", "waiting", "failed")),
        )
        .values(status="cancelled")
    )


async def set_progress(session: AsyncSession, set_id: int) -> tuple[int, int]:
    """Prompts of a set answered, and answered right."""
    result = await session.exec(
        select(
            func.count(), func.coalesce(func.sum(case((col(Prompt.correct).is_(True), 1), else_=0)), 0)
        ).where(Prompt.set_id == set_id, col(Prompt.answered_at).is_not(None))
    )
    found = result.first()
    if found is None:
        return 0, 0
    answered, right = found
    return int(answered or 0), int(right or 0)
