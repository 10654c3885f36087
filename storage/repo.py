"""Async repository functions for the private loop. They never commit: the caller's unit of work does."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, func, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Answer, ItemState, Learner, NudgeSend, PracticeSet, Prompt, TipShown


async def get_learner(session: AsyncSession, learner_id: int) -> Learner | None:
    """The learner with this Telegram user id, if any."""
    return await session.get(Learner, learner_id)


async def item_states(session: AsyncSession, learner_id: int) -> Sequence[ItemState]:
    """Every item state of one learner."""
    result = await session.exec(select(ItemState).where(ItemState.learner_id == learner_id))
    return result.all()


async def get_item_state(session: AsyncSession, learner_id: int, item_id: str) -> ItemState | None:
    """One learner's state for one item."""
    return await session.get(ItemState, (learner_id, item_id))


async def last_prompt(session: AsyncSession, learner_id: int) -> Prompt | None:
    """The most recent prompt sent to a learner."""
    result = await session.exec(
        select(Prompt).where(Prompt.learner_id == learner_id).order_by(col(Prompt.id).desc()).limit(1)
    )
    return result.first()


async def recent_items(session: AsyncSession, learner_id: int, count: int) -> list[str]:
    """The item ids of the learner's latest prompts, oldest first."""
    result = await session.exec(
        select(Prompt.item_id)
        .where(Prompt.learner_id == learner_id)
        .order_by(col(Prompt.id).desc())
        .limit(count)
    )
    return list(reversed(result.all()))


async def answer_times(session: AsyncSession, learner_id: int, since: datetime) -> list[datetime]:
    """When the learner answered, since `since` (for streaks and daily counts)."""
    result = await session.exec(
        select(Answer.answered_at).where(Answer.learner_id == learner_id, col(Answer.answered_at) >= since)
    )
    return list(result.all())


async def get_prompt(session: AsyncSession, prompt_id: int) -> Prompt | None:
    """A prompt by id."""
    return await session.get(Prompt, prompt_id)


async def claim_answer(
    session: AsyncSession, prompt_id: int, learner_id: int, correct: bool, now: datetime
) -> bool:
    """Mark a prompt answered, atomically; False when it was already answered (or is not theirs)."""
    result = await session.exec(
        update(Prompt)
        .where(
            col(Prompt.id) == prompt_id,
            col(Prompt.learner_id) == learner_id,
            col(Prompt.answered_at).is_(None),
        )
        .values(answered_at=now, correct=correct)
    )
    return bool(result.rowcount)


async def claim_follow_up(session: AsyncSession, prompt_id: int, learner_id: int) -> bool:
    """Mark that a prompt's "Next" was served, atomically; False when it already was."""
    result = await session.exec(
        update(Prompt)
        .where(
            col(Prompt.id) == prompt_id,
            col(Prompt.learner_id) == learner_id,
            col(Prompt.followed_up).is_(False),
        )
        .values(followed_up=True)
    )
    return bool(result.rowcount)


def log_answer(
    session: AsyncSession,
    *,
    learner_id: int,
    item_id: str,
    kind: str,
    correct: bool,
    answered_at: datetime,
    context: str,
    prompt_id: int | None,
) -> Answer:
    """Append one answer to the log."""
    answer = Answer(
        learner_id=learner_id,
        item_id=item_id,
        kind=kind,
        correct=correct,
        answered_at=answered_at,
        context=context,
        prompt_id=prompt_id,
    )
    session.add(answer)
    return answer


async def right_in_a_row(session: AsyncSession, learner_id: int, limit: int) -> int:
    """How many of the learner's latest answers (up to `limit`) were right, counting back from the last."""
    result = await session.exec(
        select(Answer.correct)
        .where(Answer.learner_id == learner_id)
        .order_by(col(Answer.id).desc())
        .limit(limit)
    )
    run = 0
    for correct in result.all():
        if not correct:
            break
        run += 1
    return run


async def tips_shown(session: AsyncSession, learner_id: int) -> dict[str, datetime]:
    """When the learner was last shown each exam tip."""
    result = await session.exec(select(TipShown).where(TipShown.learner_id == learner_id))
    return {row.tip_id: row.shown_at for row in result.all()}


async def mark_tip_shown(session: AsyncSession, learner_id: int, tip_id: str, now: datetime) -> None:
    """Remember that a tip was shown now."""
    row = await session.get(TipShown, (learner_id, tip_id))
    if row is None:
        session.add(TipShown(learner_id=learner_id, tip_id=tip_id, shown_at=now))
    else:
        row.shown_at = now


async def due_nudges(session: AsyncSession, now: datetime, limit: int) -> Sequence[Learner]:
    """Learners whose next nudge is due, earliest first (one index range scan)."""
    result = await session.exec(
        select(Learner)
        .where(col(Learner.next_nudge_at) <= now)
        .order_by(col(Learner.next_nudge_at))
        .limit(limit)
    )
    return result.all()


async def learners(session: AsyncSession, ids: Sequence[int]) -> Sequence[Learner]:
    """The learners with these ids."""
    result = await session.exec(select(Learner).where(col(Learner.id).in_(ids)))
    return result.all()


async def item_states_of(session: AsyncSession, ids: Sequence[int]) -> dict[int, list[ItemState]]:
    """Every item state of each of these learners."""
    result = await session.exec(select(ItemState).where(col(ItemState.learner_id).in_(ids)))
    grouped: dict[int, list[ItemState]] = {}
    for state in result.all():
        grouped.setdefault(state.learner_id, []).append(state)
    return grouped


async def recent_items_of(session: AsyncSession, ids: Sequence[int], count: int) -> dict[int, list[str]]:
    """The item ids of each learner's latest `count` prompts, oldest first."""
    numbered = (
        select(
            col(Prompt.learner_id),
            col(Prompt.item_id),
            col(Prompt.id),
            func.row_number()
            .over(partition_by=col(Prompt.learner_id), order_by=col(Prompt.id).desc())
            .label("rn"),
        )
        .where(col(Prompt.learner_id).in_(ids))
        .subquery()
    )
    result = await session.exec(
        select(numbered.c.learner_id, numbered.c.item_id)
        .where(numbered.c.rn <= count)
        .order_by(numbered.c.id)
    )
    grouped: dict[int, list[str]] = {}
    for learner_id, item_id in result.all():
        grouped.setdefault(learner_id, []).append(item_id)
    return grouped


async def get_set(session: AsyncSession, set_id: int) -> PracticeSet | None:
    """A practice set by id."""
    return await session.get(PracticeSet, set_id)


async def set_prompts(session: AsyncSession, set_id: int) -> Sequence[Prompt]:
    """A set's prompts in the order they were served."""
    result = await session.exec(select(Prompt).where(Prompt.set_id == set_id).order_by(col(Prompt.id)))
    return result.all()


async def record_receipt(session: AsyncSession, prompt_id: int, message_id: int) -> None:
    """Remember which message showed a prompt (once: the first receipt wins)."""
    await session.exec(
        update(Prompt)
        .where(col(Prompt.id) == prompt_id, col(Prompt.message_id).is_(None))
        .values(message_id=message_id)
    )


async def recent_answers(session: AsyncSession, learner_id: int, limit: int) -> list[tuple[str, bool]]:
    """The learner's latest answers, newest first: (item id, right)."""
    result = await session.exec(
        select(Answer.item_id, Answer.correct)
        .where(Answer.learner_id == learner_id)
        .order_by(col(Answer.id).desc())
        .limit(limit)
    )
    return [(item_id, correct) for item_id, correct in result.all()]


async def leasable_nudges(session: AsyncSession, now: datetime, limit: int) -> Sequence[NudgeSend]:
    """Nudges to send now: pending ones whose time has come, and leases a crash left to run out."""
    pending = and_(col(NudgeSend.status) == "pending", col(NudgeSend.attempt_at) <= now)
    lost = and_(col(NudgeSend.status) == "sending", col(NudgeSend.lease_until) <= now)
    result = await session.exec(
        select(NudgeSend).where(or_(pending, lost)).order_by(col(NudgeSend.attempt_at)).limit(limit)
    )
    return result.all()


async def nudges(session: AsyncSession, ids: Sequence[int]) -> dict[int, NudgeSend]:
    """The nudges with these ids, by id."""
    result = await session.exec(select(NudgeSend).where(col(NudgeSend.id).in_(ids)))
    return {row.id: row for row in result.all() if row.id is not None}


async def get_nudge(session: AsyncSession, nudge_id: int) -> NudgeSend | None:
    """A nudge by id."""
    return await session.get(NudgeSend, nudge_id)


async def nudge_of_prompt(session: AsyncSession, prompt_id: int) -> NudgeSend | None:
    """The nudge that carried a prompt, if one did."""
    result = await session.exec(select(NudgeSend).where(NudgeSend.prompt_id == prompt_id))
    return result.first()


async def nudge_on_day(session: AsyncSession, learner_id: int, local_day: str) -> NudgeSend | None:
    """The learner's nudge for a local day, if one was scheduled."""
    result = await session.exec(
        select(NudgeSend).where(NudgeSend.learner_id == learner_id, NudgeSend.local_day == local_day)
    )
    return result.first()
