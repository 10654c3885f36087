"""End to end: a class mock exam run by a teacher in a group; no verdict until the results."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path

from content.schema import Bank
from tests.fake_telegram import FakeUser, Request
from tests.flows import onboard
from tests.harness import Harness
from tests.mock_bank import mock_bank
from tests.test_mock_e2e import GOOD_ANSWER

MakeBot = Callable[[Bank], Awaitable[Harness]]
GROUP = -100_456
TEACHER = FakeUser(861, "Mr Vale")
AMIR = FakeUser(862, "Amir")
BEA = FakeUser(863, "Bea")


async def say(bot: Harness, user: FakeUser, text: str) -> list[Request]:
    """A member sends `text` in the group; what the bot sent to the group."""
    mark = bot.fake.mark()
    await bot.fake.group_text(user, GROUP, text)
    await bot.settle()
    return [r for r in bot.fake.requests[mark:] if r.params.get("chat_id") == GROUP]


def to_group(bot: Harness, mark: int) -> list[Request]:
    return [r for r in bot.fake.requests[mark:] if r.params.get("chat_id") == GROUP]


def texts(requests: list[Request]) -> list[str]:
    return [r.params.get("text", "") for r in requests if r.method == "sendMessage"]


async def vote(bot: Harness, user: FakeUser, poll: Request, right: bool) -> None:
    poll_id = poll.result["poll"]["id"]
    [(correct,)] = bot.sql.rows("SELECT correct_option FROM quizquestion WHERE poll_id = ?", poll_id)
    option = correct if right else (correct + 1) % len(poll.params["options"])
    await bot.fake.poll_answer(user, poll_id, [option])
    await bot.settle()


async def test_a_class_mock_withholds_answers_until_its_results(make_bot: MakeBot, tmp_path: Path) -> None:
    bot = await make_bot(mock_bank(tmp_path / "bank"))
    bot.fake.admins[GROUP] = {TEACHER.id}
    refused = await say(bot, AMIR, "/mock")
    assert texts(refused) == ["Only group admins can run a class mock exam."]
    assert not [r for r in refused if r.method == "sendPoll"]
    started = await say(bot, TEACHER, "/mock")
    [announce] = texts(started)
    assert "<b>Class mock exam</b>" in announce and "12 questions, 30 seconds each" in announce
    assert "Then a written question to answer privately." in announce
    [poll] = [r for r in started if r.method == "sendPoll"]
    polls = [poll]
    group_text: list[str] = []
    for position in range(1, 13):
        params = poll.params
        assert params["type"] == "regular" and params["is_anonymous"] is False
        assert "correct_option_ids" not in params and "explanation" not in params
        assert params["description"].startswith(f"Question {position} of 12 · ")
        if position == 6:  # a restart mid-mock: the round carries on where it was
            await bot.restart()
        mark = bot.fake.mark()
        await vote(bot, AMIR, poll, right=True)
        await vote(bot, BEA, poll, right=position % 3 == 0)
        if position == 1:  # nobody answered a question before: it runs its time
            bot.clock.advance(timedelta(seconds=31))
            await bot.quiz_sweep()
        sent = to_group(bot, mark)
        group_text += texts(sent)
        following = [r for r in sent if r.method == "sendPoll"]
        if position < 12:
            assert len(following) == 1, (
                position,
                [(r.method, r.params.get("text", r.params.get("question"))) for r in sent],
            )
            [poll] = following
            polls.append(poll)
    assert len({p.params["question"] for p in polls}) == 12
    results = "\n".join(group_text)
    assert all("Answer:" not in t and "✅" not in t for t in group_text[:-3]), group_text
    assert "🏁 <b>Class mock exam results</b>" in results
    assert "• 12/12: 1 pupil\n• 4/12: 1 pupil" in results
    assert "1. Amir · 12/12" in results and "2. Bea · 4/12" in results
    assert results.count("Answer: <b>") == 12 and "(1 of 2 right)" in results
    assert "<b>What the class should revise:</b>" in results
    link = "https://t.me/retain_test_bot?start=mx_exam-crm-explain"
    assert f'<a href="{link}">Answer it in your private chat</a>' in results
    # The link serves the written question in a pupil's private chat, timed and marked at the end.
    await onboard(bot, BEA, body="Not sure: all of them")
    [question] = await bot.send(BEA, "/start mx_exam-crm-explain")
    assert "<b>Question 1/1</b> · 7 min left" in question.text
    assert "Explain how CRM supports customer retention." in question.text
    for line in GOOD_ANSWER[:-1]:
        await bot.send(BEA, line)
    [summary, *_] = await bot.send(BEA, "done")
    assert "Score: <b>3/3</b> (100%)" in summary.text
