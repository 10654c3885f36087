"""The learner's record: one way to record an answer (item memory, day streak, answer log), wherever given.

Private prompts, nudges and class quiz rounds all record through `record_answer`, inside the
caller's unit of work. It also keeps the learner's running counts (right answers in a row, answers
today and this week, in their zone) so that nothing reads the answer log for them.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from dataclasses import replace
from datetime import date, datetime, timedelta
from enum import StrEnum

from bot.tutor.memory import ItemFacts, ItemMemory, facts_of, review
from bot.tutor.streaks import advance_streak, answered_since, local_day, start_of_week
from content.schema import Answerable, ExamQuestion
from storage import repo
from storage.db import Session
from storage.models import Learner


class AnswerContext(StrEnum):
    """Where an answer was given."""

    PRIVATE = "private"
    NUDGE = "nudge"
    GROUP = "group"


def facts_from(rows: list[repo.ItemStateRow]) -> dict[str, ItemFacts]:
    """The learner's memory of each item they have answered, by id, from the rows as read."""
    return {row[0]: ItemFacts._make(row[1:]) for row in rows}


async def find_or_create(session: Session, user_id: int, timezone: str, now: datetime) -> Learner:
    """The learner's row, created (in the caller's unit of work) if they have none yet."""
    learner = await repo.get_learner(session, user_id)
    if learner is None:
        learner = Learner(id=user_id, timezone=timezone, created_at=now)
        session.add(learner)
    return learner


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _count(learner: Learner, answered_at: datetime) -> None:
    """Count an answer on its local day and week (one given on an earlier day than the one counted,
    such as a class answer that waited for its poll, belongs to no count kept)."""
    day = local_day(answered_at, learner.timezone)
    if learner.answers_day == day.isoformat():
        learner.answers_on_day += 1
    elif learner.answers_day is None or day.isoformat() > learner.answers_day:
        learner.answers_day, learner.answers_on_day = day.isoformat(), 1
    monday = _monday(day).isoformat()
    if learner.answers_week == monday:
        learner.answers_in_week += 1
    elif learner.answers_week is None or monday > learner.answers_week:
        learner.answers_week, learner.answers_in_week = monday, 1


async def record_answer(
    session: Session,
    learner: Learner,
    item: Answerable,
    correct: bool,
    now: datetime,
    context: AnswerContext,
    prompt_id: int | None = None,
    fast: bool = False,
    *,
    memories: MutableMapping[str, ItemFacts] | None = None,
) -> ItemMemory:
    """Advance the item's memory, the learner's day streak and counts, and append the answer to the log.

    `memories`: the learner's memories as the caller loaded them (the item's is read otherwise);
    the item's new memory is put there. Returns the item's memory after the answer.
    """
    learner.streak_days, learner.streak_day = advance_streak(
        learner.streak_days, learner.streak_day, local_day(now, learner.timezone)
    )
    learner.right_run = learner.right_run + 1 if correct else 0
    _count(learner, now)
    if memories is not None:
        before = memories.get(item.id)
    else:
        row = await repo.item_state(session, learner.id, item.id)
        before = ItemFacts._make(row[1:]) if row is not None else None
    updated = review(before.memory() if before is not None else ItemMemory(), correct, now, fast)
    await repo.save_item_state(session, learner, item.id, _values(updated), new=before is None)
    if memories is not None:
        memories[item.id] = facts_of(updated)
    await repo.log_answer(
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


def _values(memory: ItemMemory) -> dict[str, object]:
    return {
        "seen": memory.seen,
        "correct": memory.correct,
        "wrong": memory.wrong,
        "streak": memory.streak,
        "last_answered_at": memory.last_answered_at,
        "due_at": memory.due_at,
        "fsrs_state": memory.fsrs_state,
        "fsrs_step": memory.fsrs_step,
        "stability": memory.stability,
        "difficulty": memory.difficulty,
    }


async def record_written(
    session: Session,
    learner: Learner,
    question: ExamQuestion,
    earned: Mapping[str, bool],
    now: datetime,
    context: AnswerContext,
    prompt_id: int,
    *,
    memories: MutableMapping[str, ItemFacts],
) -> ItemMemory:
    """Record a marked written answer: each marking point reviewed as its own memory item (earned:
    right, missed: wrong), the question as one answer (right when at least half its points were
    earned) whose schedule then follows its weakest point, so a point that keeps being missed
    brings the question back. Returns the question's memory as it now stands."""
    weakest: ItemMemory | None = None
    for point in question.points:
        key = question.point_key(point.id)
        before = memories.get(key)
        updated = review(before.memory() if before is not None else ItemMemory(), earned[point.id], now)
        await repo.save_item_state(session, learner, key, _values(updated), new=before is None)
        memories[key] = facts_of(updated)
        if weakest is None or (updated.due_at or now) < (weakest.due_at or now):
            weakest = updated
    right = 2 * sum(earned.values()) >= len(question.points)
    own = await record_answer(session, learner, question, right, now, context, prompt_id, memories=memories)
    if weakest is None:
        return own
    follows = replace(
        own,
        due_at=weakest.due_at,
        fsrs_state=weakest.fsrs_state,
        fsrs_step=weakest.fsrs_step,
        stability=weakest.stability,
        difficulty=weakest.difficulty,
    )
    await repo.save_item_state(session, learner, question.id, _values(follows), new=False)
    memories[question.id] = facts_of(follows)
    return follows


def answered_today(learner: Learner, now: datetime) -> int:
    """Answers the learner gave today, in their time zone (a count kept as answers are recorded)."""
    if learner.answers_day != local_day(now, learner.timezone).isoformat():
        return 0
    return learner.answers_on_day


def answered_this_week(learner: Learner, now: datetime) -> int:
    """Answers the learner gave this week (Monday to today), in their time zone."""
    if learner.answers_week != _monday(local_day(now, learner.timezone)).isoformat():
        return 0
    return learner.answers_in_week


def goal_met(learner: Learner, now: datetime) -> bool:
    """Whether the learner has a daily goal and has reached it today."""
    return bool(learner.daily_goal) and answered_today(learner, now) >= (learner.daily_goal or 0)


async def recount(session: Session, learner: Learner, now: datetime) -> None:
    """Count today's and this week's answers again from the log (after a change of time zone: the
    local days change with it)."""
    today = local_day(now, learner.timezone)
    times = await repo.answer_times(session, learner.id, start_of_week(now, learner.timezone))
    day, week = answered_since(times, learner.timezone, now)
    learner.answers_day, learner.answers_on_day = today.isoformat(), day
    learner.answers_week, learner.answers_in_week = _monday(today).isoformat(), week
