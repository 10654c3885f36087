"""The learner's profile: set-up, course, reminder choice at set-up, daily goal, focus, quiz name."""

from __future__ import annotations

import re

from bot.tutor.core import Core, InvalidChoice
from bot.tutor.nudging import settings_of
from bot.tutor.practice import Practice
from bot.tutor.record import find_or_create
from bot.tutor.results import (
    CourseResult,
    FocusResult,
    LearnerProfile,
    PromptResult,
    ReminderResult,
    Stage,
    StartResult,
    Status,
)
from bot.tutor.schedule import plan
from bot.tutor.sets import MAX_SET, MIN_SET
from bot.tutor.text import parse_count
from content.schema import ALL_BODIES, Area
from storage import repo
from storage.db import Session
from storage.models import Learner

REMINDER_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
MIN_GOAL, MAX_GOAL = 1, 200  # a daily goal, in prompts
OFF_WORDS = ("off", "none", "0")
MIX_WORDS = ("off", "mix", "all", "none")


def profile_of(learner: Learner) -> LearnerProfile:
    """The plain view of a learner row that front ends receive."""
    return LearnerProfile(
        id=learner.id,
        awarding_body=learner.awarding_body,
        timezone=learner.timezone,
        reminder_time=learner.reminder_time,
        reminder_chosen=learner.reminder_chosen,
        focus_area=learner.focus_area,
        daily_goal=learner.daily_goal,
        quiz_named=learner.quiz_named,
        started=learner.started_at is not None or learner.awarding_body is not None,
        set_size=learner.set_size,
        class_consent=learner.class_consent_at is not None,
    )


def match_area(areas: list[Area], text: str) -> Area | None:
    """The one area `text` names (its id or name, or a part of either), or None."""
    wanted = text.strip().casefold()
    matches = [a for a in areas if wanted in (a.id, a.name.casefold())] or [
        a for a in areas if wanted in a.name.casefold() or wanted in a.id
    ]
    return matches[0] if len(matches) == 1 else None


class Profiles:
    """Set-up and the learner's own choices, each one unit of work (serving a prompt when due)."""

    def __init__(self, core: Core, practice: Practice) -> None:
        self.core = core
        self.practice = practice

    async def _learner(self, session: Session, user_id: int) -> Learner:
        return await find_or_create(session, user_id, self.core.default_timezone, self.core.clock())

    async def start(self, user_id: int) -> StartResult:
        """/start: find or create the learner; a returning learner also gets their next prompt."""
        async with self.core.sessions() as session, session.begin():
            learner = await self._learner(session, user_id)
            if learner.started_at is None:
                learner.started_at = self.core.clock()
            if learner.awarding_body is None:
                return StartResult(profile_of(learner), Stage.CHOOSE_BODY)
            if not learner.reminder_chosen:
                return StartResult(profile_of(learner), Stage.CHOOSE_REMINDER)
            prompt = await self.practice.serve(session, learner, new_set=True)
            return StartResult(profile_of(learner), Stage.RETURNING, prompt)

    async def choose_body(self, user_id: int, body: str) -> CourseResult:
        """Store the learner's awarding body (or "all"); after set-up, a changed course serves a prompt.

        Raises:
            InvalidChoice: for a body the catalogue does not have.
        """
        known = {b.id for b in self.core.bank.catalogue.awarding_bodies} | {ALL_BODIES}
        if body not in known:
            raise InvalidChoice(f"unknown awarding body {body!r}")
        async with self.core.sessions() as session, session.begin():
            learner = await self._learner(session, user_id)
            changed = learner.awarding_body != body
            learner.awarding_body = body
            prompt = None
            if learner.reminder_chosen and changed:
                prompt = await self.practice.serve(session, learner, new_set=True)
            course = {item.id for item in self.core.bank.for_body(body)}
            met = sum(1 for item_id in await repo.met_items(session, user_id) if item_id in course)
            return CourseResult(profile_of(learner), changed, prompt, met, len(course))

    async def choose_reminder(self, user_id: int, local_time: str | None) -> ReminderResult:
        """Store the daily reminder time ("HH:MM", local) or None for "not now".

        The first time (the end of set-up) the result carries the first prompt.

        Raises:
            InvalidChoice: when `local_time` is not a time of day.
        """
        if local_time is not None and not REMINDER_TIME.match(local_time):
            raise InvalidChoice(f"not a time of day: {local_time!r}")
        now = self.core.clock()
        async with self.core.sessions() as session, session.begin():
            learner = await self._learner(session, user_id)
            first = not learner.reminder_chosen and learner.awarding_body is not None  # set-up's last step
            learner.reminder_time = local_time
            learner.reminder_chosen = True
            learner.next_nudge_at = plan(local_time, learner.timezone, now, active=learner.active)
            prompt = await self.practice.serve(session, learner) if first else None
            settings = settings_of(learner, now)
            return ReminderResult(profile_of(learner), first, settings, prompt)

    async def profile(self, user_id: int) -> LearnerProfile | None:
        """The learner's profile, if they have a record."""
        async with self.core.sessions() as session:
            learner = await repo.get_learner(session, user_id)
            return profile_of(learner) if learner else None

    async def set_goal(self, user_id: int, text: str) -> int | None:
        """Set the daily goal from what the learner typed ("10"), or clear it ("off"); returns it.

        Raises:
            InvalidChoice: when `text` is not a number of prompts in range.
        """
        goal = None
        if text.strip().casefold() not in OFF_WORDS:
            goal = parse_count(text)
            if goal is None or not MIN_GOAL <= goal <= MAX_GOAL:
                raise InvalidChoice(f"a daily goal is {MIN_GOAL} to {MAX_GOAL} prompts")
        async with self.core.sessions() as session, session.begin():
            learner = await self._learner(session, user_id)
            learner.daily_goal = goal
            return goal

    async def set_focus(self, user_id: int, text: str | None) -> FocusResult:
        """Drill one area (matched on its id or name) or, with None / "off", return to the mix.

        The result carries the next prompt (for a learner who has set up).
        """
        areas = self.core.bank.areas
        area: Area | None = None
        if text is not None and text.strip().casefold() not in MIX_WORDS:
            area = match_area(areas, text)
            if area is None:
                return FocusResult(None, areas)
        async with self.core.sessions() as session, session.begin():
            learner = await self._learner(session, user_id)
            learner.focus_area = area.id if area else None
            if learner.awarding_body is None:
                return FocusResult(area, prompt=PromptResult(Status.NOT_ONBOARDED))
            return FocusResult(area, prompt=await self.practice.serve(session, learner, new_set=True))

    async def set_size(self, user_id: int, text: str) -> int:
        """Set how many prompts a set holds, from what the learner typed; returns it.

        Raises:
            InvalidChoice: when `text` is not a whole number in range.
        """
        size = parse_count(text)
        if size is None or not MIN_SET <= size <= MAX_SET:
            raise InvalidChoice(f"a set is {MIN_SET} to {MAX_SET} prompts")
        async with self.core.sessions() as session, session.begin():
            learner = await self._learner(session, user_id)
            learner.set_size = size
            return size

    async def set_quiz_named(self, user_id: int, named: bool) -> None:
        """/quizname on|off: whether the learner's first name appears on class quiz boards."""
        async with self.core.sessions() as session, session.begin():
            learner = await self._learner(session, user_id)
            learner.quiz_named = named
