"""Class quiz rounds: durable state, answers counted twice (round and learner), the board, reports.

A round's questions are chosen when it starts and stored; each question is posted when the one
before it closes. Everything a round needs is in the database, so after a restart a sweep finds
questions whose time is up and carries on (or closes the round, with its scores, when the bot was
away too long).
"""

from __future__ import annotations

import json
import random
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.tutor.quiz import QuizItem, Standing, choose_round, fits_poll, leaderboard, points, poll_options
from bot.tutor.service import Clock, Tutor
from content.schema import Area, ConceptCard, MultipleChoice, TrueFalse
from storage import repo
from storage.db import SessionFactory
from storage.models import (
    AnswerContext,
    GroupSettings,
    QuizAnswer,
    QuizQuestion,
    QuizRound,
    QuizStatus,
)

MIN_QUESTIONS, MAX_QUESTIONS = 1, 30
MIN_SECONDS, MAX_SECONDS = 10, 300
RESUME_WITHIN = timedelta(minutes=10)  # a round whose question closed longer ago than this is closed
CLASSMATE = "a classmate"


class StartStatus(StrEnum):
    """How /quiz went."""

    OK = "ok"
    RUNNING = "running"  # one round per group at a time
    UNKNOWN_AREA = "unknown_area"
    EMPTY = "empty"


@dataclass(frozen=True)
class PostedQuestion:
    """A question to post now."""

    question_id: int
    round_id: int
    position: int
    total: int
    item: QuizItem
    text: str
    options: list[str]
    correct_option: int
    seconds: int
    buttons: bool


@dataclass(frozen=True)
class StartResult:
    """The outcome of /quiz."""

    status: StartStatus
    first: PostedQuestion | None = None
    areas: list[Area] = field(default_factory=list)


@dataclass(frozen=True)
class Fastest:
    """The fastest right answer of a round."""

    name: str
    seconds: float
    position: int


@dataclass(frozen=True)
class RoundSummary:
    """What the leaderboard message shows."""

    round_id: int
    status: QuizStatus
    asked: int
    planned: int
    board: list[tuple[Standing, str]]  # standing and display name
    players: int
    fastest: Fastest | None
    weakest: Area | None
    weakest_accuracy: float | None
    closing_card: ConceptCard | None


@dataclass(frozen=True)
class AnswerOutcome:
    """What a member's poll or button answer did."""

    recorded: bool
    advance: PostedQuestion | None = None  # everyone has answered: close and post this next
    finished: RoundSummary | None = None  # ...or the round is over
    closed: PostedQuestion | None = None  # the question that closed early
    chat_id: int = 0
    message_id: int | None = None  # its poll (to stop) or its buttons message (to reveal)


@dataclass(frozen=True)
class AreaAccuracy:
    """The class's record in one area."""

    area: Area
    answers: int
    correct: int

    @property
    def accuracy(self) -> float:
        """Share right (0 before any answer)."""
        return self.correct / self.answers if self.answers else 0.0


@dataclass(frozen=True)
class ClassReport:
    """The teacher's view of a class."""

    areas: list[AreaAccuracy]
    rounds: int
    players: int
    answers: int
    most_missed: list[tuple[QuizItem, int, int]]  # item, wrong, answers
    trend: list[tuple[int, float, int]]  # round id, accuracy, players (oldest first)


class ClassQuiz:
    """Runs quiz rounds in groups over the database."""

    def __init__(
        self, sessions: SessionFactory, tutor: Tutor, clock: Clock, rng: random.Random | None = None
    ):
        self.sessions = sessions
        self.tutor = tutor
        self.clock = clock
        self.rng = rng or random.Random()
        bank = tutor.bank
        self.items: list[QuizItem] = [
            item
            for item in bank.for_body(None)
            if isinstance(item, TrueFalse | MultipleChoice) and fits_poll(item)
        ]

    # --- settings -----------------------------------------------------------------------------

    async def settings(self, chat_id: int) -> GroupSettings:
        """The group's settings (defaults until an admin changes them)."""
        async with self.sessions() as session:
            found = await session.get(GroupSettings, chat_id)
        return found or GroupSettings(chat_id=chat_id)

    async def update_settings(
        self,
        chat_id: int,
        *,
        anyone: bool | None = None,
        seconds: int | None = None,
        count: int | None = None,
    ) -> GroupSettings:
        """Change the group's settings; out-of-range numbers raise ValueError."""
        if seconds is not None and not MIN_SECONDS <= seconds <= MAX_SECONDS:
            raise ValueError("seconds")
        if count is not None and not MIN_QUESTIONS <= count <= MAX_QUESTIONS:
            raise ValueError("count")
        async with self.sessions() as session, session.begin():
            found = await session.get(GroupSettings, chat_id)
            if found is None:
                found = GroupSettings(chat_id=chat_id)
                session.add(found)
            if anyone is not None:
                found.anyone_can_start = anyone
            if seconds is not None:
                found.seconds_per_question = seconds
            if count is not None:
                found.default_count = count
            return found

    # --- rounds -------------------------------------------------------------------------------

    async def start(
        self, chat_id: int, user_id: int, count: int | None, area_text: str | None
    ) -> StartResult:
        """Start a round: choose its questions (leaning to the class's weak areas) and return the first."""
        bank = self.tutor.bank
        area = None
        if area_text:
            wanted = area_text.strip().casefold()
            matches = [a for a in bank.areas if wanted in (a.id, a.name.casefold())] or [
                a for a in bank.areas if wanted in a.name.casefold() or wanted in a.id
            ]
            if len(matches) != 1:
                return StartResult(StartStatus.UNKNOWN_AREA, areas=bank.areas)
            area = matches[0]
        settings = await self.settings(chat_id)
        now = self.clock()
        async with self.sessions() as session, session.begin():
            if await self._running(session, chat_id) is not None:
                return StartResult(StartStatus.RUNNING)
            candidates = [item for item in self.items if area is None or item.area == area.id]
            accuracy = {
                a.area.id: a.accuracy for a in await self._area_accuracy(session, chat_id) if a.answers
            }
            avoid = await self._recent_items(session, chat_id)
            seed = self.rng.randrange(2**31)
            chosen = choose_round(
                candidates, accuracy, avoid, count or settings.default_count, random.Random(seed)
            )
            if not chosen:
                return StartResult(StartStatus.EMPTY)
            quiz_round = QuizRound(
                chat_id=chat_id,
                started_by=user_id,
                started_at=now,
                area=area.id if area else None,
                seconds_per_question=settings.seconds_per_question,
            )
            session.add(quiz_round)
            await session.flush()
            assert quiz_round.id is not None
            for position, item in enumerate(chosen, start=1):
                _, options, correct = poll_options(item, seed + position)
                session.add(
                    QuizQuestion(
                        round_id=quiz_round.id,
                        position=position,
                        item_id=item.id,
                        options=json.dumps(options),
                        correct_option=correct,
                    )
                )
            await session.flush()
            first = await self._question_at(session, quiz_round, 1)
        return StartResult(StartStatus.OK, first)

    async def _running(self, session: AsyncSession, chat_id: int) -> QuizRound | None:
        result = await session.exec(
            select(QuizRound).where(QuizRound.chat_id == chat_id, QuizRound.status == QuizStatus.RUNNING)
        )
        return result.first()

    async def _question_at(
        self, session: AsyncSession, quiz_round: QuizRound, position: int
    ) -> PostedQuestion | None:
        assert quiz_round.id is not None
        result = await session.exec(
            select(QuizQuestion).where(
                QuizQuestion.round_id == quiz_round.id, QuizQuestion.position == position
            )
        )
        question = result.first()
        if question is None:
            return None
        total = await self._count(session, quiz_round.id)
        item = self.tutor.bank.answerable(question.item_id)
        assert isinstance(item, TrueFalse | MultipleChoice) and question.id is not None
        text, _, _ = poll_options(item, 0)
        return PostedQuestion(
            question.id,
            quiz_round.id,
            position,
            total,
            item,
            text,
            json.loads(question.options),
            question.correct_option,
            quiz_round.seconds_per_question,
            quiz_round.buttons,
        )

    async def _count(self, session: AsyncSession, round_id: int) -> int:
        result = await session.exec(
            select(func.count()).select_from(QuizQuestion).where(QuizQuestion.round_id == round_id)
        )
        return int(result.one())

    async def posted(
        self, question_id: int, poll_id: str | None, message_id: int, buttons: bool = False
    ) -> None:
        """Record that a question went out (as a poll, or as buttons) and when it closes."""
        now = self.clock()
        async with self.sessions() as session, session.begin():
            question = await session.get(QuizQuestion, question_id)
            assert question is not None
            quiz_round = await session.get(QuizRound, question.round_id)
            assert quiz_round is not None
            question.poll_id, question.message_id, question.sent_at = poll_id, message_id, now
            question.closes_at = now + timedelta(seconds=quiz_round.seconds_per_question)
            if buttons:
                quiz_round.buttons = True

    async def use_buttons(self, round_id: int) -> None:
        """Polls are not allowed in this group: the round goes on with inline buttons."""
        async with self.sessions() as session, session.begin():
            quiz_round = await session.get(QuizRound, round_id)
            if quiz_round is not None:
                quiz_round.buttons = True

    async def answer_poll(
        self, poll_id: str, user_id: int, name: str, option_ids: Sequence[int]
    ) -> AnswerOutcome:
        """A poll_answer update: record it once, in the round and in the member's own record."""
        async with self.sessions() as session:
            result = await session.exec(select(QuizQuestion).where(QuizQuestion.poll_id == poll_id))
            question = result.first()
        if question is None or not option_ids or question.id is None:
            return AnswerOutcome(False)
        return await self.answer(question.id, user_id, name, option_ids[0])

    async def answer(self, question_id: int, user_id: int, name: str, option: int) -> AnswerOutcome:
        """A member's answer (from a poll or a button); late and repeated answers count for nothing."""
        now = self.clock()
        async with self.sessions() as session, session.begin():
            question = await session.get(QuizQuestion, question_id)
            if question is None or question.closed or question.sent_at is None:
                return AnswerOutcome(False)
            if question.closes_at is not None and now > question.closes_at:
                return AnswerOutcome(False)  # late: the question has closed
            if await session.get(QuizAnswer, (question_id, user_id)) is not None:
                return AnswerOutcome(False)  # twice (a resent update, a second tap)
            quiz_round = await session.get(QuizRound, question.round_id)
            assert quiz_round is not None
            if not 0 <= option < len(json.loads(question.options)):
                return AnswerOutcome(False)
            correct = option == question.correct_option
            seconds = (now - question.sent_at).total_seconds()
            session.add(
                QuizAnswer(
                    question_id=question_id,
                    user_id=user_id,
                    name=name[:64],
                    option=option,
                    correct=correct,
                    points=points(correct, seconds, quiz_round.seconds_per_question),
                    seconds=seconds,
                    answered_at=now,
                )
            )
            await self.tutor.record_answer_in(
                session, user_id, question.item_id, correct, AnswerContext.GROUP
            )
            await session.flush()
            everyone = await self._everyone_answered(session, question)
        if not everyone:
            return AnswerOutcome(True)
        closed = await self.question(question_id)
        nxt, summary = await self.close(question_id)
        return AnswerOutcome(True, nxt, summary, closed, quiz_round.chat_id, question.message_id)

    async def _everyone_answered(self, session: AsyncSession, question: QuizQuestion) -> bool:
        """Early close: every member who answered the previous question has answered this one."""
        if question.position == 1:
            return False
        previous = await session.exec(
            select(QuizAnswer.user_id)
            .join(QuizQuestion, col(QuizQuestion.id) == col(QuizAnswer.question_id))
            .where(QuizQuestion.round_id == question.round_id, QuizQuestion.position == question.position - 1)
        )
        before = set(previous.all())
        if not before:
            return False
        now = await session.exec(select(QuizAnswer.user_id).where(QuizAnswer.question_id == question.id))
        return before <= set(now.all())

    async def close(self, question_id: int) -> tuple[PostedQuestion | None, RoundSummary | None]:
        """Close a question (once): the next question to post, or the round's summary when it was the last."""
        async with self.sessions() as session, session.begin():
            question = await session.get(QuizQuestion, question_id)
            if question is None or question.closed:
                return None, None
            question.closed = True
            quiz_round = await session.get(QuizRound, question.round_id)
            assert quiz_round is not None
            if quiz_round.status != QuizStatus.RUNNING:
                return None, None
            nxt = await self._question_at(session, quiz_round, question.position + 1)
            if nxt is not None:
                return nxt, None
            return None, await self._finish(session, quiz_round, QuizStatus.FINISHED)

    async def due_questions(self) -> list[int]:
        """Posted, open questions whose time is up (for the sweep, and after a restart)."""
        async with self.sessions() as session:
            result = await session.exec(
                select(QuizQuestion.id)
                .join(QuizRound, col(QuizRound.id) == col(QuizQuestion.round_id))
                .where(
                    col(QuizQuestion.closed).is_(False),
                    col(QuizQuestion.closes_at) <= self.clock(),
                    QuizRound.status == QuizStatus.RUNNING,
                )
            )
            return [question_id for question_id in result.all() if question_id is not None]

    async def unposted(self) -> list[tuple[int, PostedQuestion]]:
        """Questions that should be on screen but never went out (a restart or a failed send).

        For each running round: its first unposted question, when the one before it has closed.
        """
        found = []
        async with self.sessions() as session:
            rounds = (
                await session.exec(select(QuizRound).where(QuizRound.status == QuizStatus.RUNNING))
            ).all()
            for quiz_round in rounds:
                questions = (
                    await session.exec(
                        select(QuizQuestion)
                        .where(QuizQuestion.round_id == quiz_round.id)
                        .order_by(col(QuizQuestion.position))
                    )
                ).all()
                waiting = next((q for q in questions if q.sent_at is None), None)
                if waiting is None:
                    continue
                before = [q for q in questions if q.position < waiting.position]
                if all(q.closed for q in before):
                    posted = await self._question_at(session, quiz_round, waiting.position)
                    if posted is not None:
                        found.append((quiz_round.chat_id, posted))
        return found

    async def stale(self, question_id: int) -> bool:
        """Whether a due question closed so long ago (the bot was down) that its round should end."""
        async with self.sessions() as session:
            question = await session.get(QuizQuestion, question_id)
        return (
            question is not None
            and question.closes_at is not None
            and self.clock() - question.closes_at > RESUME_WITHIN
        )

    async def stop(self, chat_id: int, status: QuizStatus = QuizStatus.STOPPED) -> RoundSummary | None:
        """End the group's running round now, with the scores so far."""
        async with self.sessions() as session, session.begin():
            quiz_round = await self._running(session, chat_id)
            if quiz_round is None:
                return None
            return await self._finish(session, quiz_round, status)

    async def question(self, question_id: int) -> PostedQuestion | None:
        """A question as it was (or will be) posted."""
        async with self.sessions() as session:
            found = await session.get(QuizQuestion, question_id)
            quiz_round = await session.get(QuizRound, found.round_id) if found else None
            if found is None or quiz_round is None:
                return None
            return await self._question_at(session, quiz_round, found.position)

    async def round_chat(self, question_id: int) -> tuple[int, int | None, int] | None:
        """(chat id, the question's message id, round id) for a question."""
        async with self.sessions() as session:
            question = await session.get(QuizQuestion, question_id)
            if question is None:
                return None
            quiz_round = await session.get(QuizRound, question.round_id)
        assert quiz_round is not None and quiz_round.id is not None
        return quiz_round.chat_id, question.message_id, quiz_round.id

    async def _finish(self, session: AsyncSession, quiz_round: QuizRound, status: QuizStatus) -> RoundSummary:
        assert quiz_round.id is not None
        quiz_round.status = status
        quiz_round.ended_at = self.clock()
        questions = (
            await session.exec(select(QuizQuestion).where(QuizQuestion.round_id == quiz_round.id))
        ).all()
        for question in questions:
            question.closed = True
        asked = sum(1 for q in questions if q.sent_at is not None)
        by_id = {q.id: q for q in questions}
        answers = (
            await session.exec(select(QuizAnswer).where(col(QuizAnswer.question_id).in_(list(by_id))))
        ).all()
        totals: dict[int, tuple[int, int]] = {}
        names: dict[int, str] = {}
        for answer in answers:
            score, right = totals.get(answer.user_id, (0, 0))
            totals[answer.user_id] = (score + answer.points, right + int(answer.correct))
            names[answer.user_id] = answer.name
        hidden = await self._unnamed(session, list(totals))
        board = [(s, CLASSMATE if s.player_id in hidden else names[s.player_id]) for s in leaderboard(totals)]
        right_answers = [a for a in answers if a.correct]
        fastest = None
        if right_answers:
            quickest = min(right_answers, key=lambda a: a.seconds)
            who = CLASSMATE if quickest.user_id in hidden else quickest.name
            fastest = Fastest(who, quickest.seconds, by_id[quickest.question_id].position)
        per_area: dict[str, list[bool]] = defaultdict(list)
        for answer in answers:
            item = self.tutor.bank.answerable(by_id[answer.question_id].item_id)
            if item is not None:
                per_area[item.area].append(answer.correct)
        weakest = weakest_accuracy = card = None
        if per_area:
            area_id = min(per_area, key=lambda a: sum(per_area[a]) / len(per_area[a]))
            weakest = self.tutor.bank.area(area_id)
            weakest_accuracy = sum(per_area[area_id]) / len(per_area[area_id])
            card = self._closing_card(
                area_id, [by_id[a.question_id].item_id for a in answers if not a.correct]
            )
        return RoundSummary(
            quiz_round.id,
            status,
            asked,
            len(questions),
            board,
            len(totals),
            fastest,
            weakest,
            weakest_accuracy,
            card,
        )

    def _closing_card(self, area_id: str, missed: list[str]) -> ConceptCard | None:
        """A concept card from the weakest area: one that teaches a missed item if possible."""
        bank = self.tutor.bank
        for item_id in missed:
            item = bank.answerable(item_id)
            if item is not None and item.area == area_id:
                for ref in item.tests:
                    card = bank.items.get(ref)
                    if isinstance(card, ConceptCard):
                        return card
        cards = [i for i in bank.items.values() if isinstance(i, ConceptCard) and i.area == area_id]
        return cards[0] if cards else None

    async def _unnamed(self, session: AsyncSession, user_ids: list[int]) -> set[int]:
        if not user_ids:
            return set()
        found = await repo.learners(session, user_ids)
        return {learner.id for learner in found if not learner.quiz_named}

    # --- the class's record -------------------------------------------------------------------

    async def _answers_in_chat(
        self, session: AsyncSession, chat_id: int
    ) -> list[tuple[QuizAnswer, QuizQuestion]]:
        result = await session.exec(
            select(QuizAnswer, QuizQuestion)
            .join(QuizQuestion, col(QuizQuestion.id) == col(QuizAnswer.question_id))
            .join(QuizRound, col(QuizRound.id) == col(QuizQuestion.round_id))
            .where(QuizRound.chat_id == chat_id)
        )
        return list(result.all())

    async def _area_accuracy(self, session: AsyncSession, chat_id: int) -> list[AreaAccuracy]:
        counts: dict[str, list[int]] = {area.id: [0, 0] for area in self.tutor.bank.areas}
        for answer, question in await self._answers_in_chat(session, chat_id):
            item = self.tutor.bank.answerable(question.item_id)
            if item is not None:
                counts[item.area][0] += 1
                counts[item.area][1] += int(answer.correct)
        return [AreaAccuracy(area, *counts[area.id]) for area in self.tutor.bank.areas]

    async def _recent_items(self, session: AsyncSession, chat_id: int) -> set[str]:
        rounds = await session.exec(
            select(QuizRound.id)
            .where(QuizRound.chat_id == chat_id)
            .order_by(col(QuizRound.id).desc())
            .limit(3)
        )
        ids = list(rounds.all())
        if not ids:
            return set()
        items = await session.exec(select(QuizQuestion.item_id).where(col(QuizQuestion.round_id).in_(ids)))
        return set(items.all())

    async def report(self, chat_id: int, last_rounds: int = 5) -> ClassReport:
        """Accuracy per area, participation, the most-missed items and the trend over recent rounds."""
        async with self.sessions() as session:
            areas = await self._area_accuracy(session, chat_id)
            pairs = await self._answers_in_chat(session, chat_id)
        missed: Counter[str] = Counter()
        asked: Counter[str] = Counter()
        per_round: dict[int, list[QuizAnswer]] = defaultdict(list)
        for answer, question in pairs:
            asked[question.item_id] += 1
            missed[question.item_id] += int(not answer.correct)
            per_round[question.round_id].append(answer)
        most_missed = []
        for item_id, wrong in sorted(missed.items(), key=lambda pair: (-pair[1] / asked[pair[0]], -pair[1])):
            item = self.tutor.bank.answerable(item_id)
            if wrong and isinstance(item, TrueFalse | MultipleChoice):
                most_missed.append((item, wrong, asked[item_id]))
            if len(most_missed) == 3:
                break
        trend = [
            (round_id, sum(a.correct for a in answers) / len(answers), len({a.user_id for a in answers}))
            for round_id, answers in sorted(per_round.items())[-last_rounds:]
        ]
        return ClassReport(
            areas,
            len(per_round),
            len({answer.user_id for answer, _ in pairs}),
            len(pairs),
            most_missed,
            trend,
        )
