"""The tutor service: one unit of work per call, over storage, the bank and the selector.

Front ends (the Telegram handlers, the terminal preview) call these methods and render the
plain results; nothing here knows about Telegram.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.tutor.glossary import Glossary, Lookup
from bot.tutor.memory import FAST_RECALL, ItemRecord, review
from bot.tutor.schedule import plan
from bot.tutor.selection import MAX_RUN, Item, Reason, Selection, next_item
from bot.tutor.stats import (
    LearnerStats,
    advance_streak,
    answered_since,
    current_streak,
    learner_stats,
    local_day,
    start_of_week,
)
from content.drills import DrillInstance, generate, instance, is_right, parse_number
from content.schema import (
    ALL_BODIES,
    ANY_AREA,
    Area,
    Bank,
    ConceptCard,
    ExamTip,
    ItemKind,
    MetricDrill,
    MultipleChoice,
    TrueFalse,
)
from storage import repo
from storage.db import SessionFactory
from storage.models import AnswerContext, ItemState, Learner, Prompt

Clock = Callable[[], datetime]
REMINDER_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
TIP_EVERY = 5  # an exam tip after every fifth right answer in a row
MIN_GOAL, MAX_GOAL = 1, 200  # a daily goal, in prompts
NEXT_UP = 3  # how many "next to revise" items /stats lists
YIELD_EVERY = 10  # learners prepared between yields to the event loop in a nudge batch


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
    UNREADABLE = "unreadable"  # a typed answer that is not a number: a hint, not a wrong mark
    NOT_EXPECTED = "not_expected"  # typed text while no calculation waits for an answer


async def answered_today(session: AsyncSession, learner: Learner, now: datetime) -> int:
    """Answers the learner gave today, in their time zone."""
    today, _week = answered_since(
        await repo.answer_times(session, learner.id, now - timedelta(days=1)), learner.timezone, now
    )
    return today


async def goal_met(session: AsyncSession, learner: Learner, now: datetime) -> bool:
    """Whether the learner has a daily goal and has reached it today."""
    return bool(learner.daily_goal) and await answered_today(session, learner, now) >= (
        learner.daily_goal or 0
    )


def option_order(item: MultipleChoice, prompt_id: int) -> list[int]:
    """The order a multiple-choice item's options are shown in (indexes into `item.options`).

    Derived from the prompt id, so the same prompt always shows the same order and nothing
    needs storing; 0 is the right answer.
    """
    order = list(range(len(item.options)))
    if item.shuffle:
        random.Random(prompt_id).shuffle(order)
    return order


@dataclass(frozen=True)
class ServedPrompt:
    """A prompt the learner should be shown now."""

    prompt_id: int
    item: Item
    reason: Reason
    drill: DrillInstance | None = None  # the numbers drawn for a metric drill


@dataclass(frozen=True)
class NudgeContent:
    """What a nudge carries: a prompt to answer in place, and the learner's streak."""

    prompt: ServedPrompt
    streak: int
    tip: ExamTip | None = None


@dataclass(frozen=True)
class PromptResult:
    """The outcome of asking for the next prompt."""

    status: Status
    prompt: ServedPrompt | None = None


@dataclass(frozen=True)
class AnswerResult:
    """The outcome of an answer; `item` and `correct` are set for OK and ALREADY.

    `choice` is what the learner picked: True/False for cards and challenges, the option's
    index into `item.options` for multiple choice, the button index for a drill (or None when
    typed, with `typed` holding the number).
    """

    status: Status
    prompt_id: int = 0
    item: Item | None = None
    correct: bool | None = None
    choice: bool | int | None = None
    typed: float | None = None
    drill: DrillInstance | None = None
    tip: ExamTip | None = None
    text: str = ""  # for UNREADABLE: what the learner typed
    goal_met: bool = False  # this answer reached the learner's daily goal


@dataclass(frozen=True)
class FocusResult:
    """The learner's focus after /focus: an area, or None for the adaptive mix."""

    area: Area | None
    options: list[Area] = field(default_factory=list)  # for an unknown area: what exists


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
        state=state.fsrs_state,
        step=state.fsrs_step,
        stability=state.stability,
        difficulty=state.difficulty,
    )


def _store(state: ItemState, record: ItemRecord) -> None:
    state.seen, state.correct, state.wrong, state.streak = (
        record.seen,
        record.correct,
        record.wrong,
        record.streak,
    )
    state.last_answered_at, state.due_at = record.last_answered_at, record.due_at
    state.fsrs_state, state.fsrs_step = record.state, record.step
    state.stability, state.difficulty = record.stability, record.difficulty


def _drill_of(item: MetricDrill, prompt: Prompt) -> DrillInstance:
    assert prompt.params is not None and prompt.id is not None
    return instance(item, json.loads(prompt.params), seed=prompt.id)


def _grade(item: Item, choice: bool | int, drill: DrillInstance | None) -> bool:
    if isinstance(item, ConceptCard):
        return bool(choice)
    if isinstance(item, TrueFalse):
        return choice == item.answer
    if isinstance(item, MultipleChoice):
        return choice == 0
    assert drill is not None
    return choice == drill.answer_index


class Tutor:
    """The learner's private loop: onboarding, prompts, answers and statistics."""

    def __init__(
        self,
        sessions: SessionFactory,
        bank: Bank,
        default_timezone: str,
        clock: Clock = system_clock,
        rng: random.Random | None = None,
    ) -> None:
        self.sessions = sessions
        self.bank = bank
        self.default_timezone = default_timezone
        self.clock = clock
        self.rng = rng or random.Random()
        self.glossary = Glossary(bank)

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
            learner.next_nudge_at = plan(local_time, learner.timezone, self.clock(), active=learner.active)
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
            records = {s.item_id: _record(s) for s in await repo.item_states(session, user_id)}
            recent = await repo.recent_items(session, user_id, MAX_RUN + 1)
            now = self.clock()
            if context == AnswerContext.PRIVATE:
                learner.last_active_at = now  # asking for practice is activity; a nudge is not
            chosen = self._choose(learner, records, recent, now, context)
            if chosen is None:
                return PromptResult(Status.EMPTY)
            [served] = await self._register(session, [chosen])
            return PromptResult(Status.OK, served)

    async def nudge_prompts(
        self, user_ids: Sequence[int], with_tips: Collection[int] = ()
    ) -> dict[int, NudgeContent]:
        """A prompt each (context "nudge") for a batch of learners, with streaks, in one transaction.

        Learners in `with_tips` also get an exam tip. Learners who have not finished set-up, or
        whose course has no items, are left out.
        """
        now = self.clock()
        async with self.sessions() as session, session.begin():
            learners = await repo.learners(session, user_ids)
            states = await repo.item_states_of(session, user_ids)
            recent = await repo.recent_items_of(session, user_ids, MAX_RUN + 1)
            chosen: list[tuple[Prompt, Selection]] = []
            for n, learner in enumerate(learners):
                if n % YIELD_EVERY == 0:
                    await asyncio.sleep(0)  # selection is CPU work: let sends already under way go on
                if learner.awarding_body is None:
                    continue
                records = {state.item_id: _record(state) for state in states.get(learner.id, [])}
                pick = self._choose(learner, records, recent.get(learner.id, []), now, AnswerContext.NUDGE)
                if pick is not None:
                    chosen.append(pick)
            served = await self._register(session, chosen)
            streaks = {learner.id: current_streak(learner, now) for learner in learners}
            return {
                prompt.learner_id: NudgeContent(one, streaks[prompt.learner_id])
                for (prompt, _), one in zip(chosen, served, strict=True)
            }

    def _choose(
        self,
        learner: Learner,
        records: dict[str, ItemRecord],
        recent: list[str],
        now: datetime,
        context: AnswerContext,
    ) -> tuple[Prompt, Selection] | None:
        selection = next_item(self._items_for(learner), records, now, recent, focus=bool(learner.focus_area))
        if selection is None:
            return None
        item = selection.item
        prompt = Prompt(
            learner_id=learner.id, item_id=item.id, kind=item.kind.value, context=context, sent_at=now
        )
        return prompt, selection

    async def _register(
        self, session: AsyncSession, chosen: list[tuple[Prompt, Selection]]
    ) -> list[ServedPrompt]:
        """Store the prompts (one flush for all) and draw the numbers of any calculation."""
        session.add_all([prompt for prompt, _ in chosen])
        await session.flush()
        served = []
        for prompt, selection in chosen:
            assert prompt.id is not None
            drill = None
            if isinstance(selection.item, MetricDrill):
                drill = generate(selection.item, self.rng, seed=prompt.id)
                prompt.params = json.dumps(drill.params)
            served.append(ServedPrompt(prompt.id, selection.item, selection.reason, drill))
        return served

    def _items_for(self, learner: Learner) -> Sequence[Item]:
        items = self.bank.for_body(learner.awarding_body)
        if learner.focus_area:
            focused = [item for item in items if item.area == learner.focus_area]
            return focused or items
        return items

    async def reveal(self, user_id: int, prompt_id: int) -> AnswerResult:
        """Reveal a concept card's answer (idempotent: revealing twice changes nothing)."""
        async with self.sessions() as session, session.begin():
            prompt = await repo.get_prompt(session, prompt_id)
            item = self._item_of(prompt, user_id, ItemKind.CONCEPT)
            if prompt is None or item is None:
                return AnswerResult(Status.UNKNOWN, prompt_id)
            if prompt.answered_at is not None:
                return AnswerResult(Status.ALREADY, prompt_id, item, prompt.correct)
            if not prompt.revealed:
                prompt.revealed = True
                prompt.revealed_at = self.clock()
            return AnswerResult(Status.OK, prompt_id, item)

    async def answer(self, user_id: int, prompt_id: int, kind: ItemKind, choice: bool | int) -> AnswerResult:
        """Record a tapped answer once.

        `choice`: "knew it" (True) / "not yet" for a card, True / False for a challenge, the
        option index into `item.options` for multiple choice, the button index for a drill.
        A repeated answer to the same prompt (a double tap, a resent callback, an old message)
        records nothing and reports the first answer's outcome with status ALREADY.
        """
        async with self.sessions() as session, session.begin():
            prompt = await repo.get_prompt(session, prompt_id)
            item = self._item_of(prompt, user_id, kind)
            if prompt is None or item is None:
                return AnswerResult(Status.UNKNOWN, prompt_id)
            drill = _drill_of(item, prompt) if isinstance(item, MetricDrill) else None
            if not self._valid_choice(item, choice, drill):
                return AnswerResult(Status.UNKNOWN, prompt_id)
            return await self._record_answer(
                session, prompt, item, _grade(item, choice, drill), choice, None, drill
            )

    async def answer_typed(self, user_id: int, text: str) -> AnswerResult:
        """A typed number for the learner's latest prompt, when that is an open calculation.

        Text that is not a number gets status UNREADABLE and records nothing.
        """
        async with self.sessions() as session, session.begin():
            prompt = await repo.last_prompt(session, user_id)
            if prompt is None or prompt.answered_at is not None or prompt.kind != ItemKind.DRILL:
                return AnswerResult(Status.NOT_EXPECTED)
            item = self._item_of(prompt, user_id, ItemKind.DRILL)
            if not isinstance(item, MetricDrill):
                return AnswerResult(Status.NOT_EXPECTED)
            value = parse_number(text)
            if value is None:
                return AnswerResult(Status.UNREADABLE, prompt.id or 0, item, text=text[:40])
            drill = _drill_of(item, prompt)
            correct = is_right(item, drill, value)
            return await self._record_answer(session, prompt, item, correct, None, value, drill)

    @staticmethod
    def _valid_choice(item: Item, choice: bool | int, drill: DrillInstance | None) -> bool:
        if isinstance(item, MultipleChoice):
            return not isinstance(choice, bool) and 0 <= choice < len(item.options)
        if drill is not None:
            return not isinstance(choice, bool) and 0 <= choice < len(drill.options)
        return isinstance(choice, bool)

    async def _record_answer(
        self,
        session: AsyncSession,
        prompt: Prompt,
        item: Item,
        correct: bool,
        choice: bool | int | None,
        typed: float | None,
        drill: DrillInstance | None,
    ) -> AnswerResult:
        prompt_id = prompt.id or 0
        user_id = prompt.learner_id
        if prompt.answered_at is not None:
            return AnswerResult(Status.ALREADY, prompt_id, item, prompt.correct, None, None, drill)
        now = self.clock()
        if not await repo.claim_answer(session, prompt_id, user_id, correct, now):
            return AnswerResult(Status.ALREADY, prompt_id, item, prompt.correct, None, None, drill)
        fast = (
            isinstance(item, ConceptCard)
            and prompt.revealed_at is not None
            and prompt.revealed_at - prompt.sent_at <= FAST_RECALL
        )
        await self._update_record(session, user_id, item, correct, now, prompt.context, prompt_id, fast)
        tip = None
        goal_met = False
        if prompt.context != AnswerContext.GROUP:
            learner = await repo.get_learner(session, user_id)
            if learner is not None:
                learner.last_active_at = now  # any answer restores daily nudges
            await session.flush()
            goal_met = await self._goal_just_met(session, user_id, now)
            if correct and prompt.context == AnswerContext.PRIVATE:
                run = await repo.right_in_a_row(session, user_id, TIP_EVERY)
                if run == TIP_EVERY:
                    tip = await self._next_tip(session, user_id, item.area)
        return AnswerResult(Status.OK, prompt_id, item, correct, choice, typed, drill, tip, goal_met=goal_met)

    async def _update_record(
        self,
        session: AsyncSession,
        user_id: int,
        item: Item,
        correct: bool,
        now: datetime,
        context: AnswerContext,
        prompt_id: int | None,
        fast: bool = False,
    ) -> None:
        """Advance the item's memory, the learner's day streak, and append the answer to the log."""
        learner = await repo.get_learner(session, user_id)
        if learner is not None:
            today = local_day(now, learner.timezone)
            learner.streak_days, learner.streak_day = advance_streak(
                learner.streak_days, learner.streak_day, today
            )
        state = await repo.get_item_state(session, user_id, item.id)
        updated = review(_record(state), correct, now, fast)
        if state is None:
            state = ItemState(learner_id=user_id, item_id=item.id)
            session.add(state)
        _store(state, updated)
        repo.log_answer(
            session,
            learner_id=user_id,
            item_id=item.id,
            kind=item.kind.value,
            correct=correct,
            answered_at=now,
            context=context,
            prompt_id=prompt_id,
        )

    async def record_answer(self, user_id: int, item_id: str, correct: bool, context: AnswerContext) -> bool:
        """Record an answer given outside a private prompt (a class quiz poll, say).

        The learner's row is created if they never opened a private chat, so what they got wrong
        in class shapes their private practice. Returns False for an item the bank lacks.
        """
        item = self.bank.answerable(item_id)
        if item is None:
            return False
        async with self.sessions() as session, session.begin():
            await self.record_answer_in(session, user_id, item_id, correct, context)
        return True

    async def record_answer_in(
        self, session: AsyncSession, user_id: int, item_id: str, correct: bool, context: AnswerContext
    ) -> None:
        """`record_answer` inside the caller's transaction: a class answer is stored whole or not at all."""
        item = self.bank.answerable(item_id)
        if item is None:
            return
        await self._learner_for_update(session, user_id)
        await self._update_record(session, user_id, item, correct, self.clock(), context, None)

    async def _goal_just_met(self, session: AsyncSession, user_id: int, now: datetime) -> bool:
        """Whether the answer just recorded was the one that reached today's goal."""
        learner = await repo.get_learner(session, user_id)
        if learner is None or not learner.daily_goal:
            return False
        return await answered_today(session, learner, now) == learner.daily_goal

    async def set_quiz_named(self, user_id: int, named: bool) -> None:
        """/quizname on|off: whether the learner's first name appears on class quiz boards."""
        async with self.sessions() as session, session.begin():
            learner = await self._learner_for_update(session, user_id)
            learner.quiz_named = named

    async def set_goal(self, user_id: int, goal: int | None) -> Learner:
        """Set (or, with None, clear) the learner's daily goal."""
        if goal is not None and not MIN_GOAL <= goal <= MAX_GOAL:
            raise InvalidChoice(f"a daily goal is {MIN_GOAL} to {MAX_GOAL} prompts")
        async with self.sessions() as session, session.begin():
            learner = await self._learner_for_update(session, user_id)
            learner.daily_goal = goal
            return learner

    async def _next_tip(self, session: AsyncSession, user_id: int, area: str) -> ExamTip | None:
        """The next exam tip: unseen ones first (this area's, then general), else the longest ago."""
        learner = await repo.get_learner(session, user_id)
        tips = self.bank.tips_for(learner.awarding_body if learner else None)
        if not tips:
            return None
        shown = await repo.tips_shown(session, user_id)
        tip = min(
            tips,
            key=lambda t: (
                t.id in shown,
                shown.get(t.id, datetime.min.replace(tzinfo=UTC)),
                t.area not in (area, ANY_AREA),
            ),
        )
        await repo.mark_tip_shown(session, user_id, tip.id, self.clock())
        return tip

    async def tip(self, user_id: int, area: str = ANY_AREA) -> ExamTip | None:
        """Pick (and remember) the next exam tip for a learner, e.g. for a nudge."""
        async with self.sessions() as session, session.begin():
            return await self._next_tip(session, user_id, area)

    async def define(self, text: str) -> Lookup:
        """Look a term up in the glossary."""
        return self.glossary.lookup(text)

    def card(self, card_id: str) -> ConceptCard | None:
        """A concept card by id (for a glossary suggestion's button)."""
        item = self.bank.items.get(card_id)
        return item if isinstance(item, ConceptCard) else None

    async def set_focus(self, user_id: int, text: str | None) -> FocusResult:
        """Drill one area (matched on its id or name) or, with None / "off", return to the mix."""
        areas = self.bank.areas
        area: Area | None = None
        if text is not None and text.strip().casefold() not in ("off", "mix", "all", "none"):
            wanted = text.strip().casefold()
            matches = [a for a in areas if wanted in (a.id, a.name.casefold())] or [
                a for a in areas if wanted in a.name.casefold() or wanted in a.id
            ]
            if len(matches) != 1:
                return FocusResult(None, areas)
            area = matches[0]
        async with self.sessions() as session, session.begin():
            learner = await self._learner_for_update(session, user_id)
            learner.focus_area = area.id if area else None
        return FocusResult(area)

    def _item_of(self, prompt: Prompt | None, user_id: int, kind: ItemKind) -> Item | None:
        """The prompt's item when the prompt is this learner's and of the expected kind."""
        if prompt is None or prompt.learner_id != user_id:
            return None
        item = self.bank.answerable(prompt.item_id)
        return item if item is not None and item.kind is kind else None

    async def stats(self, user_id: int) -> tuple[Learner, LearnerStats] | None:
        """The learner and their progress: mastery per area, streak, counts, what comes next."""
        now = self.clock()
        async with self.sessions() as session:
            learner = await repo.get_learner(session, user_id)
            if learner is None or learner.awarding_body is None:
                return None
            states = await repo.item_states(session, user_id)
            times = await repo.answer_times(session, user_id, start_of_week(now, learner.timezone))
        records = {s.item_id: _record(s) for s in states}
        items: Sequence[Item] = self.bank.for_body(learner.awarding_body)
        base = learner_stats(self.bank.areas, items, records, now)
        today, week = answered_since(times, learner.timezone, now)
        next_up: list[Item] = []
        for _ in range(NEXT_UP):
            remaining = [item for item in items if item not in next_up]
            pick = next_item(remaining, records, now, focus=True)
            if pick is None:
                break
            next_up.append(pick.item)
        stats = replace(
            base,
            streak_days=current_streak(learner, now),
            answered_today=today,
            answered_this_week=week,
            daily_goal=learner.daily_goal,
            next_up=next_up,
        )
        return learner, stats

    async def streak(self, user_id: int) -> int:
        """The learner's current day streak, in their time zone."""
        learner = await self.learner(user_id)
        return current_streak(learner, self.clock()) if learner else 0

    async def awaiting_answer(self, user_id: int) -> bool:
        """Whether the learner's latest prompt is still unanswered."""
        async with self.sessions() as session:
            last = await repo.last_prompt(session, user_id)
        return last is not None and last.answered_at is None
