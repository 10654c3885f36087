"""/exam: the learner's exam date, set, shown or cleared, one unit of work each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.tutor.core import Core
from bot.tutor.deadlines import DateProblem
from bot.tutor.examdate import OFF_WORDS, parse_exam_date, plan_of
from bot.tutor.record import find_or_create
from bot.tutor.schedule import local_date
from storage import repo
from storage.models import Learner


@dataclass(frozen=True)
class ExamDate:
    """A learner's exam date as /exam shows it, or why what they typed was refused."""

    day: date | None  # None: no date set
    today: date  # the learner's local today
    problem: DateProblem | None = None  # set when what they typed was refused (nothing changed)
    typed: str = ""
    changed: bool = False  # this update set or cleared it

    @property
    def days_left(self) -> int | None:
        """Days from today to the exam day (negative once it has passed)."""
        return None if self.day is None else (self.day - self.today).days


class ExamDates:
    """Reads and sets learners' exam dates."""

    def __init__(self, core: Core) -> None:
        self.core = core

    def _of(
        self,
        learner: Learner | None,
        *,
        problem: DateProblem | None = None,
        typed: str = "",
        changed: bool = False,
    ) -> ExamDate:
        now = self.core.clock()
        zone = learner.timezone if learner is not None else self.core.default_timezone
        plan = plan_of(learner.exam_date if learner is not None else None, zone, now)
        day = plan.day if plan is not None else None
        return ExamDate(day, local_date(now, zone), problem=problem, typed=typed, changed=changed)

    async def show(self, user_id: int) -> ExamDate:
        """The learner's exam date (None before they set one)."""
        async with self.core.sessions() as session, session.begin():
            return self._of(await repo.get_learner(session, user_id))

    async def set(self, user_id: int, text: str) -> ExamDate:
        """Set the exam date from what the learner typed ("12 March", "2027-03-12", "12/03/2027",
        "in 6 weeks"), or clear it ("off"). A date that cannot be read, has passed or is too far
        ahead changes nothing and says why (`problem`)."""
        async with self.core.sessions() as session, session.begin():
            learner = await find_or_create(session, user_id, self.core.default_timezone, self.core.clock())
            if text.strip().casefold() in OFF_WORDS:
                changed = learner.exam_date is not None
                learner.exam_date = None
                return self._of(learner, changed=changed)
            read = parse_exam_date(text, local_date(self.core.clock(), learner.timezone))
            if read.day is None:
                return self._of(learner, problem=read.problem, typed=text)
            learner.exam_date = read.day.isoformat()
            return self._of(learner, changed=True)
