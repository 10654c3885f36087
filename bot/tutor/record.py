"""The learner's record: one way to record an answer (item memory, day streak, answer log), wherever given.

Private prompts, nudges and class quiz rounds all record through `record_answer`, inside the
caller's unit of work.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime, timedelta
from enum import StrEnum

from bot.tutor.memory import ItemMemory, review
from bot.tutor.streaks import advance_streak, answered_since, local_day
from content.schema import Answerable
from storage import repo
from storage.db import Session
from storage.models import ItemState, Learner

_MEMORY_FIELDS = [f.name for f in fields(ItemMemory)]


class AnswerContext(StrEnum):
    """Where an answer was given."""

    PRIVATE = "private"
    NUDGE = "nudge"
    GROUP = "group"


def memory_of(row: ItemState | None) -> ItemMemory:
    """The memory a stored row describes (a fresh memory when there is no row)."""
    if row is None:
        return ItemMemory()
    return ItemMemory(**{name: getattr(row, name) for name in _MEMORY_FIELDS})


def _store(row: ItemState, memory: ItemMemory) -> None:
    for name in _MEMORY_FIELDS:
        setattr(row, name, getattr(memory, name))


async def memories_of(session: Session, learner_id: int) -> dict[str, ItemMemory]:
    """The learner's memory of every item they have answered, by item id."""
    return {row.item_id: memory_of(row) for row in await repo.item_states(session, learner_id)}


async def find_or_create(session: Session, user_id: int, timezone: str, now: datetime) -> Learner:
    """The learner's row, created (in the caller's unit of work) if they have none yet."""
    learner = await repo.get_learner(session, user_id)
    if learner is None:
        learner = Learner(id=user_id, timezone=timezone, created_at=now)
        session.add(learner)
    return learner


async def record_answer(
    session: Session,
    learner: Learner,
    item: Answerable,
    correct: bool,
    now: datetime,
    context: AnswerContext,
    prompt_id: int | None = None,
    fast: bool = False,
) -> ItemMemory:
    """Advance the item's memory and the learner's day streak, and append the answer to the log.

    Returns the item's memory after the answer.
    """
    learner.streak_days, learner.streak_day = advance_streak(
        learner.streak_days, learner.streak_day, local_day(now, learner.timezone)
    )
    row = await repo.get_item_state(session, learner.id, item.id)
    updated = review(memory_of(row), correct, now, fast)
    if row is None:
        row = ItemState(learner_id=learner.id, item_id=item.id)
        session.add(row)
    _store(row, updated)
    repo.log_answer(
        session,
        learner_id=learner.id,
        item_id=item.id,
        kind=item.kind.value,
        correct=correct,
        answered_at=now,
        context=context.value,
        prompt_id=prompt_id,
    )
    return updated


async def answered_today(session: Session, learner: Learner, now: datetime) -> int:
    """Answers the learner gave today, in their time zone."""
    times = await repo.answer_times(session, learner.id, now - timedelta(days=1))
    today, _week = answered_since(times, learner.timezone, now)
    return today


async def goal_met(session: Session, learner: Learner, now: datetime) -> bool:
    """Whether the learner has a daily goal and has reached it today."""
    return bool(learner.daily_goal) and await answered_today(session, learner, now) >= (
        learner.daily_goal or 0
    )
