"""Practice: sets of prompts, answers (tapped, typed or from a nudge), one unit of work each.

Learners revise in sets with an end (`sets.py`): each answer to a card, a true-or-false or a
multiple-choice prompt serves the next prompt of the set at once, in the same unit of work; a
calculation waits for "Next" (its worked solution is read first). Only the latest prompt has live
buttons: serving a new one replaces an unanswered one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.tutor.core import Core
from bot.tutor.grading import choice_of, drill_json, drill_of, grade, stored_choice, valid_choice
from bot.tutor.memory import FAST_RECALL, ItemMemory
from bot.tutor.record import AnswerContext, answered_today, memories_of, record_answer
from bot.tutor.results import AnswerResult, PromptResult, ServedPrompt, Status
from bot.tutor.selection import MAX_RUN, Reason, must_retry, next_item
from bot.tutor.set_recap import recap_of
from bot.tutor.sets import SetState, extended_total, state_of
from bot.tutor.tips import streak_tip
from content.drills import DrillInstance, Mark, Typed, generate, mark, parse_answer
from content.schema import Answerable, ConceptCard, ItemKind, MetricDrill
from storage import repo
from storage.db import Session
from storage.models import Learner, PracticeSet, Prompt

YIELD_EVERY = 10  # learners prepared between yields to the event loop in a nudge batch
MAX_ECHO = 40  # characters of an unreadable typed answer quoted back
MOVES_ON = (ItemKind.CONCEPT, ItemKind.TRUE_FALSE, ItemKind.MCQ)  # answered in one tap: the next follows


class Practice:
    """The learner's private loop: sets of prompts in, answers out."""

    def __init__(self, core: Core) -> None:
        self.core = core

    # --- serving ------------------------------------------------------------------------------

    async def next_prompt(self, user_id: int, *, after_prompt_id: int | None = None) -> PromptResult:
        """The learner's next prompt: in their set, or the first of a new set when none is going.

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

    async def new_set(self, user_id: int, finished_set_id: int) -> PromptResult:
        """ "Another set" under a recap: the first prompt of a new set (once, however often tapped)."""
        async with self.core.sessions() as session, session.begin():
            learner = await repo.get_learner(session, user_id)
            if learner is None or learner.awarding_body is None:
                return PromptResult(Status.NOT_ONBOARDED)
            if learner.current_set_id is not None and learner.current_set_id > finished_set_id:
                return PromptResult(Status.ALREADY)  # a set has started since: a double tap
            return await self.serve(session, learner, new_set=True)

    async def serve(self, session: Session, learner: Learner, *, new_set: bool = False) -> PromptResult:
        """Inside the caller's unit of work: the next prompt of the learner's set (a new set if asked,
        or when none is going), or the recap of a set just completed."""
        now = self.core.clock()
        learner.last_active_at = now  # asking for practice is activity; a nudge is not
        state = None if new_set else await self._current_set(session, learner)
        if state is not None and state.complete:
            return await self._finish(session, learner, state, now)
        replaced = await self._replace_live(session, learner)
        if state is None:
            state = await self._start_set(session, learner, AnswerContext.PRIVATE, now)
        result = await self._serve_in(session, learner, state, AnswerContext.PRIVATE, now)
        return PromptResult(result.status, result.prompt, replaced=replaced)

    async def _current_set(self, session: Session, learner: Learner) -> SetState | None:
        if learner.current_set_id is None:
            return None
        row = await repo.get_set(session, learner.current_set_id)
        if row is None or row.ended_at is not None:
            return None
        return state_of(row, await repo.set_prompts(session, learner.current_set_id))

    async def _start_set(
        self, session: Session, learner: Learner, source: AnswerContext, now: datetime
    ) -> SetState:
        if learner.current_set_id is not None:
            previous = await repo.get_set(session, learner.current_set_id)
            if previous is not None and previous.ended_at is None:
                previous.ended_at = now
        row = PracticeSet(
            learner_id=learner.id,
            size=learner.set_size,
            total=learner.set_size,
            source=source.value,
            started_at=now,
        )
        session.add(row)
        await session.flush()
        if row.id is None:
            raise RuntimeError("a flushed set has no id")
        learner.current_set_id = row.id
        return SetState(row.id, row.size, row.total, 0, 0, 0, ())

    async def _replace_live(self, session: Session, learner: Learner) -> tuple[int, ...]:
        """Retire the buttons of the learner's live prompt (unanswered, or a calculation's unused Next)."""
        if learner.live_prompt_id is None:
            return ()
        live = await repo.get_prompt(session, learner.live_prompt_id)
        learner.live_prompt_id = None
        if live is None:
            return ()
        if live.answered_at is None and not live.superseded:
            live.superseded = True
        elif live.answered_at is not None and live.kind == ItemKind.DRILL and not live.followed_up:
            live.followed_up = True  # its "Next" would lead nowhere now
        else:
            return ()
        return (live.message_id,) if live.message_id is not None else ()

    async def _serve_in(
        self,
        session: Session,
        learner: Learner,
        state: SetState,
        context: AnswerContext,
        now: datetime,
        known: tuple[dict[str, ItemMemory], list[str]] | None = None,
    ) -> PromptResult:
        """Choose and store the next prompt of the set (`known`: memories and recent items, preloaded)."""
        if known is None:
            known = (
                await memories_of(session, learner.id),
                await repo.recent_items(session, learner.id, MAX_RUN + 1),
            )
        memories, recent = known
        in_set = state.context()
        selection = next_item(
            self._items_for(learner), memories, now, recent, focus=bool(learner.focus_area), in_set=in_set
        )
        if selection is None:
            return PromptResult(Status.EMPTY)
        total = in_set.total
        if must_retry(in_set) and selection.reason is not Reason.RETRY:
            row = await repo.get_set(session, state.set_id)  # a retry had to wait: keep it a slot
            if row is not None:
                row.total = total = max(row.total, in_set.total) + 1
        item = selection.item
        prompt = Prompt(
            learner_id=learner.id,
            item_id=item.id,
            kind=item.kind.value,
            context=context.value,
            sent_at=now,
            set_id=state.set_id,
            position=in_set.position,
        )
        session.add(prompt)
        await session.flush()
        if prompt.id is None:
            raise RuntimeError("a flushed prompt has no id")
        drill = None
        if isinstance(item, MetricDrill):
            drill = generate(item, self.core.rng, seed=prompt.id)
            prompt.params = drill_json(drill)
        learner.live_prompt_id = prompt.id
        served = ServedPrompt(prompt.id, item, selection.reason, drill, in_set.position, total)
        return PromptResult(Status.OK, served)

    async def _finish(
        self, session: Session, learner: Learner, state: SetState, now: datetime
    ) -> PromptResult:
        """End a completed set: its recap."""
        row = await repo.get_set(session, state.set_id)
        if row is not None:
            row.ended_at = now
        learner.current_set_id = None
        prompts = await repo.set_prompts(session, state.set_id)
        memories = await memories_of(session, learner.id)
        today = await answered_today(session, learner, now)
        recap = recap_of(self.core.bank, state, prompts, memories, learner, today, now)
        return PromptResult(Status.DONE, recap=recap)

    def _items_for(self, learner: Learner) -> Sequence[Answerable]:
        items = self.core.bank.for_body(learner.awarding_body)
        if learner.focus_area:
            focused = [item for item in items if item.area == learner.focus_area]
            return focused or items
        return items

    # --- nudges -------------------------------------------------------------------------------

    async def nudge_prompt(
        self,
        session: Session,
        learner: Learner,
        now: datetime,
        known: tuple[dict[str, ItemMemory], list[str]] | None = None,
    ) -> PromptResult:
        """Inside the caller's unit of work: a nudge starts a set; its first prompt (context "nudge")."""
        replaced = await self._replace_live(session, learner)
        state = await self._start_set(session, learner, AnswerContext.NUDGE, now)
        result = await self._serve_in(session, learner, state, AnswerContext.NUDGE, now, known)
        return PromptResult(result.status, result.prompt, replaced=replaced)

    async def served(self, session: Session, prompt_id: int) -> ServedPrompt | None:
        """A stored prompt as it was served (to send it again, the same, after a crash)."""
        prompt = await repo.get_prompt(session, prompt_id)
        item = self.core.bank.answerable(prompt.item_id) if prompt is not None else None
        if prompt is None or item is None or prompt.id is None:
            return None
        drill = drill_of(item, prompt.params, prompt.id) if isinstance(item, MetricDrill) else None
        total = 0
        if prompt.set_id is not None:
            row = await repo.get_set(session, prompt.set_id)
            total = row.total if row is not None else 0
        return ServedPrompt(prompt.id, item, Reason.NEW, drill, prompt.position or 0, total)

    # --- answers ------------------------------------------------------------------------------

    def _item_of(self, prompt: Prompt | None, user_id: int, kind: ItemKind) -> Answerable | None:
        """The prompt's item when the prompt is this learner's and of the expected kind."""
        if prompt is None or prompt.learner_id != user_id:
            return None
        item = self.core.bank.answerable(prompt.item_id)
        return item if item is not None and item.kind is kind else None

    async def reveal(self, user_id: int, prompt_id: int, message_id: int | None = None) -> AnswerResult:
        """Reveal a concept card's answer (idempotent: revealing twice changes nothing)."""
        async with self.core.sessions() as session, session.begin():
            prompt = await repo.get_prompt(session, prompt_id)
            item = self._item_of(prompt, user_id, ItemKind.CONCEPT)
            if prompt is None or item is None:
                return AnswerResult(Status.UNKNOWN, prompt_id)
            if prompt.message_id is None and message_id is not None:
                prompt.message_id = message_id
            if prompt.answered_at is not None:
                return await self._already(session, prompt, item, None)
            if prompt.superseded:
                return AnswerResult(Status.REPLACED, prompt_id, item)
            if not prompt.revealed:
                prompt.revealed = True
                prompt.revealed_at = self.core.clock()
            return AnswerResult(Status.OK, prompt_id, item)

    async def answer(
        self, user_id: int, prompt_id: int, kind: ItemKind, choice: bool | int, message_id: int | None = None
    ) -> AnswerResult:
        """Record a tapped answer once; a card, true-or-false or multiple-choice answer brings the next.

        `choice`: "knew it" (True) / "not yet" for a card, True / False for a challenge, the
        option index into `item.options` for multiple choice, the button index for a drill.
        A repeated answer to the same prompt (a double tap, a resent callback, an old message)
        records nothing and reports the first answer, with the learner's first choice (ALREADY).
        """
        async with self.core.sessions() as session, session.begin():
            prompt = await repo.get_prompt(session, prompt_id)
            item = self._item_of(prompt, user_id, kind)
            if prompt is None or item is None:
                return AnswerResult(Status.UNKNOWN, prompt_id)
            if prompt.message_id is None and message_id is not None:
                prompt.message_id = message_id
            drill = drill_of(item, prompt.params, prompt_id) if isinstance(item, MetricDrill) else None
            if not valid_choice(item, choice, drill):
                return AnswerResult(Status.UNKNOWN, prompt_id)
            return await self._record(session, prompt, item, grade(item, choice, drill), choice, None, drill)

    async def free_text(self, user_id: int, text: str) -> AnswerResult:
        """A message that is not a command: the answer to an open calculation, or nothing expected.

        Text that is not a number gets status UNREADABLE and a number in a unit the figure cannot
        have gets WRONG_UNIT: neither records anything. With no open
        calculation the status is NOT_EXPECTED (`awaiting` says whether a prompt waits for a tap),
        or NOT_ONBOARDED before set-up.
        """
        async with self.core.sessions() as session, session.begin():
            prompt = await repo.last_prompt(session, user_id)
            if prompt is not None and prompt.context == AnswerContext.NUDGE and prompt.id is not None:
                nudge = await repo.nudge_of_prompt(session, prompt.id)
                if nudge is not None and nudge.status not in ("sent", "unsure"):
                    prompt = None  # a nudge not (yet) delivered is not on the learner's screen
            open_drill = prompt is not None and prompt.answered_at is None and not prompt.superseded
            if prompt is None or not open_drill or prompt.kind != ItemKind.DRILL:
                learner = await repo.get_learner(session, user_id)
                if learner is None or learner.awarding_body is None:
                    return AnswerResult(Status.NOT_ONBOARDED)
                awaiting = prompt is not None and prompt.answered_at is None and not prompt.superseded
                return AnswerResult(Status.NOT_EXPECTED, awaiting=awaiting)
            item = self._item_of(prompt, user_id, ItemKind.DRILL)
            if not isinstance(item, MetricDrill) or prompt.id is None:
                return AnswerResult(Status.NOT_EXPECTED)
            typed = parse_answer(text)
            if typed is None:
                return AnswerResult(Status.UNREADABLE, prompt.id, item, text=text[:MAX_ECHO])
            drill = drill_of(item, prompt.params, prompt.id)
            verdict = mark(item, drill, typed)
            if verdict is Mark.WRONG_UNIT:  # not marked: the question stays open for the number
                return AnswerResult(Status.WRONG_UNIT, prompt.id, item, typed=typed, drill=drill)
            return await self._record(session, prompt, item, verdict is not Mark.WRONG, None, typed, drill)

    async def _already(
        self, session: Session, prompt: Prompt, item: Answerable, drill: DrillInstance | None
    ) -> AnswerResult:
        """A prompt answered before: its first answer, as the learner gave it (never a live button again)."""
        choice, typed = choice_of(prompt.choice)
        row = await repo.get_item_state(session, prompt.learner_id, item.id)
        return AnswerResult(
            Status.ALREADY,
            prompt.id or 0,
            item,
            prompt.correct,
            choice,
            typed,
            drill,
            can_continue=isinstance(item, MetricDrill) and not prompt.followed_up and not prompt.superseded,
            next_due=row.due_at if row is not None else None,
        )

    async def _record(
        self,
        session: Session,
        prompt: Prompt,
        item: Answerable,
        correct: bool,
        choice: bool | int | None,
        typed: Typed | None,
        drill: DrillInstance | None,
    ) -> AnswerResult:
        prompt_id = prompt.id or 0
        if prompt.answered_at is not None:
            return await self._already(session, prompt, item, drill)
        if prompt.superseded:
            return AnswerResult(Status.REPLACED, prompt_id, item)
        now = self.core.clock()
        if not await repo.claim_answer(session, prompt_id, prompt.learner_id, correct, now):
            return await self._already(session, prompt, item, drill)
        prompt.choice = stored_choice(choice, typed)
        learner = await repo.get_learner(session, prompt.learner_id)
        if learner is None:
            return await self._already(session, prompt, item, drill)
        fast = (
            isinstance(item, ConceptCard)
            and prompt.revealed_at is not None
            and prompt.revealed_at - prompt.sent_at <= FAST_RECALL
        )
        context = AnswerContext(prompt.context)
        memory = await record_answer(session, learner, item, correct, now, context, prompt_id, fast)
        learner.last_active_at = now  # any answer restores daily nudges
        await session.flush()
        goal = learner.daily_goal or 0
        goal_met = bool(goal) and await answered_today(session, learner, now) == goal
        earned = await streak_tip(session, self.core.bank, learner, item.area, now) if correct else None
        back_in_set = False
        following = None
        state = await self._prompt_set(session, learner, prompt)
        if state is not None and not correct:
            back_in_set = any(item_id == item.id for item_id, _ in state.retries)
            row = await repo.get_set(session, state.set_id)
            if row is not None:
                row.total = extended_total(state)
        if item.kind in MOVES_ON:
            following = await self.serve(session, learner)
        return AnswerResult(
            Status.OK,
            prompt_id,
            item,
            correct,
            choice,
            typed,
            drill,
            earned[0] if earned else None,
            earned[1] if earned else 0,
            goal_met=goal_met,
            daily_goal=goal,
            back_in_set=back_in_set,
            next_due=memory.due_at,
            following=following,
            can_continue=isinstance(item, MetricDrill),
        )

    async def _prompt_set(self, session: Session, learner: Learner, prompt: Prompt) -> SetState | None:
        """The learner's current set, when the prompt belongs to it."""
        if prompt.set_id is None or prompt.set_id != learner.current_set_id:
            return None
        return await self._current_set(session, learner)

    # --- delivery -----------------------------------------------------------------------------

    async def shown(self, prompt_id: int, message_id: int) -> None:
        """A delivery receipt: the message that shows a prompt (so a newer prompt can retire its buttons)."""
        async with self.core.sessions() as session, session.begin():
            await repo.record_receipt(session, prompt_id, message_id)
