"""End to end: progress a learner can trust, and sets with an end (one tap per answer, a recap)."""

from __future__ import annotations

import struct
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path

from bot.charts import MIN_READABLE_PX, area_chart, smallest_text_on_a_phone
from content.loader import load_bank
from content.schema import Bank, ConceptCard, MultipleChoice
from tests.banks import write_bank
from tests.fake_telegram import FakeUser, SentMessage
from tests.flows import (
    RECAP,
    answer,
    answer_and_next,
    answer_data,
    answers,
    is_prompt,
    item_of,
    onboard,
    prompt_of_kind,
)
from tests.harness import Harness

MakeBot = Callable[[Bank], Awaitable[Harness]]
ANNA = FakeUser(801, "Anna")


def _true_false(item_id: str, area: str, answer: bool) -> str:
    return f"""
  - id: {item_id}
    kind: truefalse
    area: {area}
    bodies: [all]
    sources: ["000"]
    statement: "Statement {item_id} about {area}."
    answer: {"true" if answer else "false"}
    explanation: "Because of {item_id}."
"""


TWO_AREAS = "items:" + "".join(
    [_true_false(f"crm-{n}", "crm", n % 2 == 0) for n in range(6)]
    + [_true_false(f"ret-{n}", "retention", n % 2 == 1) for n in range(5)]
)


async def test_one_of_five_right_shows_as_weaker_than_two_of_two_at_once(
    make_bot: MakeBot, tmp_path: Path
) -> None:
    bot = await make_bot(load_bank(write_bank(tmp_path / "bank", TWO_AREAS)))
    prompt = await onboard(bot, ANNA, body="Not sure: all of them")
    counts: Counter[str] = Counter()
    while counts["crm"] < 5 or counts["retention"] < 2:
        item = item_of(bot, prompt)
        right = item.area == "retention" or counts["crm"] == 0  # crm: 1 right, then misses
        counts[item.area] += 1
        prompt = await answer_and_next(bot, ANNA, prompt, right=right)
    [stats] = await bot.send(ANNA, "/stats")
    assert "📉 Weakest: <b>Customer relationship management</b>: right 1 of " in stats.text
    coming = []  # what comes next works on it (never three in a row from one area, though)
    for _ in range(3):
        coming.append(item_of(bot, prompt).area)
        prompt = await answer_and_next(bot, ANNA, prompt)
    assert coming.count("crm") >= 2, coming


async def _to_the_recap(bot: Harness, prompt: SentMessage, miss_first: bool = False) -> SentMessage:
    """Answer the set's prompts until its recap comes; returns the recap."""
    for n in range(40):
        mark = await answer(bot, ANNA, prompt, right=not (miss_first and n == 0))
        sent = bot.sent_to(ANNA, mark)
        recaps = [m for m in sent if RECAP in m.text]
        if recaps:
            return recaps[0]
        [prompt] = [m for m in sent if is_prompt(m)]
    raise AssertionError("the set never ended")


async def test_a_set_ends_with_a_recap_then_another_set_or_a_break(bot: Harness) -> None:
    await onboard(bot, ANNA)
    [saved] = await bot.send(ANNA, "/setsize 5")
    assert "your sets are <b>5</b> prompts" in saved.text
    [prompt] = await bot.send(ANNA, "/next")  # the current set stays 10: /next carries it on
    assert prompt.text.startswith("<b>2/10</b>")
    [prompt] = [m for m in await bot.send(ANNA, "/start") if is_prompt(m)]  # a new set: 5 long
    assert prompt.text.startswith("<b>1/5</b>")
    recap = await _to_the_recap(bot, prompt, miss_first=True)
    assert "🏁 <b>Set done: " in recap.text and "needs work." in recap.text
    assert [label for label, _ in recap.buttons] == ["Another set ▶", "Done for now"]
    another = recap.button("Another set ▶")

    mark = bot.fake.mark()
    await bot.tap(ANNA, recap, "Another set ▶")
    [first] = [m for m in bot.sent_to(ANNA, mark) if is_prompt(m)]
    assert first.text.startswith("<b>1/5</b>") and recap.buttons == []
    mark = bot.fake.mark()
    await bot.tap_data(ANNA, recap, another)  # a double tap starts nothing more
    assert [m for m in bot.sent_to(ANNA, mark) if is_prompt(m)] == []

    recap = await _to_the_recap(bot, first)
    assert "🌟 Nothing missed." in recap.text and "5/5 right" in recap.text


async def test_a_missed_item_comes_back_before_its_set_ends(bot: Harness) -> None:
    await onboard(bot, ANNA)
    await bot.send(ANNA, "/setsize 5")
    [prompt] = [m for m in await bot.send(ANNA, "/start") if is_prompt(m)]
    missed = item_of(bot, prompt).id
    seen = []
    for n in range(12):
        mark = await answer(bot, ANNA, prompt, right=n != 0)
        sent = bot.sent_to(ANNA, mark)
        if [m for m in sent if RECAP in m.text]:
            break
        [prompt] = [m for m in sent if is_prompt(m)]
        seen.append(item_of(bot, prompt).id)
    assert missed in seen  # back within the set (the set grows if the miss came late)


async def test_done_for_now_says_when_the_next_nudge_comes(bot: Harness) -> None:
    await onboard(bot, ANNA, time="18:00")
    await bot.send(ANNA, "/setsize 5")
    [prompt] = [m for m in await bot.send(ANNA, "/start") if is_prompt(m)]
    recap = await _to_the_recap(bot, prompt)
    mark = bot.fake.mark()
    await bot.tap(ANNA, recap, "Done for now")
    [bye] = bot.sent_to(ANNA, mark)
    assert "Good work. Your next nudge: today at 18:00." in bye.text


async def test_a_newer_prompt_takes_the_buttons_off_an_unanswered_one(bot: Harness) -> None:
    first = await onboard(bot, ANNA)
    reveal = first.button("Reveal")
    [second] = await bot.send(ANNA, "/next")
    assert first.buttons == [] and second.buttons  # only the latest prompt is live
    calls = await bot.tap_data(ANNA, first, reveal)  # a stale copy of the old message
    toasts = [c.params.get("text") for c in calls if c.method == "answerCallbackQuery"]
    assert toasts == ["That prompt was replaced by a newer one: answer the latest."]
    assert answers(bot, ANNA) == []

    [_, focused] = await bot.send(ANNA, "/focus retention")
    assert second.buttons == [] and focused.buttons
    start = await bot.send(ANNA, "/start")
    assert focused.buttons == [] and start[-1].buttons


async def test_a_repeat_tap_shows_the_first_choice_and_never_a_used_button(bot: Harness) -> None:
    mcq = await prompt_of_kind(bot, ANNA, await onboard(bot, ANNA), MultipleChoice)
    wrong = answer_data(item_of(bot, mcq), mcq, False)
    right = answer_data(item_of(bot, mcq), mcq, True)
    mark = bot.fake.mark()
    calls = await bot.tap_data(ANNA, mcq, wrong)
    [toast] = [str(c.params.get("text")) for c in calls if c.method == "answerCallbackQuery"]
    assert toast.startswith("❌ Not quite: the answer is ")
    first = mcq.text
    assert first.count("❌ <b>") == 1 and first.count("✅ <b>") == 1
    await bot.tap_data(ANNA, mcq, right)  # from a stale copy: the first answer stands, as chosen
    assert mcq.text == first and mcq.buttons == []
    assert len([m for m in bot.sent_to(ANNA, mark) if is_prompt(m)]) == 1

    card_prompt = await prompt_of_kind(bot, ANNA, bot.sent_to(ANNA, mark)[-1], ConceptCard)
    reveal = card_prompt.button("Reveal")
    await bot.tap(ANNA, card_prompt, "Reveal")
    await bot.tap(ANNA, card_prompt, "Knew it")
    answered = card_prompt.text
    await bot.tap_data(ANNA, card_prompt, reveal)  # an old Reveal brings nothing back
    assert card_prompt.text == answered and card_prompt.buttons == []


async def test_tips_come_at_five_and_ten_in_a_row_on_the_area_just_practised(bot: Harness) -> None:
    prompt = await onboard(bot, ANNA)
    tips: list[tuple[int, SentMessage, str]] = []
    for n in range(1, 12):
        area = item_of(bot, prompt).area
        mark = bot.fake.mark()
        prompt = await answer_and_next(bot, ANNA, prompt)
        tips += [(n, m, area) for m in bot.shown_to(ANNA, mark) if "exam tip" in m.text]
    assert [n for n, _, _ in tips] == [5, 10]
    assert "🔥 5 right in a row!" in tips[0][1].text and "🔥 10 right in a row!" in tips[1][1].text
    for _, message, area in tips:
        [tip] = [t for t in bot.bank.tips_for("pearson") if f"<b>{t.title}</b>" in message.text]
        assert tip.area in (area, "any")  # never another area's tip, always for the learner's body


def test_the_progress_chart_stays_legible_on_a_phone_360_pixels_wide() -> None:
    png = area_chart(
        [("Customer relationship management", 0.4, "right 2 of 5 recently · met 5 of 17")], "t", "a"
    )
    width = struct.unpack(">I", png[16:20])[0]
    assert smallest_text_on_a_phone() >= MIN_READABLE_PX
    assert width >= 2 * 360  # drawn at twice a small phone's width, so text stays sharp at half size
