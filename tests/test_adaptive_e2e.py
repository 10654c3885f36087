"""End to end: the tutor adapts to what a learner gets wrong; daily goals; answers from anywhere count."""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta

from bot.tutor.class_quiz.results import Delivery, StartStatus
from bot.tutor.grading import drill_of
from bot.tutor.results import Status
from bot.tutor.tutor import Tutor
from content.schema import ConceptCard, MetricDrill, MultipleChoice, TrueFalse
from storage.db import create_engine, create_tables, session_factory
from tests import flows
from tests.banks import shipped_bank
from tests.clock import FakeClock
from tests.fake_telegram import FakeUser, SentMessage
from tests.flows import item_of, next_prompt_after, onboard
from tests.harness import Harness

ANNA = FakeUser(301, "Anna")
WEAK = "legislation"


async def answer(bot: Harness, prompt: SentMessage, right: bool) -> SentMessage:
    """Answer whatever the prompt is, rightly or wrongly, through its buttons; returns the next prompt."""
    mark = bot.fake.mark()
    item = item_of(bot, prompt)
    if isinstance(item, ConceptCard):
        await bot.tap(ANNA, prompt, "Reveal")
        mark = bot.fake.mark()
        await bot.tap(ANNA, prompt, "Knew it" if right else "Not yet")
    elif isinstance(item, TrueFalse):
        await bot.tap(ANNA, prompt, "True" if item.answer == right else "False")
    elif isinstance(item, MultipleChoice):
        wanted = item.answer if right else item.wrong[0]
        line = next(line for line in prompt.text.splitlines() if line.endswith(wanted))
        await bot.tap(ANNA, prompt, line.split("<b>")[1][0])
    else:
        assert isinstance(item, MetricDrill)
        prompt_id = int(prompt.buttons[0][1].split(":")[1])
        [(params,)] = bot.sql.rows("SELECT params FROM prompt WHERE id = ?", prompt_id)
        drawn = drill_of(item, params, prompt_id)
        index = drawn.answer_index if right else (drawn.answer_index + 1) % len(drawn.options)
        await bot.tap_data(ANNA, prompt, prompt.buttons[index][1])
        mark = bot.fake.mark()
        await bot.tap(ANNA, prompt, "Next ▶")
    return await next_prompt_after(bot, ANNA, mark)


async def test_a_learner_who_keeps_failing_one_area_gets_more_of_it(bot: Harness) -> None:
    prompt = await onboard(bot, ANNA)
    areas: list[str] = []
    for _ in range(48):
        item = item_of(bot, prompt)
        areas.append(item.area)
        bot.clock.advance(timedelta(seconds=40))
        prompt = await answer(bot, prompt, right=item.area != WEAK)
    later = Counter(areas[16:])  # once the tutor has seen how each area goes
    others = [n for area, n in later.items() if area != WEAK]
    assert later[WEAK] == max(later.values())
    assert later[WEAK] >= 2 * (sum(others) / len(others))
    assert all(later[a] for a in {"crm", "retention", "satisfaction"})  # the rest are not dropped
    for run in zip(areas, areas[1:], areas[2:], strict=False):
        assert len(set(run)) > 1  # never three in a row from one area


async def test_a_daily_goal_is_announced_once_and_the_set_carries_on(bot: Harness) -> None:
    prompt = await onboard(bot, ANNA)
    [invalid] = await bot.send(ANNA, "/goal lots")
    assert "isn't a daily goal" in invalid.text
    [too_many] = await bot.send(ANNA, "/goal 500")
    assert "isn't a daily goal" in too_many.text
    [set_goal] = await bot.send(ANNA, "/goal 2")
    assert "Daily goal: <b>2</b> prompts a day" in set_goal.text

    second = await answer(bot, prompt, right=True)
    mark = bot.fake.mark()
    third = await answer(bot, second, right=True)
    [met] = [m for m in bot.shown_to(ANNA, mark) if "Daily goal reached" in m.text]
    assert "2 prompts today" in met.text and "No more nudges today" in met.text
    assert third.buttons and third.text.startswith("<b>3/10</b>")  # the learner's set carries on
    mark = bot.fake.mark()
    await answer(bot, third, right=True)
    assert not [m for m in bot.shown_to(ANNA, mark) if "Daily goal reached" in m.text]  # said once

    [stats] = await bot.send(ANNA, "/stats")
    assert "2 of 2 today ✅" in stats.text  # never "3 of 2"
    [shown] = await bot.send(ANNA, "/goal")
    assert "Your daily goal is <b>2</b>" in shown.text
    [off] = await bot.send(ANNA, "/goal off")
    assert "Daily goal off" in off.text


async def test_class_and_nudge_answers_shape_private_practice(database_url: str) -> None:
    engine = create_engine(database_url)
    await create_tables(engine)
    clock = FakeClock()
    tutor = Tutor.build(session_factory(engine), shipped_bank(), "Europe/London", clock, random.Random(1))
    try:
        # Ben set up in private and agreed that his class answers count in his own practice.
        await tutor.profiles.start(402)
        await tutor.profiles.choose_body(402, "all")
        await tutor.profiles.choose_reminder(402, None)
        assert await tutor.privacy.set_class_consent(402, True)
        started = await tutor.class_quiz.command(-100, 401, ["1"], is_admin=True)
        assert started.status is StartStatus.OK and started.first is not None
        question = started.first
        await tutor.class_quiz.posted(question.question_id, Delivery("poll-1", 1))
        wrong = (question.correct_option + 1) % len(question.options)
        outcome = await tutor.class_quiz.answer_poll("poll-1", 402, "Ben", [wrong])
        assert outcome.recorded
        missed = question.item.id
        clock.advance(timedelta(hours=13))  # the next day: what he missed in class is due
        served = await tutor.practice.next_prompt(402)
        assert served.status is Status.OK and served.prompt is not None
        assert served.prompt.item.id == missed  # what he got wrong in class comes back first
        found = await tutor.progress.stats(402)
        assert found is not None and found.stats.answers == 1
    finally:
        await engine.dispose()


async def test_an_answer_costs_at_most_two_sends_even_with_a_tip_and_the_goal(bot: Harness) -> None:
    """Telegram allows about 30 sends a second: each answer spends two (its verdict and the next
    prompt); a tip and the daily goal ride in the verdict, and the tap's toast is not a send."""
    prompt = await onboard(bot, ANNA)
    await bot.send(ANNA, "/goal 5")
    costs = []
    for n in range(1, 12):
        answered = prompt
        mark = await flows.answer(bot, ANNA, prompt)
        sends = [r for r in bot.fake.requests[mark:] if r.params.get("chat_id") == ANNA.id]
        costs.append(len(sends))
        if n == 5:  # five right in a row and the goal of five: both under the fifth verdict
            assert "5 right in a row" in answered.text and "Daily goal reached" in answered.text
        prompt = await next_prompt_after(bot, ANNA, mark)
    assert max(costs) <= 2, costs
