"""Mock exams: a timed mixed set in exam proportions, answers withheld until the end, then results.

A mock is a `PracticeSet` of source "mock" with an end (`ends_at`) and a `MockExam` row holding the
questions chosen at the start (`MOCK_BLUEPRINT`). Each answer is recorded as a normal answer (it
counts in the learner's memory), but no verdict is shown until the results. When time runs out
with the learner away, the sweep (`lease`, `record`) sends the results once, like the nudge outbox.
"""

from __future__ import annotations

import asyncio
import json
import math
import random
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.tutor import written
from bot.tutor.core import Core
from bot.tutor.grading import choice_of, drill_json, drill_of, grade, stored_choice, valid_choice
from bot.tutor.memory import ItemFacts
from bot.tutor.mock_results import (
    AreaScore,
    MockDelivery,
    MockLine,
    MockOffer,
    MockQuestion,
    MockResults,
    MockSendOutcome,
    MockStatus,
    MockStep,
)
from bot.tutor.practice import HOMEWORK, MOCK, Loaded, Practice, load
from bot.tutor.record import AnswerContext, record_answer
from bot.tutor.results import AnswerResult, MarkedPoint, Status, Writing
from content.drills import Mark, generate, mark, parse_answer
from content.schema import Answerable, Area, Bank, ConceptCard, ExamQuestion, ItemKind, MetricDrill
from storage import mock as store
from storage import repo
from storage import written as written_store
from storage.db import Session
from storage.models import ExamDraft, ExamMark, Learner, MockExam, Prompt


@dataclass(frozen=True)
class Section:
    """A part of the mock: so many questions of one kind, each allowed so many minutes."""

    kind: ItemKind
    count: int
    minutes_each: int


# The mock's blueprint, in the order the questions come: recall, true or false, multiple choice,
# one calculation, one written answer last. One mark a question, the written answer as many as its
# marking points (2 to 6). Twenty minutes in all: a minute a question, two for the calculation and
# seven to write. The 12 questions before the written one are shared across the topic areas in
# proportion to how much of the learner's course each area holds (every area at least once).
MOCK_BLUEPRINT: tuple[Section, ...] = (
    Section(ItemKind.CONCEPT, 3, 1),
    Section(ItemKind.TRUE_FALSE, 4, 1),
    Section(ItemKind.MCQ, 4, 1),
    Section(ItemKind.DRILL, 1, 2),
    Section(ItemKind.EXAM, 1, 7),
)
# A written question alone (from a class mock's link) has the written section's time.
WRITTEN_MINUTES = next(s.minutes_each for s in MOCK_BLUEPRINT if s.kind is ItemKind.EXAM)
RECENT = timedelta(days=2)  # an item answered this recently is set only when nothing else is left
LEASE = timedelta(seconds=60)  # the results' send: sent again if a crash leaves it leased this long
MAX_ATTEMPTS = 5  # sends of the results tried before giving up
REVISE_AREAS = 2  # weakest areas named under the results: the weakest, and the next if below...
REVISE_BELOW = 0.8  # ...this share of its marks
_PICK_ORDER = (ItemKind.DRILL, ItemKind.MCQ, ItemKind.CONCEPT, ItemKind.TRUE_FALSE)  # scarcest first


def area_quotas(weights: Mapping[str, int], slots: int) -> dict[str, int]:
    """Questions per area: every area with items at least one, the rest in proportion to `weights`
    (largest remainders), catalogue order breaking ties."""
    areas = [area for area, weight in weights.items() if weight > 0]
    if not areas or slots <= 0:
        return {}
    if slots < len(areas):
        ranked = sorted(areas, key=lambda a: -weights[a])[:slots]
        return {area: 1 for area in areas if area in ranked}
    quotas = dict.fromkeys(areas, 1)
    spare = slots - len(areas)
    total = sum(weights[a] for a in areas)
    shares = {a: spare * weights[a] / total for a in areas}
    for area in areas:
        quotas[area] += math.floor(shares[area])
    left = slots - sum(quotas.values())
    for area in sorted(areas, key=lambda a: -(shares[a] - math.floor(shares[a])))[:left]:
        quotas[area] += 1
    return quotas


def _fresh_first(
    items: Sequence[Answerable], memories: Mapping[str, ItemFacts], now_us: int, rng: random.Random
) -> Answerable:
    """One of the items, at random among those not answered recently (else the least recent).

    Random, not weakest: a mock measures the whole course, it does not drill what is weak."""
    recent_us = int(RECENT.total_seconds() * 1_000_000)

    def last(item: Answerable) -> int:
        facts = memories.get(item.id)
        return facts.answered_us if facts is not None and facts.answered_us is not None else 0

    fresh = [item for item in items if now_us - last(item) > recent_us]
    if fresh:
        return rng.choice(fresh)
    return min(items, key=last)


def plan_mock(
    items: Sequence[Answerable],
    areas: Sequence[Area],
    memories: Mapping[str, ItemFacts],
    now: datetime,
    rng: random.Random,
    blueprint: Sequence[Section] = MOCK_BLUEPRINT,
) -> list[Answerable]:
    """The questions of a mock for a course's `items`, in the order they are set (see MOCK_BLUEPRINT).

    A section the course has too few items for is filled with other one-mark kinds, so the mock
    keeps its length; the written section is left out when the course has no exam question.
    """
    now_us = int(now.timestamp() * 1_000_000)
    by_kind: dict[ItemKind, list[Answerable]] = defaultdict(list)
    for item in items:
        by_kind[item.kind].append(item)
    wanted = {section.kind: section.count for section in blueprint}
    objective = [s for s in blueprint if s.kind is not ItemKind.EXAM]
    weights = {area.id: 0 for area in areas}
    for section in objective:
        for item in by_kind[section.kind]:
            weights[item.area] = weights.get(item.area, 0) + 1
    quotas = area_quotas(weights, sum(s.count for s in objective))
    chosen: dict[ItemKind, list[Answerable]] = defaultdict(list)
    taken: set[str] = set()

    def pick(kind: ItemKind) -> bool:
        pool = [item for item in by_kind[kind] if item.id not in taken]
        if not pool:
            return False
        in_quota = {item.area for item in pool if quotas.get(item.area, 0) > 0}
        candidates = in_quota or {item.area for item in pool}
        best = max(quotas.get(area, 0) for area in candidates)
        area = rng.choice(sorted(a for a in candidates if quotas.get(a, 0) == best))
        item = _fresh_first([i for i in pool if i.area == area], memories, now_us, rng)
        quotas[area] = quotas.get(area, 0) - 1
        taken.add(item.id)
        chosen[kind].append(item)
        return True

    short = 0
    for kind in _PICK_ORDER:
        for _ in range(wanted.get(kind, 0)):
            if not pick(kind):
                short += 1
    for _ in range(short):  # too few of a kind: other one-mark questions instead
        if not any(pick(kind) for kind in (ItemKind.TRUE_FALSE, ItemKind.MCQ, ItemKind.CONCEPT)):
            break
    exams = [item for item in by_kind[ItemKind.EXAM]]
    if wanted.get(ItemKind.EXAM) and exams:
        chosen[ItemKind.EXAM].append(_fresh_first(exams, memories, now_us, rng))
    order = [s.kind for s in blueprint]
    planned: list[Answerable] = []
    for kind in order:
        part = chosen[kind]
        rng.shuffle(part)
        planned.extend(part)
    return planned


def minutes_for(plan: Sequence[Answerable], blueprint: Sequence[Section] = MOCK_BLUEPRINT) -> int:
    """The time a mock of these questions allows."""
    each = {section.kind: section.minutes_each for section in blueprint}
    return sum(each.get(item.kind, 1) for item in plan)


def marks_of(item: Answerable) -> int:
    """The marks a question carries."""
    return item.marks if isinstance(item, ExamQuestion) else 1


def offer_of(plan: Sequence[Answerable], course: Sequence[Answerable] = ()) -> MockOffer:
    """What a mock of these questions is, told before it starts. Start draws the questions afresh,
    so the marks are the range the course's written questions allow (`course`: its items)."""
    counts: dict[str, int] = {}
    for item in plan:
        counts[item.kind.value] = counts.get(item.kind.value, 0) + 1
    marks = sum(marks_of(item) for item in plan)
    most = marks
    written = [item for item in plan if isinstance(item, ExamQuestion)]
    if written:
        allowed = [item.marks for item in course if isinstance(item, ExamQuestion)] or [written[0].marks]
        marks, most = marks - written[0].marks + min(allowed), marks - written[0].marks + max(allowed)
    return MockOffer(len(plan), marks, minutes_for(plan), tuple(counts.items()), bool(written), most)


def _seconds_left(mock: MockExam, now: datetime) -> int:
    return max(0, math.ceil((mock.ends_at - now).total_seconds()))


def _marked(prompt: Prompt) -> bool:
    """A written answer marked (its marks waiting for the learner's word, or recorded)."""
    return prompt.kind == ItemKind.EXAM.value and prompt.revealed


def _timed_out(mock: MockExam) -> bool:
    """Whether an ended mock ended because its time ran out."""
    return mock.status != "abandoned" and mock.ended_at is not None and mock.ended_at >= mock.ends_at


def results_of(
    bank: Bank,
    mock: MockExam,
    prompts: Sequence[Prompt],
    marks: Sequence[ExamMark],
    minutes: int,
) -> MockResults:
    """A finished mock's results from its plan, its prompts and its written answer's marks."""
    plan = [bank.answerable(item_id) for item_id in json.loads(mock.plan)]
    latest: dict[int, Prompt] = {}
    for served in prompts:
        if served.position is not None:
            latest[served.position] = served
    by_prompt: dict[int, list[ExamMark]] = defaultdict(list)
    for row in marks:
        by_prompt[row.prompt_id].append(row)
    lines: list[MockLine] = []
    for position, item in enumerate(plan, start=1):
        if item is None:  # retired from the bank since: not counted
            continue
        prompt: Prompt | None = latest.get(position)
        answered = prompt is not None and prompt.answered_at is not None
        choice, typed = choice_of(prompt.choice) if prompt is not None and answered else (None, None)
        drill = None
        if isinstance(item, MetricDrill) and prompt is not None and prompt.id is not None:
            drill = drill_of(item, prompt.params, prompt.id)
        points: tuple[MarkedPoint, ...] = ()
        earned = 1 if answered and prompt is not None and prompt.correct else 0
        confirmable = False
        if isinstance(item, ExamQuestion):
            rows = by_prompt.get(prompt.id or 0, []) if prompt is not None else []
            points = written.points_of(item, rows)
            earned = sum(point.earned for point in points)
            answered = bool(rows)
            confirmable = answered and prompt is not None and prompt.answered_at is None
        lines.append(
            MockLine(
                position,
                item,
                answered,
                prompt.correct if prompt is not None and answered else None,
                choice,
                typed,
                drill,
                marks_of(item),
                earned,
                points,
                prompt.id or 0 if prompt is not None else 0,
                confirmable,
            )
        )
    per_area: dict[str, list[int]] = {}
    for line in lines:
        tally = per_area.setdefault(line.item.area, [0, 0])
        tally[0] += line.earned
        tally[1] += line.marks
    areas = tuple(AreaScore(area, *per_area[area.id]) for area in bank.areas if area.id in per_area)
    weakest = sorted((a for a in areas if a.earned < a.available), key=lambda a: (a.share, -a.available))
    weakest = weakest[:1] + [a for a in weakest[1:] if a.share < REVISE_BELOW]
    return MockResults(
        mock.set_id,
        sum(line.earned for line in lines),
        sum(line.marks for line in lines),
        tuple(lines),
        areas,
        tuple(score.area for score in weakest[:REVISE_AREAS]),
        any(not line.answered for line in lines),
        minutes,
    )


class MockExams:
    """The learner's mock exams: offer, start, answer without verdicts, results at the end."""

    def __init__(self, core: Core, practice: Practice, lease: timedelta = LEASE) -> None:
        self.core = core
        self.practice = practice
        self.lease_for = lease
        practice.mock_text = self.free_text_in

    # --- starting ----------------------------------------------------------------------------

    def _plan(self, learner: Learner, memories: Mapping[str, ItemFacts], now: datetime) -> list[Answerable]:
        bank = self.core.bank
        return plan_mock(bank.for_body(learner.awarding_body), bank.areas, memories, now, self.core.rng)

    async def offer(self, user_id: int) -> MockStep:
        """/mock: what a mock would be (with Start), or the running one's time left (time up: results)."""
        async with self.core.sessions() as session, session.begin():
            learner = await repo.get_learner(session, user_id)
            if learner is None or learner.awarding_body is None:
                return MockStep(MockStatus.NOT_ONBOARDED)
            now = self.core.clock()
            running = await store.running_mock(session, user_id)
            if running is not None:
                if running.ends_at <= now:
                    results, retired = await self._end(session, learner, running, now, "done")
                    return MockStep(MockStatus.ENDED, results=results, replaced=retired)
                return MockStep(MockStatus.RUNNING, seconds_left=_seconds_left(running, now))
            plan = self._plan(learner, {}, now)
            if not plan:
                return MockStep(MockStatus.EMPTY)
            course = self.core.bank.for_body(learner.awarding_body)
            return MockStep(MockStatus.OFFER, offer=offer_of(plan, course))

    async def start(self, user_id: int, plan: list[Answerable] | None = None) -> MockStep:
        """Start: a new mock and its first question (a second tap while it runs starts nothing);
        `plan`: its questions (chosen by the blueprint when None)."""
        async with self.core.sessions() as session, session.begin():
            loaded = await load(session, self.core.memories, user_id)
            if loaded is None or loaded.learner.awarding_body is None:
                return MockStep(MockStatus.NOT_ONBOARDED)
            learner = loaded.learner
            now = self.core.clock()
            running = await store.running_mock(session, user_id)
            if running is not None:
                if running.ends_at <= now:
                    results, retired = await self._end(session, learner, running, now, "done")
                    return MockStep(MockStatus.ENDED, results=results, replaced=retired)
                status = MockStatus.ALREADY if plan is None else MockStatus.RUNNING
                return MockStep(status, seconds_left=_seconds_left(running, now))
            plan = plan or self._plan(learner, loaded.memories, now)
            if not plan:
                return MockStep(MockStatus.EMPTY)
            replaced = await self.practice.retire_live(session, loaded, now)
            previous = loaded.current_set
            if previous is not None and previous.ended_at is None and previous.source not in (MOCK, HOMEWORK):
                previous.ended_at = now
            ends_at = now + timedelta(minutes=minutes_for(plan))
            set_id = await repo.add_set(
                session,
                learner_id=user_id,
                size=len(plan),
                total=len(plan),
                source=MOCK,
                started_at=now,
                ends_at=ends_at,
            )
            mock = MockExam(
                set_id=set_id,
                learner_id=user_id,
                plan=json.dumps([item.id for item in plan]),
                ends_at=ends_at,
            )
            await store.add_mock(session, mock)
            learner.current_set_id = set_id
            learner.last_active_at = now
            question = await self._serve(session, learner, mock, plan[0], 1, len(plan), now)
            return MockStep(MockStatus.QUESTION, question=question, replaced=replaced)

    async def start_written(self, user_id: int, item_id: str) -> MockStep:
        """A class mock's written question, from its link: a mock of that one question, timed as the
        written section is (nothing starts while another mock runs)."""
        item = self.core.bank.answerable(item_id)
        if not isinstance(item, ExamQuestion):
            return MockStep(MockStatus.UNKNOWN)
        return await self.start(user_id, plan=[item])

    async def _serve(
        self,
        session: Session,
        learner: Learner,
        mock: MockExam,
        item: Answerable,
        position: int,
        total: int,
        now: datetime,
    ) -> MockQuestion:
        """Store the prompt of one question of the mock; the question as shown."""
        prompt_id = await repo.add_prompt(
            session,
            learner_id=learner.id,
            item_id=item.id,
            kind=item.kind.value,
            context=AnswerContext.PRIVATE.value,
            sent_at=now,
            set_id=mock.set_id,
            position=position,
        )
        drill = None
        if isinstance(item, MetricDrill):
            drill = generate(item, self.core.rng, seed=prompt_id)
            await repo.set_prompt_params(session, prompt_id, drill_json(drill))
        learner.live_prompt_id = prompt_id
        return MockQuestion(prompt_id, item, position, total, _seconds_left(mock, now), drill)

    # --- while it runs -----------------------------------------------------------------------

    async def carry_on(self, user_id: int) -> MockStep:
        """Carry on: the running mock's current question again (its earlier message loses its buttons)."""
        async with self.core.sessions() as session, session.begin():
            loaded = await load(session, self.core.memories, user_id)
            if loaded is None:
                return MockStep(MockStatus.NOT_ONBOARDED)
            learner = loaded.learner
            now = self.core.clock()
            mock = await store.running_mock(session, user_id)
            if mock is None:
                return MockStep(MockStatus.NONE)
            if mock.ends_at <= now:
                results, retired = await self._end(session, learner, mock, now, "done")
                return MockStep(MockStatus.ENDED, results=results, replaced=retired)
            prompts = list(await store.set_prompts(session, mock.set_id))
            plan = json.loads(mock.plan)
            open_prompt = prompts[-1] if prompts and prompts[-1].answered_at is None else None
            if (
                open_prompt is not None
                and open_prompt.id == learner.live_prompt_id
                and not open_prompt.superseded
            ):
                question = self._question_of(open_prompt, mock, len(plan), now)
                if question is not None:  # still live: shown again; the old message loses its buttons
                    gone = (open_prompt.message_id,) if open_prompt.message_id is not None else ()
                    learner.current_set_id = mock.set_id
                    return MockStep(MockStatus.QUESTION, question=question, replaced=gone)
            replaced = await self.practice.retire_live(session, loaded, now)
            learner.current_set_id = mock.set_id
            position = self._next_position(prompts)
            if position > len(plan):
                results, _ = await self._end(session, learner, mock, now, "done")
                return MockStep(MockStatus.RESULTS, results=results, replaced=replaced)
            item = self.core.bank.answerable(plan[position - 1])
            if item is None:
                return MockStep(MockStatus.UNKNOWN)
            question = await self._serve(session, learner, mock, item, position, len(plan), now)
            if open_prompt is not None and open_prompt.id is not None and isinstance(item, ExamQuestion):
                draft = await written_store.get_draft(
                    session, open_prompt.id
                )  # what was written carries over
                if draft is not None:
                    written_store.add_draft(
                        session,
                        ExamDraft(
                            prompt_id=question.prompt_id,
                            learner_id=user_id,
                            text=draft.text,
                            messages=draft.messages,
                            started_at=draft.started_at,
                            updated_at=now,
                        ),
                    )
                    await written_store.drop_draft(session, open_prompt.id)
                    question = replace(question, written=draft.messages)
            return MockStep(MockStatus.QUESTION, question=question, replaced=replaced)

    async def abandon(self, user_id: int) -> MockStep:
        """Abandon the running mock: nothing more is asked, nothing is sent; answers given stay recorded."""
        async with self.core.sessions() as session, session.begin():
            learner = await repo.get_learner(session, user_id)
            mock = await store.running_mock(session, user_id) if learner is not None else None
            if learner is None or mock is None:
                return MockStep(MockStatus.NONE)
            now = self.core.clock()
            mock.status, mock.ended_at = "abandoned", now
            row = await repo.get_set(session, mock.set_id)
            if row is not None and row.ended_at is None:
                row.ended_at = now
            replaced: tuple[int, ...] = ()
            if learner.live_prompt_id is not None:
                live = await repo.get_prompt(session, learner.live_prompt_id)
                if live is not None and live.set_id == mock.set_id:
                    learner.live_prompt_id = None
                    if live.answered_at is None:
                        live.superseded = True
                        replaced = (live.message_id,) if live.message_id is not None else ()
            prompts = await store.set_prompts(session, mock.set_id)  # an unfinished written answer goes
            await written_store.drop_drafts(session, [p.id for p in prompts if p.id is not None])
            if learner.current_set_id == mock.set_id:
                learner.current_set_id = None
            return MockStep(MockStatus.ABANDONED, replaced=replaced)

    def _question_of(self, prompt: Prompt, mock: MockExam, total: int, now: datetime) -> MockQuestion | None:
        item = self.core.bank.answerable(prompt.item_id)
        if item is None or prompt.id is None:
            return None
        drill = drill_of(item, prompt.params, prompt.id) if isinstance(item, MetricDrill) else None
        return MockQuestion(
            prompt.id, item, prompt.position or 0, total, _seconds_left(mock, now), drill, prompt.revealed
        )

    @staticmethod
    def _next_position(prompts: Sequence[Prompt]) -> int:
        """The place of the next question: after the last answered (a written answer once marked)."""
        answered = [p.position or 0 for p in prompts if p.answered_at is not None or _marked(p)]
        return max(answered, default=0) + 1

    async def answer(self, user_id: int, prompt_id: int, value: str) -> MockStep:
        """A tapped answer to a mock question: recorded once, no verdict; the next question or the results.

        `value`: "v" reveals a recall card; "1"/"0" knew it / not yet; "t"/"f"; an option's index.
        """
        async with self.core.sessions() as session, session.begin():
            loaded = await load(session, self.core.memories, user_id, prompt_id=prompt_id)
            prompt = loaded.asked if loaded is not None else None
            if loaded is None or prompt is None or prompt.learner_id != user_id or prompt.set_id is None:
                return MockStep(MockStatus.UNKNOWN)
            mock = await store.get_mock(session, prompt.set_id)
            item = self.core.bank.answerable(prompt.item_id)
            if mock is None or item is None:
                return MockStep(MockStatus.UNKNOWN)
            if prompt.answered_at is not None:
                return MockStep(MockStatus.ALREADY)
            now = self.core.clock()
            over = mock.status != store.RUNNING
            if (over and _timed_out(mock)) or (not over and mock.ends_at <= now):
                results, retired = await self._end(session, loaded.learner, mock, now, "done")
                return MockStep(MockStatus.TIME_UP, results=results, replaced=retired)
            if over:  # finished or abandoned before its time: an old button
                return MockStep(MockStatus.UNKNOWN)
            if prompt.superseded:
                return MockStep(MockStatus.UNKNOWN)
            total = len(json.loads(mock.plan))
            if value == "v":
                if not isinstance(item, ConceptCard):
                    return MockStep(MockStatus.UNKNOWN)
                if not prompt.revealed:
                    prompt.revealed, prompt.revealed_at = True, now
                question = self._question_of(prompt, mock, total, now)
                return MockStep(MockStatus.QUESTION, question=question)
            drill = drill_of(item, prompt.params, prompt_id) if isinstance(item, MetricDrill) else None
            choice: bool | int
            if isinstance(item, ConceptCard):
                if value not in ("1", "0") or not prompt.revealed:
                    return MockStep(MockStatus.UNKNOWN)
                choice = value == "1"
            elif item.kind is ItemKind.TRUE_FALSE:
                if value not in ("t", "f"):
                    return MockStep(MockStatus.UNKNOWN)
                choice = value == "t"
            elif value.isdigit():
                choice = int(value)
            else:
                return MockStep(MockStatus.UNKNOWN)
            if isinstance(item, ExamQuestion) or not valid_choice(item, choice, drill):
                return MockStep(MockStatus.UNKNOWN)
            correct = grade(item, choice, drill)
            return await self._record(
                session, loaded, mock, prompt, item, correct, stored_choice(choice, None), now
            )

    async def _record(
        self,
        session: Session,
        loaded: Loaded,
        mock: MockExam,
        prompt: Prompt,
        item: Answerable,
        correct: bool,
        stored: str | None,
        now: datetime,
    ) -> MockStep:
        """Record one answer as any answer is (memory, streak, log), then the next question or the results."""
        prompt_id = prompt.id or 0
        if not await repo.claim_answer(session, prompt_id, prompt.learner_id, correct, now, stored):
            return MockStep(MockStatus.ALREADY)
        learner = loaded.learner
        await record_answer(
            session, learner, item, correct, now, AnswerContext.PRIVATE, prompt_id, memories=loaded.memories
        )
        learner.last_active_at = now
        self.core.memories.keep(learner.id, learner.memory_tag, loaded.memories)
        return await self._after(session, learner, mock, now)

    async def _after(self, session: Session, learner: Learner, mock: MockExam, now: datetime) -> MockStep:
        plan = json.loads(mock.plan)
        prompts = await store.set_prompts(session, mock.set_id)
        position = self._next_position(prompts)
        if learner.live_prompt_id is not None and any(p.id == learner.live_prompt_id for p in prompts):
            learner.live_prompt_id = None
        if position > len(plan):
            results, _ = await self._end(session, learner, mock, now, "done")
            return MockStep(MockStatus.RESULTS, results=results)
        item = self.core.bank.answerable(plan[position - 1])
        if item is None:
            return MockStep(MockStatus.UNKNOWN)
        learner.current_set_id = mock.set_id
        question = await self._serve(session, learner, mock, item, position, len(plan), now)
        return MockStep(MockStatus.QUESTION, question=question)

    async def free_text_in(self, session: Session, loaded: Loaded, text: str) -> AnswerResult:
        """Inside Practice.free_text's unit of work, when the learner's set is a mock: the typed answer to
        the current question (a calculation, the written answer), or a pointer to its buttons."""
        step = await self._free_text(session, loaded, text)
        return AnswerResult(Status.OK, mock=step)

    async def _free_text(self, session: Session, loaded: Loaded, text: str) -> MockStep:
        learner = loaded.learner
        now = self.core.clock()
        row = loaded.current_set
        mock = await store.get_mock(session, row.id) if row is not None and row.id is not None else None
        if mock is None or mock.status != store.RUNNING:
            return MockStep(MockStatus.NONE)
        if mock.ends_at <= now:
            results, retired = await self._end(session, learner, mock, now, "done")
            return MockStep(MockStatus.TIME_UP, results=results, replaced=retired)
        prompt = loaded.last
        total = len(json.loads(mock.plan))
        live = (
            prompt is not None
            and prompt.id is not None
            and prompt.set_id == mock.set_id
            and prompt.answered_at is None
            and not prompt.superseded
        )
        if prompt is None or prompt.id is None or not live:
            return MockStep(MockStatus.POINTER, seconds_left=_seconds_left(mock, now))
        item = self.core.bank.answerable(prompt.item_id)
        if isinstance(item, MetricDrill):
            typed = parse_answer(text)
            if typed is None:
                return MockStep(MockStatus.UNREADABLE, text=text[:40], item=item)
            drill = drill_of(item, prompt.params, prompt.id)
            verdict = mark(item, drill, typed)
            if verdict is Mark.WRONG_UNIT:
                return MockStep(MockStatus.WRONG_UNIT, item=item, typed=typed)
            correct = verdict is not Mark.WRONG
            return await self._record(
                session, loaded, mock, prompt, item, correct, stored_choice(None, typed), now
            )
        if isinstance(item, ExamQuestion):  # the written answer: collected and marked as any is
            result = await written.write(session, learner, prompt, item, text, now)
            if result.status is Writing.MARKED:  # "done": the marking waits for the results
                return await self._after(session, learner, mock, now)
            question = self._question_of(prompt, mock, total, now)
            if question is not None:
                question = replace(question, written=result.messages)
            status = MockStatus.TOO_LONG if result.status is Writing.TOO_LONG else MockStatus.NOTED
            return MockStep(status, question=question)
        question = self._question_of(prompt, mock, total, now)
        return MockStep(MockStatus.POINTER, question=question, seconds_left=_seconds_left(mock, now))

    # --- the end -----------------------------------------------------------------------------

    async def _end(
        self, session: Session, learner: Learner, mock: MockExam, now: datetime, status: str
    ) -> tuple[MockResults, tuple[int, ...]]:
        """End a mock (once; a written answer in progress is marked as it stands): its results, and
        the messages of questions left open, whose buttons go."""
        prompts = list(await store.set_prompts(session, mock.set_id))
        retired: tuple[int, ...] = ()
        awaiting: int | None = None
        if mock.status == store.RUNNING:
            mock.status, mock.ended_at = status, min(now, mock.ends_at)
            row = await repo.get_set(session, mock.set_id)
            if row is not None and row.ended_at is None:
                row.ended_at = mock.ended_at
            for prompt in prompts:
                if prompt.answered_at is not None or prompt.id is None:
                    continue
                item = self.core.bank.answerable(prompt.item_id)
                draft = (
                    await written_store.get_draft(session, prompt.id)
                    if isinstance(item, ExamQuestion)
                    else None
                )
                if isinstance(item, ExamQuestion) and (prompt.revealed or (draft and draft.text.strip())):
                    if not prompt.revealed:  # marked as it stands; the marks wait for the learner's word
                        await written.mark_draft(session, learner, prompt, item, draft, now)
                    awaiting = prompt.id
                    continue
                if draft is not None:
                    await written_store.drop_draft(session, prompt.id)
                if not prompt.superseded:
                    prompt.superseded = True  # time is up: its buttons go
                    if prompt.message_id is not None:
                        retired = (*retired, prompt.message_id)
            if learner.current_set_id == mock.set_id:
                learner.current_set_id = None
            # A marked written answer stays live for its self-assessment (Confirm, or the next prompt,
            # records it as it stands, as outside a mock), even when the last answer just cleared it.
            if awaiting is not None:
                learner.live_prompt_id = awaiting
            elif learner.live_prompt_id is not None and any(p.id == learner.live_prompt_id for p in prompts):
                learner.live_prompt_id = None
            prompts = list(await store.set_prompts(session, mock.set_id))
        marks = await written_store.marks_for(session, [p.id for p in prompts if p.id is not None])
        plan = [self.core.bank.answerable(i) for i in json.loads(mock.plan)]
        minutes = minutes_for([i for i in plan if i is not None])
        return results_of(self.core.bank, mock, prompts, marks, minutes), retired

    # --- the sweep -----------------------------------------------------------------------------

    async def lease(self, now: datetime, limit: int) -> list[MockDelivery]:
        """In one transaction: end up to `limit` mocks whose time ran out and lease their results to send
        (and any a crash left leased). Call again until it returns nothing."""
        deliveries: list[MockDelivery] = []
        async with self.core.sessions() as session, session.begin():
            rows = await store.leasable(session, now, limit)
            free = await repo.free_learners(session, [row.learner_id for row in rows])
            rows = [row for row in rows if row.learner_id in free]
            learners = {one.id: one for one in await repo.learners(session, [row.learner_id for row in rows])}
            for n, row in enumerate(rows):
                if n % 10 == 9:
                    await asyncio.sleep(0)
                learner = learners.get(row.learner_id)
                if learner is None:
                    row.status, row.lease_until = "failed", None
                    continue
                results, retired = await self._end(session, learner, row, now, "sending")
                if not learner.active:
                    row.status, row.lease_until = "blocked", None
                    continue
                row.status, row.lease_until, row.attempts = "sending", now + self.lease_for, row.attempts + 1
                deliveries.append(MockDelivery(row.set_id, row.learner_id, results, retired))
        return deliveries

    async def record(self, outcomes: Sequence[MockSendOutcome]) -> None:
        """What became of the results sent: sent and unsure are final; a failure is tried again later."""
        if not outcomes:
            return
        now = self.core.clock()
        async with self.core.sessions() as session, session.begin():
            rows = await store.mocks(session, [outcome.set_id for outcome in outcomes])
            for outcome in outcomes:
                row = rows.get(outcome.set_id)
                if row is None or row.status != "sending":
                    continue
                if outcome.status == "failed" and not outcome.permanent and row.attempts < MAX_ATTEMPTS:
                    row.lease_until = now + self.lease_for  # tried again once the lease runs out
                    continue
                row.status, row.lease_until = outcome.status, None
                if outcome.status == "blocked":
                    learner = await repo.get_learner(session, row.learner_id)
                    if learner is not None:
                        learner.active = False
