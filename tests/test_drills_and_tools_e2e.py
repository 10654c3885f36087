"""End to end: multiple choice, calculations (tapped or typed), exam tips, /define and /focus."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from content.loader import load_bank
from content.schema import Bank
from tests.banks import tiny_bank, write_bank
from tests.fake_telegram import FakeUser, SentMessage
from tests.harness import Harness

ANNA = FakeUser(201, "Anna")
MakeBot = Callable[[Bank], Awaitable[Harness]]


def answer_log(bot: Harness, user: FakeUser) -> list[tuple[str, int]]:
    return bot.sql.rows("SELECT item_id, correct FROM answer WHERE learner_id = ? ORDER BY id", user.id)


async def onboard(bot: Harness, user: FakeUser) -> SentMessage:
    [welcome] = await bot.send(user, "/start")
    await bot.tap(user, welcome, "Not sure: all of them")
    mark = bot.fake.mark()
    await bot.tap(user, bot.fake.messages[(user.id, welcome.message_id)], "Not now")
    [prompt] = bot.sent_to(user, mark)
    return prompt


async def knew(bot: Harness, user: FakeUser, card: SentMessage) -> SentMessage:
    """Reveal, "Knew it": returns the next prompt, which follows by itself."""
    await bot.tap(user, card, "Reveal")
    mark = bot.fake.mark()
    await bot.tap(user, card, "Knew it")
    [following] = bot.sent_to(user, mark)
    return following


async def reach_mcq(bot: Harness) -> SentMessage:
    first = await onboard(bot, ANNA)
    assert "How is NPS worked out?" in first.text  # a concept is taught before what tests it
    mcq = await knew(bot, ANNA, first)
    assert "Which method is qualitative?" in mcq.text  # ...and tested straight after
    return mcq


async def reach_drill(bot: Harness) -> SentMessage:
    mcq = await reach_mcq(bot)
    mark = bot.fake.mark()
    await bot.tap(ANNA, mcq, _letter_of(mcq, "Focus group"))
    [drill] = bot.sent_to(ANNA, mark)  # one tap: the next prompt follows
    assert "60 promoters, 20 passives, 20 detractors" in drill.text
    return drill


def _letter_of(message: SentMessage, option: str) -> str:
    for line in message.text.splitlines():
        if line.endswith(option):
            return line.split("<b>")[1][0]
    raise AssertionError(f"{option!r} not shown in {message.text!r}")


async def test_multiple_choice_right_answer_is_marked_and_explained(
    make_bot: MakeBot, tmp_path: Path
) -> None:
    bot = await make_bot(tiny_bank(tmp_path / "bank"))
    mcq = await reach_mcq(bot)
    assert [label for label, _ in mcq.buttons] == ["A", "B", "C", "D"]

    await bot.tap(ANNA, mcq, _letter_of(mcq, "Focus group"))
    assert "✅ Right." in mcq.text
    assert "✅ <b>" in mcq.text and "explores why customers feel" in mcq.text
    assert answer_log(bot, ANNA)[-1] == ("mcq-sat-qualitative", 1)


async def test_multiple_choice_wrong_answer_shows_both_choices(make_bot: MakeBot, tmp_path: Path) -> None:
    bot = await make_bot(tiny_bank(tmp_path / "bank"))
    mcq = await reach_mcq(bot)
    await bot.tap(ANNA, mcq, _letter_of(mcq, "CSAT survey"))
    assert "❌ Not quite: the answer is Focus group." in mcq.text
    assert "❌ <b>" in mcq.text and "✅ <b>" in mcq.text
    assert answer_log(bot, ANNA)[-1] == ("mcq-sat-qualitative", 0)


async def test_a_calculation_answered_by_typing_shows_the_worked_solution(
    make_bot: MakeBot, tmp_path: Path
) -> None:
    bot = await make_bot(tiny_bank(tmp_path / "bank"))
    drill = await reach_drill(bot)
    assert "Type your answer" in drill.text
    assert len(drill.buttons) == 4 and ("40", drill.button("40")) in drill.buttons

    [reply] = await bot.send(ANNA, "40.0")
    assert "✅ Right: 40." in reply.text
    assert "Worked solution:</b> 60% - 20% = 40." in reply.text
    assert [label for label, _ in reply.buttons] == ["Next ▶"]
    assert answer_log(bot, ANNA)[-1] == ("drill-sat-nps", 1)


async def test_an_unreadable_typed_answer_gets_a_hint_not_a_wrong_mark(
    make_bot: MakeBot, tmp_path: Path
) -> None:
    bot = await make_bot(tiny_bank(tmp_path / "bank"))
    drill = await reach_drill(bot)
    before = answer_log(bot, ANNA)

    [hint] = await bot.send(ANNA, "about forty")
    assert "couldn't read “about forty” as a number" in hint.text
    assert answer_log(bot, ANNA) == before

    [unit] = await bot.send(ANNA, "60%")  # NPS is not a percentage: named, not marked
    assert "NPS is a score from \u2212100 to 100, not a percentage" in unit.text
    assert "still open" in unit.text and answer_log(bot, ANNA) == before

    [reply] = await bot.send(ANNA, "60")  # promoters only: a classic mistake
    assert "❌ Not quite: you said 60; as a whole number the answer is 40." in reply.text
    assert answer_log(bot, ANNA)[-1] == ("drill-sat-nps", 0)
    [after] = await bot.send(ANNA, "40")  # the calculation is answered: no second mark
    assert "buttons" in after.text
    await bot.tap(ANNA, drill, "40")  # nor from its buttons
    assert answer_log(bot, ANNA)[-1] == ("drill-sat-nps", 0) and len(answer_log(bot, ANNA)) == len(before) + 1


CSAT_ONLY = """\
items:
  - id: drill-csat-fixed
    kind: drill
    area: satisfaction
    bodies: [all]
    sources: ["000"]
    metric: csat
    question: "{satisfied} of {respondents} customers were satisfied. What is the CSAT score?"
    params:
      satisfied: [785, 785]
      unsatisfied: [15, 15]
    decimals: 1
    unit: "%"
    solution: "{satisfied} / {respondents} x 100 = {answer}."
    explanation: Only satisfied scores count.
"""


async def test_a_typed_answer_right_to_fewer_places_is_nearly_never_a_wrong_mark(
    make_bot: MakeBot, tmp_path: Path
) -> None:
    bot = await make_bot(load_bank(write_bank(tmp_path / "bank", CSAT_ONLY), floors=False))
    drill = await onboard(bot, ANNA)
    assert "785 of 800 customers were satisfied" in drill.text  # 98.125%
    assert "Give your answer to one decimal place." in drill.text
    assert "98.1%" in [label for label, _ in drill.buttons]

    [unit] = await bot.send(ANNA, "£98")
    assert "A CSAT score is a percentage, not an amount in pounds" in unit.text
    assert answer_log(bot, ANNA) == []  # the question is still open

    [reply] = await bot.send(ANNA, "98%")
    assert "🟡 Nearly: to one decimal place it is 98.1%." in reply.text
    assert "Not quite" not in reply.text
    assert answer_log(bot, ANNA) == [("drill-csat-fixed", 1)]  # not a wrong mark


async def test_a_typed_answer_wrong_at_the_stated_precision_is_wrong(
    make_bot: MakeBot, tmp_path: Path
) -> None:
    bot = await make_bot(load_bank(write_bank(tmp_path / "bank", CSAT_ONLY), floors=False))
    await onboard(bot, ANNA)
    [reply] = await bot.send(ANNA, "98.0")
    assert "❌ Not quite: you said 98.0%; to one decimal place the answer is 98.1%." in reply.text
    assert answer_log(bot, ANNA) == [("drill-csat-fixed", 0)]


async def test_a_calculation_answered_by_a_button(make_bot: MakeBot, tmp_path: Path) -> None:
    bot = await make_bot(tiny_bank(tmp_path / "bank"))
    drill = await reach_drill(bot)
    await bot.tap(ANNA, drill, "40")
    assert "✅ Right: 40." in drill.text and "Worked solution" in drill.text
    assert answer_log(bot, ANNA)[-1] == ("drill-sat-nps", 1)


async def test_an_exam_tip_follows_five_right_answers_in_a_row(bot: Harness) -> None:
    prompt = await onboard(bot, ANNA)
    tips = []
    for _ in range(5):
        await bot.tap(ANNA, prompt, "Reveal")
        mark = bot.fake.mark()
        await bot.tap(ANNA, prompt, "Knew it")
        tips = [m for m in bot.shown_to(ANNA, mark) if "exam tip" in m.text]
        [prompt] = [m for m in bot.sent_to(ANNA, mark) if m.buttons]
    assert len(tips) == 1
    assert "5 right in a row" in tips[0].text and "💡" in tips[0].text


async def test_define_answers_from_the_bank_and_suggests_near_terms(bot: Harness) -> None:
    [nps] = await bot.send(ANNA, "/define nps")
    assert "<b>NPS</b>" in nps.text and "promoters" in nps.text

    [unknown] = await bot.send(ANNA, "/define CSTA")
    assert "isn't in my glossary. Did you mean" in unknown.text
    labels = [label for label, _ in unknown.buttons]
    assert "CSAT" in labels
    mark = bot.fake.mark()
    await bot.tap(ANNA, unknown, "CSAT")
    [definition] = bot.sent_to(ANNA, mark)
    assert "<b>CSAT</b>" in definition.text

    [usage] = await bot.send(ANNA, "/define")
    assert "/define NPS" in usage.text and "CSAT" in usage.text

    [nothing] = await bot.send(ANNA, "/define zzzzqqq")
    assert "isn't in my glossary" in nothing.text and not nothing.buttons


async def test_focus_drills_one_area_until_switched_off(bot: Harness) -> None:
    await onboard(bot, ANNA)
    [confirmed, prompt] = await bot.send(ANNA, "/focus legislation")
    assert "Focusing on <b>Law and ethics</b>" in confirmed.text
    for _ in range(6):
        assert "Law and ethics" in prompt.text.split("\n")[0]
        [prompt] = await bot.send(ANNA, "/next")

    [menu] = await bot.send(ANNA, "/focus")
    assert "You are drilling <b>Law and ethics</b>" in menu.text
    assert len(menu.buttons) == len(bot.bank.areas) + 1
    mark = bot.fake.mark()
    await bot.tap(ANNA, menu, "Back to the adaptive mix")
    assert "adaptive mix" in menu.text
    assert len(bot.sent_to(ANNA, mark)) == 1  # the next prompt, from the mix

    [unknown] = await bot.send(ANNA, "/focus astrology")
    assert "I don't have a topic area called “astrology”" in unknown.text and "legislation" in unknown.text
