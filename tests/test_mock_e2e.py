"""End to end: a mock exam in the private chat, answers withheld until the end, then the results."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path

from content.schema import (
    Answerable,
    Bank,
    ConceptCard,
    ExamQuestion,
    MetricDrill,
    MultipleChoice,
    TrueFalse,
)
from tests.fake_telegram import FakeUser, SentMessage
from tests.flows import onboard
from tests.harness import Harness
from tests.mock_bank import mock_bank

MakeBot = Callable[[Bank], Awaitable[Harness]]
MOLLY = FakeUser(851, "Molly")
VERDICTS = ("✅ Right", "Not quite", "❌", "Knew it.", "Score:")
GOOD_ANSWER = [
    "CRM keeps customer history and data in one place.",
    "Because staff can see it, they personalise the service, so customers stay loyal.",
    "done",
]


def _question(message: SentMessage) -> bool:
    return re.search(r"Question \d+/\d+</b> · (\d+ min|under a minute) left", message.text) is not None


def _latest_prompt(bot: Harness, user: FakeUser) -> tuple[int, Answerable]:
    [(prompt_id, item_id)] = bot.sql.rows(
        "SELECT id, item_id FROM prompt WHERE learner_id = ? ORDER BY id DESC LIMIT 1", user.id
    )
    item = bot.bank.answerable(item_id)
    assert item is not None
    return int(prompt_id), item


async def _start(bot: Harness, user: FakeUser = MOLLY) -> SentMessage:
    """Onboard, /mock, Start: the first question."""
    await onboard(bot, user, body="Not sure: all of them")
    [offer] = await bot.send(user, "/mock")
    assert "<b>13 questions</b> (15 marks) in <b>20 minutes</b>" in offer.text
    assert "No answer is marked as you go" in offer.text
    assert [label for label, _ in offer.buttons] == ["Start", "Cancel"]
    mark = bot.fake.mark()
    await bot.tap(user, offer, "Start")
    [first] = bot.sent_to(user, mark)
    assert "<b>Question 1/13</b> · 20 min left" in first.text
    return first


async def _answer(bot: Harness, user: FakeUser, question: SentMessage, right: bool) -> list[SentMessage]:
    """Answer one question (right or wrong); the messages that follow."""
    _, item = _latest_prompt(bot, user)
    mark = bot.fake.mark()
    if isinstance(item, ConceptCard):
        await bot.tap(user, question, "Reveal")
        shown = bot.fake.messages[(user.id, question.message_id)]
        assert "<b>Answer:</b>" in shown.text
        await bot.tap(user, shown, "Knew it" if right else "Not yet")
    elif isinstance(item, TrueFalse):
        await bot.tap(user, question, "True" if item.answer == right else "False")
    elif isinstance(item, MultipleChoice):
        wanted = "0" if right else "1"
        [data] = [d for _, d in question.buttons if d.endswith(f":{wanted}")]
        await bot.tap_data(user, question, data)
    elif isinstance(item, MetricDrill):
        await bot.send(user, "40" if right else "55")
    elif isinstance(item, ExamQuestion):
        for text in GOOD_ANSWER if right else ["I don't know.", "done"]:
            await bot.send(user, text)
    return bot.sent_to(user, mark)


async def test_a_private_mock_withholds_every_verdict_then_gives_the_results(
    make_bot: MakeBot, tmp_path: Path
) -> None:
    bot = await make_bot(mock_bank(tmp_path / "bank"))
    question = await _start(bot)
    wrong_at = {2, 5, 9}  # questions answered wrongly
    results: list[SentMessage] = []
    for position in range(1, 14):
        assert f"Question {position}/13" in question.text
        sent = await _answer(bot, MOLLY, question, right=position not in wrong_at)
        for message in sent:
            if position < 13:
                assert not any(v in message.text for v in VERDICTS), message.text
        questions = [m for m in sent if _question(m)]
        if position < 13:
            if len(questions) != 1:
                _debug(bot)
            assert len(questions) == 1, (position, [m.text for m in sent])
            question = questions[0]
        else:
            assert [m.text for m in sent[:2]] == [
                "Got it (1 message so far, 20 min left). Carry on, or send <b>done</b> when you have finished.",
                "Got it (2 messages so far, 20 min left). Carry on, or send <b>done</b> when you have finished.",
            ]
            results = sent[2:]
    summary = results[0]
    # 12 one-mark questions, 3 wrong; the written answer earns 3 of 3.
    assert "Score: <b>12/15</b> (80%)" in summary.text
    assert "<b>By area</b>" in summary.text and "Customer relationship management: " in summary.text
    assert "<b>What to revise:</b>" in summary.text
    assert all(label.startswith("Focus on ") for label, _ in summary.buttons)
    detail = "\n".join(m.text for m in results[1:])
    assert detail.count("Answer: <b>") == 12
    assert "❌ <b>2.</b>" in detail and "✅ <b>1.</b>" in detail
    assert "<b>3/3 marks</b>, marked automatically" in detail
    assert "<b>Model answer:</b>" in detail
    # Every answer counts in the learner's memory as a normal answer; the written text is gone.
    [(answers,)] = bot.sql.rows("SELECT COUNT(*) FROM answer WHERE learner_id = ?", MOLLY.id)
    assert answers == 13
    assert bot.sql.rows("SELECT COUNT(*) FROM examdraft") == [(0,)]
    assert bot.sql.rows("SELECT status FROM mockexam") == [("done",)]
    # Focus on the weakest area from the results: a set starts on it.
    mark = bot.fake.mark()
    await bot.tap(MOLLY, summary, summary.buttons[0][0])
    assert any("Focusing on" in m.text for m in bot.shown_to(MOLLY, mark))


def _debug(bot: Harness) -> None:
    for r in bot.fake.requests:
        if not isinstance(r.result, dict) and r.result is not True:
            print("REFUSED", r.method, r.params, r.result)
