"""Daily nudges: the durable schedule, the sweep's decisions, and the learner's nudge settings.

Each learner's next nudge is a UTC timestamp in their row. When it is due, the sweep turns it into
a row of the nudge outbox (`NudgeSend`, one per learner and local day) and advances the schedule,
in one transaction. Sending works through the outbox a few at a time: a row is leased just before
it is sent and marked sent only once Telegram confirms. A crash leaves leased rows to be sent
again when their lease runs out (so only the sends in flight at that moment can arrive twice); a
send that timed out is taken as probably delivered and never repeated; a transient failure is
retried within two hours of the nudge's time, a permanent one is not.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.tutor.core import Core, InvalidChoice
from bot.tutor.evidence import weakest_area, weigh
from bot.tutor.examdate import ExamNote, Phase, plan_of
from bot.tutor.memory import micros
from bot.tutor.practice import MOCK, YIELD_EVERY, Practice
from bot.tutor.record import find_or_create, goal_met, recount
from bot.tutor.results import NudgeContent, ReminderSettings, ZoneChange
from bot.tutor.schedule import (
    BACKOFF_AFTER,
    CATCH_UP,
    local_date,
    parse_local_time,
    parse_timezone,
    plan,
    valid_zone,
)
from bot.tutor.streaks import current_streak
from bot.tutor.text import parse_count
from bot.tutor.tips import TIP_EVERY_NTH_NUDGE, next_tip
from content.schema import ExamQuestion
from storage import repo
from storage.db import Session
from storage.models import Learner, NudgeSend

MIN_PAUSE_DAYS, MAX_PAUSE_DAYS = 1, 30
RETRY_SOON = timedelta(minutes=1)  # a nudge whose send failed is tried again at the next sweep
LEASE = timedelta(minutes=2)  # a leased nudge not confirmed within this is taken as lost in a crash


class NudgeStatus(StrEnum):
    """Where a day's nudge is (see the module notes)."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    UNSURE = "unsure"  # timed out: probably delivered, so never sent again
    FAILED = "failed"
    BLOCKED = "blocked"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class NudgeJob:
    """One nudge to send now."""

    nudge_id: int
    learner_id: int
    content: NudgeContent
    backoff_notice: bool  # say, once, that nudges are now every other day


@dataclass(frozen=True)
class SendOutcome:
    """What happened to one send: SENT (with its message), UNSURE (timed out), BLOCKED, or FAILED
    (`permanent` when trying again cannot help)."""

    nudge_id: int
    status: NudgeStatus
    message_id: int | None = None
    error: str = ""
    permanent: bool = False


@dataclass(frozen=True)
class SweepCounts:
    """What one lease pass decided."""

    leased: int = 0
    skipped_stale: int = 0  # more than CATCH_UP late: moved to the next day without sending
    skipped_goal: int = 0  # the day's goal is already met: nothing pushed
    withdrawn: int = 0  # outbox rows found unsendable when leased (too late, blocked, nothing to ask)

    @property
    def anything(self) -> bool:
        """Whether the pass did anything (a sweep repeats passes until one does nothing)."""
        return bool(self.leased or self.skipped_stale or self.skipped_goal or self.withdrawn)


def _next_nudge(learner: Learner, now: datetime, goal_met_today: bool) -> datetime | None:
    """When the next nudge will really come: a nudge due later today is skipped once the goal is met."""
    due = learner.next_nudge_at
    if due is None or not goal_met_today:
        return due
    today = local_date(now, learner.timezone)
    if local_date(due, learner.timezone) != today:
        return due
    return plan(
        learner.reminder_time,
        learner.timezone,
        now,
        active=learner.active,
        paused_until=learner.paused_until,
        last_day=today.isoformat(),
        ignored=learner.ignored_nudges,
    )


def settings_of(learner: Learner, now: datetime) -> ReminderSettings:
    """The settings a learner row describes, with the next nudge as the sweep will really send it."""
    met = goal_met(learner, now)
    return ReminderSettings(
        learner.reminder_time,
        learner.timezone,
        learner.paused_until,
        _next_nudge(learner, now, met),
        learner.ignored_nudges >= BACKOFF_AFTER,
    )


class Nudger:
    """Decides who is nudged when; the front end renders and sends."""

    def __init__(self, core: Core, practice: Practice, lease: timedelta = LEASE) -> None:
        self.core = core
        self.practice = practice
        self.lease_for = lease
        self.sessions = core.sessions
        self.clock = core.clock

    async def lease(self, now: datetime, limit: int) -> tuple[list[NudgeJob], SweepCounts]:
        """In one transaction: turn due schedules into outbox rows, then lease up to `limit` rows to
        send now (pending ones, and any a crash left behind) with their content prepared.

        Call again (with the same `now`) until the counts say nothing happened.
        """
        jobs: list[NudgeJob] = []
        withdrawn = 0
        async with self.sessions() as session, session.begin():
            stale, goal = await self._schedule(session, now, limit)
            rows = await repo.leasable_nudges(session, now, limit)
            # A learner busy in another unit of work (PostgreSQL) keeps their nudge for the next pass.
            free = await repo.free_learners(session, [row.learner_id for row in rows])
            rows = [row for row in rows if row.learner_id in free]
            ids = [row.learner_id for row in rows]
            await repo.learners(session, ids)  # one query loads the batch's learners for what follows
            for n, row in enumerate(rows):
                if n % YIELD_EVERY == 0:
                    await asyncio.sleep(0)  # choosing prompts is CPU work: let sends under way go on
                job = await self._lease_one(session, row, now)
                if job is None:
                    withdrawn += 1
                else:
                    jobs.append(job)
        return jobs, SweepCounts(len(jobs), stale, goal, withdrawn)

    async def _schedule(self, session: Session, now: datetime, limit: int) -> tuple[int, int]:
        """Due schedules become pending outbox rows (never two for one local day); returns skips."""
        stale = goal = 0
        for learner in await repo.due_nudges(session, now, limit):
            due = learner.next_nudge_at
            if due is None:
                continue
            if now - due > CATCH_UP:
                stale += 1
                learner.next_nudge_at = self._plan(learner, now)
                continue
            ignored = learner.last_nudge_at is not None and (
                learner.last_active_at is None or learner.last_active_at < learner.last_nudge_at
            )
            learner.ignored_nudges = learner.ignored_nudges + 1 if ignored else 0
            if learner.ignored_nudges < BACKOFF_AFTER:
                learner.backoff_notified = False
            today = local_date(now, learner.timezone).isoformat()
            if goal_met(learner, now) or await repo.nudge_on_day(session, learner.id, today):
                goal += 1
                learner.last_nudge_day = today
                learner.next_nudge_at = self._plan(learner, now)
                continue
            notice = learner.ignored_nudges >= BACKOFF_AFTER and not learner.backoff_notified
            learner.backoff_notified = learner.backoff_notified or notice
            learner.last_nudge_at, learner.last_nudge_day = now, today
            learner.nudges_sent += 1
            learner.next_nudge_at = self._plan(learner, now)
            session.add(
                NudgeSend(
                    learner_id=learner.id,
                    local_day=today,
                    due_at=due,
                    attempt_at=due,
                    backoff_notice=notice,
                    with_tip=learner.nudges_sent % TIP_EVERY_NTH_NUDGE == 0,
                )
            )
        await session.flush()
        return stale, goal

    async def _lease_one(self, session: Session, row: NudgeSend, now: datetime) -> NudgeJob | None:
        learner = await repo.get_learner(session, row.learner_id)
        if row.id is None or learner is None or not learner.active:
            row.status = NudgeStatus.SKIPPED
            return None
        if now - row.due_at > CATCH_UP:
            row.status, row.error = NudgeStatus.SKIPPED, "more than two hours late"
            await self._withdraw(session, row)
            return None
        if row.prompt_id is None and await self._in_mock(session, learner, now):
            row.status, row.error = NudgeStatus.SKIPPED, "in a mock exam"  # never interrupted by a nudge
            return None
        if row.prompt_id is None and await self.practice.writing(session, learner, now):
            row.status, row.error = NudgeStatus.SKIPPED, "writing an exam answer"  # revising already
            return None
        content = await self._content(session, row, learner, now)
        if content is None:
            row.status = NudgeStatus.SKIPPED  # nothing in the learner's course to ask
            return None
        row.status, row.lease_until, row.attempts = (
            NudgeStatus.SENDING,
            now + self.lease_for,
            row.attempts + 1,
        )
        return NudgeJob(row.id, learner.id, content, row.backoff_notice)

    @staticmethod
    async def _in_mock(session: Session, learner: Learner, now: datetime) -> bool:
        """Whether the learner is in the middle of a timed mock exam."""
        if learner.current_set_id is None:
            return False
        current = await repo.get_set(session, learner.current_set_id)
        return (
            current is not None
            and current.source == MOCK
            and current.ended_at is None
            and current.ends_at is not None
            and current.ends_at > now
        )

    async def _content(
        self, session: Session, row: NudgeSend, learner: Learner, now: datetime
    ) -> NudgeContent | None:
        """The nudge's prompt: chosen the first time, the same one again after a crash."""
        streak = current_streak(learner, now)
        if row.prompt_id is not None:
            served = await self.practice.served(session, row.prompt_id)
            note = await self._exam_note(session, learner, row, now)
            return NudgeContent(served, streak, exam=note) if served is not None else None
        if learner.awarding_body is None:
            return None
        result = await self.practice.nudge_prompt(session, learner, now)
        if result.prompt is None:
            return None
        row.prompt_id = result.prompt.prompt_id
        tip = None
        if row.with_tip:
            tip = await next_tip(session, self.core.bank, learner, result.prompt.item.area, now)
        note = await self._exam_note(session, learner, row, now)
        return NudgeContent(result.prompt, streak, tip, result.replaced, note)

    async def _exam_note(
        self, session: Session, learner: Learner, row: NudgeSend, now: datetime
    ) -> ExamNote | None:
        """The days to the learner's exam and today's focus; on the day, luck; once after it, that the
        plan has stopped (the first nudge to reach them after the day says so)."""
        plan = plan_of(learner.exam_date, learner.timezone, now)
        if plan is None:
            return None
        if plan.phase is Phase.PASSED:
            if await repo.nudged_between(session, learner.id, plan.day.isoformat(), row.local_day):
                return None
            return ExamNote(plan.phase, plan.day, plan.days_left)
        if plan.phase is Phase.EXAM_DAY:
            return ExamNote(plan.phase, plan.day, 0)
        items = self.core.bank.for_body(learner.awarding_body)
        kept = self.core.memories.get(learner.id)  # `nudge_prompt` has just read (or kept) them
        if kept is None:  # a nudge sent again after a crash: the days left, without a focus
            return ExamNote(plan.phase, plan.day, plan.days_left)
        evidence = weigh(items, kept[1], micros(now)).evidence
        final = plan.phase is Phase.FINAL
        behind = min(evidence.values(), key=lambda e: e.met / e.items if e.items else 1.0, default=None)
        if not final and behind is not None and behind.items and behind.met < behind.items:
            return ExamNote(plan.phase, plan.day, plan.days_left, self.core.bank.area(behind.area).name, True)
        weakest = weakest_area(evidence)
        name = self.core.bank.area(weakest.area).name if weakest is not None else None
        questions = final and any(isinstance(item, ExamQuestion) for item in items)
        return ExamNote(plan.phase, plan.day, plan.days_left, name, False, questions)

    async def _withdraw(self, session: Session, row: NudgeSend) -> None:
        """A nudge that never reached the learner: its prompt is not theirs to answer."""
        if row.prompt_id is not None:
            prompt = await repo.get_prompt(session, row.prompt_id)
            if prompt is not None and prompt.answered_at is None:
                prompt.superseded = True

    async def record(self, outcomes: Sequence[SendOutcome]) -> None:
        """What happened to sends, in one transaction (a sweep reports them in small batches)."""
        if not outcomes:
            return
        now = self.clock()
        async with self.sessions() as session, session.begin():
            rows = await repo.nudges(session, [outcome.nudge_id for outcome in outcomes])
            for outcome in outcomes:
                row = rows.get(outcome.nudge_id)
                if row is not None:
                    await self._apply_outcome(session, row, outcome, now)

    async def _apply_outcome(
        self, session: Session, row: NudgeSend, outcome: SendOutcome, now: datetime
    ) -> None:
        row.lease_until = None
        if outcome.status is NudgeStatus.SENT:
            row.status, row.sent_at, row.message_id = NudgeStatus.SENT, now, outcome.message_id
            if row.prompt_id is not None and outcome.message_id is not None:
                await repo.record_receipt(session, row.prompt_id, outcome.message_id)
        elif outcome.status is NudgeStatus.UNSURE:
            row.status, row.error = NudgeStatus.UNSURE, outcome.error[:200]
        elif outcome.status is NudgeStatus.BLOCKED:
            row.status = NudgeStatus.BLOCKED
            await self._withdraw(session, row)
            learner = await repo.get_learner(session, row.learner_id)
            if learner is not None and learner.active:
                learner.active, learner.ignored_nudges = False, 0
                learner.next_nudge_at = self._plan(learner, now)
        else:
            row.error = outcome.error[:200]
            if outcome.permanent or now + RETRY_SOON - row.due_at > CATCH_UP:
                row.status = NudgeStatus.FAILED
                await self._withdraw(session, row)
            else:
                row.status, row.attempt_at = NudgeStatus.PENDING, now + RETRY_SOON

    @staticmethod
    def _plan(learner: Learner, now: datetime) -> datetime | None:
        return plan(
            learner.reminder_time,
            learner.timezone,
            now,
            active=learner.active,
            paused_until=learner.paused_until,
            last_day=learner.last_nudge_day,
            ignored=learner.ignored_nudges,
        )

    async def set_active(self, user_id: int, active: bool) -> None:
        """Blocked (403, or a my_chat_member update): no more nudges. Unblocked: back on schedule."""
        async with self.sessions() as session, session.begin():
            learner = await repo.get_learner(session, user_id)
            if learner is None or learner.active == active:
                return
            learner.active = active
            learner.ignored_nudges = 0
            learner.next_nudge_at = self._plan(learner, self.clock())

    async def set_reminder(self, user_id: int, text: str | None) -> ReminderSettings:
        """Set the daily nudge time ("18:30", "6pm"...) or, with None, turn nudges off.

        Raises:
            InvalidChoice: when `text` is not a time of day.
        """
        value = None
        if text is not None:
            local = parse_local_time(text)
            if local is None:
                raise InvalidChoice(text)
            value = f"{local:%H:%M}"
        return await self._update(user_id, reminder_time=value, reminder_chosen=True)

    async def set_timezone(self, user_id: int, text: str) -> ZoneChange:
        """Set the learner's zone from what they typed (a zone, a city, an offset) and reschedule."""
        found = parse_timezone(text)
        if found.zone is None or not valid_zone(found.zone):
            return ZoneChange(None, found.suggestions)
        return ZoneChange(await self._update(user_id, timezone=found.zone), [])

    async def pause(self, user_id: int, days_text: str | None) -> ReminderSettings:
        """Pause nudges for a number of days (until that local midnight), or resume with None.

        Raises:
            InvalidChoice: when `days_text` is not a whole number of days in range.
        """
        days = None
        if days_text is not None:
            days = parse_count(days_text)
            if days is None or not MIN_PAUSE_DAYS <= days <= MAX_PAUSE_DAYS:
                raise InvalidChoice(days_text)

        def pause_until(learner: Learner) -> datetime | None:
            if days is None:
                return None
            day = local_date(self.clock(), learner.timezone) + timedelta(days=days)
            return datetime.combine(day, datetime.min.time(), tzinfo=ZoneInfo(learner.timezone))

        async with self.sessions() as session, session.begin():
            learner = await self._learner(session, user_id)
            return await self._apply(session, learner, paused_until=pause_until(learner))

    async def settings(self, user_id: int) -> ReminderSettings | None:
        """The learner's current nudge settings."""
        async with self.sessions() as session:
            learner = await repo.get_learner(session, user_id)
            return settings_of(learner, self.clock()) if learner else None

    async def zone_of(self, user_id: int) -> str:
        """The learner's time zone (the default before they have one)."""
        found = await self.settings(user_id)
        return found.zone if found else self.core.default_timezone

    async def _learner(self, session: Session, user_id: int) -> Learner:
        return await find_or_create(session, user_id, self.core.default_timezone, self.clock())

    async def _apply(self, session: Session, learner: Learner, **changes: object) -> ReminderSettings:
        zone = learner.timezone
        for name, value in changes.items():
            setattr(learner, name, value)
        if learner.timezone != zone:  # today and this week are other days now: count them again
            await recount(session, learner, self.clock())
        learner.ignored_nudges = 0  # changing settings is activity
        learner.next_nudge_at = self._plan(learner, self.clock())
        return settings_of(learner, self.clock())

    async def _update(self, user_id: int, **changes: object) -> ReminderSettings:
        async with self.sessions() as session, session.begin():
            return await self._apply(session, await self._learner(session, user_id), **changes)
