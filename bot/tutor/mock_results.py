"""What the mock exam service returns: plain data the front ends render."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.tutor.results import MarkedPoint
from content.drills import DrillInstance, Typed
from content.schema import Answerable, Area


class MockStatus(StrEnum):
    """How a request about a mock exam turned out."""

    OFFER = "offer"  # no mock running: what one would be, with Start
    RUNNING = "running"  # /mock while one runs: its time left, carry on or abandon
    QUESTION = "question"  # the next (or current) question
    RESULTS = "results"  # the mock ended: its results
    TIME_UP = "time_up"  # an answer after the end: not counted; the results
    ENDED = "ended"  # /mock, Start or Carry on after the time ran out: the results
    ALREADY = "already"  # a double tap: nothing new
    NOTED = "noted"  # a message of the written answer, kept until "done"
    TOO_LONG = "too_long"  # a message that would take the written answer past its limit: not added
    POINTER = "pointer"  # text while the question needs a tap
    UNREADABLE = "unreadable"  # a calculation's typed answer that is not a number
    WRONG_UNIT = "wrong_unit"  # a number in a unit the figure cannot have
    ABANDONED = "abandoned"
    NONE = "none"  # nothing running to carry on or abandon
    NOT_ONBOARDED = "not_onboarded"
    EMPTY = "empty"  # the learner's course has nothing to set
    UNKNOWN = "unknown"  # not this learner's, or not a question of a mock


@dataclass(frozen=True)
class MockOffer:
    """A mock exam as it would be set: its questions by kind, marks and time."""

    questions: int
    marks: int
    minutes: int
    kinds: tuple[tuple[str, int], ...]  # item kind value, how many
    written: bool  # ends with a written answer
    most_marks: int = 0  # the marks when the written question drawn carries the most (0: as `marks`)


@dataclass(frozen=True)
class MockQuestion:
    """A question of a running mock, as the learner should see it now."""

    prompt_id: int
    item: Answerable
    position: int
    total: int
    seconds_left: int
    drill: DrillInstance | None = None
    revealed: bool = False  # a recall card whose answer is shown (waiting for knew it / not yet)
    written: int = 0  # messages of a written answer received so far


@dataclass(frozen=True)
class MockLine:
    """One question of a finished mock: what the learner gave, and what was right."""

    position: int
    item: Answerable
    answered: bool
    correct: bool | None
    choice: bool | int | None = None
    typed: Typed | None = None
    drill: DrillInstance | None = None
    marks: int = 1
    earned: int = 0
    points: tuple[MarkedPoint, ...] = ()  # a written answer's points, as marked
    prompt_id: int = 0
    confirmable: bool = False  # a written answer whose marks wait for the learner's word


@dataclass(frozen=True)
class AreaScore:
    """Marks earned and available in one topic area."""

    area: Area
    earned: int
    available: int

    @property
    def share(self) -> float:
        """Earned over available (0 when nothing was available)."""
        return self.earned / self.available if self.available else 0.0


@dataclass(frozen=True)
class MockResults:
    """A finished mock: score, per-area breakdown, every question with its answer, what to revise."""

    set_id: int
    earned: int
    available: int
    lines: tuple[MockLine, ...]
    areas: tuple[AreaScore, ...]
    revise: tuple[Area, ...]
    timed_out: bool  # time ran out before every question was answered
    minutes: int

    @property
    def percent(self) -> int:
        """The score as a whole percentage."""
        return round(100 * self.earned / self.available) if self.available else 0


@dataclass(frozen=True)
class MockStep:
    """The outcome of a mock exam request."""

    status: MockStatus
    question: MockQuestion | None = None
    results: MockResults | None = None
    offer: MockOffer | None = None
    seconds_left: int = 0
    replaced: tuple[int, ...] = ()  # messages of prompts whose buttons should go
    text: str = ""  # UNREADABLE: what was typed
    item: Answerable | None = None  # UNREADABLE, WRONG_UNIT: the calculation
    typed: Typed | None = None  # WRONG_UNIT: the number typed


@dataclass(frozen=True)
class MockDelivery:
    """Results the sweep sends: a mock whose time ran out with its learner away."""

    set_id: int
    learner_id: int
    results: MockResults
    replaced: tuple[int, ...] = ()


@dataclass(frozen=True)
class MockSendOutcome:
    """How sending one mock's results went: sent, unsure, blocked or failed."""

    set_id: int
    status: str
    permanent: bool = False
