"""Practice: serving prompts and taking answers (tapped, typed or from a nudge), one unit of work each."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Collection, Sequence
from datetime import datetime

from bot.tutor.core import Core
from bot.tutor.grading import drill_of, grade, valid_choice
from bot.tutor.memory import FAST_RECALL, ItemMemory
from bot.tutor.record import AnswerContext, answered_today, memories_of, memory_of, record_answer
from bot.tutor.results import AnswerResult, NudgeContent, PromptResult, ServedPrompt, Status
from bot.tutor.selection import MAX_RUN, Selection, next_item
from bot.tutor.streaks import current_streak
from bot.tutor.tips import TIP_EVERY, next_tip
from content.drills import DrillInstance, generate, is_right, parse_number
from content.schema import Answerable, ConceptCard, ItemKind, MetricDrill
from storage import repo
from storage.db import Session
from storage.models import Learner, Prompt

YIELD_EVERY = 10  # learners prepared between yields to the event loop in a nudge batch
MAX_ECHO = 40  # characters of an unreadable typed answer quoted back


class Practice:
    """The learner's private loop: prompts in, answers out."""

    def __init__(self, core: Core) -> None:
        self.core = core

    async def next_prompt(self, user_id: int, *, after_prompt_id: int | None = None) -> PromptResult:
        """Choose and register the learner's next prompt.

        `after_prompt_id` is the prompt whose "Next" button was tapped: a second tap on the
        same button serves nothing (status ALREADY).
        """
        async with self.core.sessions() as session, session.begin():
            learner = await repo.get_learner(session, user_id)
            if learner is None or learner.awarding_body is None:
                return PromptResult(Status.NOT_ONBOARDED)
            if after_prompt_id is not None:
                previous = await repo.get_prompt(session, after_prompt_id)
                if previous is None or previous.learner_id != user_id:
                    return PromptResult(Status.UNKNOWN)
                if not await repo.claim_follow_up(session, after_prompt_id, user_id):
                    return PromptResult(Status.ALREADY)
            return await self.serve(session, learner)

    async def serve(self, session: Session, learner: Learner) -> PromptResult:
        """Inside the caller's unit of work: choose, store and return the learner's next private prompt."""
        now = self.core.clock()
        learner.last_active_at = now  # asking for practice is activity; a nudge is not
        memories = await memories_of(session, learner.id)
        recent = await repo.recent_items(session, learner.id, MAX_RUN + 1)
        chosen = self._choose(learner, memories, recent, now, AnswerContext.PRIVATE)
        if chosen is None:
            return PromptResult(Status.EMPTY)
        [served] = await self._register(session, [chosen])
        return PromptResult(Status.OK, served)

    async def nudge_prompts(
        self, user_ids: Sequence[int], with_tips: Collection[int] = ()
    ) -> dict[int, NudgeContent]:
        """A prompt each (context "nudge") for a batch of learners, with streaks, in one transaction.

        Learners in `with_tips` also get an exam tip on their prompt's area. Learners who have
        not finished set-up, or whose course has no items, are left out.
        """
        now = self.core.clock()
        async with self.core.sessions() as session, session.begin():
            learners = await repo.learners(session, user_ids)
            states = await repo.item_states_of(session, user_ids)
            recent = await repo.recent_items_of(session, user_ids, MAX_RUN + 1)
            chosen: list[tuple[Prompt, Selection]] = []
            for n, learner in enumerate(learners):
                if n % YIELD_EVERY == 0:
                    await asyncio.sleep(0)  # selection is CPU work: let sends already under way go on
                if learner.awarding_body is None:
                    continue
                memories = {row.item_id: memory_of(row) for row in states.get(learner.id, [])}
                pick = self._choose(learner, memories, recent.get(learner.id, []), now, AnswerContext.NUDGE)
                if pick is not None:
                    chosen.append(pick)
            served = await self._register(session, chosen)
            by_id = {learner.id: learner for learner in learners}
            contents = {}
            for (prompt, _), one in zip(chosen, served, strict=True):
                learner = by_id[prompt.learner_id]
                tip = None
                if learner.id in with_tips:
                    tip = await next_tip(session, self.core.bank, learner, one.item.area, now)
                contents[learner.id] = NudgeContent(one, current_streak(learner, now), tip)
            return contents

    def _choose(
        self,
        learner: Learner,
        memories: dict[str, ItemMemory],
        recent: list[str],
        now: datetime,
        context: AnswerContext,
    ) -> tuple[Prompt, Selection] | None:
        selection = next_item(self._items_for(learner), memories, now, recent, focus=bool(learner.focus_area))
        if selection is None:
            return None
        item = selection.item
        prompt = Prompt(
            learner_id=learner.id, item_id=item.id, kind=item.kind.value, context=context.value, sent_at=now
        )
        return prompt, selection

    async def _register(self, session: Session, chosen: list[tuple[Prompt, Selection]]) -> list[ServedPrompt]:
        """Store the prompts (one flush for all) and draw the numbers of any calculation."""
        session.add_all([prompt for prompt, _ in chosen])
        await session.flush()
        served = []
        for prompt, selection in chosen:
            if prompt.id is None:
                raise RuntimeError("a flushed prompt has no id")
            drill = None
            if isinstance(selection.item, MetricDrill):
                drill = generate(selection.item, self.core.rng, seed=prompt.id)
                prompt.params = json.dumps(drill.params)
            served.append(ServedPrompt(prompt.id, selection.item, selection.reason, drill))
        return served

    def _items_for(self, learner: Learner) -> Sequence[Answerable]:
        items = self.core.bank.for_body(learner.awarding_body)
        if learner.focus_area:
            focused = [item for item in items if item.area == learner.focus_area]
            return focused or items
        return items

    def _item_of(self, prompt: Prompt | None, user_id: int, kind: ItemKind) -> Answerable | None:
        """The prompt's item when the prompt is this learner's and of the expected kind."""
        if prompt is None or prompt.learner_id != user_id:
            return None
        item = self.core.bank.answerable(prompt.item_id)
        return item if item is not None and item.kind is kind else None

    async def reveal(self, user_id: int, prompt_id: int) -> AnswerResult:
        """Reveal a concept card's answer (idempotent: revealing twice changes nothing)."""
        async with self.core.sessions() as session, session.begin():
            prompt = await repo.get_prompt(session, prompt_id)
            item = self._item_of(prompt, user_id, ItemKind.CONCEPT)
            if prompt is None or item is None:
                return AnswerResult(Status.UNKNOWN, prompt_id)
            if prompt.answered_at is not None:
                return AnswerResult(Status.ALREADY, prompt_id, item, prompt.correct)
            if not prompt.revealed:
                prompt.revealed = True
                prompt.revealed_at = self.core.clock()
            return AnswerResult(Status.OK, prompt_id, item)

    async def answer(self, user_id: int, prompt_id: int, kind: ItemKind, choice: bool | int) -> AnswerResult:
        """Record a tapped answer once.

        `choice`: "knew it" (True) / "not yet" for a card, True / False for a challenge, the
        option index into `item.options` for multiple choice, the button index for a drill.
        A repeated answer to the same prompt (a double tap, a resent callback, an old message)
        records nothing and reports the first answer's outcome with status ALREADY.
        """
        async with self.core.sessions() as session, session.begin():
            prompt = await repo.get_prompt(session, prompt_id)
            item = self._item_of(prompt, user_id, kind)
            if prompt is None or item is None:
                return AnswerResult(Status.UNKNOWN, prompt_id)
            drill = drill_of(item, prompt.params, prompt_id) if isinstance(item, MetricDrill) else None
            if not valid_choice(item, choice, drill):
                return AnswerResult(Status.UNKNOWN, prompt_id)
            correct = grade(item, choice, drill)
            return await self._record(session, prompt, item, correct, choice, None, drill)

    async def free_text(self, user_id: int, text: str) -> AnswerResult:
        """A message that is not a command: the answer to an open calculation, or nothing expected.

        Text that is not a number gets status UNREADABLE and records nothing; with no open
        calculation the status is NOT_EXPECTED (`awaiting` says whether a prompt waits for a tap),
        or NOT_ONBOARDED before set-up.
        """
        async with self.core.sessions() as session, session.begin():
            prompt = await repo.last_prompt(session, user_id)
            if prompt is None or prompt.answered_at is not None or prompt.kind != ItemKind.DRILL:
                learner = await repo.get_learner(session, user_id)
                if learner is None or learner.awarding_body is None:
                    return AnswerResult(Status.NOT_ONBOARDED)
                awaiting = prompt is not None and prompt.answered_at is None
                return AnswerResult(Status.NOT_EXPECTED, awaiting=awaiting)
            item = self._item_of(prompt, user_id, ItemKind.DRILL)
            if not isinstance(item, MetricDrill) or prompt.id is None:
                return AnswerResult(Status.NOT_EXPECTED)
            value = parse_number(text)
            if value is None:
                return AnswerResult(Status.UNREADABLE, prompt.id, item, text=text[:MAX_ECHO])
            drill = drill_of(item, prompt.params, prompt.id)
            return await self._record(session, prompt, item, is_right(item, drill, value), None, value, drill)

    async def _record(
        self,
        session: Session,
        prompt: Prompt,
        item: Answerable,
        correct: bool,
        choice: bool | int | None,
        typed: float | None,
        drill: DrillInstance | None,
    ) -> AnswerResult:
        prompt_id = prompt.id or 0
        already = AnswerResult(Status.ALREADY, prompt_id, item, prompt.correct, drill=drill)
        if prompt.answered_at is not None:
            return already
        now = self.core.clock()
        if not await repo.claim_answer(session, prompt_id, prompt.learner_id, correct, now):
            return already
        learner = await repo.get_learner(session, prompt.learner_id)
        if learner is None:
            return already
        fast = (
            isinstance(item, ConceptCard)
            and prompt.revealed_at is not None
            and prompt.revealed_at - prompt.sent_at <= FAST_RECALL
        )
        context = AnswerContext(prompt.context)
        await record_answer(session, learner, item, correct, now, context, prompt_id, fast)
        learner.last_active_at = now  # any answer restores daily nudges
        await session.flush()
        goal = learner.daily_goal or 0
        goal_met = bool(goal) and await answered_today(session, learner, now) == goal
        tip = None
        private = correct and context is AnswerContext.PRIVATE
        if private and await repo.right_in_a_row(session, learner.id, TIP_EVERY) == TIP_EVERY:
            tip = await next_tip(session, self.core.bank, learner, item.area, now)
        return AnswerResult(
            Status.OK, prompt_id, item, correct, choice, typed, drill, tip, goal_met=goal_met, daily_goal=goal
        )
