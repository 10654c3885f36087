"""SQLModel tables: learners, their memory of each item, prompts sent, the answer log, class quiz rounds.

Enumerations (where an answer was given, how a round ended) belong to the core; the tables store
their values as short strings.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import BigInteger, Column, DateTime, Index, String, TypeDecorator, false
from sqlmodel import Field, SQLModel


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as naive UTC (SQLite has no zones) and reads them back aware."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:  # noqa: ARG002
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:  # noqa: ARG002
        return None if value is None else value.replace(tzinfo=UTC)


def fresh_tag() -> int:
    """A new `Learner.memory_tag`."""
    return secrets.randbits(62)


def _utc_column(*, nullable: bool = True, index: bool = False) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


class Learner(SQLModel, table=True):
    """One Telegram user who revises with Retain."""

    id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    awarding_body: str | None = None  # a body id, "all", or None until chosen
    timezone: str
    reminder_time: str | None = None  # "HH:MM" local time, None for no reminder
    reminder_chosen: bool = False  # the learner answered the reminder question (time or "not now")
    focus_area: str | None = None  # a topic area the learner chose to drill (/focus), None: the adaptive mix
    daily_goal: int | None = None  # prompts a day the learner aims for (/goal), None: no goal
    streak_days: int = 0  # days in a row with an answer, in the learner's zone...
    streak_day: str | None = None  # ...ending on this local date (ISO)
    # Nudges. The database is the source of truth for time: next_nudge_at is NULL unless a nudge
    # is scheduled (reminder on, not blocked), so the sweep reads one index.
    active: bool = True  # False once the learner blocked the bot
    next_nudge_at: datetime | None = _utc_column(index=True)
    last_nudge_at: datetime | None = _utc_column()
    last_nudge_day: str | None = None  # the local date (ISO) of the latest nudge
    nudges_sent: int = 0
    ignored_nudges: int = 0  # nudges in a row with no activity after them
    backoff_notified: bool = False
    paused_until: datetime | None = _utc_column()
    last_active_at: datetime | None = _utc_column()
    quiz_named: bool = True  # False after /quizname off: shown as "a classmate" on boards
    started_at: datetime | None = _utc_column()  # sent /start in a private chat (None: a class answer only)
    set_size: int = Field(default=10, sa_column_kwargs={"server_default": "10"})  # prompts in a set
    current_set_id: int | None = None  # the set being worked through, if any
    live_prompt_id: int | None = None  # the latest prompt served: the only one whose buttons are live
    class_consent_at: datetime | None = _utc_column()  # agreed that class quiz answers join their record
    created_at: datetime = _utc_column(nullable=False)
    # Counts kept up to date as each answer is recorded (in its transaction), so that no answer log
    # is read for them: right answers in a row (the latest answers, in the order recorded), and the
    # answers on one local day and in one local week (Monday to Sunday) of the learner's zone.
    right_run: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    answers_day: str | None = None  # the local date (ISO) answers_on_day counts for
    answers_on_day: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    answers_week: str | None = None  # the Monday (ISO) of the local week answers_in_week counts for
    answers_in_week: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # A new random number whenever the learner's item states change, in the same transaction
    # (`repo.save_item_state` sets it): a copy of them kept with this tag is what the database holds.
    memory_tag: int = Field(
        default_factory=fresh_tag, sa_column=Column(BigInteger, nullable=False, server_default="0")
    )
    exam_date: str | None = Field(default=None, sa_type=String(10))  # the learner's exam day (ISO), /exam


class ItemState(SQLModel, table=True):
    """A learner's memory of one content item, as stored (the core reads it as `ItemMemory`)."""

    learner_id: int = Field(sa_column=Column(BigInteger, primary_key=True))
    item_id: str = Field(primary_key=True)
    seen: int = 0
    correct: int = 0
    wrong: int = 0
    streak: int = 0  # right answers in a row
    last_answered_at: datetime | None = _utc_column()
    due_at: datetime | None = _utc_column()
    # FSRS memory state (fsrs.Card): state, learning step, stability (days), difficulty.
    fsrs_state: int | None = None
    fsrs_step: int | None = None
    stability: float | None = None
    difficulty: float | None = None

    __table_args__ = (Index("ix_itemstate_learner_due", "learner_id", "due_at"),)


class Prompt(SQLModel, table=True):
    """One prompt sent to a learner; answers are deduplicated on it, never on update ids."""

    id: int | None = Field(default=None, primary_key=True)
    learner_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    item_id: str
    kind: str
    context: str = Field(default="private", sa_type=String(16))  # where it was sent: private, nudge, group
    sent_at: datetime = _utc_column(nullable=False)
    revealed: bool = False
    revealed_at: datetime | None = _utc_column()
    answered_at: datetime | None = _utc_column()
    correct: bool | None = None
    followed_up: bool = False  # a "Next" from this prompt was already served
    params: str | None = None  # a drill's drawn numbers, as JSON, so its answer can be checked later
    choice: str | None = None  # what the learner chose: "t"/"f", an option or button index, "=42.5" typed
    set_id: int | None = None  # the set it belongs to, and its place there
    position: int | None = None
    message_id: int | None = None  # where it was shown (a delivery receipt), to take its buttons away
    # Replaced by a newer prompt before it was answered: its buttons are gone.
    superseded: bool = Field(default=False, sa_column_kwargs={"server_default": false()})

    __table_args__ = (
        Index("ix_prompt_learner_id", "learner_id", "id"),
        Index("ix_prompt_set", "set_id", "id"),
    )


class Answer(SQLModel, table=True):
    """The append-only answer log: one row per answered prompt."""

    id: int | None = Field(default=None, primary_key=True)
    learner_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    item_id: str
    kind: str
    correct: bool
    answered_at: datetime = _utc_column(nullable=False)
    context: str = Field(sa_type=String(16))  # private, nudge or group
    prompt_id: int | None = Field(default=None, unique=True)

    __table_args__ = (
        Index("ix_answer_learner_time", "learner_id", "answered_at"),
        Index("ix_answer_learner_id", "learner_id", "id"),  # a learner's latest answers, newest first
    )


class PracticeSet(SQLModel, table=True):
    """A set of prompts with an end: N prompts, the misses among them retried before it ends."""

    id: int | None = Field(default=None, primary_key=True)
    learner_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    size: int  # prompts asked for
    total: int  # planned length: the size, extended when a late miss needs its retry
    source: str = Field(default="private", sa_type=String(16))  # private, nudge or homework
    started_at: datetime = _utc_column(nullable=False)
    ended_at: datetime | None = _utc_column()
    # What a homework set draws on: its class's course (an awarding body id, or "all") and area.
    # None: the learner's own course and focus.
    course: str | None = Field(default=None, sa_type=String(16))
    area: str | None = Field(default=None, sa_type=String(64))
    ends_at: datetime | None = _utc_column()  # a timed set's (a mock exam's) end; None: untimed


class ExamDraft(SQLModel, table=True):
    """A written answer to an exam question while the learner is still writing it.

    The only place a learner's own words are kept, and only until the answer is marked: marking
    deletes the row in the same transaction that records which points were earned (`ExamMark`).
    """

    prompt_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    learner_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    text: str = ""
    messages: int = 0
    started_at: datetime = _utc_column(nullable=False)
    updated_at: datetime = _utc_column(nullable=False)


class ExamMark(SQLModel, table=True):
    """One marking point of a marked written answer: what the marker found, and the learner's word.

    `auto` is the automatic mark; `earned` starts equal to it and follows the learner's taps
    (self-assessment is the final word). Recorded into memory once the learner confirms or moves on
    (`Prompt.answered_at`).
    """

    prompt_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    point_id: str = Field(primary_key=True, sa_type=String(48))
    position: int  # the point's place in the scheme, 1-based
    auto: bool
    earned: bool


class NudgeSend(SQLModel, table=True):
    """One day's nudge for one learner, from the moment it is due until Telegram confirms it (an outbox).

    status: pending (to send at `attempt_at`), sending (leased until `lease_until`: a crash leaves
    it to be sent again once the lease runs out), sent (confirmed), unsure (the send timed out:
    Telegram probably delivered it, so it is not sent again), failed, blocked or skipped.
    """

    id: int | None = Field(default=None, primary_key=True)
    learner_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    local_day: str  # the learner's date it is for (ISO): one nudge a day, by this unique key
    due_at: datetime = _utc_column(nullable=False)
    status: str = Field(default="pending", sa_type=String(16))
    attempt_at: datetime = _utc_column(nullable=False)
    lease_until: datetime | None = _utc_column()
    attempts: int = 0
    backoff_notice: bool = False
    with_tip: bool = False
    prompt_id: int | None = None
    message_id: int | None = None
    sent_at: datetime | None = _utc_column()
    error: str | None = None

    __table_args__ = (
        Index("ux_nudgesend_learner_day", "learner_id", "local_day", unique=True),
        Index("ix_nudgesend_status_attempt", "status", "attempt_at"),
        Index("ix_nudgesend_prompt", "prompt_id"),
    )


class TipShown(SQLModel, table=True):
    """Which exam tips a learner has been shown, so they rotate instead of repeating."""

    learner_id: int = Field(sa_column=Column(BigInteger, primary_key=True))
    tip_id: str = Field(primary_key=True)
    shown_at: datetime = _utc_column(nullable=False)


class GroupSettings(SQLModel, table=True):
    """A class group's quiz settings (/quizsettings)."""

    chat_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    anyone_can_start: bool = False
    seconds_per_question: int = 30
    default_count: int = 10
    course: str | None = Field(default=None, sa_type=String(16))  # awarding body id; None: every body
    title: str | None = Field(default=None, sa_type=String(128))  # the group's name, as last seen


class QuizRound(SQLModel, table=True):
    """One quiz round in a group; its state lives here so a restart resumes it."""

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    started_by: int = Field(sa_column=Column(BigInteger, nullable=False))
    started_at: datetime = _utc_column(nullable=False)
    ended_at: datetime | None = _utc_column()
    status: str = Field(
        default="running", sa_type=String(16), index=True
    )  # running, finished, stopped, closed
    area: str | None = None
    seconds_per_question: int = 30
    buttons: bool = False  # polls are not allowed in this group: inline buttons instead
    kind: str = Field(
        default="round", sa_type=String(16), sa_column_kwargs={"server_default": "round"}
    )  # round, or mock (a class mock exam: answers withheld until the end)
    exam_item: str | None = Field(default=None, sa_type=String(48))  # a class mock's written question


class QuizQuestion(SQLModel, table=True):
    """One question of a round; poll_answer updates are mapped to it by poll id."""

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(index=True)
    position: int  # 1-based
    item_id: str
    options: str  # the options as shown, JSON
    correct_option: int
    poll_id: str | None = Field(default=None, index=True, unique=True)
    message_id: int | None = None
    sent_at: datetime | None = _utc_column()
    closes_at: datetime | None = _utc_column(index=True)
    closed: bool = False
    posting_until: datetime | None = _utc_column()  # being posted: no one else posts it meanwhile


class WaitingPollAnswer(SQLModel, table=True):
    """A poll answer whose poll the round does not know yet (it arrived before the poll was recorded,
    or the send timed out); it is counted once the poll is matched to its question."""

    poll_id: str = Field(primary_key=True)
    user_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    name: str
    option: int
    answered_at: datetime = _utc_column(nullable=False)


class DuplicatePoll(SQLModel, table=True):
    """A second copy of a question that went out (two instances posting it at once): it is taken
    down, and answers given to it meanwhile count for the question."""

    poll_id: str = Field(primary_key=True)
    question_id: int = Field(index=True)


class QuizAnswer(SQLModel, table=True):
    """A member's answer to a question: one per member and question.

    While the round runs, `user_id` is the member's Telegram id and `name` their first name. When
    the round ends (`bot.tutor.class_quiz.board.finish`), a pupil who has not agreed that class
    answers join their own record (`Learner.class_consent_at`) keeps neither: `name` becomes
    "a classmate" and `user_id` a **negative** pseudonym, distinct per pupil within the round and
    never shared with another round (so answers and players can be counted per round, but the same
    pupil in two rounds counts as two). `/forget` leaves a negative stand-in too. Only answers of
    pupils who agreed keep a positive Telegram id after their round.
    """

    question_id: int = Field(primary_key=True)
    user_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    name: str  # shown on the board (unless the member chose /quizname off); "a classmate" after the round
    option: int
    correct: bool
    points: int
    seconds: float
    answered_at: datetime = _utc_column(nullable=False)


class Homework(SQLModel, table=True):
    """Homework a teacher set in a class group (/homework): a set of prompts for each pupil who agreed."""

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    title: str | None = Field(default=None, sa_type=String(128))  # the group's name when it was set
    set_by: int = Field(sa_column=Column(BigInteger, nullable=False))
    size: int  # prompts in each pupil's set
    course: str | None = Field(default=None, sa_type=String(16))  # the class's course then (None: all)
    area: str | None = Field(default=None, sa_type=String(64))  # a topic area id, None: every area
    due_at: datetime = _utc_column(nullable=False)  # the end of the due day, teacher's zone
    timezone: str = Field(sa_type=String(64))  # the zone the due date was read in (the teacher's)
    created_at: datetime = _utc_column(nullable=False)
    cancelled_at: datetime | None = _utc_column()


class HomeworkPupil(SQLModel, table=True):
    """One pupil's copy of a homework, from enrolment until it is done (an outbox, like `NudgeSend`).

    status: waiting (opened the group's link but has not agreed yet), pending (to send at
    `attempt_at`), sending (leased until `lease_until`: a crash leaves it to be sent again once the
    lease runs out), sent (confirmed), unsure (the send timed out: Telegram probably delivered it,
    so it is not sent again), failed, blocked, or cancelled (the homework was, before it was sent).
    Once delivered, `lease_until` leases the reminder instead.
    """

    id: int | None = Field(default=None, primary_key=True)
    homework_id: int = Field(nullable=False)
    learner_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    name: str | None = Field(default=None, sa_type=String(128))  # as the teacher's report shows them
    status: str = Field(default="pending", sa_type=String(16))
    attempt_at: datetime = _utc_column(nullable=False)
    lease_until: datetime | None = _utc_column()
    attempts: int = 0
    set_id: int | None = Field(default=None, index=True)
    prompt_id: int | None = None  # the set's first prompt (sent again, the same, after a crash)
    delivered_at: datetime | None = _utc_column()
    remind_at: datetime | None = _utc_column()  # None: no reminder (set too close to the deadline)
    reminded_at: datetime | None = _utc_column()
    completed_at: datetime | None = _utc_column()
    answered: int = 0
    right: int = 0
    error: str | None = None

    __table_args__ = (
        Index("ux_homeworkpupil_homework_learner", "homework_id", "learner_id", unique=True),
        Index("ix_homeworkpupil_status_attempt", "status", "attempt_at"),
        Index("ix_homeworkpupil_remind", "remind_at"),
    )


class MockExam(SQLModel, table=True):
    """A learner's mock exam (a timed `PracticeSet` of source "mock"): its questions, chosen at the
    start, and the results' outbox once time runs out.

    status: running (questions being answered), done (ended with the results shown in reply),
    abandoned, then for a mock whose time ran out with no one there: sending (leased until
    `lease_until`: a crash leaves it to be sent again), sent, unsure (the send timed out: never sent
    again), failed or blocked.
    """

    set_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    learner_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    plan: str  # the questions' item ids in order, JSON
    status: str = Field(default="running", sa_type=String(16))
    ends_at: datetime = _utc_column(nullable=False)  # time up: the sweep sends the results after it
    ended_at: datetime | None = _utc_column()
    lease_until: datetime | None = _utc_column()
    attempts: int = 0

    __table_args__ = (Index("ix_mockexam_status_ends", "status", "ends_at"),)
