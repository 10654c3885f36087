"""Daily nudges: the durable schedule, the sweep's decisions, and the learner's nudge settings.

Each learner's next nudge is a UTC timestamp in their row. A sweep claims due rows in one
transaction (advancing each row to its next nudge before anything is sent), so a restart between
claiming and sending can lose a nudge but never send one twice, and never two on one local day.
A send that finally fails is released back to be retried by the next sweep.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.tutor.core import Core, InvalidChoice
from bot.tutor.record import find_or_create, goal_met
from bot.tutor.schedule import (
    BACKOFF_AFTER,
    CATCH_UP,
    local_date,
    parse_local_time,
    parse_timezone,
    plan,
    valid_zone,
)
from bot.tutor.text import parse_count
from bot.tutor.tips import TIP_EVERY_NTH_NUDGE
from storage import repo
from storage.db import Session
from storage.models import Learner

MIN_PAUSE_DAYS, MAX_PAUSE_DAYS = 1, 30
RETRY_SOON = timedelta(minutes=1)  # a nudge whose send failed is tried again at the next sweep


@dataclass(frozen=True)
class NudgeTask:
    """One nudge to send now."""

    learner_id: int
    due_at: datetime  # when it was due (to release it if sending fails)
    previous_day: str | None
    backoff_notice: bool  # say, once, that nudges are now every other day
    with_tip: bool


@dataclass(frozen=True)
class SweepCounts:
    """What one claim pass decided."""

    claimed: int = 0
    skipped_stale: int = 0  # more than CATCH_UP late: moved to the next day without sending
    skipped_goal: int = 0  # the day's goal is already met: nothing pushed


@dataclass(frozen=True)
class ReminderSettings:
    """A learner's nudge settings, to show them back in their own words."""

    reminder: str | None
    zone: str
    paused_until: datetime | None
    next_at: datetime | None
    every_other_day: bool


@dataclass(frozen=True)
class ZoneChange:
    """/timezone: the new settings, or (zone unknown) the nearest real zones."""

    settings: ReminderSettings | None
    suggestions: list[str]


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


async def settings_of(session: Session, learner: Learner, now: datetime) -> ReminderSettings:
    """The settings a learner row describes, with the next nudge as the sweep will really send it."""
    met = await goal_met(session, learner, now) if learner.daily_goal else False
    return ReminderSettings(
        learner.reminder_time,
        learner.timezone,
        learner.paused_until,
        _next_nudge(learner, now, met),
        learner.ignored_nudges >= BACKOFF_AFTER,
    )


class Nudger:
    """Decides who is nudged when; the front end renders and sends."""

    def __init__(self, core: Core) -> None:
        self.core = core
        self.sessions = core.sessions
        self.clock = core.clock

    async def claim_due(self, now: datetime, limit: int = 500) -> tuple[list[NudgeTask], SweepCounts]:
        """Claim up to `limit` nudges due at `now`: decide each, advance its schedule, commit.

        Call again (with the same `now`) until it returns no tasks and no skips.
        """
        tasks: list[NudgeTask] = []
        stale = goal = 0
        async with self.sessions() as session, session.begin():
            for learner in await repo.due_nudges(session, now, limit):
                due = learner.next_nudge_at
                assert due is not None
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
                if await goal_met(session, learner, now):
                    goal += 1
                    learner.last_nudge_day = today
                    learner.next_nudge_at = self._plan(learner, now)
                    continue
                notice = learner.ignored_nudges >= BACKOFF_AFTER and not learner.backoff_notified
                learner.backoff_notified = learner.backoff_notified or notice
                previous = learner.last_nudge_day
                learner.last_nudge_at, learner.last_nudge_day = now, today
                learner.nudges_sent += 1
                learner.next_nudge_at = self._plan(learner, now)
                tasks.append(
                    NudgeTask(
                        learner.id, due, previous, notice, learner.nudges_sent % TIP_EVERY_NTH_NUDGE == 0
                    )
                )
        return tasks, SweepCounts(len(tasks), stale, goal)

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

    async def release(self, task: NudgeTask) -> None:
        """A nudge that could not be sent: tried again at the next sweep while it is under two hours late."""
        now = self.clock()
        async with self.sessions() as session, session.begin():
            learner = await repo.get_learner(session, task.learner_id)
            if learner is None or not learner.active:
                return
            learner.last_nudge_day = task.previous_day
            learner.nudges_sent = max(0, learner.nudges_sent - 1)
            retry = now + RETRY_SOON
            stale = retry - task.due_at > CATCH_UP
            learner.next_nudge_at = self._plan(learner, now) if stale else retry

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
            return await settings_of(session, learner, self.clock()) if learner else None

    async def zone_of(self, user_id: int) -> str:
        """The learner's time zone (the default before they have one)."""
        found = await self.settings(user_id)
        return found.zone if found else self.core.default_timezone

    async def _learner(self, session: Session, user_id: int) -> Learner:
        return await find_or_create(session, user_id, self.core.default_timezone, self.clock())

    async def _apply(self, session: Session, learner: Learner, **changes: object) -> ReminderSettings:
        for name, value in changes.items():
            setattr(learner, name, value)
        learner.ignored_nudges = 0  # changing settings is activity
        learner.next_nudge_at = self._plan(learner, self.clock())
        return await settings_of(session, learner, self.clock())

    async def _update(self, user_id: int, **changes: object) -> ReminderSettings:
        async with self.sessions() as session, session.begin():
            return await self._apply(session, await self._learner(session, user_id), **changes)
