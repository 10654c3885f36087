"""End to end: two Retain instances in webhook mode on one database, Telegram's updates split
between them (as a load-balancing proxy in front of both would), nothing done twice."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from content.schema import TrueFalse
from tests.clock import FakeClock
from tests.fake_telegram import FakeTelegram, FakeUser, Request
from tests.flows import answer_data, item_of, onboard, prompt_of_kind
from tests.harness import Harness

GROUP = -100_555
TEACHER = FakeUser(801, "Mrs Khan")
LEARNERS = [FakeUser(810 + n, f"Learner {n}") for n in range(6)]


@dataclass
class Instance(Harness):
    """One of two instances; waiting for updates to be handled waits for both."""

    other: Harness | None = None

    async def settle(self) -> None:
        await super().settle()
        if self.other is not None:
            await Harness.settle(self.other)


@pytest.fixture
async def pair(
    fake_telegram: FakeTelegram, tmp_path: Path, database_url: str
) -> AsyncIterator[tuple[Instance, Instance]]:
    """Two instances on one database (SQLite, or PostgreSQL in the suite's second run) and one
    clock, both taking updates by webhook."""
    clock = FakeClock()
    one = Instance(
        fake_telegram, tmp_path / "retain.db", clock=clock, webhook=True, database_url=database_url
    )
    two = Instance(
        fake_telegram, tmp_path / "retain.db", clock=clock, webhook=True, database_url=database_url
    )
    one.other, two.other = two, one
    await one.start()
    await two.start()
    yield one, two
    await one.stop()
    await two.stop()


async def recorded(bot: Harness) -> int:
    """Answers recorded, counted through the app."""
    assert bot.app is not None
    return await bot.app.bot_data.tutor.operations.answers_recorded()


def both_took_updates(fake: FakeTelegram, one: Harness, two: Harness) -> bool:
    urls = {url for _, url, status in fake.deliveries if status == 200}
    return {one.webhook_url, two.webhook_url} <= urls


async def test_a_double_tap_split_across_instances_is_counted_once(pair: tuple[Instance, Instance]) -> None:
    one, two = pair
    fake = one.fake
    anna = LEARNERS[0]
    prompt = await prompt_of_kind(one, anna, await onboard(one, anna), TrueFalse)
    for _ in range(5):
        data = answer_data(item_of(one, prompt), prompt, right=True)
        answers_before = await recorded(one)
        mark = fake.mark()
        first = fake.tap_update(anna, prompt, data)
        second = fake.tap_update(anna, prompt, data)  # the same button, a second query
        await fake.push(first, to=one.webhook_url)
        await fake.push(second, to=two.webhook_url)
        await one.settle()
        counts = fake.answer_counts()
        assert counts[first["callback_query"]["id"]] == 1 and counts[second["callback_query"]["id"]] == 1
        assert await recorded(one) == answers_before + 1  # one answer, whichever instance won
        following = [m for m in one.sent_to(anna, mark) if m.buttons and m.buttons[0][1][:2] == "t:"]
        if not following:
            break
        prompt = following[-1]
    assert both_took_updates(fake, one, two)


async def test_a_sweep_on_both_at_once_sends_each_nudge_once(pair: tuple[Instance, Instance]) -> None:
    one, two = pair
    one.clock.now = datetime(2026, 5, 4, 9, tzinfo=UTC)
    for learner in LEARNERS:
        [welcome] = await one.send(learner, "/start")
        await one.tap(learner, welcome, "Not sure: all of them")
        await one.tap(learner, one.fake.messages[(learner.id, welcome.message_id)], "Not now")
        await one.send(learner, "/remind 18:00")
    one.clock.now = datetime(2026, 5, 4, 17, tzinfo=UTC)  # 18:00 in London
    mark = one.fake.mark()
    reports = await asyncio.gather(one.sweep(), two.sweep())
    assert sum(r.sent for r in reports) == len(LEARNERS)
    for learner in LEARNERS:
        nudges = [m for m in one.sent_to(learner, mark) if "Your daily revision" in m.text]
        assert len(nudges) == 1, learner
    one.clock.advance(timedelta(minutes=1))
    again = await asyncio.gather(one.sweep(), two.sweep())
    assert sum(r.sent for r in again) == 0


def group_calls(fake: FakeTelegram, method: str, mark: int = 0) -> list[Request]:
    return [r for r in fake.calls(method, after=mark) if r.params.get("chat_id") == GROUP]


def boards(fake: FakeTelegram) -> list[Request]:
    return [
        r
        for r in group_calls(fake, "sendMessage")
        if "Round" in r.params["text"] and "over" in r.params["text"]
    ]


async def test_a_class_round_answered_through_both_instances_advances_once(
    pair: tuple[Instance, Instance],
) -> None:
    one, two = pair
    fake = one.fake
    fake.admins[GROUP] = {TEACHER.id}
    await fake.group_text(TEACHER, GROUP, "/quiz 3")
    await one.settle()
    for number in range(3):
        polls = group_calls(fake, "sendPoll")
        assert len(polls) == number + 1, [p.params["question"][:40] for p in polls]
        poll = polls[-1]
        poll_id = poll.result["poll"]["id"]
        correct = poll.params["correct_option_ids"][0]
        for n, learner in enumerate(LEARNERS):  # answers alternate between the instances
            await fake.poll_answer(learner, poll_id, [correct if n % 2 else (correct + 1) % 2])
        await one.settle()
        if len(group_calls(fake, "sendPoll")) == number + 1 and not boards(fake):
            # Not closed early (the first question: nobody knows yet who is in the class):
            # time up, seen by both instances' sweeps at the same moment.
            one.clock.advance(timedelta(seconds=31))
            await asyncio.gather(one.quiz_sweep(), two.quiz_sweep())
            await one.settle()
    assert len(group_calls(fake, "sendPoll")) == 3  # each question posted once
    assert len(boards(fake)) == 1, [b.params["text"][:80] for b in boards(fake)]
    per_question = one.sql.rows(
        "SELECT question_id, count(*), count(DISTINCT user_id) FROM quizanswer GROUP BY question_id"
    )
    assert len(per_question) == 3 and all(n == distinct == len(LEARNERS) for _, n, distinct in per_question)
    assert both_took_updates(fake, one, two)
