"""The tutor service: one unit of work per call, over storage, the bank and the selector.

Front ends (the Telegram handlers, a terminal preview) call these methods and render the
plain results; nothing here knows about Telegram.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.tutor.memory import ItemRecord, review
from bot.tutor.selection import Item, Reason, next_item
from bot.tutor.stats import LearnerStats, learner_stats
from content.schema import ALL_BODIES, Bank, ConceptCard, ItemKind, TrueFalse
from storage import repo
from storage.db import SessionFactory
from storage.models import AnswerContext, ItemState, Learner, Prompt

Clock = Callable[[], datetime]
REMINDER_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def system_clock() -> datetime:
    """The real time, aware UTC."""
    return datetime.now(UTC)


class InvalidChoice(ValueError):
    """A setting outside what the tutor offers (e.g. forged onboarding data)."""


class Status(StrEnum):
    """How a request about a prompt turned out."""

    OK = "ok"  # done now
    ALREADY = "already"  # done before: nothing recorded twice
    UNKNOWN = "unknown"  # no such prompt for this learner, or the wrong kind of answer
    NOT_ONBOARDED = "not_onboarded"
    EMPTY = "empty"  # no item the learner can meet


@dataclass(frozen=True)
class ServedPrompt:
    """A prompt the learner should be shown now."""

    prompt_id: int
    item: Item
    reason: Reason


@dataclass(frozen=True)
class PromptResult:
    """The outcome of asking for the next prompt."""

    status: Status
    prompt: ServedPrompt | None = None


@dataclass(frozen=True)
class AnswerResult:
    """The outcome of an answer; `item` and `correct` are set unless the status is UNKNOWN."""

    status: Status
    prompt_id: int
    item: Item | None = None
    correct: bool | None = None
    chosen: bool | None = None


def _record(state: ItemState | None) -> ItemRecord:
    if state is None:
        return ItemRecord()
    return ItemRecord(
        seen=state.seen,
        correct=state.correct,
        wrong=state.wrong,
        streak=state.streak,
        last_answered_at=state.last_answered_at,
        due_at=state.due_at,
    )


class Tutor:
    """The learner's private loop: onboarding, prompts, answers and statistics."""

    def __init__(
        self, sessions: SessionFactory, bank: Bank, default_timezone: str, clock: Clock = system_clock
    ) -> None:
        self.sessions = sessions
        self.bank = bank
        self.default_timezone = default_timezone
        self.clock = clock

    async def learner(self, user_id: int) -> Learner | None:
        """The learner's row, if they have started."""
        async with self.sessions() as session:
            return await repo.get_learner(session, user_id)

    async def begin(self, user_id: int) -> tuple[Learner, bool]:
        """Find or create the learner; the flag says whether they still need onboarding."""
        async with self.sessions() as session, session.begin():
            learner = await repo.get_learner(session, user_id)
            if learner is None:
                learner = Learner(id=user_id, timezone=self.default_timezone, created_at=self.clock())
                session.add(learner)
            return learner, learner.awarding_body is None or not learner.reminder_chosen

    async def choose_body(self, user_id: int, body: str) -> tuple[Learner, bool]:
        """Store the learner's awarding body (or "all"); the flag says whether it changed."""
        known = {b.id for b in self.bank.catalogue.awarding_bodies} | {ALL_BODIES}
        if body not in known:
            raise InvalidChoice(f"unknown awarding body {body!r}")
        async with self.sessions() as session, session.begin():
            learner = await self._learner_for_update(session, user_id)
            changed = learner.awarding_body != body
            learner.awarding_body = body
            return learner, changed

    async def choose_reminder(self, user_id: int, local_time: str | None) -> tuple[Learner, bool]:
        """Store the daily reminder time ("HH:MM", local) or None for "not now".

        The flag is True the first time the learner answers the reminder question.
        """
        if local_time is not None and not REMINDER_TIME.match(local_time):
            raise InvalidChoice(f"not a time of day: {local_time!r}")
        async with self.sessions() as session, session.begin():
            learner = await self._learner_for_update(session, user_id)
            first = not learner.reminder_chosen
            learner.reminder_time = local_time
            learner.reminder_chosen = True
            return learner, first

    async def _learner_for_update(self, session: AsyncSession, user_id: int) -> Learner:
        learner = await repo.get_learner(session, user_id)
        if learner is None:
            learner = Learner(id=user_id, timezone=self.default_timezone, created_at=self.clock())
            session.add(learner)
        return learner

    async def next_prompt(
        self,
        user_id: int,
        *,
        after_prompt_id: int | None = None,
        context: AnswerContext = AnswerContext.PRIVATE,
    ) -> PromptResult:
        """Choose and register the learner's next prompt.

        `after_prompt_id` is the prompt whose "Next" button was tapped: a second tap on the
        same button serves nothing (status ALREADY).
        """
        async with self.sessions() as session, session.begin():
            learner = await repo.get_learner(session, user_id)
            if learner is None or learner.awarding_body is None:
                return PromptResult(Status.NOT_ONBOARDED)
            if after_prompt_id is not None:
                previous = await repo.get_prompt(session, after_prompt_id)
                if previous is None or previous.learner_id != user_id:
                    return PromptResult(Status.UNKNOWN)
                if not await repo.claim_follow_up(session, after_prompt_id, user_id):
                    return PromptResult(Status.ALREADY)
            items = self.bank.for_body(learner.awarding_body)
            records = {s.item_id: _record(s) for s in await repo.item_states(session, user_id)}
            last = await repo.last_prompt(session, user_id)
            now = self.clock()
            selection = next_item(items, records, now, last.item_id if last else None)
            if selection is None:
                return PromptResult(Status.EMPTY)
            prompt = Prompt(
                learner_id=user_id,
                item_id=selection.item.id,
                kind=selection.item.kind.value,
                context=context,
                sent_at=now,
            )
            session.add(prompt)
            await session.flush()
            assert prompt.id is not None
            return PromptResult(Status.OK, ServedPrompt(prompt.id, selection.item, selection.reason))

    async def reveal(self, user_id: int, prompt_id: int) -> AnswerResult:
        """Reveal a concept card's answer (idempotent: revealing twice changes nothing)."""
        async with self.sessions() as session, session.begin():
            prompt = await repo.get_prompt(session, prompt_id)
            item = self._item_of(prompt, user_id, ConceptCard)
            if prompt is None or item is None:
                return AnswerResult(Status.UNKNOWN, prompt_id)
            if prompt.answered_at is not None:
                return AnswerResult(Status.ALREADY, prompt_id, item, prompt.correct)
            if not prompt.revealed:
                prompt.revealed = True
            return AnswerResult(Status.OK, prompt_id, item)

    async def answer(self, user_id: int, prompt_id: int, kind: ItemKind, choice: bool) -> AnswerResult:
        """Record an answer once: "knew it" (True) / "not yet" for a card, True / False for a challenge.

        A repeated answer to the same prompt (a double tap, a resent callback, an old
        message) records nothing and reports the first answer's outcome with status ALREADY.
        """
        async with self.sessions() as session, session.begin():
            prompt = await repo.get_prompt(session, prompt_id)
            item = self._item_of(prompt, user_id, ConceptCard if kind is ItemKind.CONCEPT else TrueFalse)
            if prompt is None or item is None:
                return AnswerResult(Status.UNKNOWN, prompt_id)
            if prompt.answered_at is not None:
                return AnswerResult(Status.ALREADY, prompt_id, item, prompt.correct, None)
            correct = choice if isinstance(item, ConceptCard) else choice == item.answer
            now = self.clock()
            if not await repo.claim_answer(session, prompt_id, user_id, correct, now):
                return AnswerResult(Status.ALREADY, prompt_id, item, prompt.correct, None)
            state = await repo.get_item_state(session, user_id, item.id)
            updated = review(_record(state), correct, now)
            if state is None:
                state = ItemState(learner_id=user_id, item_id=item.id)
                session.add(state)
            for name in ("seen", "correct", "wrong", "streak", "last_answered_at", "due_at"):
                setattr(state, name, getattr(updated, name))
            repo.log_answer(
                session,
                learner_id=user_id,
                item_id=item.id,
                kind=item.kind.value,
                correct=correct,
                answered_at=now,
                context=prompt.context,
                prompt_id=prompt_id,
            )
            return AnswerResult(Status.OK, prompt_id, item, correct, choice)

    def _item_of(self, prompt: Prompt | None, user_id: int, kind: type[Item]) -> Item | None:
        """The prompt's item when the prompt is this learner's and of the expected kind."""
        if prompt is None or prompt.learner_id != user_id:
            return None
        item = self.bank.items.get(prompt.item_id)
        return item if isinstance(item, kind) else None

    async def stats(self, user_id: int) -> tuple[Learner, LearnerStats] | None:
        """The learner and their progress per topic area, or None before onboarding."""
        async with self.sessions() as session:
            learner = await repo.get_learner(session, user_id)
            if learner is None or learner.awarding_body is None:
                return None
            states = await repo.item_states(session, user_id)
        records = {s.item_id: _record(s) for s in states}
        items = self.bank.for_body(learner.awarding_body)
        return learner, learner_stats(self.bank.areas, items, records, self.clock())

    async def awaiting_answer(self, user_id: int) -> bool:
        """Whether the learner's latest prompt is still unanswered."""
        async with self.sessions() as session:
            last = await repo.last_prompt(session, user_id)
        return last is not None and last.answered_at is None
