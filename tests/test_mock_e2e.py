"""End to end: a mock exam in the private chat, answers withheld until the end, then the results."""

from __future__ import annotations

import asyncio
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
from tests.test_transactions_e2e import Transactions

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
            tail = "20 min left). Carry on, or send <b>done</b> when you have finished."
            assert [m.text for m in sent[:2]] == [
                f"Got it (1 message so far, {tail}",
                f"Got it (2 messages so far, {tail}",
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
    assert bot.sql.rows("SELECT COUNT(*) FROM examdraft") == [(0,)]  # the written text is gone
    assert bot.sql.rows("SELECT status FROM mockexam") == [("done",)]
    # Every one-mark answer counts in the learner's memory as a normal answer...
    answers = "SELECT COUNT(*) FROM answer WHERE learner_id = ?"
    assert bot.sql.rows(answers, MOLLY.id) == [(12,)]
    # ...and the written answer's marks wait for the learner's word: a tap corrects one, Confirm records.
    writing = results[-1]
    assert "tap a point to change its mark" in writing.text
    assert [label for label, _ in writing.buttons] == ["✅ 1", "✅ 2", "✅ 3", "Confirm 3/3 ▶"]
    calls = await bot.tap(MOLLY, writing, "✅ 3")
    [toast] = [c.params.get("text") for c in calls if c.method == "answerCallbackQuery"]
    assert toast == "Point 3: not earned ❌. Now 2/3."
    mark = bot.fake.mark()
    await bot.tap(MOLLY, bot.fake.messages[(MOLLY.id, writing.message_id)], "Confirm 2/3 ▶")
    assert any("📌 Recorded: 2/3 (you changed 1 point)" in m.text for m in bot.sent_to(MOLLY, mark))
    assert bot.sql.rows(answers, MOLLY.id) == [(13,)]
    # Focus on the weakest area from the results: a set starts on it.
    mark = bot.fake.mark()
    await bot.tap(MOLLY, summary, summary.buttons[0][0])
    assert any("Focusing on" in m.text for m in bot.shown_to(MOLLY, mark))


def _debug(bot: Harness) -> None:
    for r in bot.fake.requests:
        if not isinstance(r.result, dict) and r.result is not True:
            print("REFUSED", r.method, r.params, r.result)


async def test_time_running_out_sends_the_results_once_and_a_late_answer_is_told_so(
    make_bot: MakeBot, tmp_path: Path
) -> None:
    bot = await make_bot(mock_bank(tmp_path / "bank"))
    question = await _start(bot)
    sent = await _answer(bot, MOLLY, question, right=True)
    [question] = [m for m in sent if _question(m)]
    late = question.buttons[0][1]  # a button of the open question, tapped after the end
    bot.clock.advance(timedelta(minutes=19, seconds=30))
    assert (await bot.mock_sweep()).sent == 0  # not yet
    bot.clock.advance(timedelta(seconds=31))
    mark = bot.fake.mark()
    report = await bot.mock_sweep()
    assert report.sent == 1
    [summary, *detail] = bot.sent_to(MOLLY, mark)
    assert summary.text.startswith("⏰ Time is up on your mock exam. Here are your results.")
    assert "Score: <b>1/15</b> (7%)" in summary.text
    assert "Questions left unanswered when time ran out score nothing." in summary.text
    assert "not answered" in "\n".join(m.text for m in detail)
    # The question left open lost its buttons; sweeping again (or after a restart) sends nothing more.
    assert bot.fake.messages[(MOLLY.id, question.message_id)].buttons == []
    assert (await bot.mock_sweep()).sent == 0
    await bot.restart()
    bot.clock.advance(timedelta(minutes=5))
    assert (await bot.mock_sweep()).sent == 0
    # A late tap on the old question: time is up, and the results again; nothing recorded.
    [(answers_before,)] = bot.sql.rows("SELECT COUNT(*) FROM answer WHERE learner_id = ?", MOLLY.id)
    await bot.tap_data(MOLLY, question, late)
    shown = bot.sent_to(MOLLY, mark)
    assert any("⏰ Time is up: that answer came after the end" in m.text for m in shown)
    assert bot.sql.rows("SELECT COUNT(*) FROM answer WHERE learner_id = ?", MOLLY.id) == [(answers_before,)]
    # /mock now offers a new one.
    [offer] = await bot.send(MOLLY, "/mock")
    assert "Start" in [label for label, _ in offer.buttons]


async def test_a_double_tap_records_one_answer_and_serves_one_question(
    make_bot: MakeBot, tmp_path: Path
) -> None:
    bot = await make_bot(mock_bank(tmp_path / "bank"))
    question = await _start(bot)
    _, item = _latest_prompt(bot, MOLLY)
    if isinstance(item, ConceptCard):  # reveal first: the answer buttons come with it
        await bot.tap(MOLLY, question, "Reveal")
        question = bot.fake.messages[(MOLLY.id, question.message_id)]
    data = question.buttons[0][1]
    mark = bot.fake.mark()
    await bot.fake.tap(MOLLY, question, data)
    await bot.fake.tap(MOLLY, question, data)
    await bot.settle()
    assert len([m for m in bot.sent_to(MOLLY, mark) if _question(m)]) == 1
    assert bot.sql.rows("SELECT COUNT(*) FROM answer WHERE learner_id = ?", MOLLY.id) == [(1,)]
    answered = [r for r in bot.fake.requests[mark:] if r.method == "answerCallbackQuery"]
    assert len(answered) == 2  # each tap answered once


async def test_a_restart_mid_mock_carries_on_where_it_was(make_bot: MakeBot, tmp_path: Path) -> None:
    bot = await make_bot(mock_bank(tmp_path / "bank"))
    question = await _start(bot)
    for _ in range(3):
        [question] = [m for m in await _answer(bot, MOLLY, question, right=True) if _question(m)]
    await bot.restart()
    bot.clock.advance(timedelta(minutes=4))
    assert "<b>Question 4/13</b>" in question.text
    [running] = await bot.send(MOLLY, "/mock")
    assert "You have a mock exam running: <b>16 min left</b>" in running.text
    mark = bot.fake.mark()
    await bot.tap(MOLLY, running, "Carry on")
    [again] = [m for m in bot.sent_to(MOLLY, mark) if _question(m)]
    assert "<b>Question 4/13</b> · 16 min left" in again.text
    sent = await _answer(bot, MOLLY, again, right=True)
    assert any("<b>Question 5/13</b>" in m.text for m in sent)
    assert bot.sql.rows("SELECT COUNT(*) FROM answer WHERE learner_id = ?", MOLLY.id) == [(4,)]


async def test_text_during_a_tapped_question_gets_a_pointer_and_abandon_ends_it(
    make_bot: MakeBot, tmp_path: Path
) -> None:
    bot = await make_bot(mock_bank(tmp_path / "bank"))
    await _start(bot)
    [pointer] = await bot.send(MOLLY, "what do I do?")
    assert "You're in a mock exam: question 1/13 is answered with the buttons under it" in pointer.text
    [running] = await bot.send(MOLLY, "/mock")
    mark = bot.fake.mark()
    await bot.tap(MOLLY, running, "Abandon")
    [abandoned] = bot.sent_to(MOLLY, mark)
    assert abandoned.text.startswith("Mock exam abandoned.")
    assert bot.sql.rows("SELECT status FROM mockexam") == [("abandoned",)]
    bot.clock.advance(timedelta(minutes=30))
    assert (await bot.mock_sweep()).sent == 0  # no results for an abandoned mock
    [hint] = await bot.send(MOLLY, "hello")
    assert "/next" in hint.text  # back to the ordinary loop


async def test_every_mock_update_runs_in_at_most_one_transaction(make_bot: MakeBot, tmp_path: Path) -> None:
    bot = await make_bot(mock_bank(tmp_path / "bank"))
    tx = Transactions(bot)
    seen: dict[str, int] = {}
    await onboard(bot, MOLLY, body="Not sure: all of them")
    [offer] = await bot.send(MOLLY, "/mock")
    seen["/mock (the offer)"] = await tx.of(bot.send(MOLLY, "/mock"))
    mark = bot.fake.mark()
    seen["Start"] = await tx.of(bot.tap(MOLLY, offer, "Start"))
    [question] = bot.sent_to(MOLLY, mark)
    seen["free text during a tapped question"] = await tx.of(bot.send(MOLLY, "hm"))
    seen["/mock while it runs"] = await tx.of(bot.send(MOLLY, "/mock"))
    for position in range(1, 14):
        _, item = _latest_prompt(bot, MOLLY)
        label = f"answer a {type(item).__name__}"
        if isinstance(item, ExamQuestion):
            seen["a message of the written answer"] = await tx.of(bot.send(MOLLY, GOOD_ANSWER[0]))
            seen["done (the results)"] = await tx.of(bot.send(MOLLY, "done"))
            break
        if isinstance(item, ConceptCard):
            seen["Reveal"] = await tx.of(bot.tap(MOLLY, question, "Reveal"))
            question = bot.fake.messages[(MOLLY.id, question.message_id)]
        mark = bot.fake.mark()
        if isinstance(item, MetricDrill):
            seen[label] = await tx.of(bot.send(MOLLY, "40"))
        else:
            seen[label] = await tx.of(bot.tap_data(MOLLY, question, question.buttons[0][1]))
        [question] = [m for m in bot.sent_to(MOLLY, mark) if _question(m)]
        assert f"Question {position + 1}/13" in question.text
    print("\n".join(f"{label:<40}  {count}" for label, count in seen.items()))
    assert {label: count for label, count in seen.items() if count != 1} == {}


async def test_next_puts_the_mock_aside_with_its_clock_running_and_carry_on_returns(
    make_bot: MakeBot, tmp_path: Path
) -> None:
    bot = await make_bot(mock_bank(tmp_path / "bank"))
    question = await _start(bot)
    [question] = [m for m in await _answer(bot, MOLLY, question, right=True) if _question(m)]
    practice = await bot.send(MOLLY, "/next")
    assert practice and not any(_question(m) for m in practice)  # an ordinary prompt
    assert bot.fake.messages[(MOLLY.id, question.message_id)].buttons == []  # the mock's lost its buttons
    bot.clock.advance(timedelta(minutes=3))
    [running] = await bot.send(MOLLY, "/mock")
    assert "<b>17 min left</b>" in running.text
    mark = bot.fake.mark()
    await bot.tap(MOLLY, running, "Carry on")
    [again] = [m for m in bot.sent_to(MOLLY, mark) if _question(m)]
    assert "<b>Question 2/13</b> · 17 min left" in again.text
    [(status,)] = bot.sql.rows("SELECT status FROM mockexam")
    assert status == "running"


async def test_cancel_under_the_offer_starts_nothing(make_bot: MakeBot, tmp_path: Path) -> None:
    bot = await make_bot(mock_bank(tmp_path / "bank", exam=False))
    await onboard(bot, MOLLY, body="Not sure: all of them")
    [offer] = await bot.send(MOLLY, "/mock")
    assert "<b>12 questions</b> (12 marks) in <b>13 minutes</b>" in offer.text
    assert "written answer" not in offer.text
    mark = bot.fake.mark()
    await bot.tap(MOLLY, offer, "Cancel")
    assert [m.text for m in bot.sent_to(MOLLY, mark)] == ["No problem. Send /mock whenever you're ready."]
    assert bot.sql.rows("SELECT COUNT(*) FROM mockexam") == [(0,)]


async def test_a_written_answer_in_progress_when_time_runs_out_is_marked_as_it_stands(
    make_bot: MakeBot, tmp_path: Path
) -> None:
    bot = await make_bot(mock_bank(tmp_path / "bank"))
    question = await _start(bot)
    for _ in range(12):
        [question] = [m for m in await _answer(bot, MOLLY, question, right=True) if _question(m)]
    assert "Question 13/13" in question.text
    await bot.send(MOLLY, GOOD_ANSWER[0])
    await bot.send(MOLLY, "/next")  # put aside: what was written carries over to Carry on
    [running] = await bot.send(MOLLY, "/mock")
    mark = bot.fake.mark()
    await bot.tap(MOLLY, running, "Carry on")
    [again] = [m for m in bot.sent_to(MOLLY, mark) if _question(m)]
    assert "Question 13/13" in again.text
    [noted] = await bot.send(MOLLY, GOOD_ANSWER[1])
    assert noted.text.startswith("Got it (2 messages so far")
    bot.clock.advance(timedelta(minutes=21))
    mark = bot.fake.mark()
    assert (await bot.mock_sweep()).sent == 1
    [summary, *detail] = bot.sent_to(MOLLY, mark)
    assert "Score: <b>15/15</b> (100%)" in summary.text
    assert "<b>3/3 marks</b>, marked automatically" in "\n".join(m.text for m in detail)
    assert bot.sql.rows("SELECT COUNT(*) FROM examdraft") == [(0,)]


async def test_a_daily_nudge_never_interrupts_a_mock(make_bot: MakeBot, tmp_path: Path) -> None:
    bot = await make_bot(mock_bank(tmp_path / "bank"))
    question = await _start(bot)
    await bot.send(MOLLY, "/remind 09:10")  # the clock reads 09:00 in London
    bot.clock.advance(timedelta(minutes=11))
    mark = bot.fake.mark()
    await bot.sweep()
    assert not [m for m in bot.sent_to(MOLLY, mark) if "Your daily revision" in m.text]
    assert bot.fake.messages[(MOLLY.id, question.message_id)].buttons  # the question is still live
    assert bot.sql.rows("SELECT status, error FROM nudgesend") == [("skipped", "in a mock exam")]


async def test_mock_after_the_time_ran_out_gives_the_results_once_then_a_new_offer(
    make_bot: MakeBot, tmp_path: Path
) -> None:
    bot = await make_bot(mock_bank(tmp_path / "bank"))
    await _start(bot)
    bot.clock.advance(timedelta(minutes=25))  # no sweep ran meanwhile
    [summary, *_] = await bot.send(MOLLY, "/mock")
    assert summary.text.startswith("⏰ Time is up on your mock exam. Here are your results.")
    assert "Score: <b>0/15</b> (0%)" in summary.text
    assert (await bot.mock_sweep()).sent == 0  # shown already: not sent again
    [offer] = await bot.send(MOLLY, "/mock")
    assert offer.text.startswith("📝 <b>Mock exam</b>")


async def test_two_instances_sweeping_at_once_send_the_results_once(
    make_bot: MakeBot, tmp_path: Path, database_url: str
) -> None:
    bot = await make_bot(mock_bank(tmp_path / "bank"))
    await _start(bot)
    other = Harness(
        bot.fake, bot.db_path, clock=bot.clock, bank=bot.bank, database_url=database_url, polling=False
    )
    await other.start()
    try:
        bot.clock.advance(timedelta(minutes=21))
        mark = bot.fake.mark()
        reports = await asyncio.gather(bot.mock_sweep(), other.mock_sweep())
        assert sum(report.sent for report in reports) == 1
        summaries = [m for m in bot.sent_to(MOLLY, mark) if "Mock exam results" in m.text]
        assert len(summaries) == 1
    finally:
        await other.stop()


async def test_moving_on_after_a_mock_records_its_written_answer_as_marked(
    make_bot: MakeBot, tmp_path: Path
) -> None:
    bot = await make_bot(mock_bank(tmp_path / "bank"))
    question = await _start(bot)
    for position in range(1, 14):
        sent = await _answer(bot, MOLLY, question, right=True)
        if position < 13:
            [question] = [m for m in sent if _question(m)]
    answers = "SELECT COUNT(*) FROM answer WHERE learner_id = ?"
    assert bot.sql.rows(answers, MOLLY.id) == [(12,)]  # the written marks wait for the learner's word
    [waiting] = await bot.send(MOLLY, "and one more thing")
    assert "/next also keeps the marks as they stand" in waiting.text
    await bot.send(MOLLY, "/next")  # ...which is true: moving on records them
    assert bot.sql.rows(answers, MOLLY.id) == [(13,)]
    assert bot.sql.rows("SELECT COUNT(*) FROM prompt WHERE kind = 'exam' AND answered_at IS NULL") == [(0,)]


def test_the_offer_gives_the_range_of_marks_the_written_question_drawn_at_start_allows() -> None:
    from bot.tutor.mock import offer_of
    from bot.views.mock import offer_text
    from tests.banks import shipped_bank

    course = shipped_bank().for_body("all")
    written = sorted((item for item in course if isinstance(item, ExamQuestion)), key=lambda q: q.marks)
    one_mark = next(item for item in course if isinstance(item, TrueFalse))
    offer = offer_of([one_mark, written[-1]], course)
    assert (offer.marks, offer.most_marks) == (1 + written[0].marks, 1 + written[-1].marks)
    assert f"({1 + written[0].marks} to {1 + written[-1].marks} marks, by the written question drawn)" in (
        offer_text(offer)
    )
