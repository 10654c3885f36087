"""End to end: a learner revising in a private chat, through the real Application and HTTP."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot import charts
from content.schema import ConceptCard, MetricDrill, TrueFalse
from tests.fake_telegram import FakeUser
from tests.flows import answer_and_next, answers, item_of, onboard, prompt_of_kind
from tests.harness import Harness

ANNA = FakeUser(101, "Anna")
BEN = FakeUser(102, "Ben")


async def test_onboarding_takes_two_taps_then_serves_the_first_prompt(bot: Harness) -> None:
    [welcome] = await bot.send(ANNA, "/start")
    assert "Which awarding body" in welcome.text or "which awarding body" in welcome.text
    labels = [label for label, _ in welcome.buttons]
    assert labels == [
        "iCQ",
        "ProQual",
        "Highfield",
        "Pearson BTEC",
        "Other awarding body",
        "Not sure: all of them",
    ]

    await bot.tap(ANNA, welcome, "Highfield")
    asked = bot.fake.messages[(ANNA.id, welcome.message_id)]
    assert "Highfield" in asked.text and "London time" in asked.text
    assert [label for label, _ in asked.buttons] == ["07:30", "12:30", "18:00", "20:30", "Not now"]

    mark = bot.fake.mark()
    await bot.tap(ANNA, asked, "18:00")
    assert "daily reminder at <b>18:00</b>, London time" in asked.text
    assert asked.buttons == []
    [prompt] = bot.sent_to(ANNA, mark)
    assert prompt.buttons  # the first prompt is answerable at once

    row = bot.sql.rows("SELECT awarding_body, reminder_time, timezone FROM learner WHERE id=?", ANNA.id)
    assert row == [("highfield", "18:00", "Europe/London")]


async def test_first_prompt_is_a_concept_card_with_reveal(bot: Harness) -> None:
    prompt = await onboard(bot, ANNA)
    assert isinstance(item_of(bot, prompt), ConceptCard)
    assert [label for label, _ in prompt.buttons] == ["Reveal"]


async def test_a_concept_card_reveals_then_knew_it_moves_on_by_itself(bot: Harness) -> None:
    prompt = await onboard(bot, ANNA)
    card = item_of(bot, prompt)
    assert isinstance(card, ConceptCard)
    assert card.question in prompt.text and card.answer not in prompt.text
    assert prompt.text.startswith("<b>1/10</b> · ")  # where the learner is in the set

    await bot.tap(ANNA, prompt, "Reveal")
    assert card.answer in prompt.text
    assert [label for label, _ in prompt.buttons] == ["Knew it", "Not yet"]
    assert answers(bot, ANNA) == []  # revealing is not answering

    mark = bot.fake.mark()
    calls = await bot.tap(ANNA, prompt, "Knew it")
    assert "Knew it" in prompt.text and "It comes back in about" in prompt.text
    assert prompt.buttons == []  # no Next to tap: the next prompt is already there
    [toast] = [c.params.get("text") for c in calls if c.method == "answerCallbackQuery"]
    assert toast == "✅ Knew it"
    [following] = bot.sent_to(ANNA, mark)
    assert following.text.startswith("<b>2/10</b> · ") and following.buttons
    assert answers(bot, ANNA) == [(card.id, "concept", 1, "private")]


async def test_not_yet_brings_the_card_back_within_the_set(bot: Harness) -> None:
    prompt = await onboard(bot, ANNA)
    card = item_of(bot, prompt)
    await bot.tap(ANNA, prompt, "Reveal")
    mark = bot.fake.mark()
    calls = await bot.tap(ANNA, prompt, "Not yet")
    assert "It comes back before the end of this set." in prompt.text
    [toast] = [c.params.get("text") for c in calls if c.method == "answerCallbackQuery"]
    assert toast == "🔁 Not yet: it comes back in this set"
    assert answers(bot, ANNA) == [(card.id, "concept", 0, "private")]

    # Two other prompts first, then the card again: well inside the set of ten.
    [following] = bot.sent_to(ANNA, mark)
    shown = []
    for _ in range(3):
        shown.append(item_of(bot, following).id)
        following = await answer_and_next(bot, ANNA, following)
    assert card.id not in shown[:2] and shown[2] == card.id
    assert following.text.startswith("<b>5/10</b>")


async def test_true_false_right_answer_says_why(bot: Harness) -> None:
    prompt = await prompt_of_kind(bot, ANNA, await onboard(bot, ANNA), TrueFalse)
    challenge = item_of(bot, prompt)
    assert isinstance(challenge, TrueFalse)
    assert [label for label, _ in prompt.buttons] == ["True", "False"]
    before = len(answers(bot, ANNA))

    mark = bot.fake.mark()
    calls = await bot.tap(ANNA, prompt, "True" if challenge.answer else "False")
    assert "Right" in prompt.text and prompt.buttons == []
    assert challenge.explanation in prompt.text
    assert [c.params.get("text") for c in calls if c.method == "answerCallbackQuery"] == ["✅ Right"]
    assert [m for m in bot.sent_to(ANNA, mark) if m.buttons]  # the next prompt follows by itself
    assert answers(bot, ANNA)[before:] == [(challenge.id, "truefalse", 1, "private")]


async def test_true_false_wrong_answer_says_why(bot: Harness) -> None:
    prompt = await prompt_of_kind(bot, ANNA, await onboard(bot, ANNA), TrueFalse)
    challenge = item_of(bot, prompt)
    assert isinstance(challenge, TrueFalse)
    before = len(answers(bot, ANNA))

    calls = await bot.tap(ANNA, prompt, "False" if challenge.answer else "True")
    truth = "true" if challenge.answer else "false"
    assert f"Not quite: it's {truth}" in prompt.text
    toasts = [c.params.get("text") for c in calls if c.method == "answerCallbackQuery"]
    assert toasts == [f"❌ Not quite: it's {truth}"]
    assert challenge.explanation in prompt.text
    assert answers(bot, ANNA)[before:] == [(challenge.id, "truefalse", 0, "private")]


async def test_double_tap_and_resent_callback_record_one_answer(bot: Harness) -> None:
    prompt = await prompt_of_kind(bot, ANNA, await onboard(bot, ANNA), TrueFalse)
    before = len(answers(bot, ANNA))
    data = prompt.button("True")

    mark = bot.fake.mark()
    first = await bot.fake.tap(ANNA, prompt, data)
    await bot.fake.tap(ANNA, prompt, data)  # the second tap of a double tap
    await bot.fake.resend(first)  # Telegram resends the first query with a new update id
    await bot.settle()

    assert len(answers(bot, ANNA)) == before + 1
    toasts = [r.params.get("text") for r in bot.fake.calls("answerCallbackQuery", after=mark)]
    assert len(toasts) == 3 and len(set(toasts)) == 1  # every query answered, with the same verdict
    sent = [m.text for m in bot.sent_to(ANNA, mark)]
    prompts = [text for text in sent if "exam tip" not in text]
    assert len(prompts) == 1  # one next prompt, no complaint, no second verdict
    verdicts = prompt.text.count("Right: it's") + prompt.text.count("Not quite: it's")
    assert verdicts == 1  # the message shows the first answer's verdict, once


async def test_an_old_messages_button_after_answering_records_nothing(bot: Harness) -> None:
    prompt = await prompt_of_kind(bot, ANNA, await onboard(bot, ANNA), TrueFalse)
    data_true, data_false = prompt.button("True"), prompt.button("False")
    await bot.tap_data(ANNA, prompt, data_true)
    recorded = answers(bot, ANNA)

    first = prompt.text
    mark = bot.fake.mark()
    await bot.tap_data(ANNA, prompt, data_false)  # the other answer, from a stale copy of the message
    assert answers(bot, ANNA) == recorded
    assert prompt.text == first and "You said true." in prompt.text  # the first choice, kept
    assert prompt.buttons == []  # no used button comes back
    assert bot.sent_to(ANNA, mark) == []  # and no second next prompt


async def test_forged_callback_data_gets_a_polite_answer_and_records_nothing(bot: Harness) -> None:
    prompt = await onboard(bot, ANNA)
    ben_prompt = await onboard(bot, BEN)
    bens_prompt_id = ben_prompt.buttons[0][1].split(":")[1]

    for forged in [
        "garbage",
        "t:abc:t",
        "t:1:x",
        "k:999999:1",
        f"t:{bens_prompt_id}:t",
        f"k:{bens_prompt_id}:1",
    ]:
        calls = await bot.tap_data(ANNA, prompt, forged)
        replies = [
            r.params.get("text", "") for r in calls if r.method in ("sendMessage", "answerCallbackQuery")
        ]
        assert any("expired" in text for text in replies), (forged, replies)
    assert answers(bot, ANNA) == []
    assert answers(bot, BEN) == []


async def test_next_double_tap_serves_one_prompt(bot: Harness) -> None:
    prompt = await prompt_of_kind(bot, ANNA, await onboard(bot, ANNA), MetricDrill)
    await bot.tap_data(ANNA, prompt, prompt.buttons[0][1])
    data = prompt.button("Next ▶")  # a worked solution is read first: Next waits for the learner

    mark = bot.fake.mark()
    await bot.fake.tap(ANNA, prompt, data)
    await bot.fake.tap(ANNA, prompt, data)
    await bot.settle()
    assert len(bot.sent_to(ANNA, mark)) == 1
    assert prompt.buttons == []  # the answered prompt no longer offers Next


async def test_free_text_gets_a_hint_never_silence(bot: Harness) -> None:
    [before_start] = await bot.send(ANNA, "hello?")
    assert "/start" in before_start.text

    await onboard(bot, ANNA)
    [while_open] = await bot.send(ANNA, "I think it's about loyalty")
    assert "tap one of the buttons" in while_open.text


async def test_unknown_command_points_to_help(bot: Harness) -> None:
    [reply] = await bot.send(ANNA, "/quizme")
    assert "don't know /quizme" in reply.text and "/help" in reply.text


async def test_help_lists_the_commands(bot: Harness) -> None:
    [reply] = await bot.send(ANNA, "/help")
    for command in ("/next", "/stats", "/start", "/help"):
        assert command in reply.text


async def test_commands_are_registered_with_telegram(bot: Harness) -> None:
    calls = {c.params["scope"]["type"]: c for c in bot.fake.calls("setMyCommands")}
    commands = [c["command"] for c in calls["all_private_chats"].params["commands"]]
    assert [c["command"] for c in calls["all_group_chats"].params["commands"]] == [
        "quiz",
        "classreport",
        "quizsettings",
        "homework",
        "mock",
        "help",
    ]
    assert commands[:5] == ["next", "write", "stats", "focus", "define"]
    assert {"remind", "timezone", "pause", "quizname", "mock", "start", "help"} <= set(commands)


async def test_next_before_start_asks_to_set_up(bot: Harness) -> None:
    [reply] = await bot.send(ANNA, "/next")
    assert "/start" in reply.text


async def test_stats_before_any_answer_is_a_friendly_line_not_an_empty_chart(bot: Harness) -> None:
    await onboard(bot, ANNA)
    [stats] = await bot.send(ANNA, "/stats")
    assert not stats.photo and "No progress to show yet" in stats.text


async def test_stats_show_readiness_recent_answers_and_what_to_revise(bot: Harness) -> None:
    prompt = await onboard(bot, ANNA)
    card = item_of(bot, prompt)
    assert isinstance(card, ConceptCard)
    await bot.tap(ANNA, prompt, "Reveal")
    await bot.tap(ANNA, prompt, "Not yet")

    [stats] = await bot.send(ANNA, "/stats")
    assert stats.photo and stats.image.startswith(b"\x89PNG")
    area = bot.bank.area(card.area).name
    assert "1 of" in stats.text and "items met" in stats.text
    assert "🔥 1 day in a row · 1 today · 1 this week" in stats.text
    assert f"📉 Weakest: <b>{area}</b>: right 0 of 1 recently, 1 of " in stats.text
    assert "Not started yet: " in stats.text and area not in stats.text.split("Not started yet: ")[1]
    lines = stats.text.split("<b>To revise next</b>\n")[1].splitlines()
    assert len(lines) == 1 and lines[0].startswith("1. ")  # the miss, and only it (no unseen items)
    label = lines[0][3:]
    assert label == card.question or (label.endswith("…") and card.question.startswith(label[:-1]))


async def test_stats_fall_back_to_text_when_no_chart_can_be_drawn(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*_: object) -> bytes:
        raise RuntimeError("no fonts on this server")

    monkeypatch.setattr("bot.handlers.common.chart_png", broken)
    prompt = await onboard(bot, ANNA)
    card = item_of(bot, prompt)
    await bot.tap(ANNA, prompt, "Reveal")
    await bot.tap(ANNA, prompt, "Knew it")
    [stats] = await bot.send(ANNA, "/stats")
    assert not stats.photo
    area = bot.bank.area(card.area).name
    assert f"<b>{area}</b>\n" in stats.text and "right 1 of 1 recently · met 1 of " in stats.text
    assert "% ready" in stats.text and "not started · met 0 of " in stats.text


async def test_stats_asked_again_with_no_new_answer_send_the_same_chart_without_drawing_it(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    drawn: list[charts.Picture] = []
    render = charts.render

    def counting(chart: charts.Picture) -> bytes:
        drawn.append(chart)
        return render(chart)

    monkeypatch.setattr(charts, "render", counting)
    charts.CACHE.clear()
    prompt = await onboard(bot, ANNA)
    prompt = await answer_and_next(bot, ANNA, prompt)
    [first] = await bot.send(ANNA, "/stats")
    bot.clock.advance(timedelta(minutes=10))  # recall fades a little: readiness is not quite the same
    [again] = await bot.send(ANNA, "/stats")
    assert first.photo and again.image == first.image and len(drawn) == 1
    await answer_and_next(bot, ANNA, prompt)
    [after] = await bot.send(ANNA, "/stats")
    assert after.image != first.image and len(drawn) == 2  # a new answer: a new chart


async def test_progress_survives_a_restart_on_the_same_database(bot: Harness) -> None:
    prompt = await onboard(bot, ANNA)
    await bot.tap(ANNA, prompt, "Reveal")
    mark = bot.fake.mark()
    await bot.tap(ANNA, prompt, "Knew it")
    [pending] = bot.sent_to(ANNA, mark)  # sent before the restart, answered after it

    await bot.restart()

    await answer_and_next(bot, ANNA, pending)
    assert len(answers(bot, ANNA)) == 2
    again = (await bot.send(ANNA, "/start"))[0]
    assert "Welcome back" in again.text  # no second onboarding
    [stats] = await bot.send(ANNA, "/stats")
    assert "2 of" in stats.text and "items met" in stats.text


async def test_updates_sent_while_the_bot_was_down_are_handled(bot: Harness) -> None:
    await bot.stop()
    await bot.fake.send_text(ANNA, "/start")  # arrives while nobody polls
    await bot.start()
    await bot.settle()
    [welcome] = bot.sent_to(ANNA, 0)
    assert "Welcome to Retain" in welcome.text


async def test_choosing_one_awarding_body_serves_only_its_items(bot: Harness) -> None:
    prompt = await onboard(bot, ANNA, body="iCQ")
    seen = set()
    for _ in range(12):
        item = item_of(bot, prompt)
        seen.add(item.id)
        assert item.applies_to("icq"), item.id
        prompt = await answer_and_next(bot, ANNA, prompt)
    assert len(seen) == 12


async def test_change_course_keeps_progress_and_says_what_is_already_met(bot: Harness) -> None:
    prompt = await onboard(bot, ANNA)
    card = item_of(bot, prompt)
    await bot.tap(ANNA, prompt, "Reveal")
    await bot.tap(ANNA, prompt, "Knew it")
    messages = await bot.send(ANNA, "/start")
    welcome_back = messages[0]
    await bot.tap(ANNA, welcome_back, "Change course")
    mark = bot.fake.mark()
    await bot.tap(ANNA, welcome_back, "Not sure: all of them")
    assert "all awarding bodies" in welcome_back.text
    course = len(bot.bank.for_body("all"))
    assert f"1 of its {course} items you have met already" in welcome_back.text
    assert len([m for m in bot.sent_to(ANNA, mark) if m.buttons]) == 1  # the next prompt
    assert len(answers(bot, ANNA)) == 1
    [stats] = await bot.send(ANNA, "/stats")
    assert bot.bank.area(card.area).name not in stats.text.split("Not started yet: ")[-1]


async def test_a_learner_who_blocked_the_bot_does_not_stop_others(bot: Harness) -> None:
    bot.fake.blocked.add(ANNA.id)
    mark = bot.fake.mark()
    await bot.send(ANNA, "/start")  # the reply fails with 403
    to_anna = [r for r in bot.fake.requests[mark:] if r.params.get("chat_id") == ANNA.id]
    assert [(r.method, getattr(r.result, "code", 200)) for r in to_anna] == [("sendMessage", 403)]
    bot.fake.blocked.clear()
    [welcome] = await bot.send(BEN, "/start")  # the next learner is served as usual
    assert "Welcome to Retain" in welcome.text


async def test_a_429_is_retried_and_the_message_arrives(bot: Harness) -> None:
    from tests.fake_telegram import Failure

    # Telegram's smallest retry_after is 1 s, and the limiter really waits it: the one real wait
    # in the suite, as faking it would mean patching python-telegram-bot's internals.
    bot.fake.failures.append(Failure("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1))
    [welcome] = await bot.send(ANNA, "/start")
    assert "Welcome to Retain" in welcome.text
    assert bot.fake.failures[0].times == 0  # the 429 was served, then the retry went through
