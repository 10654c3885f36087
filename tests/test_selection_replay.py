"""The adaptive behaviour, pinned: seeded learners driven through the tutor's services by a fixed script
on the shipped bank choose exactly the recorded items.

Three learners revise for eight days on a fake clock: sets on their own (with reveals, typed and
tapped calculations, a /next over an open prompt, "another set" on the same evening), a daily
nudge, a /focus and back, a daily goal, a change of course and of time zone, and class quiz answers
(one of them given before its poll was known). What each step served (item, why, place in the
set), what each answer earned, each recap and each evening's /stats were recorded in
`tests/data/selection_replay.json` on the code as it was before the selection path was rewritten
for speed; the code now must give the same transcript, float for float.

Write the transcript again (only when a change of behaviour is intended and explained):
    .venv/bin/python -m tests.test_selection_replay
"""

from __future__ import annotations

import asyncio
import json
import random
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.config import CONTENT_DIR
from bot.tutor.class_quiz.results import Delivery, PostQuestion
from bot.tutor.nudging import NudgeStatus, SendOutcome
from bot.tutor.results import AnswerResult, PromptResult, ServedPrompt, Status
from bot.tutor.tutor import Tutor
from content.loader import load_bank
from content.schema import Bank, ConceptCard, ExamQuestion, MetricDrill, MultipleChoice, TrueFalse
from storage.db import Database

FIXTURE = Path(__file__).parent / "data" / "selection_replay.json"
START = datetime(2026, 1, 12, tzinfo=UTC)  # a Monday; London is on UTC in January
DAYS = 8
GROUP, TEACHER = -100_500, 4_999


@dataclass
class Script:
    """One learner's plan: who they are and what they do on which day."""

    user: int
    body: str
    seed: int
    hour: float  # when the evening's set starts (UTC)
    ability: dict[str, float] = field(default_factory=dict)  # chance of a right answer, per area
    reminder: str | None = None  # a daily nudge at this local time
    goal: str | None = None
    focus: dict[int, str | None] = field(default_factory=dict)  # day: /focus area (None: off)
    course: dict[int, str] = field(default_factory=dict)  # day: a new awarding body
    zone: dict[int, str] = field(default_factory=dict)  # day: /timezone
    second_set: tuple[int, ...] = ()  # days with "another set" two hours later
    class_quiz: bool = False  # agrees that class answers join their record, and answers rounds


SCRIPTS = [
    Script(
        5001,
        "all",
        1,
        18.0,
        {"retention": 0.55, "satisfaction": 0.9},
        course={6: "icq"},
        second_set=(2, 5),
    ),
    Script(
        5002,
        "icq",
        2,
        19.5,
        {"crm": 0.5},
        goal="12",
        focus={3: "satisfaction", 5: None},
        zone={4: "Asia/Tokyo"},
    ),
    Script(5003, "pearson", 3, 17.0, {"complaints": 0.6}, reminder="07:30", class_quiz=True),
]


class Clock:
    """The fake time every service reads."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def pass_(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class Replay:
    """Drives the learners and writes down what the tutor did."""

    def __init__(self, tutor: Tutor, clock: Clock) -> None:
        self.tutor = tutor
        self.clock = clock
        self.log: list[Any] = []
        self.rng = {s.user: random.Random(s.seed) for s in SCRIPTS}
        self.messages = 1000

    def note(self, user: int, text: str) -> None:
        self.log.append(f"{self.clock.now:%d %H:%M:%S} {user} {text}")

    def served(self, user: int, result: PromptResult | None, how: str) -> ServedPrompt | None:
        if result is None:
            self.note(user, f"{how}: nothing")
            return None
        if result.status is Status.DONE and result.recap is not None:
            r = result.recap
            weakest = r.weakest.id if r.weakest else "-"
            self.note(
                user,
                f"{how}: recap served={r.served} answered={r.answered} right={r.right} weakest={weakest} "
                f"back={r.back_by_tomorrow} today={r.answered_today}",
            )
            return None
        prompt = result.prompt
        if prompt is None:
            self.note(user, f"{how}: {result.status}")
            return None
        self.note(
            user,
            f"{how}: {prompt.item.id} {prompt.reason} {prompt.position}/{prompt.total} "
            f"replaced={len(result.replaced)}",
        )
        return prompt

    def answered(self, user: int, result: AnswerResult, right: bool) -> None:
        tip = result.tip.id if result.tip else "-"
        due = result.next_due.isoformat() if result.next_due else "-"
        self.note(
            user,
            f"answer {'right' if right else 'wrong'}: {result.status} correct={result.correct} "
            f"goal_met={result.goal_met} back_in_set={result.back_in_set} tip={tip}/{result.tip_streak} "
            f"due={due}",
        )

    async def answer(self, script: Script, prompt: ServedPrompt) -> ServedPrompt | None:
        """Answer a prompt as the script says; the next prompt of the set, if one followed."""
        practice, user, rng = self.tutor.practice, script.user, self.rng[script.user]
        item = prompt.item
        right = rng.random() < script.ability.get(item.area, 0.75)
        self.clock.pass_(rng.uniform(8, 40))
        if isinstance(item, ConceptCard):
            if rng.random() < 0.4:
                await practice.reveal(user, prompt.prompt_id)
                self.clock.pass_(rng.uniform(2, 12))
            result = await practice.answer(user, prompt.prompt_id, item.kind, right)
        elif isinstance(item, TrueFalse):
            result = await practice.answer(user, prompt.prompt_id, item.kind, item.answer == right)
        elif isinstance(item, MultipleChoice):
            result = await practice.answer(user, prompt.prompt_id, item.kind, 0 if right else 1)
        elif isinstance(item, MetricDrill) and prompt.drill is not None:
            drill = prompt.drill
            index = drill.answer_index if right else (drill.answer_index + 1) % len(drill.options)
            if rng.random() < 0.5:
                typed = await practice.free_text(user, str(drill.options[index]))
                assert isinstance(typed, AnswerResult)
                result = typed
            else:
                result = await practice.answer(user, prompt.prompt_id, item.kind, index)
            self.answered(user, result, right)
            self.clock.pass_(rng.uniform(5, 20))
            following = await practice.next_prompt(user, after_prompt_id=prompt.prompt_id)
            return self.served(user, following, "next")
        else:
            raise AssertionError(f"cannot answer {item.id}")
        self.answered(user, result, right)
        return self.served(user, result.following, "follows")

    async def work_through(self, script: Script, prompt: ServedPrompt | None, day: int) -> None:
        """Answer prompts until the set ends (one /next over an open prompt on day 1)."""
        rng = self.rng[script.user]
        steps = 0
        while prompt is not None and steps < 60:
            steps += 1
            if day == 1 and steps == 4 and script.user == 5001:
                self.clock.pass_(30)
                prompt = self.served(script.user, await self.tutor.practice.next_prompt(script.user), "/next")
                continue
            prompt = await self.answer(script, prompt)
            if rng.random() < 0.1:
                self.clock.pass_(rng.uniform(60, 300))  # a pause in the middle of a set

    async def stats(self, user: int) -> None:
        progress = await self.tutor.progress.stats(user)
        assert progress is not None
        s = progress.stats
        self.log.append(
            {
                "user": user,
                "at": self.clock.now.isoformat(),
                "areas": [
                    [
                        a.area.id,
                        a.evidence.items,
                        a.evidence.met,
                        a.evidence.answers,
                        a.evidence.right,
                        a.evidence.recall,
                        a.evidence.readiness,
                        a.recent_right,
                        a.recent_answers,
                    ]
                    for a in s.areas
                ],
                "weakest": s.weakest.area.id if s.weakest else None,
                "to_revise": [i.id for i in s.to_revise],
                "due_now": s.due_now,
                "next_due_at": s.next_due_at.isoformat() if s.next_due_at else None,
                "answers": s.answers,
                "streak": s.streak_days,
                "today": s.answered_today,
                "week": s.answered_this_week,
                "goal": s.daily_goal,
                "not_started": [a.id for a in s.not_started],
            }
        )

    async def nudges(self, day_start: datetime) -> None:
        """The morning sweep: lease the nudges due, report them sent, answer them."""
        nudger = self.tutor.nudges
        self.clock.now = day_start + timedelta(hours=7, minutes=31)
        jobs, _counts = await nudger.lease(self.clock.now, 32)
        outcomes = []
        for job in jobs:
            self.messages += 1
            outcomes.append(SendOutcome(job.nudge_id, NudgeStatus.SENT, self.messages))
        await nudger.record(outcomes)
        for job in sorted(jobs, key=lambda j: j.learner_id):
            script = next(s for s in SCRIPTS if s.user == job.learner_id)
            prompt = job.content.prompt
            self.note(
                job.learner_id, f"nudge: {prompt.item.id} {prompt.reason} {prompt.position}/{prompt.total}"
            )
            self.clock.pass_(600)
            await self.work_through(script, prompt, 0)

    async def class_round(self, day_start: datetime, learners: list[Script]) -> None:
        """A three-question class round at 11:00; one answer arrives before its poll is known."""
        quiz = self.tutor.class_quiz
        self.clock.now = day_start + timedelta(hours=11)
        started = await quiz.command(GROUP, TEACHER, ["3"], is_admin=True)
        question = started.first
        n = 0
        while question is not None:
            n += 1
            poll = f"poll-{day_start:%d}-{n}"
            early = n == 2
            for script in learners:
                if early:
                    await quiz.answer_poll(poll, script.user, "Pupil", [self.option(script, question)])
            self.clock.pass_(2)
            self.messages += 1
            await quiz.posted(question.question_id, Delivery(poll, self.messages))
            self.clock.pass_(5)
            for script in learners:
                if not early:
                    await quiz.answer_poll(poll, script.user, "Pupil", [self.option(script, question)])
            self.note(0, f"class question {question.item.id}")
            self.clock.pass_(30)
            effects = await quiz.tick()
            question = next((e.question for e in effects if isinstance(e, PostQuestion)), None)

    def option(self, script: Script, question: Any) -> int:
        right = self.rng[script.user].random() < 0.7
        return int(
            question.correct_option if right else (question.correct_option + 1) % len(question.options)
        )

    async def run(self) -> list[Any]:
        tutor = self.tutor
        for script in SCRIPTS:
            await tutor.profiles.start(script.user)
            await tutor.profiles.choose_body(script.user, script.body)
            if script.goal:
                await tutor.profiles.set_goal(script.user, script.goal)
            if script.class_quiz:
                await tutor.privacy.set_class_consent(script.user, True)
            first = await tutor.profiles.choose_reminder(script.user, script.reminder)
            # The first prompt waits until the first evening: it is replaced then.
            self.served(script.user, first.prompt, "set-up")
        for day in range(DAYS):
            day_start = START + timedelta(days=day)
            await self.nudges(day_start)
            if day % 2 == 1:
                await self.class_round(day_start, [s for s in SCRIPTS if s.class_quiz])
            for script in SCRIPTS:
                user = script.user
                self.clock.now = day_start + timedelta(hours=script.hour)
                if day in script.zone:
                    await tutor.nudges.set_timezone(user, script.zone[day])
                    self.note(user, f"/timezone {script.zone[day]}")
                if day in script.course:
                    result = await tutor.profiles.choose_body(user, script.course[day])
                    self.note(
                        user, f"course {script.course[day]}: met {result.already_met}/{result.course_items}"
                    )
                if day in script.focus:
                    focus = await tutor.profiles.set_focus(user, script.focus[day])
                    prompt = self.served(user, focus.prompt, f"/focus {script.focus[day]}")
                else:
                    prompt = self.served(user, await tutor.practice.next_prompt(user), "/next")
                await self.work_through(script, prompt, day)
                if day in script.second_set:
                    self.clock.pass_(2 * 3600)
                    prompt = self.served(user, await tutor.practice.next_prompt(user), "another set")
                    await self.work_through(script, prompt, day)
                self.clock.pass_(3600)
                await self.stats(user)
        return self.log


async def transcript() -> list[Any]:
    """Drive the learners on a fresh database; what the tutor did, step by step.

    The bank is the shipped one without its exam questions, which came after the transcript was
    recorded (written answers have their own tests: tests/test_written_answers_e2e.py).
    """
    shipped = load_bank(CONTENT_DIR)
    bank = Bank(
        shipped.catalogue,
        {i: item for i, item in shipped.items.items() if not isinstance(item, ExamQuestion)},
    )
    with tempfile.TemporaryDirectory(prefix="retain-replay-") as folder:
        database = Database(f"sqlite:///{Path(folder) / 'replay.db'}")
        await database.prepare()
        clock = Clock()
        tutor = Tutor.open(database, bank, "Europe/London", clock=clock, rng=random.Random(7))
        try:
            return await Replay(tutor, clock).run()
        finally:
            await database.close()


async def test_the_tutor_chooses_exactly_what_it_chose_before() -> None:
    expected = json.loads(FIXTURE.read_text(encoding="utf-8"))
    found = json.loads(json.dumps(await transcript()))
    assert len(found) > 600  # the script really drove the learners
    for n, (want, got) in enumerate(zip(expected, found, strict=False)):
        assert got == want, f"step {n} differs (steps before it agree)"
    assert len(found) == len(expected)


if __name__ == "__main__":
    steps = asyncio.run(transcript())
    FIXTURE.parent.mkdir(exist_ok=True)
    FIXTURE.write_text(json.dumps(steps, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(steps)} steps to {FIXTURE.relative_to(Path.cwd())}", file=sys.stderr)
