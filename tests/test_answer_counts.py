"""The counts kept on the learner's row as answers are recorded (right answers in a row, answers today
and this week in their zone) always say what the answer log says, through changes of day, week and
zone, class answers counted late, erasure and the inactivity purge."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.config import CONTENT_DIR
from bot.tutor.class_quiz.results import Delivery
from bot.tutor.record import answered_this_week, answered_today
from bot.tutor.streaks import answered_since
from bot.tutor.tutor import Tutor
from content.loader import load_bank
from content.schema import ExamQuestion
from storage import repo
from storage.db import Database
from tests.test_statements import Clock, _choice, _next, _set_up, _write

ANN, BEN = 6001, 6002
GROUP = -100_900


@pytest.fixture
async def tutor(database_url: str) -> AsyncIterator[tuple[Tutor, Clock]]:
    database = Database(database_url)
    await database.prepare()
    clock = Clock()
    clock.now = datetime(2026, 3, 6, 21, 0, tzinfo=UTC)  # a Friday evening
    bank = load_bank(CONTENT_DIR)
    yield Tutor.open(database, bank, "Europe/London", clock=clock, rng=random.Random(5)), clock
    await database.close()


async def _counts(tutor: Tutor, user: int) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    """(right in a row, today, this week) as kept, and as the answer log says."""
    now = tutor.core.clock()
    async with tutor.core.sessions() as session:
        learner = await repo.get_learner(session, user)
        assert learner is not None
        times = await repo.answer_times(session, user, now - timedelta(days=8))
        log = await repo.progress_rows(session, user, 1000)
    assert log is not None
    run = 0
    for _item, right in log.answers:  # newest first
        if not right:
            break
        run += 1
    today, week = answered_since(times, learner.timezone, now)
    kept = (learner.right_run, answered_today(learner, now), answered_this_week(learner, now))
    return kept, (run, today, week)


async def _answer(tutor: Tutor, clock: Clock, user: int, right: bool) -> None:
    prompt = await _next(tutor, user)
    clock.now += timedelta(seconds=40)
    if isinstance(prompt.item, ExamQuestion):  # written, then confirmed: one answer all the same
        await _write(tutor, user, prompt, right)
        return
    result = await tutor.practice.answer(user, prompt.prompt_id, prompt.item.kind, _choice(prompt, right))
    assert result.correct is right


async def test_the_counts_follow_the_log_across_days_weeks_and_a_change_of_zone(
    tutor: tuple[Tutor, Clock],
) -> None:
    service, clock = tutor
    await _set_up(service, ANN)
    rng = random.Random(1)
    for step in range(60):
        await _answer(service, clock, ANN, rng.random() < 0.75)
        clock.now += timedelta(hours=rng.choice([0, 0, 1, 3, 9]))  # across midnights and a Monday
        if step == 30:
            await service.nudges.set_timezone(ANN, "Pacific/Auckland")  # today is another day there
        kept, logged = await _counts(service, ANN)
        assert kept == logged, f"step {step}"
    stats = await service.progress.stats(ANN)
    assert stats is not None
    assert (stats.stats.answered_today, stats.stats.answered_this_week) == (kept[1], kept[2])


async def test_a_class_answer_counted_the_next_day_is_not_counted_as_today(
    tutor: tuple[Tutor, Clock],
) -> None:
    service, clock = tutor
    await _set_up(service, BEN)
    await service.privacy.set_class_consent(BEN, True)
    clock.now = datetime(2026, 3, 6, 23, 59, 50, tzinfo=UTC)
    started = await service.class_quiz.command(GROUP, 1, ["1"], is_admin=True)
    assert started.first is not None
    question = started.first
    await service.class_quiz.answer_poll("late-poll", BEN, "Ben", [question.correct_option])  # waits
    clock.now += timedelta(seconds=20)  # past midnight: Saturday
    await service.class_quiz.posted(question.question_id, Delivery("late-poll", 77))
    await _answer(service, clock, BEN, True)
    kept, logged = await _counts(service, BEN)
    assert kept == logged and kept[1] == 1 and kept[0] == 2  # today: Saturday's answer only


async def test_erasure_and_the_purge_take_the_counts_with_the_record(tutor: tuple[Tutor, Clock]) -> None:
    service, clock = tutor
    for user in (ANN, BEN):
        await _set_up(service, user)
        for _ in range(6):
            await _answer(service, clock, user, True)
    await service.privacy.forget(ANN)
    clock.now += timedelta(days=600)
    assert await service.privacy.sweep_inactive(clock.now) == 1  # Ben, away too long
    for user in (ANN, BEN):
        await _set_up(service, user)  # back, as new learners
        kept, logged = await _counts(service, user)
        assert kept == logged == (0, 0, 0)
        await _answer(service, clock, user, True)
        kept, logged = await _counts(service, user)
        assert kept == logged == (1, 1, 1)
