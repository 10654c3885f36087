"""What the private-loop services return: plain data the front ends render (never database rows)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from bot.tutor.examdate import ExamNote
from bot.tutor.selection import Reason
from content.drills import DrillInstance, Typed
from content.schema import Answerable, Area, ExamQuestion, ExamTip

if TYPE_CHECKING:  # the mock's results import these: only the type is needed here
    from bot.tutor.mock_results import MockStep


class Status(StrEnum):
    """How a request about a prompt turned out."""

    OK = "ok"  # done now
    ALREADY = "already"  # done before: nothing recorded twice
    UNKNOWN = "unknown"  # no such prompt for this learner, or the wrong kind of answer
    NOT_ONBOARDED = "not_onboarded"
    EMPTY = "empty"  # no item the learner can meet
    UNREADABLE = "unreadable"  # a typed answer that is not a number: a hint, not a wrong mark
    WRONG_UNIT = "wrong_unit"  # a typed number in a unit the figure cannot have: named, not marked
    NOT_EXPECTED = "not_expected"  # typed text while no calculation waits for an answer
    REPLACED = "replaced"  # a prompt a newer one replaced before it was answered
    DONE = "done"  # the set is complete: a recap instead of a prompt


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


@dataclass(frozen=True)
class LearnerProfile:
    """A learner's choices, as the front ends show them."""

    id: int
    awarding_body: str | None
    timezone: str
    reminder_time: str | None
    reminder_chosen: bool
    focus_area: str | None
    daily_goal: int | None
    quiz_named: bool
    started: bool  # has sent /start in a private chat (a class answer alone does not count)
    set_size: int
    class_consent: bool = False  # class quiz answers join their own record


@dataclass(frozen=True)
class ServedPrompt:
    """A prompt the learner should be shown now."""

    prompt_id: int
    item: Answerable
    reason: Reason
    drill: DrillInstance | None = None  # the numbers drawn for a metric drill
    position: int = 0  # its place in its set ("3/10"), 0 outside a set
    total: int = 0
    missed_points: tuple[str, ...] = ()  # an exam question: the points missed when last answered


@dataclass(frozen=True)
class SetRecap:
    """The end of a set: how it went and what comes next."""

    set_id: int
    served: int
    answered: int
    right: int
    weakest: Area | None  # the area with the most misses in the set (None when nothing was missed)
    back_by_tomorrow: int  # items of the set due again by the end of tomorrow (the learner's time)
    answered_today: int
    daily_goal: int | None
    homework: str | None = None  # the set was homework from this group (its name): now handed in


@dataclass(frozen=True)
class PromptResult:
    """The outcome of asking for the next prompt: a prompt, or (DONE) the recap of a finished set.

    `replaced` are the messages of earlier prompts whose buttons should go: a newer prompt
    replaced them before they were answered.
    """

    status: Status
    prompt: ServedPrompt | None = None
    recap: SetRecap | None = None
    replaced: tuple[int, ...] = ()


@dataclass(frozen=True)
class AnswerResult:
    """The outcome of an answer; `item` and `correct` are set for OK and ALREADY.

    `choice` is what the learner picked: True/False for cards and challenges, the option's
    index into `item.options` for multiple choice, the button index for a drill (or None when
    typed, with `typed` holding the number as typed).
    """

    status: Status
    prompt_id: int = 0
    item: Answerable | None = None
    correct: bool | None = None
    choice: bool | int | None = None
    typed: Typed | None = None
    drill: DrillInstance | None = None
    tip: ExamTip | None = None
    tip_streak: int = 0  # the run of right answers the tip celebrates
    text: str = ""  # for UNREADABLE: what the learner typed
    goal_met: bool = False  # this answer reached the learner's daily goal...
    daily_goal: int = 0  # ...of this many prompts
    awaiting: bool = False  # for NOT_EXPECTED: the latest prompt still waits for a tap
    back_in_set: bool = False  # a miss that comes back before the set ends
    next_due: datetime | None = None  # when the item is due again
    following: PromptResult | None = None  # the next prompt (or the set's recap), served at once
    can_continue: bool = False  # a "Next" button still leads on from this prompt (a calculation)
    mock: MockStep | None = None  # typed text during a mock exam: what the mock made of it


class Stage(StrEnum):
    """Where /start finds a learner."""

    CHOOSE_BODY = "choose_body"
    CHOOSE_REMINDER = "choose_reminder"
    RETURNING = "returning"


@dataclass(frozen=True)
class StartResult:
    """/start: the learner, where they are in set-up, and (returning) their next prompt."""

    profile: LearnerProfile
    stage: Stage
    prompt: PromptResult | None = None


@dataclass(frozen=True)
class CourseResult:
    """A chosen awarding body: whether it changed, and the next prompt when set-up was already done.

    `already_met` of the new course's `course_items` were answered before (nothing is lost).
    """

    profile: LearnerProfile
    changed: bool
    prompt: PromptResult | None = None
    already_met: int = 0
    course_items: int = 0


@dataclass(frozen=True)
class ReminderResult:
    """A chosen reminder time: the first prompt after set-up, or the settings when changed later."""

    profile: LearnerProfile
    first: bool
    settings: ReminderSettings
    prompt: PromptResult | None = None


@dataclass(frozen=True)
class FocusResult:
    """The learner's focus after /focus: an area, or None for the adaptive mix, and the next prompt."""

    area: Area | None
    options: list[Area] = field(default_factory=list)  # for an unknown area: what exists
    prompt: PromptResult | None = None


@dataclass(frozen=True)
class NudgeContent:
    """What a nudge carries: a prompt to answer in place, the learner's streak, sometimes a tip."""

    prompt: ServedPrompt
    streak: int
    tip: ExamTip | None = None
    replaced: tuple[int, ...] = ()  # messages of an unanswered earlier prompt, whose buttons go
    exam: ExamNote | None = None  # the days to the learner's exam and today's focus, if they set a date


class Writing(StrEnum):
    """What became of a message or a tap about a written answer to an exam question."""

    ADDED = "added"  # the message joined the answer being written
    NOTHING_YET = "nothing_yet"  # "done" before anything was written
    TOO_LONG = "too_long"  # the message would take the answer past MAX_ANSWER: not added
    MARKED = "marked"  # marked just now: the points found, with quotes
    AWAITING = "awaiting"  # marked before, waiting for the learner's confirmation
    FLIPPED = "flipped"  # the learner changed one point's mark
    CONFIRMED = "confirmed"  # the marks are recorded (now, or before: `again`)
    GONE = "gone"  # not this learner's, not an exam question, or replaced by a newer prompt


@dataclass(frozen=True)
class MarkedPoint:
    """One marking point of a marked answer."""

    position: int  # 1-based, in scheme order
    text: str
    auto: bool  # what the automatic marking found
    earned: bool  # the mark as it stands (the learner's taps change it)
    quote: str | None = None  # the learner's sentence that earned it (only just after marking)


@dataclass(frozen=True)
class WrittenResult:
    """A written answer's progress: being written, marked, corrected, recorded."""

    status: Writing
    prompt_id: int = 0
    item: ExamQuestion | None = None
    messages: int = 0  # while writing: messages so far...
    words: int = 0  # ...and words
    points: tuple[MarkedPoint, ...] = ()
    again: bool = False  # CONFIRMED before: nothing recorded twice
    flipped: int = 0  # FLIPPED: which point (1-based)
    following: PromptResult | None = None  # CONFIRMED now: the next prompt (or the set's recap)
    next_due: datetime | None = None  # CONFIRMED now: when the question comes back

    @property
    def earned(self) -> int:
        """Points earned as the marks stand."""
        return sum(point.earned for point in self.points)
