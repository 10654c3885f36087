"""Practice: sets of prompts, answers (tapped, typed or from a nudge), one unit of work each.

Learners revise in sets with an end (`sets.py`): each answer to a card, a true-or-false or a
multiple-choice prompt serves the next prompt of the set at once, in the same unit of work; a
calculation waits for "Next" (its worked solution is read first). Only the latest prompt has live
buttons: serving a new one replaces an unanswered one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from bot.tutor import written
from bot.tutor.core import Core
from bot.tutor.examdate import plan_of
from bot.tutor.grading import choice_of, drill_json, drill_of, grade, stored_choice, valid_choice
from bot.tutor.kept import KeptMemories
from bot.tutor.memory import FAST_RECALL, ItemFacts, moment_of
from bot.tutor.record import AnswerContext, answered_today, facts_from, record_answer
from bot.tutor.results import AnswerResult, PromptResult, ServedPrompt, Status, Writing, WrittenResult
from bot.tutor.selection import MAX_RUN, Reason, choose, must_retry
from bot.tutor.set_recap import recap_of
from bot.tutor.sets import SetPrompt, SetState, extended_total, state_of
from bot.tutor.tips import streak_tip
from content.drills import DrillInstance, Mark, Typed, generate, mark, parse_answer
from content.schema import ALL_BODIES, Answerable, ConceptCard, ExamQuestion, ItemKind, MetricDrill
from storage import homework as homework_store
from storage import repo
from storage import written as written_store
from storage.db import Session
from storage.models import Learner, PracticeSet, Prompt

YIELD_EVERY = 10  # learners prepared between yields to the event loop in a nudge batch
MAX_ECHO = 40  # characters of an unreadable typed answer quoted back
MOVES_ON = (ItemKind.CONCEPT, ItemKind.TRUE_FALSE, ItemKind.MCQ)  # answered in one tap: the next follows
HOMEWORK = "homework"  # a set's source when a teacher set it (an unfinished one is never ended)
MOCK = "mock"  # a mock exam's set (`mock.py`): its own service serves it; its clock ends it
MockText = Callable[[Session, "Loaded", str], Awaitable[AnswerResult]]


@dataclass
class Loaded:
    """What a unit of work read of a learner in one statement (`repo.practice_rows`), kept up to date
    as the unit of work changes it, so that serving and answering read nothing twice."""

    learner: Learner
    current_set: PracticeSet | None  # the set the learner's row points to, as loaded
    live: Prompt | None
    asked: Prompt | None
    last: Prompt | None
    memories: dict[str, ItemFacts]
    set_prompts: list[SetPrompt]  # the current set's prompts, in the order served
    recent: list[str]  # the items of the latest prompts, oldest first (MAX_RUN + 1)
    started: SetState | None = None  # a set this unit of work started (stored, but not loaded)

    def answered(self, prompt_id: int, correct: bool) -> None:
        """A prompt of the current set was answered just now."""
        for n, line in enumerate(self.set_prompts):
            if line.prompt_id == prompt_id:
                self.set_prompts[n] = line._replace(answered=True, correct=correct)

    def served(self, line: SetPrompt) -> None:
        """A new prompt of the current set was served just now."""
        self.set_prompts.append(line)
        self.recent = [*self.recent, line.item_id][-(MAX_RUN + 1) :]


async def load(
    session: Session,
    kept: KeptMemories,
    learner_id: int,
    *,
    prompt_id: int | None = None,
    last: bool = False,
) -> Loaded | None:
    """The learner (None if they have no record) and all a prompt or an answer needs, in one statement
    (their memories from `kept` when they have not changed since)."""
    known = kept.get(learner_id)
    rows = await repo.practice_rows(
        session,
        learner_id,
        recent=MAX_RUN + 1,
        prompt_id=prompt_id,
        last=last,
        known_tag=known[0] if known is not None else None,
    )
    if rows is None:
        return None
    if rows.states is None and known is not None:
        memories = dict(known[1])
    else:
        memories = facts_from(rows.states or [])
        kept.keep(learner_id, rows.learner.memory_tag, memories)
    return Loaded(
        rows.learner,
        rows.current_set,
        rows.live,
        rows.asked,
        rows.last,
        memories,
        [SetPrompt._make(line) for line in rows.set_prompts],
        rows.recent,
    )


def in_mock(loaded: Loaded) -> bool:
    """Whether the learner's current set is a mock exam still open."""
    row = loaded.current_set
    return (
        row is not None
        and row.source == MOCK
        and row.ended_at is None
        and loaded.learner.current_set_id == row.id
    )


class Practice:
    """The learner's private loop: sets of prompts in, answers out."""

    def __init__(self, core: Core) -> None:
        self.core = core
        self._focused: dict[tuple[str | None, str], tuple[Answerable, ...]] = {}  # one area of a course
        self.mock_text: MockText | None = None  # typed text while a mock exam is the learner's set
        self._no_retry = frozenset(i for i, item in core.bank.items.items() if isinstance(item, ExamQuestion))

    # --- serving ------------------------------------------------------------------------------

    async def next_prompt(self, user_id: int, *, after_prompt_id: int | None = None) -> PromptResult:
        """The learner's next prompt: in their set, or the first of a new set when none is going.

        `after_prompt_id` is the prompt whose "Next" button was tapped: a second tap on the
        same button serves nothing (status ALREADY).
        """
        async with self.core.sessions() as session, session.begin():
            loaded = await load(session, self.core.memories, user_id, prompt_id=after_prompt_id)
            if loaded is None or loaded.learner.awarding_body is None:
                return PromptResult(Status.NOT_ONBOARDED)
            if after_prompt_id is not None:
                previous = loaded.asked
                if previous is None or previous.learner_id != user_id:
                    return PromptResult(Status.UNKNOWN)
                if not await repo.claim_follow_up(session, after_prompt_id, user_id):
                    return PromptResult(Status.ALREADY)
            return await self._serve(session, loaded)

    async def new_set(self, user_id: int, finished_set_id: int) -> PromptResult:
        """ "Another set" under a recap: the first prompt of a new set (once, however often tapped)."""
        async with self.core.sessions() as session, session.begin():
            loaded = await load(session, self.core.memories, user_id)
            if loaded is None or loaded.learner.awarding_body is None:
                return PromptResult(Status.NOT_ONBOARDED)
            learner = loaded.learner
            if learner.current_set_id is not None and learner.current_set_id > finished_set_id:
                return PromptResult(Status.ALREADY)  # a set has started since: a double tap
            return await self._serve(session, loaded, new_set=True)

    async def serve(self, session: Session, learner: Learner, *, new_set: bool = False) -> PromptResult:
        """Inside the caller's unit of work: the next prompt of the learner's set (a new set if asked,
        or when none is going), or the recap of a set just completed."""
        loaded = await load(session, self.core.memories, learner.id)
        if loaded is None:
            raise RuntimeError(f"learner {learner.id} has no record to serve")
        return await self._serve(session, loaded, new_set=new_set)

    async def write_prompt(self, user_id: int) -> PromptResult:
        """/write: an exam question to answer in writing now (the one the learner most needs), as the
        next prompt of their set."""
        async with self.core.sessions() as session, session.begin():
            loaded = await load(session, self.core.memories, user_id)
            if loaded is None or loaded.learner.awarding_body is None:
                return PromptResult(Status.NOT_ONBOARDED)
            return await self._serve(session, loaded, written_only=True)

    async def _serve(
        self, session: Session, loaded: Loaded, *, new_set: bool = False, written_only: bool = False
    ) -> PromptResult:
        now = self.core.clock()
        learner = loaded.learner
        learner.last_active_at = now  # asking for practice is activity; a nudge is not
        state = None if new_set else self._current_set(loaded)
        await self._settle_live(session, loaded, now)
        if state is not None and state.complete and not written_only:
            return self._finish(loaded, state, now, await self._hand_in(session, loaded, state, now))
        replaced = self._replace_live(loaded)
        if state is None or state.complete:
            state = await self._start_set(session, loaded, AnswerContext.PRIVATE.value, now)
        result = await self._serve_in(
            session, loaded, state, AnswerContext.PRIVATE, now, written_only=written_only
        )
        return PromptResult(result.status, result.prompt, replaced=replaced)

    def _current_set(self, loaded: Loaded) -> SetState | None:
        started = loaded.started
        if started is not None and loaded.learner.current_set_id == started.set_id:
            return state_of(
                started.set_id,
                started.size,
                started.total,
                loaded.set_prompts,
                started.course,
                started.area,
                self._no_retry,
            )
        row = loaded.current_set
        if loaded.learner.current_set_id is None or row is None or row.ended_at is not None or row.id is None:
            return None
        if row.source == MOCK:  # put aside for practice: the mock's own service serves it
            return None
        return state_of(row.id, row.size, row.total, loaded.set_prompts, row.course, row.area, self._no_retry)

    async def _start_set(
        self,
        session: Session,
        loaded: Loaded,
        source: str,
        now: datetime,
        *,
        size: int | None = None,
        course: str | None = None,
        area: str | None = None,
    ) -> SetState:
        learner = loaded.learner
        previous = loaded.current_set
        open_before = (
            learner.current_set_id is not None and previous is not None and previous.ended_at is None
        )
        if open_before and previous is not None and previous.source not in (HOMEWORK, MOCK):
            previous.ended_at = now  # unfinished homework or a mock stays open: it can be carried on
        size = size or learner.set_size
        set_id = await repo.add_set(
            session,
            learner_id=learner.id,
            size=size,
            total=size,
            source=source,
            started_at=now,
            course=course,
            area=area,
        )
        learner.current_set_id = set_id
        loaded.started = SetState(set_id, size, size, 0, 0, 0, (), course, area)
        loaded.current_set, loaded.set_prompts = None, []
        return loaded.started

    async def retire_live(self, session: Session, loaded: Loaded, now: datetime) -> tuple[int, ...]:
        """Before a mock's question: settle a marked written answer, retire the live prompt's buttons;
        the messages that showed it."""
        await self._settle_live(session, loaded, now)
        return self._replace_live(loaded)

    @staticmethod
    async def writing(session: Session, learner: Learner, now: datetime) -> bool:
        """Whether the learner is writing an answer to an exam question (words added within
        STILL_WRITING, not yet marked): a nudge or homework waits rather than replace it and discard
        the words. An answer left longer than that no longer holds them up."""
        if learner.live_prompt_id is None:
            return False
        live = await repo.get_prompt(session, learner.live_prompt_id)
        if live is None or live.id is None or live.kind != ItemKind.EXAM.value:
            return False
        if not written.is_open(live) or live.revealed:
            return False
        draft = await written_store.get_draft(session, live.id)
        return draft is not None and now - draft.updated_at < written.STILL_WRITING

    async def _settle_live(self, session: Session, loaded: Loaded, now: datetime) -> None:
        """Before the live prompt is replaced: a marked written answer is recorded as its marks stand;
        an answer still being written is discarded with its prompt."""
        live = loaded.live
        if live is None or live.id is None or live.kind != ItemKind.EXAM.value or not written.is_open(live):
            return
        if in_mock(loaded) and not live.revealed:
            return  # a mock's written answer put aside: kept for Carry on (or marked when time is up)
        if live.id != loaded.learner.live_prompt_id:
            return
        question = self.core.bank.answerable(live.item_id)
        if live.revealed and isinstance(question, ExamQuestion):
            settled = await written.settle(session, loaded.learner, live, question, now, loaded.memories)
            if settled.status is Writing.CONFIRMED and not settled.again:
                loaded.answered(live.id, bool(live.correct))
                self.core.memories.keep(loaded.learner.id, loaded.learner.memory_tag, loaded.memories)
        elif not live.revealed:
            await written_store.drop_draft(session, live.id)

    def _replace_live(self, loaded: Loaded) -> tuple[int, ...]:
        """Retire the buttons of the learner's live prompt (unanswered, or a calculation's unused Next)."""
        learner = loaded.learner
        if learner.live_prompt_id is None:
            return ()
        live = loaded.live
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
        loaded: Loaded,
        state: SetState,
        context: AnswerContext,
        now: datetime,
        *,
        written_only: bool = False,
    ) -> PromptResult:
        """Choose and store the next prompt of the set (`written_only`: an exam question)."""
        learner = loaded.learner
        in_set = state.context()
        items = self._items_for(learner, state)
        if written_only:  # this area's exam questions under /focus, else the course's
            items = [item for item in items if isinstance(item, ExamQuestion)] or [
                item
                for item in self.core.bank.for_body(learner.awarding_body)
                if isinstance(item, ExamQuestion)
            ]
        selection = choose(
            items,
            loaded.memories,
            now,
            loaded.recent,
            focus=bool(state.area) if state.course is not None else bool(learner.focus_area),
            in_set=in_set,
            exam=None if state.course is not None else plan_of(learner.exam_date, learner.timezone, now),
        )
        if selection is None:
            return PromptResult(Status.EMPTY)
        total = in_set.total
        if must_retry(in_set) and selection.reason is not Reason.RETRY:
            row = await self._set_row(session, loaded, state.set_id)  # a retry had to wait: keep it a slot
            if row is not None:
                row.total = total = max(row.total, in_set.total) + 1
        item = selection.item
        prompt_id = await repo.add_prompt(
            session,
            learner_id=learner.id,
            item_id=item.id,
            kind=item.kind.value,
            context=context.value,
            sent_at=now,
            set_id=state.set_id,
            position=in_set.position,
        )
        drill = None
        if isinstance(item, MetricDrill):
            drill = generate(item, self.core.rng, seed=prompt_id)
            await repo.set_prompt_params(session, prompt_id, drill_json(drill))
        learner.live_prompt_id = prompt_id
        loaded.served(SetPrompt(prompt_id, item.id, False, None, in_set.position))
        missed = written.missed_points(item, loaded.memories) if isinstance(item, ExamQuestion) else ()
        served = ServedPrompt(prompt_id, item, selection.reason, drill, in_set.position, total, missed)
        return PromptResult(Status.OK, served)

    @staticmethod
    async def _set_row(session: Session, loaded: Loaded, set_id: int) -> PracticeSet | None:
        """The set's row, to change (the loaded one when it is that set)."""
        if loaded.current_set is not None and loaded.current_set.id == set_id:
            return loaded.current_set
        return await repo.get_set(session, set_id)

    def _finish(
        self, loaded: Loaded, state: SetState, now: datetime, homework: str | None = None
    ) -> PromptResult:
        """End a completed set: its recap (saying so when it was homework, now handed in)."""
        learner = loaded.learner
        if loaded.current_set is not None:
            loaded.current_set.ended_at = now
        learner.current_set_id = None
        today = answered_today(learner, now)
        recap = recap_of(self.core.bank, state, loaded.set_prompts, loaded.memories, learner, today, now)
        return PromptResult(Status.DONE, recap=replace(recap, homework=homework))

    async def _hand_in(self, session: Session, loaded: Loaded, state: SetState, now: datetime) -> str | None:
        """A homework set just completed: its result recorded for the teacher; the group's name (None
        when the set was not homework, or its homework was cancelled)."""
        row = loaded.current_set
        if row is None or row.source != HOMEWORK:
            return None
        pupil = await homework_store.pupil_of_set(session, state.set_id)
        if pupil is None:
            return None
        if pupil.completed_at is None:
            pupil.completed_at, pupil.answered, pupil.right = now, state.answered, state.right
        homework = await homework_store.get_homework(session, pupil.homework_id)
        if homework is None or homework.cancelled_at is not None:
            return None
        return homework.title or "your class"

    def _items_for(self, learner: Learner, state: SetState | None = None) -> Sequence[Answerable]:
        if state is not None and state.course is not None:  # homework: the class's course and area
            items = self.core.bank.for_body(state.course)
            area = state.area
        else:
            items = self.core.bank.for_body(learner.awarding_body)
            area = learner.focus_area
        if area:
            key = (state.course if state is not None and state.course else learner.awarding_body, area)
            focused = self._focused.get(key)
            if focused is None:
                focused = self._focused[key] = tuple(item for item in items if item.area == area)
            return focused or items
        return items

    # --- nudges -------------------------------------------------------------------------------

    async def nudge_prompt(self, session: Session, learner: Learner, now: datetime) -> PromptResult:
        """Inside the caller's unit of work: a nudge starts a set (or carries on unfinished homework);
        its first prompt (context "nudge")."""
        loaded = await load(session, self.core.memories, learner.id)
        if loaded is None:
            raise RuntimeError(f"learner {learner.id} has no record to nudge")
        await self._settle_live(session, loaded, now)
        replaced = self._replace_live(loaded)
        state = self._current_set(loaded)
        homework = loaded.current_set is not None and loaded.current_set.source == HOMEWORK
        if state is None or not homework or state.complete:
            state = await self._start_set(session, loaded, AnswerContext.NUDGE.value, now)
        result = await self._serve_in(session, loaded, state, AnswerContext.NUDGE, now)
        return PromptResult(result.status, result.prompt, replaced=replaced)

    async def homework_prompt(
        self,
        session: Session,
        learner: Learner,
        now: datetime,
        size: int,
        course: str | None,
        area: str | None,
    ) -> PromptResult:
        """Inside the caller's unit of work: a homework set of `size` prompts from the class's course
        (None: every body) and area; its first prompt."""
        loaded = await load(session, self.core.memories, learner.id)
        if loaded is None:
            raise RuntimeError(f"learner {learner.id} has no record to set homework for")
        await self._settle_live(session, loaded, now)
        replaced = self._replace_live(loaded)
        pool = course or ALL_BODIES
        state = await self._start_set(session, loaded, HOMEWORK, now, size=size, course=pool, area=area)
        result = await self._serve_in(session, loaded, state, AnswerContext.PRIVATE, now)
        return PromptResult(result.status, result.prompt, replaced=replaced)

    async def resume(self, session: Session, learner: Learner, set_id: int) -> PromptResult:
        """Inside the caller's unit of work: carry on an unfinished set (homework put aside for another
        set): the next prompt of it, or its recap if nothing is left."""
        if learner.current_set_id != set_id:
            learner.current_set_id = set_id
            await session.flush()
        elif learner.live_prompt_id is not None:  # its prompt is still open: that one again, not the next
            live = await repo.get_prompt(session, learner.live_prompt_id)
            if (
                live is not None
                and live.id is not None
                and live.set_id == set_id
                and live.answered_at is None
            ):
                served = await self.served(session, live.id) if not live.superseded else None
                if served is not None:
                    gone = (live.message_id,) if live.message_id is not None else ()
                    return PromptResult(Status.OK, served, replaced=gone)
        return await self.serve(session, learner)

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
            loaded = await load(session, self.core.memories, user_id, prompt_id=prompt_id)
            prompt = loaded.asked if loaded is not None else None
            item = self._item_of(prompt, user_id, kind)
            if loaded is None or prompt is None or item is None:
                return AnswerResult(Status.UNKNOWN, prompt_id)
            if prompt.message_id is None and message_id is not None:
                prompt.message_id = message_id
            drill = drill_of(item, prompt.params, prompt_id) if isinstance(item, MetricDrill) else None
            if not valid_choice(item, choice, drill):
                return AnswerResult(Status.UNKNOWN, prompt_id)
            return await self._record(
                session, loaded, prompt, item, grade(item, choice, drill), choice, None, drill
            )

    async def free_text(self, user_id: int, text: str) -> AnswerResult | WrittenResult:
        """A message that is not a command: the answer to an open calculation, or nothing expected.

        Text that is not a number gets status UNREADABLE and a number in a unit the figure cannot
        have gets WRONG_UNIT: neither records anything. With no open
        calculation the status is NOT_EXPECTED (`awaiting` says whether a prompt waits for a tap),
        or NOT_ONBOARDED before set-up.
        """
        async with self.core.sessions() as session, session.begin():
            loaded = await load(session, self.core.memories, user_id, last=True)
            if loaded is not None and self.mock_text is not None and in_mock(loaded):
                return await self.mock_text(session, loaded, text)
            prompt = loaded.last if loaded is not None else None
            if prompt is not None and prompt.context == AnswerContext.NUDGE and prompt.id is not None:
                nudge = await repo.nudge_of_prompt(session, prompt.id)
                if nudge is not None and nudge.status not in ("sent", "unsure"):
                    prompt = None  # a nudge not (yet) delivered is not on the learner's screen
            open_drill = prompt is not None and prompt.answered_at is None and not prompt.superseded
            if loaded is not None and prompt is not None and open_drill and prompt.kind == ItemKind.EXAM:
                question = self.core.bank.answerable(prompt.item_id)
                if isinstance(question, ExamQuestion):
                    return await written.write(
                        session, loaded.learner, prompt, question, text, self.core.clock()
                    )
            if loaded is None or prompt is None or not open_drill or prompt.kind != ItemKind.DRILL:
                if loaded is None or loaded.learner.awarding_body is None:
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
            return await self._record(
                session, loaded, prompt, item, verdict is not Mark.WRONG, None, typed, drill
            )

    async def _already(
        self,
        session: Session,
        prompt: Prompt,
        item: Answerable,
        drill: DrillInstance | None,
        memories: dict[str, ItemFacts] | None = None,
    ) -> AnswerResult:
        """A prompt answered before: its first answer, as the learner gave it (never a live button again)."""
        choice, typed = choice_of(prompt.choice)
        if memories is not None:
            due_us = memory.due_us if (memory := memories.get(item.id)) is not None else None
        else:
            row = await repo.item_state(session, prompt.learner_id, item.id)
            due_us = row[6] if row is not None else None
        return AnswerResult(
            Status.ALREADY,
            prompt.id or 0,
            item,
            prompt.correct,
            choice,
            typed,
            drill,
            can_continue=isinstance(item, MetricDrill) and not prompt.followed_up and not prompt.superseded,
            next_due=moment_of(due_us) if due_us is not None else None,
        )

    async def _record(
        self,
        session: Session,
        loaded: Loaded,
        prompt: Prompt,
        item: Answerable,
        correct: bool,
        choice: bool | int | None,
        typed: Typed | None,
        drill: DrillInstance | None,
    ) -> AnswerResult:
        prompt_id = prompt.id or 0
        if prompt.answered_at is not None:
            return await self._already(session, prompt, item, drill, loaded.memories)
        if prompt.superseded:
            return AnswerResult(Status.REPLACED, prompt_id, item)
        now = self.core.clock()
        claimed = await repo.claim_answer(
            session, prompt_id, prompt.learner_id, correct, now, stored_choice(choice, typed)
        )
        if not claimed:
            return await self._already(session, prompt, item, drill, loaded.memories)
        learner = loaded.learner
        fast = (
            isinstance(item, ConceptCard)
            and prompt.revealed_at is not None
            and prompt.revealed_at - prompt.sent_at <= FAST_RECALL
        )
        context = AnswerContext(prompt.context)
        memory = await record_answer(
            session, learner, item, correct, now, context, prompt_id, fast, memories=loaded.memories
        )
        learner.last_active_at = now  # any answer restores daily nudges
        loaded.answered(prompt_id, correct)
        self.core.memories.keep(learner.id, learner.memory_tag, loaded.memories)
        goal = learner.daily_goal or 0
        goal_met = bool(goal) and answered_today(learner, now) == goal
        earned = await streak_tip(session, self.core.bank, learner, item.area, now) if correct else None
        back_in_set = False
        following = None
        state = self._prompt_set(loaded, prompt)
        if state is not None and not correct:
            back_in_set = any(item_id == item.id for item_id, _ in state.retries)
            row = await self._set_row(session, loaded, state.set_id)
            if row is not None:
                row.total = extended_total(state)
        if item.kind in MOVES_ON:
            following = await self._serve(session, loaded)
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

    def _prompt_set(self, loaded: Loaded, prompt: Prompt) -> SetState | None:
        """The learner's current set, when the prompt belongs to it."""
        if prompt.set_id is None or prompt.set_id != loaded.learner.current_set_id:
            return None
        return self._current_set(loaded)

    # --- written answers ----------------------------------------------------------------------

    async def _written_prompt(
        self, session: Session, user_id: int, prompt_id: int
    ) -> tuple[Learner, Prompt, ExamQuestion] | None:
        """The learner and their exam question prompt, read after taking the learner's lock (as every
        unit of work on a learner does first), or None."""
        learner = await repo.get_learner(session, user_id)
        if learner is None:
            return None
        prompt = await repo.get_prompt(session, prompt_id)
        if prompt is None or not written.exam_prompt(prompt, user_id):
            return None
        question = self.core.bank.answerable(prompt.item_id)
        return (learner, prompt, question) if isinstance(question, ExamQuestion) else None

    async def mark_written(self, user_id: int, prompt_id: int) -> WrittenResult:
        """ "Mark my answer": mark what the learner has written to this exam question so far."""
        async with self.core.sessions() as session, session.begin():
            found = await self._written_prompt(session, user_id, prompt_id)
            if found is None:
                return WrittenResult(Writing.GONE, prompt_id)
            learner, prompt, question = found
            if prompt.answered_at is not None:
                marks = await written_store.marks_of(session, prompt_id)
                return WrittenResult(
                    Writing.CONFIRMED,
                    prompt_id,
                    question,
                    again=True,
                    points=written.points_of(question, marks),
                )
            if prompt.superseded:
                return WrittenResult(Writing.GONE, prompt_id, question)
            draft = await written_store.get_draft(session, prompt_id)
            return await written.mark_draft(session, learner, prompt, question, draft, self.core.clock())

    async def flip_point(self, user_id: int, prompt_id: int, position: int) -> WrittenResult:
        """The learner corrects the marking of one point (self-assessment is the final word)."""
        async with self.core.sessions() as session, session.begin():
            found = await self._written_prompt(session, user_id, prompt_id)
            if found is None:
                return WrittenResult(Writing.GONE, prompt_id)
            return await written.flip(session, found[1], found[2], position)

    async def confirm_marks(self, user_id: int, prompt_id: int) -> WrittenResult:
        """The marks stand: record each point in the learner's memory, then serve the next prompt."""
        async with self.core.sessions() as session, session.begin():
            loaded = await load(session, self.core.memories, user_id, prompt_id=prompt_id)
            prompt = loaded.asked if loaded is not None else None
            if loaded is None or prompt is None or not written.exam_prompt(prompt, user_id):
                return WrittenResult(Writing.GONE, prompt_id)
            question = self.core.bank.answerable(prompt.item_id)
            if not isinstance(question, ExamQuestion) or not prompt.revealed:
                return WrittenResult(Writing.GONE, prompt_id)
            now = self.core.clock()
            result = await written.settle(session, loaded.learner, prompt, question, now, loaded.memories)
            if result.status is not Writing.CONFIRMED or result.again:
                return result
            loaded.answered(prompt_id, bool(prompt.correct))
            self.core.memories.keep(loaded.learner.id, loaded.learner.memory_tag, loaded.memories)
            following = await self._serve(session, loaded)
            return replace(result, following=following)

    # --- delivery -----------------------------------------------------------------------------

    async def shown(self, prompt_id: int, message_id: int) -> None:
        """A delivery receipt: the message that shows a prompt (so a newer prompt can retire its buttons)."""
        async with self.core.sessions() as session, session.begin():
            await repo.record_receipt(session, prompt_id, message_id)
