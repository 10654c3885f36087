"""The tutor core as one bundle of services, for a front end's composition root."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import timedelta

from bot.tutor.class_quiz.report import ClassReports
from bot.tutor.class_quiz.rounds import ClassQuiz
from bot.tutor.clock import Clock, system_clock
from bot.tutor.core import Core
from bot.tutor.exam_dates import ExamDates
from bot.tutor.glossary import Glossary
from bot.tutor.homework import Homework
from bot.tutor.mock import MockExams
from bot.tutor.nudging import LEASE, Nudger
from bot.tutor.operations import Operations
from bot.tutor.practice import Practice
from bot.tutor.privacy import KEEP_INACTIVE, Privacy
from bot.tutor.profile import Profiles
from bot.tutor.progress import ProgressReports
from content.schema import Bank
from storage.db import Database, SessionFactory


@dataclass(frozen=True)
class Tutor:
    """Every service of the core, sharing one `Core` (sessions, bank, clock, randomness)."""

    core: Core
    practice: Practice
    profiles: Profiles
    progress: ProgressReports
    nudges: Nudger
    class_quiz: ClassQuiz
    class_reports: ClassReports
    glossary: Glossary
    privacy: Privacy
    homework: Homework
    operations: Operations
    mock: MockExams
    exam_dates: ExamDates
    database: Database | None = None  # set by `open`; None when built over a bare session factory

    @classmethod
    def build(
        cls,
        sessions: SessionFactory,
        bank: Bank,
        default_timezone: str,
        clock: Clock = system_clock,
        rng: random.Random | None = None,
        nudge_lease: timedelta = LEASE,
        keep_inactive: timedelta = KEEP_INACTIVE,
        read_only: SessionFactory | None = None,
    ) -> Tutor:
        """Wire the services over one database, one bank and one clock (`read_only`: sessions for
        units of work that only read)."""
        core = Core(sessions, bank, default_timezone, clock, rng or random.Random(), read_only=read_only)
        practice = Practice(core)
        return cls(
            core=core,
            practice=practice,
            profiles=Profiles(core, practice),
            progress=ProgressReports(core),
            nudges=Nudger(core, practice, nudge_lease),
            class_quiz=ClassQuiz(core),
            class_reports=ClassReports(core),
            glossary=Glossary(bank),
            privacy=Privacy(core, keep_inactive),
            homework=Homework(core, practice, nudge_lease),
            operations=Operations(core),
            mock=MockExams(core, practice),
            exam_dates=ExamDates(core),
        )

    @classmethod
    def open(
        cls,
        database: Database,
        bank: Bank,
        default_timezone: str,
        clock: Clock = system_clock,
        rng: random.Random | None = None,
        nudge_lease: timedelta = LEASE,
        keep_inactive: timedelta = KEEP_INACTIVE,
    ) -> Tutor:
        """The tutor over `database` (call `database.prepare()` before the first unit of work)."""
        built = cls.build(
            database.sessions, bank, default_timezone, clock, rng, nudge_lease, keep_inactive, database.reads
        )
        return replace(built, database=database)

    @property
    def bank(self) -> Bank:
        """The content bank."""
        return self.core.bank
