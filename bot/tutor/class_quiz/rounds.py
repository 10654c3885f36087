"""Class quiz rounds: durable state, answers counted twice (board and learner), effects to carry out.

A round's questions are chosen when it starts and stored; each question is put to the group when
the one before it closes. Everything a round needs is in the database, so after a restart `tick`
finds questions whose time is up and carries on (or closes the round, with its scores, when the bot
was away too long). The services never talk to the chat: they return effects (post a question,
close one, post the board) for the front end to carry out.
"""

from __future__ import annotations

import json
import random
from collections import OrderedDict
from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.tutor.class_quiz.board import finish
from bot.tutor.class_quiz.mock import MOCK_KIND, plan_class_mock
from bot.tutor.class_quiz.report import area_accuracy
from bot.tutor.class_quiz.results import (
    AnswerOutcome,
    CloseQuestion,
    CommandResult,
    Delivery,
    Effect,
    PostBoard,
    PostQuestion,
    Question,
    QuizSettings,
    QuizStatus,
    Setting,
    SettingsResult,
    SettingsStatus,
    StartStatus,
    WithdrawPost,
)
from bot.tutor.class_quiz.rules import (
    MAX_QUESTIONS,
    MAX_SECONDS,
    MIN_QUESTIONS,
    MIN_SECONDS,
    RECENT_ROUNDS,
    QuizItem,
    choose_round,
    fits_poll,
    match_body,
    points,
    poll_options,
)
from bot.tutor.core import Core
from bot.tutor.profile import match_area
from bot.tutor.record import AnswerContext, record_answer
from bot.tutor.text import parse_count
from content.schema import ALL_BODIES, Area, MultipleChoice, TrueFalse
from storage import class_quiz as store
from storage import repo
from storage.db import Session
from storage.models import (
    DuplicatePoll,
    GroupSettings,
    QuizAnswer,
    QuizQuestion,
    QuizRound,
)

RESUME_WITHIN = timedelta(minutes=10)  # a round whose question closed longer ago than this is closed
KNOWN_POLLS = 4096  # poll ids remembered as matched (a few days of class rounds)
POSTING = timedelta(seconds=30)  # a claim to post a question: longer than any send takes

MAX_NAME = 64
STOP_WORD = "stop"
SWITCH = {"on": True, "off": False}


def _settings_of(row: GroupSettings | None, chat_id: int) -> QuizSettings:
    found = row or GroupSettings(chat_id=chat_id)
    return QuizSettings(found.anyone_can_start, found.seconds_per_question, found.default_count, found.course)


class ClassQuiz:
    """Runs quiz rounds in groups over the database."""

    def __init__(self, core: Core) -> None:
        self.core = core
        self.bank = core.bank
        self._items: dict[str | None, list[QuizItem]] = {}
        # Polls known to be matched to their question. Telegram sends a poll's new state with every
        # answer: remembering the ones already known spares the database a lookup per answer.
        self._known_polls: OrderedDict[str, None] = OrderedDict()

    def items(self, course: str | None) -> list[QuizItem]:
        """The items a class on `course` (None: every body) meets in rounds: those that fit a poll."""
        if course not in self._items:
            self._items[course] = [
                item
                for item in self.bank.for_body(course)
                if isinstance(item, TrueFalse | MultipleChoice) and fits_poll(item)
            ]
        return self._items[course]

    def areas(self, course: str | None) -> list[Area]:
        """The topic areas a class on `course` can be quizzed on, in catalogue order."""
        present = {item.area for item in self.items(course)}
        return [area for area in self.bank.areas if area.id in present]

    def _know(self, poll_ref: str) -> None:
        self._known_polls[poll_ref] = None
        self._known_polls.move_to_end(poll_ref)
        if len(self._known_polls) > KNOWN_POLLS:
            self._known_polls.popitem(last=False)

    # --- settings -----------------------------------------------------------------------------

    async def settings(self, chat_id: int) -> QuizSettings:
        """The group's settings (defaults until an admin changes them)."""
        async with self.core.sessions() as session:
            return _settings_of(await store.group_settings(session, chat_id), chat_id)

    async def change_settings(self, chat_id: int, args: Sequence[str]) -> SettingsResult:
        """/quizsettings: `anyone on|off`, `time N`, `count N` or `course <body>|all`.

        No arguments show the settings; `course` alone asks for the course; a value it cannot read,
        or out of range, changes nothing and says which setting it was.
        """
        if not args:
            return SettingsResult(SettingsStatus.SHOWN, await self.settings(chat_id))
        try:
            setting = Setting(args[0].casefold())
        except ValueError:
            return SettingsResult(SettingsStatus.UNKNOWN, await self.settings(chat_id))
        rest = list(args[1:])
        if setting is Setting.COURSE:
            if not rest:
                return SettingsResult(SettingsStatus.CHOOSE_COURSE, await self.settings(chat_id), setting)
            return await self.set_course(chat_id, " ".join(rest))
        value = rest[0].casefold() if len(rest) == 1 else ""
        number = parse_count(value)
        change: dict[str, object] = {}
        if setting is Setting.ANYONE and value in SWITCH:
            change["anyone_can_start"] = SWITCH[value]
        elif setting is Setting.TIME and number is not None and MIN_SECONDS <= number <= MAX_SECONDS:
            change["seconds_per_question"] = number
        elif setting is Setting.COUNT and number is not None and MIN_QUESTIONS <= number <= MAX_QUESTIONS:
            change["default_count"] = number
        else:
            return SettingsResult(SettingsStatus.REFUSED, await self.settings(chat_id), setting)
        return await self._change(chat_id, setting, change)

    async def set_course(self, chat_id: int, text: str) -> SettingsResult:
        """The class's course from an admin's words or button: a body's id or name, or "all" (every body)."""
        body = match_body(self.bank.catalogue.awarding_bodies, text)
        if body is None:
            return SettingsResult(SettingsStatus.REFUSED, await self.settings(chat_id), Setting.COURSE)
        return await self._change(chat_id, Setting.COURSE, {"course": None if body == ALL_BODIES else body})

    async def _change(self, chat_id: int, setting: Setting, change: dict[str, object]) -> SettingsResult:
        """Store a change (nothing is written when the value is already in force)."""
        async with self.core.sessions() as session, session.begin():
            await repo.hold_group(session, chat_id)  # the class's settings row is made once
            row = await store.group_settings(session, chat_id)
            current = row or GroupSettings(chat_id=chat_id)
            if any(getattr(current, name) != value for name, value in change.items()):
                if row is None:
                    row = current
                    session.add(row)
                for field_name, field_value in change.items():
                    setattr(row, field_name, field_value)
            return SettingsResult(SettingsStatus.CHANGED, _settings_of(current, chat_id), setting)

    # --- rounds -------------------------------------------------------------------------------

    async def command(self, chat_id: int, user_id: int, args: Sequence[str], is_admin: bool) -> CommandResult:
        """/quiz [count] [area] starts a round (leaning to the class's weak areas); /quiz stop ends it."""
        words = list(args)
        async with self.core.sessions() as session, session.begin():
            await repo.hold_group(session, chat_id)  # one /quiz at a time per class (PostgreSQL)
            settings = _settings_of(await store.group_settings(session, chat_id), chat_id)
            if not settings.anyone_can_start and not is_admin:
                return CommandResult(StartStatus.NOT_ALLOWED)
            running = await store.running_round(session, chat_id)
            if words and words[0].casefold() == STOP_WORD:
                if running is None:
                    return CommandResult(StartStatus.NOTHING_RUNNING)
                summary = await finish(session, self.bank, self.core.clock(), running, QuizStatus.STOPPED)
                return CommandResult(StartStatus.STOPPED, effects=[PostBoard(chat_id, summary)])
            count = parse_count(words[0]) if words else None
            if count is not None:
                words.pop(0)
                if not MIN_QUESTIONS <= count <= MAX_QUESTIONS:
                    return CommandResult(StartStatus.USAGE)
            area = None
            course = settings.course
            if words:
                area = match_area(self.areas(course), " ".join(words))
                if area is None:
                    return CommandResult(StartStatus.UNKNOWN_AREA, areas=self.areas(course), course=course)
            if running is not None:
                return CommandResult(StartStatus.RUNNING)
            first = await self._start(session, chat_id, user_id, settings, count, area.id if area else None)
            if first is None:
                return CommandResult(StartStatus.EMPTY)
            return CommandResult(
                StartStatus.OK, first, area, course=course, effects=[PostQuestion(chat_id, first)]
            )

    async def _start(
        self,
        session: Session,
        chat_id: int,
        user_id: int,
        settings: QuizSettings,
        count: int | None,
        area: str | None,
    ) -> Question | None:
        course = settings.course
        candidates = [item for item in self.items(course) if area is None or item.area == area]
        # The class's weak areas, judged on what its course asks (answers from before a change of
        # course to items outside it say nothing about this specification).
        pairs = [
            (answer, question)
            for answer, question in await store.answers_in_chat(session, chat_id)
            if (item := self.bank.answerable(question.item_id)) is not None and item.applies_to(course)
        ]
        accuracy = {a.area.id: a.accuracy for a in area_accuracy(self.bank, pairs) if a.answers}
        avoid = await store.recent_round_items(session, chat_id, RECENT_ROUNDS)
        seed = self.core.rng.randrange(2**31)
        chosen = choose_round(
            candidates, accuracy, avoid, count or settings.default_count, random.Random(seed)
        )
        if not chosen:
            return None
        quiz_round = QuizRound(
            chat_id=chat_id,
            started_by=user_id,
            started_at=self.core.clock(),
            area=area,
            seconds_per_question=settings.seconds_per_question,
        )
        return await self._store_round(session, quiz_round, chosen, seed)

    async def _store_round(
        self, session: Session, quiz_round: QuizRound, chosen: Sequence[QuizItem], seed: int
    ) -> Question | None:
        """Store a round and its questions; its first question."""
        session.add(quiz_round)
        await session.flush()
        if quiz_round.id is None:
            raise RuntimeError("a flushed round has no id")
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
        first = await store.question_at(session, quiz_round.id, 1)
        return await self._view(session, quiz_round, first) if first else None

    async def mock_command(self, chat_id: int, user_id: int, is_admin: bool) -> CommandResult:
        """/mock in a group (admins): a class mock exam, the private mock's blueprint as polls whose
        answers are withheld until the results; its written question comes with the results."""
        async with self.core.sessions() as session, session.begin():
            await repo.hold_group(session, chat_id)
            if not is_admin:
                return CommandResult(StartStatus.NOT_ALLOWED)
            settings = _settings_of(await store.group_settings(session, chat_id), chat_id)
            if await store.running_round(session, chat_id) is not None:
                return CommandResult(StartStatus.RUNNING)
            seed = self.core.rng.randrange(2**31)
            course = settings.course
            polls, written = plan_class_mock(
                self.bank, course, self.items(course), self.core.clock(), random.Random(seed)
            )
            if not polls:
                return CommandResult(StartStatus.EMPTY)
            quiz_round = QuizRound(
                chat_id=chat_id,
                started_by=user_id,
                started_at=self.core.clock(),
                seconds_per_question=settings.seconds_per_question,
                kind=MOCK_KIND,
                exam_item=written.id if written is not None else None,
            )
            first = await self._store_round(session, quiz_round, polls, seed)
            if first is None:
                return CommandResult(StartStatus.EMPTY)
            return CommandResult(
                StartStatus.OK,
                first,
                course=course,
                effects=[PostQuestion(chat_id, first)],
                written=written is not None,
            )

    async def _view(self, session: Session, quiz_round: QuizRound, question: QuizQuestion) -> Question:
        """A stored question as it is put to the group."""
        item = self.bank.answerable(question.item_id)
        if not isinstance(item, TrueFalse | MultipleChoice) or question.id is None or quiz_round.id is None:
            raise LookupError(f"quiz question {question.id} names no quiz item ({question.item_id})")
        text, _, _ = poll_options(item, 0)
        return Question(
            question.id,
            quiz_round.id,
            question.position,
            await store.question_count(session, quiz_round.id),
            item,
            text,
            json.loads(question.options),
            question.correct_option,
            quiz_round.seconds_per_question,
            quiz_round.buttons,
            quiz_round.kind == MOCK_KIND,
        )

    async def claim_post(self, question_id: int) -> bool:
        """Claim a question before posting it; False when it went out already or is being posted."""
        now = self.core.clock()
        async with self.core.sessions() as session, session.begin():
            question = await store.get_question(session, question_id)
            if question is None or question.sent_at is not None or question.closed:
                return False
            if question.posting_until is not None and question.posting_until > now:
                return False
            question.posting_until = now + POSTING
            return True

    async def release_post(self, question_id: int) -> None:
        """The post failed for certain (nothing reached the group): a later sweep posts it again."""
        async with self.core.sessions() as session, session.begin():
            question = await store.get_question(session, question_id)
            if question is not None and question.sent_at is None:
                question.posting_until = None

    async def posted(self, question_id: int, delivery: Delivery | None) -> list[Effect]:
        """Record that a question went out and when it closes; `None` when the send timed out (it
        probably went out: it is never posted twice, and its poll is recognised when seen).

        Answers that arrived before the poll was recorded are counted now; they can close it early.
        """
        now = self.core.clock()
        async with self.core.sessions() as session, session.begin():
            question = await store.get_question(session, question_id)
            quiz_round = await store.get_round(session, question.round_id) if question else None
            if question is None or quiz_round is None:
                return []
            if question.sent_at is not None:
                return await self._duplicate(session, question, quiz_round, delivery)
            question.sent_at, question.posting_until = now, None
            question.closes_at = now + timedelta(seconds=quiz_round.seconds_per_question)
            if delivery is None:
                return []
            question.poll_id, question.message_id = delivery.ref, delivery.message_id
            if delivery.buttons:
                quiz_round.buttons = True
            if delivery.ref is None:
                return []
            await session.flush()
            effects = await self._count_waiting(session, question, delivery.ref)
        self._know(delivery.ref)  # once committed
        return effects

    async def _duplicate(
        self, session: Session, question: QuizQuestion, quiz_round: QuizRound, delivery: Delivery | None
    ) -> list[Effect]:
        """The question had gone out already (another instance posted it too): take this copy down;
        answers given to its poll count for the question."""
        if delivery is None or delivery.message_id == question.message_id or question.id is None:
            return []
        effects: list[Effect] = [WithdrawPost(quiz_round.chat_id, delivery.message_id)]
        if delivery.ref is not None and delivery.ref != question.poll_id:
            session.add(DuplicatePoll(poll_id=delivery.ref, question_id=question.id))
            await session.flush()
            effects += await self._count_waiting(session, question, delivery.ref)
        return effects

    async def poll_seen(self, poll_ref: str, text: str, options: Sequence[str]) -> list[Effect]:
        """A poll the bot sent, seen in an update: the question whose send timed out gets its poll."""
        if poll_ref in self._known_polls:
            return []
        effects: list[Effect] = []
        async with self.core.sessions() as session, session.begin():
            matched = await store.question_by_poll(session, poll_ref) is not None
            for question in [] if matched else await store.unmatched_questions(session):
                item = self.bank.answerable(question.item_id)
                if not isinstance(item, TrueFalse | MultipleChoice):
                    continue
                shown, _, _ = poll_options(item, 0)
                if shown == text and json.loads(question.options) == list(options):
                    question.poll_id, matched = poll_ref, True
                    await session.flush()
                    effects = await self._count_waiting(session, question, poll_ref)
                    break
        if matched:  # once committed
            self._know(poll_ref)
        return effects

    async def _count_waiting(self, session: Session, question: QuizQuestion, poll_ref: str) -> list[Effect]:
        effects: list[Effect] = []
        for waiting in await store.waiting_answers(session, poll_ref):
            outcome = await self._answer(
                session, question, waiting.user_id, waiting.name, waiting.option, waiting.answered_at
            )
            effects += outcome.effects
            await session.delete(waiting)
        return effects

    async def use_buttons(self, round_id: int) -> None:
        """Polls are not allowed in this group: the round goes on with buttons."""
        async with self.core.sessions() as session, session.begin():
            quiz_round = await store.get_round(session, round_id)
            if quiz_round is not None:
                quiz_round.buttons = True

    # --- answers ------------------------------------------------------------------------------

    async def answer_poll(
        self, poll_ref: str, user_id: int, name: str, option_ids: Sequence[int]
    ) -> AnswerOutcome:
        """A quiz poll's answer: recorded once, on the board and in the member's own record."""
        async with self.core.sessions() as session, session.begin():
            if not option_ids:
                return AnswerOutcome(False)  # a vote taken back: the first answer stands
            question = await store.question_by_poll(session, poll_ref)
            if question is None:
                # Its poll is not known yet (the answer overtook the record of the post, or the
                # post timed out): the answer waits, and counts once the poll is matched.
                # Once: the same answer handled twice at once (two instances) keeps the first.
                await store.add_waiting(
                    session,
                    poll_id=poll_ref,
                    user_id=user_id,
                    name=name[:MAX_NAME],
                    option=option_ids[0],
                    answered_at=self.core.clock(),
                )
                return AnswerOutcome(True)
            return await self._answer(session, question, user_id, name, option_ids[0])

    async def answer_button(
        self, question_id: int, chat_id: int, message_id: int, user_id: int, name: str, option: int
    ) -> AnswerOutcome:
        """A buttons question's answer (a group that bars polls); the same rules as a poll's.

        It counts only from the very message the question was posted as, in its group, in a round
        run with buttons: button data copied into another chat (or forged) records nothing.
        """
        async with self.core.sessions() as session, session.begin():
            question = await store.get_question(session, question_id)
            quiz_round = await store.get_round(session, question.round_id) if question else None
            if question is None or quiz_round is None or not quiz_round.buttons:
                return AnswerOutcome(False)
            if quiz_round.chat_id != chat_id or question.message_id != message_id:
                return AnswerOutcome(False)
            return await self._answer(session, question, user_id, name, option)

    async def _answer(
        self,
        session: Session,
        question: QuizQuestion,
        user_id: int,
        name: str,
        option: int,
        at: datetime | None = None,
    ) -> AnswerOutcome:
        """Late and repeated answers count for nothing; the last member to answer closes the question.

        `at` is when the answer was given, for one that waited for its poll to be known.
        """
        now = at or self.core.clock()
        if question.sent_at is None or question.id is None:
            return AnswerOutcome(False)
        if question.closed and at is None:  # one that waited for its poll counts if given in time
            return AnswerOutcome(False)
        if question.closes_at is not None and now > question.closes_at:
            return AnswerOutcome(False)  # late: the question has closed
        if await store.get_answer(session, question.id, user_id) is not None:
            return AnswerOutcome(False)  # twice (a resent update, a second tap)
        quiz_round = await store.get_round(session, question.round_id)
        item = self.bank.answerable(question.item_id)
        if quiz_round is None or item is None or not 0 <= option < len(json.loads(question.options)):
            return AnswerOutcome(False)
        if quiz_round.status != QuizStatus.RUNNING:
            # The board is out and its answers are no longer anyone's: a late one counts for nothing.
            return AnswerOutcome(False)
        correct = option == question.correct_option
        seconds = max(0.0, (now - question.sent_at).total_seconds())
        session.add(
            QuizAnswer(
                question_id=question.id,
                user_id=user_id,
                name=name[:MAX_NAME],
                option=option,
                correct=correct,
                points=points(correct, seconds, quiz_round.seconds_per_question),
                seconds=seconds,
                answered_at=now,
            )
        )
        learner = await repo.get_learner(session, user_id)
        if learner is not None and learner.class_consent_at is not None:  # only with the pupil's consent
            await record_answer(session, learner, item, correct, now, AnswerContext.GROUP)
        await session.flush()
        if not await self._everyone_answered(session, question):
            return AnswerOutcome(True)
        return AnswerOutcome(True, await self._close(session, question, quiz_round, early=True))

    async def _everyone_answered(self, session: Session, question: QuizQuestion) -> bool:
        """Early close: every member who answered the previous question has answered this one."""
        if question.position == 1 or question.id is None:
            return False
        previous = await store.question_at(session, question.round_id, question.position - 1)
        if previous is None or previous.id is None:
            return False
        before = await store.members_who_answered(session, previous.id)
        return bool(before) and before <= await store.members_who_answered(session, question.id)

    # --- moving rounds on ---------------------------------------------------------------------

    async def _close(
        self, session: Session, question: QuizQuestion, quiz_round: QuizRound, *, early: bool
    ) -> list[Effect]:
        """Close a question (once): show it closed where needed, then the next question or the board.

        A poll closes itself when its time is up; only an early close needs it stopped. A
        buttons question always needs its answer revealed.
        """
        if question.closed:
            return []
        question.closed = True
        effects: list[Effect] = []
        if question.message_id is not None and (quiz_round.buttons or early):
            view = await self._view(session, quiz_round, question)
            effects.append(CloseQuestion(quiz_round.chat_id, view, question.message_id))
        if quiz_round.status != QuizStatus.RUNNING or quiz_round.id is None:
            return effects
        following = await store.question_at(session, quiz_round.id, question.position + 1)
        if following is not None:
            effects.append(PostQuestion(quiz_round.chat_id, await self._view(session, quiz_round, following)))
        else:
            summary = await finish(session, self.bank, self.core.clock(), quiz_round, QuizStatus.FINISHED)
            effects.append(PostBoard(quiz_round.chat_id, summary))
        return effects

    async def tick(self) -> list[Effect]:
        """Close questions whose time is up and carry rounds on; end rounds the bot left too long.

        Also finds questions that should be on screen but never went out (a restart, or a send
        that failed): for each running round, its first unposted question once the one before
        it has closed.
        """
        now = self.core.clock()
        effects: list[Effect] = []
        async with self.core.sessions() as session, session.begin():
            for question in await store.due_questions(session, now):
                quiz_round = await store.get_round(session, question.round_id)
                if quiz_round is None or quiz_round.status != QuizStatus.RUNNING:
                    continue
                if question.closes_at is not None and now - question.closes_at > RESUME_WITHIN:
                    summary = await finish(
                        session, self.bank, self.core.clock(), quiz_round, QuizStatus.CLOSED
                    )
                    effects.append(PostBoard(quiz_round.chat_id, summary))
                    continue
                effects += await self._close(session, question, quiz_round, early=False)
            queued = {e.question.question_id for e in effects if isinstance(e, PostQuestion)}
            for quiz_round in await store.running_rounds(session):
                if quiz_round.id is None:
                    continue
                questions = await store.round_questions(session, quiz_round.id)
                waiting = next((q for q in questions if q.sent_at is None), None)
                if waiting is None or waiting.id in queued:
                    continue
                if waiting.posting_until is not None and waiting.posting_until > now:
                    continue  # being posted right now
                if all(q.closed for q in questions if q.position < waiting.position):
                    effects.append(
                        PostQuestion(quiz_round.chat_id, await self._view(session, quiz_round, waiting))
                    )
        return effects

    async def end(self, chat_id: int) -> None:
        """The bot can no longer post in the group (removed, or blocked): end its round quietly."""
        async with self.core.sessions() as session, session.begin():
            await repo.hold_group(session, chat_id)
            running = await store.running_round(session, chat_id)
            if running is not None:
                await finish(session, self.bank, self.core.clock(), running, QuizStatus.CLOSED)
