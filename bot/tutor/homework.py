"""Homework: a teacher sets N prompts for the class (/homework in the group); each pupil who agreed gets
their own set in private, chosen for them, a reminder before the deadline if unfinished, and the
teacher sees who finished and how they did.

Delivery works like the nudge outbox (`nudging.py`): every pupil has one `HomeworkPupil` row
(unique per homework and learner, so a double /homework, a retried update or a second sweep never
makes two). A sweep leases a few rows at a time, starting each pupil's set and choosing its first
prompt in the same transaction, and a row becomes `sent` only once Telegram confirms. A crash
leaves leased rows to be sent again (the same prompt) when the lease runs out; a send that timed
out is `unsure` and never repeated (Telegram most likely delivered it; the pupil can always send
/homework to carry on); a 403 marks the pupil blocked; other failures are retried a minute later
until the deadline. Reminders go through the same rows, once each (`reminded_at`), leased the same
way. When reminders come is `deadlines.reminder_at`.

Who gets it: the class roster (`storage.homework.class_roster`) when it is set, and anyone who
opens the group's link and agrees afterwards while it is open.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from bot.tutor.core import Core
from bot.tutor.deadlines import (
    DEADLINE_WORDS,
    REMIND_GAP,
    DateProblem,
    default_day,
    end_of_day,
    local_day,
    parse_deadline,
    reminder_at,
)
from bot.tutor.nudging import LEASE, RETRY_SOON
from bot.tutor.practice import YIELD_EVERY, Practice
from bot.tutor.profile import match_area
from bot.tutor.results import PromptResult, ServedPrompt
from bot.tutor.sets import MAX_SET, MIN_SET
from bot.tutor.text import parse_count
from content.schema import Area
from storage import homework as store
from storage import repo
from storage.class_quiz import group_settings
from storage.db import Session
from storage.models import Homework as HomeworkRow
from storage.models import HomeworkPupil, Learner

CANCEL_WORD = "cancel"
WRITING_WAIT = timedelta(minutes=20)  # a pupil writing an exam answer gets their homework after it
REPORT_LATEST = 3  # homework shown in the teacher's report, newest first


class PupilStatus(StrEnum):
    """Where one pupil's copy of a homework is (see `storage.models.HomeworkPupil`)."""

    WAITING = "waiting"
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    UNSURE = "unsure"
    FAILED = "failed"
    BLOCKED = "blocked"
    CANCELLED = "cancelled"


DELIVERED = (PupilStatus.SENT, PupilStatus.UNSURE)


class SetStatus(StrEnum):
    """What /homework in a group came to."""

    SET = "set"  # new homework, on its way
    SHOW = "show"  # /homework alone: usage, and the open homework if any
    ALREADY_OPEN = "already open"
    CANCELLED = "cancelled"
    NONE_OPEN = "none open"  # /homework cancel with nothing open
    USAGE = "usage"
    BAD_COUNT = "bad count"
    UNKNOWN_AREA = "unknown area"
    BAD_DATE = "bad date"
    EMPTY = "empty"  # nothing in the course (and area) to set


@dataclass(frozen=True)
class HomeworkInfo:
    """One homework as the group sees it: what, when, and counts only (no pupil is named)."""

    homework_id: int
    size: int
    area: Area | None
    due_at: datetime
    zone: str  # the zone the due date reads in (the teacher's)
    remind_at: datetime | None  # when reminders come, in the teacher's zone (None: too close to the deadline)
    pupils: int  # sent to (or on its way to)
    finished: int
    started: int  # delivered and begun but not finished
    unreached: int  # blocked the bot or could not be reached
    cancelled: bool = False


@dataclass(frozen=True)
class SetResult:
    """The answer to /homework in a group."""

    status: SetStatus
    info: HomeworkInfo | None = None
    areas: list[Area] = field(default_factory=list)  # the course's areas, when one was not known
    problem: DateProblem | None = None
    text: str = ""  # what was not understood
    low: int = MIN_SET
    high: int = MAX_SET


@dataclass(frozen=True)
class HomeworkDelivery:
    """One pupil's homework to send now: its first prompt, headed with what it is."""

    pupil_id: int
    learner_id: int
    homework_id: int
    group: str
    size: int
    due_at: datetime
    zone: str  # the pupil's
    prompt: ServedPrompt
    replaced: tuple[int, ...] = ()


@dataclass(frozen=True)
class HomeworkReminder:
    """One pupil's reminder to send now."""

    pupil_id: int
    learner_id: int
    homework_id: int
    group: str
    size: int
    answered: int
    due_at: datetime
    zone: str  # the pupil's


@dataclass(frozen=True)
class HomeworkSendOutcome:
    """What happened to one send (a delivery, or a reminder): SENT, UNSURE, BLOCKED or FAILED
    (`permanent` when trying again cannot help)."""

    pupil_id: int
    reminder: bool
    status: PupilStatus
    message_id: int | None = None
    error: str = ""
    permanent: bool = False


class JoinStatus(StrEnum):
    """What opening a homework's link came to."""

    JOINED = "joined"  # agreed already: on its way
    WAITING = "waiting"  # will come once they agree
    ALREADY = "already"  # has it (or had it) already
    CLOSED = "closed"  # cancelled, past its deadline, or no such homework


@dataclass(frozen=True)
class JoinResult:
    """The answer to opening a homework's link."""

    status: JoinStatus
    group: str = ""
    size: int = 0
    due_at: datetime | None = None
    zone: str = ""


class CarryOnStatus(StrEnum):
    """What "carry on" (or /homework in private) came to."""

    OK = "ok"  # the next prompt (or the recap, if it was all answered)
    DONE = "done"  # finished already
    NONE = "none"  # no homework open for this learner


@dataclass(frozen=True)
class CarryOn:
    """The answer to "carry on with my homework"."""

    status: CarryOnStatus
    prompt: PromptResult | None = None
    group: str = ""


@dataclass(frozen=True)
class PupilResult:
    """One pupil's homework, for the teacher's private report."""

    name: str
    status: str  # finished, started, not started, unreached, waiting (opened the link, never agreed)
    answered: int = 0
    right: int = 0
    completed_at: datetime | None = None


@dataclass(frozen=True)
class HomeworkResults:
    """One homework's results for the teacher's report: who finished and how they did."""

    homework_id: int
    group: str
    size: int
    area: Area | None
    due_at: datetime
    zone: str
    cancelled: bool
    finished: list[PupilResult]
    unfinished: list[PupilResult]  # delivered, not finished (started or not)
    unreached: list[PupilResult]  # blocked the bot, or every send failed


async def enrol_waiting(session: Session, learner: Learner, now: datetime) -> int:
    """Inside the caller's unit of work (agreeing to class answers): homework the learner opened the
    link of before agreeing is now on its way, if still open; returns how many."""
    count = 0
    for row in await store.waiting_for(session, learner.id):
        homework = await store.get_homework(session, row.homework_id)
        if homework is None or homework.cancelled_at is not None or homework.due_at <= now:
            row.status = PupilStatus.CANCELLED
            continue
        row.status, row.attempt_at = PupilStatus.PENDING, now
        row.remind_at = reminder_at(homework.due_at, learner.timezone, now)
        count += 1
    return count


class Homework:
    """/homework: set, show, cancel; delivery and reminders (the sweep); results for the report."""

    def __init__(self, core: Core, practice: Practice, lease: timedelta = LEASE) -> None:
        self.core = core
        self.practice = practice
        self.lease_for = lease

    # --- the group ----------------------------------------------------------------------------

    def _areas(self, course: str | None) -> list[Area]:
        """The topic areas the course has items in."""
        held = {item.area for item in self.core.bank.for_body(course)}
        return [area for area in self.core.bank.areas if area.id in held]

    async def command(self, chat_id: int, title: str, user_id: int, args: Sequence[str]) -> SetResult:
        """/homework [N [area] [until <day>] | cancel] from an admin of the group (the caller checked).

        Without arguments: the usage and the open homework, with counts. With `cancel`: the open
        homework is cancelled (sets already sent stay with the pupils as practice).
        """
        words = [w for w in args if w]
        now = self.core.clock()
        async with self.core.sessions() as session, session.begin():
            await repo.hold_group(session, chat_id)  # one /homework at a time per class (PostgreSQL)
            open_now = await store.open_homework(session, chat_id, now)
            if not words:
                info = await self._info(session, open_now) if open_now is not None else None
                return SetResult(SetStatus.SHOW, info)
            if words[0].casefold() == CANCEL_WORD and len(words) == 1:
                if open_now is None:
                    return SetResult(SetStatus.NONE_OPEN)
                open_now.cancelled_at = now
                info = await self._info(session, open_now)
                await store.cancel_undelivered(session, open_now.id or 0)
                return SetResult(SetStatus.CANCELLED, info)
            count = parse_count(words[0])
            if count is None:
                return SetResult(SetStatus.USAGE, text=words[0])
            if not MIN_SET <= count <= MAX_SET:
                return SetResult(SetStatus.BAD_COUNT, text=words[0])
            rest = words[1:]
            cut = next((n for n, w in enumerate(rest) if w.casefold() in DEADLINE_WORDS), len(rest))
            area_words, date_words = rest[:cut], rest[cut + 1 :]
            settings = await group_settings(session, chat_id)
            course = settings.course if settings is not None else None
            areas = self._areas(course)
            area = None
            if area_words:
                area = match_area(areas, " ".join(area_words))
                if area is None:
                    return SetResult(SetStatus.UNKNOWN_AREA, areas=areas, text=" ".join(area_words))
            teacher = await repo.get_learner(session, user_id)
            zone = teacher.timezone if teacher is not None else self.core.default_timezone
            today = local_day(now, zone)
            if cut < len(rest):
                deadline = parse_deadline(date_words, today)
                if deadline.day is None:
                    return SetResult(SetStatus.BAD_DATE, problem=deadline.problem, text=" ".join(date_words))
                day = deadline.day
            else:
                day = default_day(today)
            if open_now is not None:
                return SetResult(SetStatus.ALREADY_OPEN, await self._info(session, open_now))
            pool = [item for item in self.core.bank.for_body(course) if area is None or item.area == area.id]
            if not pool:
                return SetResult(SetStatus.EMPTY)
            homework = HomeworkRow(
                chat_id=chat_id,
                title=title[:128],
                set_by=user_id,
                size=count,
                course=course,
                area=area.id if area else None,
                due_at=end_of_day(day, zone),
                timezone=zone,
                created_at=now,
            )
            homework_id = await store.add_homework(session, homework)
            roster = await store.class_roster(session, chat_id)
            learners = {row.id: row for row in await repo.learners(session, [uid for uid, _ in roster])}
            for learner_id, name in roster:
                learner = learners.get(learner_id)
                if learner is None:
                    continue
                await store.enrol(
                    session,
                    homework_id=homework_id,
                    learner_id=learner_id,
                    name=name,
                    status=PupilStatus.PENDING.value,
                    attempt_at=now,
                    remind_at=reminder_at(homework.due_at, learner.timezone, now),
                )
            return SetResult(SetStatus.SET, await self._info(session, homework))

    async def _info(self, session: Session, homework: HomeworkRow) -> HomeworkInfo:
        rows = await store.pupils_of(session, homework.id or 0)
        reached = [r for r in rows if r.status not in (PupilStatus.WAITING, PupilStatus.CANCELLED)]
        finished = sum(1 for r in reached if r.completed_at is not None)
        unreached = sum(1 for r in reached if r.status in (PupilStatus.BLOCKED, PupilStatus.FAILED))
        started = 0
        for r in reached:
            if r.completed_at is None and r.status in DELIVERED and r.set_id is not None:
                answered, _right = await store.set_progress(session, r.set_id)
                started += answered > 0
        area = self.core.bank.area(homework.area) if homework.area else None
        return HomeworkInfo(
            homework.id or 0,
            homework.size,
            area,
            homework.due_at,
            homework.timezone,
            reminder_at(homework.due_at, homework.timezone, homework.created_at),
            len(reached),
            finished,
            started,
            unreached,
            homework.cancelled_at is not None,
        )

    # --- joining by the group's link ----------------------------------------------------------

    async def group_of(self, homework_id: int) -> int | None:
        """The group a homework was set in (None if there is no such homework)."""
        async with self.core.reads() as session:
            homework = await store.get_homework(session, homework_id)
            return homework.chat_id if homework is not None else None

    async def join(self, user_id: int, homework_id: int, name: str) -> JoinResult:
        """A pupil opened the link in the group's homework message (after /start made their record):
        on its way if they agreed to class answers, else once they do (`enrol_waiting`)."""
        now = self.core.clock()
        async with self.core.sessions() as session, session.begin():
            homework = await store.get_homework(session, homework_id)
            learner = await repo.get_learner(session, user_id)
            if (
                homework is None
                or learner is None
                or homework.cancelled_at is not None
                or homework.due_at <= now
            ):
                return JoinResult(JoinStatus.CLOSED)
            found = JoinResult(
                JoinStatus.JOINED,
                homework.title or "your class",
                homework.size,
                homework.due_at,
                homework.timezone,
            )
            existing = await store.pupil(session, homework_id, user_id)
            agreed = learner.class_consent_at is not None
            # Only a copy that went out (or is going out) is "got already": one that failed, or was
            # refused while the pupil had blocked the bot, is queued again now that they are here.
            on_its_way = (PupilStatus.SENDING, PupilStatus.SENT, PupilStatus.UNSURE)
            if existing is not None and existing.status in on_its_way:
                return JoinResult(JoinStatus.ALREADY, found.group, found.size, found.due_at, found.zone)
            status = PupilStatus.PENDING if agreed else PupilStatus.WAITING
            if existing is not None:
                existing.status, existing.attempt_at = status, now
                existing.remind_at = reminder_at(homework.due_at, learner.timezone, now)
            else:
                await store.enrol(
                    session,
                    homework_id=homework_id,
                    learner_id=user_id,
                    name=name[:128],
                    status=status.value,
                    attempt_at=now,
                    remind_at=reminder_at(homework.due_at, learner.timezone, now),
                )
            if agreed:
                return found
            return JoinResult(JoinStatus.WAITING, found.group, found.size, found.due_at, found.zone)

    # --- the sweep ----------------------------------------------------------------------------

    async def lease(
        self, now: datetime, limit: int
    ) -> tuple[list[HomeworkDelivery], list[HomeworkReminder], bool]:
        """In one transaction: lease up to `limit` deliveries (pending, or a lease a crash left to run
        out), starting each pupil's set, and up to `limit` reminders due. The flag says whether
        anything was done (call again, with the same `now`, until it says nothing)."""
        deliveries: list[HomeworkDelivery] = []
        reminders: list[HomeworkReminder] = []
        changed = False
        async with self.core.sessions() as session, session.begin():
            rows = await store.leasable_deliveries(session, now, limit)
            due = await store.leasable_reminders(session, now, limit)
            # A pupil busy in another unit of work (PostgreSQL) is left to the next pass.
            free = await repo.free_learners(session, [row.learner_id for row in [*rows, *due]])
            rows = [row for row in rows if row.learner_id in free]
            due = [row for row in due if row.learner_id in free]
            ids = {row.homework_id for row in [*rows, *due]}
            homeworks = await store.homeworks(session, list(ids))
            learners = {
                one.id: one for one in await repo.learners(session, [r.learner_id for r in [*rows, *due]])
            }
            for n, row in enumerate(rows):
                if n % YIELD_EVERY == 0:
                    await asyncio.sleep(0)  # choosing prompts is CPU work: let sends under way go on
                changed = True
                job = await self._lease_delivery(session, row, homeworks, learners, now)
                if job is not None:
                    deliveries.append(job)
            for row in due:
                changed = True
                reminder = await self._lease_reminder(session, row, homeworks, learners, now)
                if reminder is not None:
                    reminders.append(reminder)
        return deliveries, reminders, changed

    async def _lease_delivery(
        self,
        session: Session,
        row: HomeworkPupil,
        homeworks: dict[int, HomeworkRow],
        learners: dict[int, Learner],
        now: datetime,
    ) -> HomeworkDelivery | None:
        homework = homeworks.get(row.homework_id)
        learner = learners.get(row.learner_id)
        if row.id is None or homework is None or homework.cancelled_at is not None or learner is None:
            row.status, row.lease_until = PupilStatus.CANCELLED, None
            await self._withdraw(session, row)
            return None
        if not learner.active:
            row.status, row.lease_until = PupilStatus.BLOCKED, None
            await self._withdraw(session, row)
            return None
        if homework.due_at <= now:
            row.status, row.lease_until, row.error = PupilStatus.FAILED, None, "past its deadline"
            await self._withdraw(session, row)
            return None
        if row.prompt_id is None and await self.practice.writing(session, learner, now):
            row.status, row.attempt_at = PupilStatus.PENDING, now + WRITING_WAIT  # their words stay
            return None
        served: ServedPrompt | None
        replaced: tuple[int, ...] = ()
        if row.prompt_id is not None:  # a crash left it leased: the same prompt again
            served = await self.practice.served(session, row.prompt_id)
        else:
            result = await self.practice.homework_prompt(
                session, learner, now, homework.size, homework.course, homework.area
            )
            served, replaced = result.prompt, result.replaced
            if served is not None:
                row.set_id = learner.current_set_id
                row.prompt_id = served.prompt_id
        if served is None:
            row.status, row.lease_until, row.error = PupilStatus.FAILED, None, "nothing to ask"
            return None
        row.status, row.lease_until, row.attempts = (
            PupilStatus.SENDING,
            now + self.lease_for,
            row.attempts + 1,
        )
        return HomeworkDelivery(
            row.id,
            row.learner_id,
            homework.id or 0,
            homework.title or "your class",
            homework.size,
            homework.due_at,
            learner.timezone,
            served,
            replaced,
        )

    async def _lease_reminder(
        self,
        session: Session,
        row: HomeworkPupil,
        homeworks: dict[int, HomeworkRow],
        learners: dict[int, Learner],
        now: datetime,
    ) -> HomeworkReminder | None:
        homework = homeworks.get(row.homework_id)
        learner = learners.get(row.learner_id)
        usable = homework is not None and homework.cancelled_at is None and homework.due_at > now
        if row.id is None or homework is None or learner is None or not usable or not learner.active:
            row.reminded_at = now  # never to be sent: no longer asked for
            row.error = "reminder not sent: homework closed or pupil unreachable"
            return None
        received = row.delivered_at
        if received is not None and row.remind_at is not None and row.remind_at - received < REMIND_GAP:
            # It arrived later than planned (retries, a busy sweep): the rule counts from its arrival.
            row.remind_at = reminder_at(homework.due_at, learner.timezone, received)
            if row.remind_at is None:
                row.reminded_at, row.error = now, "no reminder: it arrived too close to the deadline"
            if row.remind_at is None or row.remind_at > now:
                return None
        answered, _right = await store.set_progress(session, row.set_id) if row.set_id is not None else (0, 0)
        row.lease_until = now + self.lease_for
        return HomeworkReminder(
            row.id,
            row.learner_id,
            homework.id or 0,
            homework.title or "your class",
            homework.size,
            min(answered, homework.size),
            homework.due_at,
            learner.timezone,
        )

    @staticmethod
    async def _withdraw(session: Session, row: HomeworkPupil) -> None:
        """A homework that never reached the pupil: its prompt is not theirs to answer."""
        if row.prompt_id is not None:
            prompt = await repo.get_prompt(session, row.prompt_id)
            if prompt is not None and prompt.answered_at is None:
                prompt.superseded = True

    async def record(self, outcomes: Sequence[HomeworkSendOutcome]) -> None:
        """What happened to sends, in one transaction."""
        if not outcomes:
            return
        now = self.core.clock()
        async with self.core.sessions() as session, session.begin():
            rows = await store.pupils(session, [o.pupil_id for o in outcomes])
            homeworks = await store.homeworks(session, list({r.homework_id for r in rows.values()}))
            for outcome in outcomes:
                row = rows.get(outcome.pupil_id)
                if row is None:
                    continue
                homework = homeworks.get(row.homework_id)
                if outcome.reminder:
                    await self._reminder_outcome(session, row, outcome, now)
                else:
                    await self._delivery_outcome(session, row, homework, outcome, now)

    async def _delivery_outcome(
        self,
        session: Session,
        row: HomeworkPupil,
        homework: HomeworkRow | None,
        outcome: HomeworkSendOutcome,
        now: datetime,
    ) -> None:
        row.lease_until = None
        if outcome.status is PupilStatus.SENT:
            row.status, row.delivered_at = PupilStatus.SENT, now
            if row.prompt_id is not None and outcome.message_id is not None:
                await repo.record_receipt(session, row.prompt_id, outcome.message_id)
        elif outcome.status is PupilStatus.UNSURE:
            row.status, row.delivered_at, row.error = PupilStatus.UNSURE, now, outcome.error[:200]
        elif outcome.status is PupilStatus.BLOCKED:
            row.status = PupilStatus.BLOCKED
            await self._withdraw(session, row)
            await self._blocked(session, row.learner_id)
        else:
            row.error = outcome.error[:200]
            too_late = homework is None or now + RETRY_SOON >= homework.due_at
            if outcome.permanent or too_late:
                row.status = PupilStatus.FAILED
                await self._withdraw(session, row)
            else:
                row.status, row.attempt_at = PupilStatus.PENDING, now + RETRY_SOON

    async def _reminder_outcome(
        self, session: Session, row: HomeworkPupil, outcome: HomeworkSendOutcome, now: datetime
    ) -> None:
        row.lease_until = None
        if outcome.status in (PupilStatus.SENT, PupilStatus.UNSURE):
            row.reminded_at = now  # a timed-out reminder most likely arrived: never a second
        elif outcome.status is PupilStatus.BLOCKED:
            row.status, row.reminded_at = PupilStatus.BLOCKED, now
            await self._blocked(session, row.learner_id)
        else:
            row.error = outcome.error[:200]
            if outcome.permanent:
                row.reminded_at = now  # it will not go: do not try again
            else:
                row.lease_until = now + RETRY_SOON  # tried again a minute later

    @staticmethod
    async def _blocked(session: Session, learner_id: int) -> None:
        """The pupil blocked the bot: no nudges either (as a blocked nudge does)."""
        learner = await repo.get_learner(session, learner_id)
        if learner is not None and learner.active:
            learner.active, learner.ignored_nudges, learner.next_nudge_at = False, 0, None

    # --- the pupil ----------------------------------------------------------------------------

    async def carry_on(self, user_id: int, homework_id: int | None = None) -> CarryOn:
        """The next prompt of the pupil's homework (`homework_id`, or their newest open one)."""
        now = self.core.clock()
        async with self.core.sessions() as session, session.begin():
            learner = await repo.get_learner(session, user_id)
            if learner is None:
                return CarryOn(CarryOnStatus.NONE)
            if homework_id is None:
                found = await store.open_for_learner(session, user_id, now)
                row = found[0] if found else None
            else:
                row = await store.pupil(session, homework_id, user_id)
            if row is None or row.set_id is None or row.status not in DELIVERED:
                return CarryOn(CarryOnStatus.NONE)
            homework = await store.get_homework(session, row.homework_id)
            group = homework.title or "your class" if homework is not None else "your class"
            if row.completed_at is not None:
                return CarryOn(CarryOnStatus.DONE, group=group)
            result = await self.practice.resume(session, learner, row.set_id)
            return CarryOn(CarryOnStatus.OK, result, group)

    # --- the teacher's report -----------------------------------------------------------------

    async def results(self, chat_id: int, latest: int = REPORT_LATEST) -> list[HomeworkResults]:
        """The group's latest homework (newest first) with each pupil's result, for the teacher's
        private report: who finished (right of answered), who has not, who could not be reached."""
        async with self.core.reads() as session:
            found = []
            for homework in await store.latest_homework(session, chat_id, latest):
                finished, unfinished, unreached = [], [], []
                for row in await store.pupils_of(session, homework.id or 0):
                    name = row.name or "a pupil"
                    if row.status in (PupilStatus.WAITING, PupilStatus.CANCELLED):
                        continue
                    if row.completed_at is not None:
                        finished.append(
                            PupilResult(name, "finished", row.answered, row.right, row.completed_at)
                        )
                    elif row.status in (PupilStatus.BLOCKED, PupilStatus.FAILED):
                        unreached.append(PupilResult(name, "unreached"))
                    else:
                        answered = right = 0
                        if row.set_id is not None:
                            answered, right = await store.set_progress(session, row.set_id)
                        status = "started" if answered else "not started"
                        unfinished.append(PupilResult(name, status, answered, right))
                found.append(
                    HomeworkResults(
                        homework.id or 0,
                        homework.title or "this group",
                        homework.size,
                        self.core.bank.area(homework.area) if homework.area else None,
                        homework.due_at,
                        homework.timezone,
                        homework.cancelled_at is not None,
                        finished,
                        unfinished,
                        unreached,
                    )
                )
            return found
