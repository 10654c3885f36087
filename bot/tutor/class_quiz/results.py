"""What the class quiz services return: plain data, and the effects a front end carries out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from bot.tutor.class_quiz.rules import QuizItem, Standing
from content.schema import Area, ConceptCard, ExamQuestion


class QuizStatus(StrEnum):
    """Where a class quiz round is."""

    RUNNING = "running"
    FINISHED = "finished"  # every question asked
    STOPPED = "stopped"  # /quiz stop
    CLOSED = "closed"  # ended by the bot: removed from the group, or a restart came too late


class StartStatus(StrEnum):
    """How /quiz went."""

    OK = "ok"
    NOT_ALLOWED = "not_allowed"  # only admins may start rounds here
    USAGE = "usage"  # arguments it cannot read (or a count out of range)
    RUNNING = "running"  # one round per group at a time
    UNKNOWN_AREA = "unknown_area"
    EMPTY = "empty"
    STOPPED = "stopped"  # /quiz stop ended the running round
    NOTHING_RUNNING = "nothing_running"  # /quiz stop with no round


@dataclass(frozen=True)
class QuizSettings:
    """A group's quiz settings."""

    anyone_can_start: bool
    seconds_per_question: int
    default_count: int
    course: str | None = None  # the class's awarding body id; None: every body


class Setting(StrEnum):
    """What /quizsettings can change, by the word an admin types."""

    ANYONE = "anyone"
    TIME = "time"
    COUNT = "count"
    COURSE = "course"


class SettingsStatus(StrEnum):
    """How /quizsettings (or a course button) went."""

    SHOWN = "shown"  # no arguments: the settings and how to change them
    CHANGED = "changed"  # the new value is in force (or already was)
    REFUSED = "refused"  # a value it cannot read, or out of range: nothing changed
    UNKNOWN = "unknown"  # no such setting: nothing changed
    CHOOSE_COURSE = "choose_course"  # `course` alone: the courses to choose from


@dataclass(frozen=True)
class SettingsResult:
    """The outcome of /quizsettings: what happened to which setting, and the settings now."""

    status: SettingsStatus
    settings: QuizSettings
    setting: Setting | None = None


@dataclass(frozen=True)
class Question:
    """A question of a round, as it is (or will be) put to the group."""

    question_id: int
    round_id: int
    position: int
    total: int
    item: QuizItem
    text: str
    options: list[str]
    correct_option: int
    seconds: int
    buttons: bool  # members answer with buttons under a message (the group bars polls)
    mock: bool = False  # a class mock's question: a plain poll, its answer withheld until the end


@dataclass(frozen=True)
class Delivery:
    """How a front end put a question to the group.

    `ref` is the reference its answers arrive under (a quiz poll's id), None for buttons;
    `message_id` is the message to close when the question ends.
    """

    ref: str | None
    message_id: int
    buttons: bool = False


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
    board: list[tuple[Standing, str]]  # standing and display name: only players with a right answer
    players: int
    others: int  # players not named on the board (no right answer, or below the top places)
    fastest: Fastest | None
    weakest: Area | None
    weakest_accuracy: float | None
    closing_card: ConceptCard | None
    mock: ClassMockResults | None = None  # a class mock's results (instead of the usual board)


@dataclass(frozen=True)
class ClassMockLine:
    """One question of a class mock: its right answer and how many of the class gave it."""

    position: int
    item: QuizItem
    answer: str
    right: int
    answered: int


@dataclass(frozen=True)
class ClassMockResults:
    """A class mock's results: the spread of scores, each area, each question, what to revise."""

    questions: int
    scores: tuple[tuple[int, int], ...]  # (right answers, pupils with that score), best first
    areas: tuple[tuple[Area, int, int], ...]  # (area, right answers, answers)
    lines: tuple[ClassMockLine, ...]
    revise: tuple[Area, ...]
    written: ExamQuestion | None


@dataclass(frozen=True)
class PostQuestion:
    """Put this question to the group now, then report how (`ClassQuiz.posted`)."""

    chat_id: int
    question: Question


@dataclass(frozen=True)
class CloseQuestion:
    """Show that this question has closed: stop its poll, or reveal the answer under its buttons."""

    chat_id: int
    question: Question
    message_id: int


@dataclass(frozen=True)
class PostBoard:
    """The round is over: post its board."""

    chat_id: int
    summary: RoundSummary


@dataclass(frozen=True)
class WithdrawPost:
    """A question went out twice: take this copy down (answers given to it still count)."""

    chat_id: int
    message_id: int


Effect = PostQuestion | CloseQuestion | PostBoard | WithdrawPost


@dataclass(frozen=True)
class CommandResult:
    """The outcome of /quiz (start or stop), with the effects to carry out in order."""

    status: StartStatus
    first: Question | None = None
    area: Area | None = None  # the area the round was asked for
    course: str | None = None  # the class's awarding body the round's items come from (None: every body)
    areas: list[Area] = field(default_factory=list)  # for an unknown area: what exists
    effects: list[Effect] = field(default_factory=list)
    written: bool = False  # a class mock ends with a written question (posted with the results)


@dataclass(frozen=True)
class AnswerOutcome:
    """What a member's poll or button answer did, and the effects to carry out (an early close)."""

    recorded: bool
    effects: list[Effect] = field(default_factory=list)


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
class RoundFigures:
    """One round as the report shows it: numbered within its class (1 is the class's first round)."""

    number: int
    started_on: date  # local date
    players: int  # distinct members who answered (a pseudonymised pupil counts once in their round)
    answers: int
    correct: int

    @property
    def accuracy(self) -> float:
        """Share right (0 before any answer)."""
        return self.correct / self.answers if self.answers else 0.0


@dataclass(frozen=True)
class MissedItem:
    """An item the class got wrong most: the whole question, and the wrong answer most chosen."""

    item: QuizItem
    question: str  # the whole question, as the class saw it
    answers: int
    wrong: int
    common_wrong: str  # the wrong option chosen most often
    common_wrong_count: int  # how many chose it


@dataclass(frozen=True)
class PupilFigures:
    """One pupil who agreed to their class answers counting: their record in the class's rounds."""

    name: str
    answers: int
    correct: int
    areas: dict[str, tuple[int, int]]  # area id -> (answers, right); areas never answered are absent

    @property
    def accuracy(self) -> float:
        """Share right (0 before any answer)."""
        return self.correct / self.answers if self.answers else 0.0


@dataclass(frozen=True)
class ClassReport:
    """The teacher's view of a class, as plain data.

    A new section (homework results, say) is one more field here, defaulting to empty, and one
    more section function in `bot.views.class_report.SECTIONS`.
    """

    chat_id: int
    title: str | None  # the group's name as last seen, None if never seen
    course: str | None  # the awarding body's name when the class has one (the report covers only it)
    made_on: date  # today, in the report's time zone
    areas: list[AreaAccuracy]  # the areas the report covers, in catalogue order
    rounds: list[RoundFigures]  # every round of the class, oldest first
    answers: int
    most_missed: list[MissedItem]
    pupils: list[PupilFigures]  # pupils who agreed, by name
    hidden_players: bool = False  # some answers came from pupils who did not agree (not listed)
    trend_rounds: int = 5  # how many of the latest rounds the trend shows

    @property
    def first_day(self) -> date | None:
        """The first round's date."""
        return self.rounds[0].started_on if self.rounds else None

    @property
    def last_day(self) -> date | None:
        """The latest round's date."""
        return self.rounds[-1].started_on if self.rounds else None

    @property
    def trend(self) -> list[RoundFigures]:
        """The latest rounds, oldest first."""
        return self.rounds[-self.trend_rounds :]
