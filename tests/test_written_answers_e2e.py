"""End to end: a written answer to an exam question, marked against its scheme and self-assessed.

A tiny bank: three concept cards in CRM and one exam question on CRM with three marking points
(an exam question comes only once three items of its area have been met).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path

import pytest

from bot.codec import Action, Callback, encode
from content.loader import load_bank
from content.schema import Bank
from tests.banks import write_bank
from tests.fake_telegram import FakeUser, SentMessage
from tests.harness import Harness

ANNA = FakeUser(301, "Anna")
BEN = FakeUser(302, "Ben")
MakeBot = Callable[[Bank], Awaitable[Harness]]

EXAM_BANK = """\
items:
  - id: crm-one
    kind: concept
    area: crm
    bodies: [all]
    sources: ["000"]
    question: What is CRM?
    answer: A strategy for managing relationships with customers.
    explanation: People, processes and technology.
  - id: crm-two
    kind: concept
    area: crm
    bodies: [all]
    sources: ["000"]
    question: What does a CRM system record?
    answer: Each customer's details and history.
    explanation: One record everyone can see.
  - id: crm-three
    kind: concept
    area: crm
    bodies: [all]
    sources: ["000"]
    question: How does CRM data personalise service?
    answer: Staff see preferences and past contacts.
    explanation: Offers match the customer.
  - id: exam-crm-loyalty
    kind: exam
    area: crm
    outcome: crm
    bodies: [all]
    sources: ["000"]
    command: explain
    question: Explain how a CRM system helps a business keep its customers.
    explanation: Examiners want the record linked to personal service and to loyalty.
    points:
      - id: record
        text: A CRM system keeps each customer's details and history in one place
        phrasings:
          - "store*|record*|hold*|keep*|track* + customer*|client* + detail*|history|data|information"
      - id: personal
        text: Staff use the record to personalise service
        phrasings:
          - "personalis*|tailor* + service|offer*|message*"
      - id: loyalty
        text: Customers who feel valued stay loyal
        phrasings:
          - "valued|understood + loyal*|stay*|return*"
    model_answer: >-
      A CRM system stores every customer's details and history in one place. Staff use it to
      personalise service and offers. Customers who feel valued stay loyal.
"""

CARDS = ("What is CRM?", "What does a CRM system record?", "How does CRM data personalise service?")


@pytest.fixture
async def exam_bot(make_bot: MakeBot, tmp_path: Path) -> Harness:
    return await make_bot(load_bank(write_bank(tmp_path / "bank", EXAM_BANK)))


async def reach_question(bot: Harness, user: FakeUser) -> SentMessage:
    """Set up, know the three cards; the exam question follows."""
    [welcome] = await bot.send(user, "/start")
    await bot.tap(user, welcome, "Not sure: all of them")
    mark = bot.fake.mark()
    await bot.tap(user, bot.fake.messages[(user.id, welcome.message_id)], "Not now")
    [prompt] = bot.sent_to(user, mark)
    for _ in CARDS:
        assert any(card in prompt.text for card in CARDS)
        await bot.tap(user, prompt, "Reveal")
        mark = bot.fake.mark()
        await bot.tap(user, prompt, "Knew it")
        [prompt] = bot.sent_to(user, mark)
    assert "Explain how a CRM system helps a business keep its customers." in prompt.text
    assert "(3 marks)" in prompt.text and "Send <b>done</b>" in prompt.text
    return prompt


def last_toast(bot: Harness) -> str:
    """The text of the latest answer to a tapped button."""
    return str(bot.fake.calls("answerCallbackQuery")[-1].params.get("text"))


def drafts(bot: Harness) -> list[tuple[int, str]]:
    return bot.sql.rows("SELECT messages, text FROM examdraft")


def marks(bot: Harness) -> list[tuple[str, int, int]]:
    return bot.sql.rows("SELECT point_id, auto, earned FROM exammark ORDER BY position")


async def test_one_message_then_done_is_marked_with_quotes_and_the_words_discarded(exam_bot: Harness) -> None:
    bot = exam_bot
    await reach_question(bot, ANNA)
    answer = (
        "A CRM system stores each customer's purchase history so staff can see it. "
        "It does not make customers feel valued."
    )
    [ack] = await bot.send(ANNA, answer)
    assert "1 message, 20 words so far" in ack.text
    assert drafts(bot) == [(1, answer)]  # kept only while being written
    [marking] = await bot.send(ANNA, "Done.")
    text = marking.text
    assert "I found 1 of 3 marking points" in text
    # the point found, with the learner's own sentence quoted under it
    assert (
        "✅ <b>1.</b> A CRM system keeps each customer&#x27;s details and history in one place\n"
        "    <i>“A CRM system stores each customer&#x27;s purchase history so staff can see it.”</i>"
    ) in text
    assert "❌ <b>2.</b> Staff use the record to personalise service" in text
    # a negated sentence earns nothing for the point it denies
    assert "❌ <b>3.</b> Customers who feel valued stay loyal" in text
    assert "<b>Model answer:</b> A CRM system stores every customer" in text
    assert [label for label, _ in marking.buttons] == ["✅ 1", "❌ 2", "❌ 3", "Confirm 1/3 ▶"]
    assert drafts(bot) == []  # the words are gone once marked...
    assert marks(bot) == [("record", 1, 1), ("personal", 0, 0), ("loyalty", 0, 0)]  # ...which points stay
    assert "purchase history" not in str(bot.sql.rows("SELECT * FROM prompt"))


async def test_several_messages_with_done_on_the_last_line(exam_bot: Harness) -> None:
    bot = exam_bot
    question = await reach_question(bot, ANNA)
    [first] = await bot.send(ANNA, "CRM keeps customer data in one place.")
    assert "1 message, 7 words so far" in first.text
    [second] = await bot.send(ANNA, "Staff then tailor offers to each person")
    assert "2 messages, 14 words so far" in second.text
    [marking] = await bot.send(ANNA, "Customers feel valued and stay with the firm.\ndone")
    assert "I found 3 of 3 marking points" in marking.text
    assert "“Staff then tailor offers to each person”" in marking.text
    assert "Confirm 3/3 ▶" in [label for label, _ in marking.buttons]
    # the Mark button under an earlier acknowledgement now reports the marking, nothing more
    await bot.tap(ANNA, first, "✅ Mark my answer")
    assert "already marked" in last_toast(bot)
    assert question.buttons == []


async def test_self_assessment_overrides_the_automatic_mark(exam_bot: Harness) -> None:
    bot = exam_bot
    await reach_question(bot, ANNA)
    await bot.send(ANNA, "A CRM holds client details. Offers are personalised for each customer.")
    [marking] = await bot.send(ANNA, "done")
    assert [label for label, _ in marking.buttons] == ["✅ 1", "✅ 2", "❌ 3", "Confirm 2/3 ▶"]
    await bot.tap(ANNA, marking, "❌ 3")  # "I did say that": the learner's word is final
    marking = bot.fake.messages[(ANNA.id, marking.message_id)]
    assert [label for label, _ in marking.buttons] == ["✅ 1", "✅ 2", "✅ 3", "Confirm 3/3 ▶"]
    assert "Point 3: earned ✅. Now 3/3." in last_toast(bot)
    await bot.tap(ANNA, marking, "✅ 2")  # and the other way
    marking = bot.fake.messages[(ANNA.id, marking.message_id)]
    confirm_data = marking.button("Confirm 2/3 ▶")
    mark = bot.fake.mark()
    await bot.tap(ANNA, marking, "Confirm 2/3 ▶")
    recorded, *following = bot.sent_to(ANNA, mark)
    assert "Recorded: 2/3 (you changed 2 points)." in recorded.text
    assert following  # the next prompt (or the set's end) follows at once
    assert bot.fake.messages[(ANNA.id, marking.message_id)].buttons == []
    assert marks(bot) == [("record", 1, 1), ("personal", 1, 0), ("loyalty", 0, 1)]
    states = dict(
        bot.sql.rows("SELECT item_id, correct FROM itemstate WHERE item_id LIKE 'exam-crm-loyalty#%'")
    )
    assert states == {
        "exam-crm-loyalty#record": 1,
        "exam-crm-loyalty#personal": 0,
        "exam-crm-loyalty#loyalty": 1,
    }
    assert bot.sql.rows("SELECT item_id, kind, correct FROM answer WHERE item_id LIKE 'exam%'") == [
        ("exam-crm-loyalty", "exam", 1)
    ]
    # a second Confirm (a double tap, or an old message) records nothing more
    prompt_id = int(confirm_data.split(":")[1])
    await bot.tap_data(ANNA, marking, encode(Callback(Action.CONFIRM, prompt_id)))
    assert "Already recorded: 2/3." in last_toast(bot)
    assert len(bot.sql.rows("SELECT id FROM answer WHERE item_id = 'exam-crm-loyalty'")) == 1


async def test_a_missed_point_brings_the_question_back_and_is_named(exam_bot: Harness) -> None:
    bot = exam_bot
    await reach_question(bot, ANNA)
    await bot.send(ANNA, "A CRM system records customer history. Staff personalise the service.")
    [marking] = await bot.send(ANNA, "done")
    await bot.tap(ANNA, marking, "Confirm 2/3 ▶")
    # a day later the cards are still well remembered; the missed point is not
    bot.clock.now += timedelta(days=1)
    [prompt] = await bot.send(ANNA, "/next")
    assert "Explain how a CRM system helps a business keep its customers." in prompt.text
    assert "Last time these points were missing:</b>\n• Customers who feel valued stay loyal" in prompt.text
    await bot.send(
        ANNA,
        "Customers who feel understood stay loyal to the brand. Staff tailor offers. CRM holds client data.",
    )
    [marking] = await bot.send(ANNA, "done")
    mark = bot.fake.mark()
    await bot.tap(ANNA, marking, "Confirm 3/3 ▶")
    [recorded, *_] = bot.sent_to(ANNA, mark)
    assert "Full marks: this question comes back" in recorded.text


async def test_moving_on_keeps_the_marks_and_unfinished_words_are_discarded(exam_bot: Harness) -> None:
    bot = exam_bot
    await reach_question(bot, ANNA)
    await bot.send(ANNA, "CRM stores customer data centrally.")
    [marking] = await bot.send(ANNA, "done")
    [waiting] = await bot.send(ANNA, "and also loyalty")  # text after marking is not a new answer
    assert "already marked, so this message was not added to it" in waiting.text
    await bot.send(ANNA, "/next")  # moving on records the marks as they stand
    assert bot.sql.rows("SELECT correct FROM answer WHERE item_id = 'exam-crm-loyalty'") == [(0,)]
    await bot.tap(ANNA, marking, "Confirm 1/3 ▶")
    assert "Already recorded: 1/3." in last_toast(bot)


async def test_done_with_nothing_written_and_forged_buttons(exam_bot: Harness) -> None:
    bot = exam_bot
    question = await reach_question(bot, ANNA)
    [hint] = await bot.send(ANNA, "done")
    assert "Nothing written yet" in hint.text
    [ack] = await bot.send(ANNA, "CRM keeps customer details.")
    prompt_id = int(ack.button("✅ Mark my answer").split(":")[1])
    # Ben forges Anna's buttons: nothing happens to her answer
    await reach_question(bot, BEN)
    for data in (f"w:{prompt_id}", f"x:{prompt_id}:1", f"y:{prompt_id}", f"x:{prompt_id}:9"):
        await bot.tap_data(BEN, question, data)
    assert drafts(bot) == [(1, "CRM keeps customer details.")]
    assert marks(bot) == []


async def test_export_forget_and_the_sweep_cover_written_answers(exam_bot: Harness) -> None:
    bot = exam_bot
    await reach_question(bot, ANNA)
    await bot.send(ANNA, "CRM stores customer data centrally.")
    [marking] = await bot.send(ANNA, "done")
    await bot.tap(ANNA, marking, "Confirm 1/3 ▶")
    await reach_question(bot, BEN)
    await bot.send(BEN, "Something half written")
    [file] = await bot.send(ANNA, "/export")
    tables = json.loads(file.document)["tables"]
    assert [(m["point_id"], m["earned"]) for m in tables["exammark"]] == [
        ("record", True),
        ("personal", False),
        ("loyalty", False),
    ]
    assert tables["examdraft"] == []
    # an answer nobody adds to for two days is deleted, words and all
    assert bot.app is not None
    sweep = bot.app.bot_data.tutor.privacy.sweep_inactive
    bot.clock.now += timedelta(hours=47)
    await sweep(bot.clock())
    assert drafts(bot) == [(1, "Something half written")]
    bot.clock.now += timedelta(hours=2)
    await sweep(bot.clock())
    assert drafts(bot) == []
    [question] = await bot.send(ANNA, "/forget")
    await bot.tap(ANNA, question, "Yes, erase everything")
    assert marks(bot) == []


async def test_write_asks_an_exam_question_now(exam_bot: Harness) -> None:
    bot = exam_bot
    [welcome] = await bot.send(ANNA, "/start")
    await bot.tap(ANNA, welcome, "Not sure: all of them")
    await bot.tap(ANNA, bot.fake.messages[(ANNA.id, welcome.message_id)], "Not now")
    [prompt] = await bot.send(ANNA, "/write")  # asked for: no need to meet the area's cards first
    assert "Explain how a CRM system helps a business keep its customers." in prompt.text
    [ack] = await bot.send(ANNA, "CRM keeps client records.")
    assert "1 message, 4 words so far" in ack.text
    [help_text] = await bot.send(ANNA, "/help")
    assert "/write – an exam question to answer in writing now" in help_text.text


async def test_a_daily_nudge_never_discards_an_answer_being_written(exam_bot: Harness) -> None:
    bot = exam_bot
    await reach_question(bot, ANNA)  # 09:00 London, 2 March
    await bot.send(ANNA, "/remind 09:30")
    await bot.send(ANNA, "A CRM system stores each customer's purchase history.")
    bot.clock.now += timedelta(minutes=31)
    mark = bot.fake.mark()
    await bot.sweep()
    assert bot.sent_to(ANNA, mark) == []  # she is revising already: today's nudge is skipped
    assert bot.sql.rows("SELECT status, error FROM nudgesend") == [("skipped", "writing an exam answer")]
    assert drafts(bot) == [(1, "A CRM system stores each customer's purchase history.")]
    [marking] = await bot.send(ANNA, "Staff personalise offers for each customer.\ndone")
    assert "I found 2 of 3 marking points" in marking.text
