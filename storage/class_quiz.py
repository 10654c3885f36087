"""Async repository functions for class quiz rounds. They never commit: the caller's unit of work does."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import dialect, locks
from storage.models import (
    DuplicatePoll,
    GroupSettings,
    QuizAnswer,
    QuizQuestion,
    QuizRound,
    WaitingPollAnswer,
)

RUNNING = "running"


async def group_settings(session: AsyncSession, chat_id: int) -> GroupSettings | None:
    """The group's stored settings, if an admin ever changed them."""
    return await session.get(GroupSettings, chat_id)


async def running_round(session: AsyncSession, chat_id: int) -> QuizRound | None:
    """The group's running round, if any."""
    result = await session.exec(
        select(QuizRound).where(QuizRound.chat_id == chat_id, QuizRound.status == RUNNING)
    )
    return result.first()


async def running_rounds(session: AsyncSession) -> Sequence[QuizRound]:
    """Every running round, in every group."""
    return (await session.exec(select(QuizRound).where(QuizRound.status == RUNNING))).all()


async def get_round(session: AsyncSession, round_id: int) -> QuizRound | None:
    """A round by id."""
    return await session.get(QuizRound, round_id)


async def get_question(session: AsyncSession, question_id: int) -> QuizQuestion | None:
    """A question by id (locked by a writing unit of work on PostgreSQL: answers, posting and
    closing of one question take turns)."""
    if locks.for_update(session):
        return await session.get(QuizQuestion, question_id, with_for_update=True, populate_existing=True)
    return await session.get(QuizQuestion, question_id)


async def question_by_poll(session: AsyncSession, poll_id: str) -> QuizQuestion | None:
    """The question a poll was posted for (as the question, or as a duplicate taken down)."""
    statement = select(QuizQuestion).where(QuizQuestion.poll_id == poll_id)
    if locks.for_update(session):
        statement = statement.with_for_update().execution_options(populate_existing=True)
    result = await session.exec(statement)
    question = result.first()
    if question is not None:
        return question
    duplicate = await session.get(DuplicatePoll, poll_id)
    return await get_question(session, duplicate.question_id) if duplicate is not None else None


async def round_questions(session: AsyncSession, round_id: int) -> Sequence[QuizQuestion]:
    """A round's questions in order."""
    result = await session.exec(
        select(QuizQuestion).where(QuizQuestion.round_id == round_id).order_by(col(QuizQuestion.position))
    )
    return result.all()


async def question_count(session: AsyncSession, round_id: int) -> int:
    """How many questions a round has."""
    result = await session.exec(
        select(func.count()).select_from(QuizQuestion).where(QuizQuestion.round_id == round_id)
    )
    return int(result.one())


async def question_at(session: AsyncSession, round_id: int, position: int) -> QuizQuestion | None:
    """The round's question at `position` (1-based)."""
    result = await session.exec(
        select(QuizQuestion).where(QuizQuestion.round_id == round_id, QuizQuestion.position == position)
    )
    return result.first()


async def get_answer(session: AsyncSession, question_id: int, user_id: int) -> QuizAnswer | None:
    """A member's answer to a question, if they gave one."""
    return await session.get(QuizAnswer, (question_id, user_id))


async def members_who_answered(session: AsyncSession, question_id: int) -> set[int]:
    """The members who answered a question."""
    result = await session.exec(select(QuizAnswer.user_id).where(QuizAnswer.question_id == question_id))
    return set(result.all())


async def due_questions(session: AsyncSession, now: datetime) -> Sequence[QuizQuestion]:
    """Posted, open questions of running rounds whose time is up."""
    statement = (
        select(QuizQuestion)
        .join(QuizRound, col(QuizRound.id) == col(QuizQuestion.round_id))
        .where(
            col(QuizQuestion.closed).is_(False),
            col(QuizQuestion.closes_at) <= now,
            QuizRound.status == RUNNING,
        )
        .order_by(col(QuizQuestion.id))
    )
    # Another instance closing one of them, or an answer being counted, keeps it: the next sweep sees it.
    result = await session.exec(locks.claim(session, statement, of=QuizQuestion))
    return result.all()


async def answers_to(session: AsyncSession, question_ids: Sequence[int]) -> Sequence[QuizAnswer]:
    """Every answer to these questions."""
    if not question_ids:
        return []
    result = await session.exec(select(QuizAnswer).where(col(QuizAnswer.question_id).in_(question_ids)))
    return result.all()


async def answers_in_chat(session: AsyncSession, chat_id: int) -> list[tuple[QuizAnswer, QuizQuestion]]:
    """Every answer given in a group's rounds, with its question."""
    result = await session.exec(
        select(QuizAnswer, QuizQuestion)
        .join(QuizQuestion, col(QuizQuestion.id) == col(QuizAnswer.question_id))
        .join(QuizRound, col(QuizRound.id) == col(QuizQuestion.round_id))
        .where(QuizRound.chat_id == chat_id)
    )
    return list(result.all())


async def rounds_in_chat(session: AsyncSession, chat_id: int) -> Sequence[QuizRound]:
    """Every round of a group, oldest first."""
    result = await session.exec(
        select(QuizRound).where(QuizRound.chat_id == chat_id).order_by(col(QuizRound.id))
    )
    return result.all()


async def set_group_title(session: AsyncSession, chat_id: int, title: str) -> None:
    """Remember the group's name as last seen (its settings row is made if it has none)."""
    row = await session.get(GroupSettings, chat_id)
    if row is None:
        session.add(GroupSettings(chat_id=chat_id, title=title))
    elif row.title != title:
        row.title = title


async def recent_round_items(session: AsyncSession, chat_id: int, rounds: int) -> set[str]:
    """The item ids asked in the group's latest `rounds` rounds."""
    ids = (
        await session.exec(
            select(QuizRound.id)
            .where(QuizRound.chat_id == chat_id)
            .order_by(col(QuizRound.id).desc())
            .limit(rounds)
        )
    ).all()
    if not ids:
        return set()
    items = await session.exec(select(QuizQuestion.item_id).where(col(QuizQuestion.round_id).in_(list(ids))))
    return set(items.all())


async def waiting_answers(session: AsyncSession, poll_id: str) -> Sequence[WaitingPollAnswer]:
    """Answers to a poll that were waiting for it to be known, oldest first."""
    result = await session.exec(
        select(WaitingPollAnswer)
        .where(WaitingPollAnswer.poll_id == poll_id)
        .order_by(col(WaitingPollAnswer.answered_at))
    )
    return result.all()


async def waiting_since(session: AsyncSession, since: datetime) -> Sequence[WaitingPollAnswer]:
    """Answers waiting for their poll to be known, given at or after `since`."""
    result = await session.exec(select(WaitingPollAnswer).where(col(WaitingPollAnswer.answered_at) >= since))
    return result.all()


async def add_waiting(session: AsyncSession, **values: object) -> None:
    """Keep a poll answer until its poll is known (nothing when one of that member's is kept already)."""
    with session.no_autoflush:
        await session.exec(
            dialect.insert(session, WaitingPollAnswer).values(**values).on_conflict_do_nothing()
        )


async def unmatched_questions(session: AsyncSession) -> Sequence[QuizQuestion]:
    """Questions of running rounds that went out without a known poll (the send timed out), newest first.

    Closed ones too: answers given in time may still be waiting for their poll to be known.
    """
    result = await session.exec(
        select(QuizQuestion)
        .join(QuizRound, col(QuizRound.id) == col(QuizQuestion.round_id))
        .where(
            col(QuizQuestion.sent_at).is_not(None),
            col(QuizQuestion.poll_id).is_(None),
            QuizRound.status == RUNNING,
            col(QuizRound.buttons).is_(False),
        )
        .order_by(col(QuizQuestion.sent_at).desc())
    )
    return result.all()
