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

from bot.tutor.schedule import BACKOFF_AFTER, CATCH_UP, local_date, parse_local_time, plan
from bot.tutor.service import Clock, InvalidChoice, Tutor, goal_met
from storage import repo
from storage.db import SessionFactory
from storage.models import Learner

TIP_EVERY_NTH_NUDGE = 3  # every third nudge also carries an exam tip
MAX_PAUSE_DAYS = 30
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


def settings_of(learner: Learner) -> ReminderSettings:
    """The settings a learner row describes."""
    return ReminderSettings(
        learner.reminder_time,
        learner.timezone,
        learner.paused_until,
        learner.next_nudge_at,
        learner.ignored_nudges >= BACKOFF_AFTER,
    )


class Nudger:
    """Decides who is nudged when; the Telegram side renders and sends."""

    def __init__(self, sessions: SessionFactory, tutor: Tutor, clock: Clock) -> None:
        self.sessions = sessions
        self.tutor = tutor
        self.clock = clock

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

    async def set_timezone(self, user_id: int, zone: str) -> ReminderSettings:
        """Set the learner's IANA zone (already validated) and reschedule."""
        return await self._update(user_id, timezone=zone)

    async def pause(self, user_id: int, days: int | None) -> ReminderSettings:
        """Pause nudges for `days` days (until that local midnight), or resume with None."""
        if days is not None and not 1 <= days <= MAX_PAUSE_DAYS:
            raise InvalidChoice(str(days))
        async with self.sessions() as session:
            learner = await repo.get_learner(session, user_id)
        zone = learner.timezone if learner else self.tutor.default_timezone
        until = None
        if days is not None:
            day = local_date(self.clock(), zone) + timedelta(days=days)
            until = datetime.combine(day, datetime.min.time(), tzinfo=ZoneInfo(zone))
        return await self._update(user_id, paused_until=until)

    async def settings(self, user_id: int) -> ReminderSettings | None:
        """The learner's current nudge settings."""
        learner = await self.tutor.learner(user_id)
        return settings_of(learner) if learner else None

    async def _update(self, user_id: int, **changes: object) -> ReminderSettings:
        async with self.sessions() as session, session.begin():
            learner = await repo.get_learner(session, user_id)
            if learner is None:
                learner = Learner(id=user_id, timezone=self.tutor.default_timezone, created_at=self.clock())
                session.add(learner)
            for name, value in changes.items():
                setattr(learner, name, value)
            learner.ignored_nudges = 0  # changing settings is activity
            learner.next_nudge_at = self._plan(learner, self.clock())
            return settings_of(learner)
