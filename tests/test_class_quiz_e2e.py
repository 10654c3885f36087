"""End to end: a teacher runs quiz rounds in a class group; every answer also feeds each member's record."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

from tests.fake_telegram import FakeUser, Request
from tests.flows import onboard
from tests.harness import Harness

GROUP = -100_123
TEACHER = FakeUser(601, "Mrs Khan")
AMIR = FakeUser(602, "Amir")
BEA = FakeUser(603, "Bea")
CAL = FakeUser(604, "Cal")
DAN = FakeUser(605, "Dan")


async def say(bot: Harness, user: FakeUser, text: str) -> list[Request]:
    """A member sends `text` in the class group; returns what the bot sent to the group."""
    mark = bot.fake.mark()
    await bot.fake.group_text(user, GROUP, text)
    await bot.settle()
    return [r for r in bot.fake.requests[mark:] if r.params.get("chat_id") == GROUP]


def texts(requests: list[Request]) -> list[str]:
    return [r.params.get("text", "") for r in requests if r.method == "sendMessage"]


def polls(bot: Harness, mark: int = 0) -> list[Request]:
    return [r for r in bot.fake.calls("sendPoll", after=mark) if r.params["chat_id"] == GROUP]


async def answer(bot: Harness, user: FakeUser, poll: Request, right: bool) -> None:
    """`user` answers `poll` now (tests move the fake clock between answers)."""
    correct = poll.params["correct_option_ids"][0]
    option = correct if right else (correct + 1) % len(poll.params["options"])
    await bot.fake.poll_answer(user, poll.result["poll"]["id"], [option])
    await bot.settle()


async def start_round(bot: Harness, count: int = 3) -> Request:
    bot.fake.admins[GROUP] = {TEACHER.id}
    sent = await say(bot, TEACHER, f"/quiz {count}")
    assert any("A quiz round" in t for t in texts(sent))
    [first] = [r for r in sent if r.method == "sendPoll"]
    return first


async def start_round_quietly(bot: Harness, count: int) -> None:
    """The teacher starts a round whose first post may not come back (a timed-out send)."""
    bot.fake.admins[GROUP] = {TEACHER.id}
    sent = await say(bot, TEACHER, f"/quiz {count}")
    assert any("A quiz round" in t for t in texts(sent))


async def time_up(bot: Harness, seconds: float = 31) -> list[Request]:
    """The current question's time runs out; returns what the bot sent to the group."""
    bot.clock.advance(timedelta(seconds=seconds))
    mark = bot.fake.mark()
    await bot.quiz_sweep()
    return [r for r in bot.fake.requests[mark:] if r.params.get("chat_id") == GROUP]


def board(requests: list[Request]) -> str:
    [text] = [t for t in texts(requests) if "Round" in t and ("over" in t or "stopped" in t or "closed" in t)]
    return text


async def test_questions_are_native_quiz_polls(bot: Harness) -> None:
    poll = await start_round(bot)
    params = poll.params
    assert params["type"] == "quiz" and params["is_anonymous"] is False
    assert len(params["correct_option_ids"]) == 1 and params["open_period"] == 30
    assert params["explanation"] and len(params["explanation"]) <= 200
    assert params["description"].startswith("Question 1 of 3 · ")


async def test_only_admins_start_a_round_unless_the_group_allows_anyone(bot: Harness) -> None:
    bot.fake.admins[GROUP] = {TEACHER.id}
    refused = await say(bot, AMIR, "/quiz")
    assert "Only group admins can start or stop a quiz here" in texts(refused)[0]
    assert not polls(bot)
    settings = await say(bot, TEACHER, "/quizsettings anyone on")
    assert texts(settings) == ["✅ Anyone in the group can now start and stop quiz rounds."]
    started = await say(bot, AMIR, "/quiz 2")
    assert [r for r in started if r.method == "sendPoll"]
    again = await say(bot, BEA, "/quiz")
    assert "A round is already running" in texts(again)[0]


async def test_answers_right_wrong_late_and_twice_and_the_board(bot: Harness) -> None:
    first = await start_round(bot, count=2)
    bot.clock.advance(timedelta(seconds=3))
    await answer(bot, AMIR, first, right=True)  # fast and right
    bot.clock.advance(timedelta(seconds=20))
    await answer(bot, BEA, first, right=True)  # slower and right
    await answer(bot, CAL, first, right=False)  # wrong
    await answer(bot, AMIR, first, right=False)  # twice: the first answer stands
    sent = await time_up(bot, 10)
    [second] = [r for r in sent if r.method == "sendPoll"]
    await answer(bot, DAN, first, right=True)  # late: the first question has closed
    bot.clock.advance(timedelta(seconds=1))
    await answer(bot, BEA, second, right=True)
    await answer(bot, AMIR, second, right=False)
    await answer(bot, CAL, second, right=False)  # everyone from before has answered: closes early
    text = board(bot.fake.requests)
    lines = [line for line in text.splitlines() if "points" in line]
    assert lines[0].startswith("🥇 1. Bea") and "(2 right)" in lines[0]
    assert lines[1].startswith("🥈 2. Amir") and "(1 right)" in lines[1]
    assert len(lines) == 2 and "Cal" not in text  # no right answer: not named, no medal...
    assert "…and 1 other took part." in text  # ...but counted
    amir_points = int(lines[1].split("· ")[1].split(" points")[0])
    assert 100 < amir_points <= 125  # right, with a speed bonus of at most a quarter
    assert "⚡ Fastest right answer: Bea, 1.0 s on question 2." in text
    assert "weakest area this round" in text and "To close on:" in text
    assert "Dan" not in text  # the late answer counted for nothing


async def test_ties_share_a_place(bot: Harness) -> None:
    first = await start_round(bot, count=1)
    bot.clock.advance(timedelta(seconds=4))
    await answer(bot, AMIR, first, right=True)
    await answer(bot, BEA, first, right=True)  # same moment, same points
    await answer(bot, CAL, first, right=False)
    text = board(await time_up(bot))
    lines = [line for line in text.splitlines() if "points" in line]
    assert lines[0].startswith("🥇 1. Amir") and lines[1].startswith("🥇 1. Bea")
    assert len(lines) == 2 and "Cal" not in text and "…and 1 other took part." in text


async def test_quiz_stop_ends_early_with_the_scores_so_far(bot: Harness) -> None:
    first = await start_round(bot, count=5)
    await answer(bot, AMIR, first, right=True)
    refused = await say(bot, AMIR, "/quiz stop")
    assert "Only group admins" in texts(refused)[0]
    stopped = await say(bot, TEACHER, "/quiz stop")
    text = board(stopped)
    assert "Round stopped</b> after 1 of 5 questions" in text and "Amir" in text
    assert await time_up(bot) == []  # nothing more is posted
    assert "no quiz round running" in texts(await say(bot, TEACHER, "/quiz stop"))[0]


async def test_a_restart_mid_round_resumes_it(bot: Harness) -> None:
    first = await start_round(bot, count=2)
    await answer(bot, AMIR, first, right=True)
    await bot.restart()
    sent = await time_up(bot)
    [second] = [r for r in sent if r.method == "sendPoll"]
    await answer(bot, AMIR, second, right=True)  # all who answered before have answered: closes early
    text = board(bot.fake.requests)
    assert "Round over" in text and "Amir · " in text and "(2 right)" in text


async def test_a_round_left_too_long_by_a_restart_is_closed_clearly(bot: Harness) -> None:
    first = await start_round(bot, count=3)
    await answer(bot, BEA, first, right=True)
    await bot.stop()
    bot.clock.advance(timedelta(hours=2))
    await bot.start()
    text = board(await time_up(bot, 1))
    assert "Round closed</b> after 1 of 3 questions: I was away too long" in text and "Bea" in text


async def test_group_answers_count_in_the_own_record_of_members_who_agreed(bot: Harness) -> None:
    await onboard(bot, AMIR, body="Not sure: all of them")
    [summary] = await bot.send(AMIR, "/privacy")
    await bot.tap(AMIR, summary, "Count my class answers")
    first = await start_round(bot, count=1)
    await answer(bot, AMIR, first, right=False)
    await answer(bot, BEA, first, right=False)  # Bea never agreed (nor started Retain)
    await time_up(bot)
    rows = bot.sql.rows("SELECT item_id, correct, context FROM answer WHERE learner_id = ?", AMIR.id)
    assert bot.sql.rows("SELECT count(*) FROM learner WHERE id = ?", BEA.id) == [(0,)]
    assert len(rows) == 1 and rows[0][1:] == (0, "group")
    [stats] = await bot.send(AMIR, "/stats")
    assert "1 of" in stats.text and "items met" in stats.text


async def test_a_member_who_prefers_not_to_be_named_is_a_classmate(bot: Harness) -> None:
    [reply] = await bot.send(AMIR, "/quizname off")
    assert "a classmate" in reply.text
    first = await start_round(bot, count=1)
    await answer(bot, AMIR, first, right=True)
    text = board(await time_up(bot))
    assert "a classmate · " in text and "Amir" not in text


async def test_a_group_without_polls_gets_the_round_with_buttons(bot: Harness) -> None:
    bot.fake.admins[GROUP] = {TEACHER.id}
    bot.fake.polls_barred.add(GROUP)
    sent = await say(bot, TEACHER, "/quiz 1")
    [question] = [r for r in sent if r.method == "sendMessage" and "Question 1 of 1" in r.params["text"]]
    message = bot.fake.message(question)
    assert message.buttons and message.buttons[0][0] == "A"
    [(right,)] = bot.sql.rows("SELECT correct_option FROM quizquestion")
    await bot.tap(AMIR, message, "ABCDEFGHIJKL"[right])
    await bot.tap(AMIR, message, message.buttons[-1][0])  # a second tap changes nothing
    sent = await time_up(bot)
    assert "✅" in message.text and not message.buttons  # the answer revealed, buttons gone
    assert "Amir" in board(sent)


async def test_removing_the_bot_ends_the_round_cleanly(bot: Harness) -> None:
    await start_round(bot, count=3)
    await bot.fake.bot_removed(GROUP, TEACHER)
    await bot.settle()
    assert bot.sql.rows("SELECT status FROM quizround") == [("closed",)]
    assert await time_up(bot) == []


async def test_two_groups_run_rounds_at_once(bot: Harness) -> None:
    other = -100_456
    bot.fake.admins[GROUP] = {TEACHER.id}
    bot.fake.admins[other] = {TEACHER.id}
    first_here = await start_round(bot, count=1)
    mark = bot.fake.mark()
    await bot.fake.group_text(TEACHER, other, "/quiz 1")
    await bot.settle()
    [first_there] = [r for r in bot.fake.calls("sendPoll", after=mark) if r.params["chat_id"] == other]
    await answer(bot, AMIR, first_here, right=True)
    await bot.fake.poll_answer(
        BEA, first_there.result["poll"]["id"], [first_there.params["correct_option_ids"][0]]
    )
    await bot.settle()
    bot.clock.advance(timedelta(seconds=31))
    mark = bot.fake.mark()
    await bot.quiz_sweep()
    boards = {r.params["chat_id"]: r.params["text"] for r in bot.fake.calls("sendMessage", after=mark)}
    assert "Amir" in boards[GROUP] and "Bea" not in boards[GROUP]
    assert "Bea" in boards[other] and "Amir" not in boards[other]


async def test_a_flood_of_refused_commands_in_a_group_never_delays_another_chat(bot: Harness) -> None:
    bot.fake.admins[GROUP] = {TEACHER.id}
    mark = bot.fake.mark()
    for _ in range(30):
        await bot.fake.group_text(AMIR, GROUP, "/quiz")
    started = time.monotonic()
    await bot.fake.send_text(BEA, "/help")
    await bot.fake.wait_for("sendMessage", lambda r: r.params["chat_id"] == BEA.id, after=mark, within=5)
    assert time.monotonic() - started < 1.0  # answered at once, whatever the group is doing
    await bot.settle()
    refusals = [t for t in texts([r for r in bot.fake.requests[mark:] if r.params.get("chat_id") == GROUP])]
    assert len(refusals) == 1 and "Only group admins" in refusals[0]  # told once, not thirty times


async def test_quiz_button_data_counts_only_under_its_own_question_in_a_buttons_round(bot: Harness) -> None:
    poll = await start_round(bot, count=1)  # a round run with polls, not buttons
    [(qid,)] = bot.sql.rows("SELECT id FROM quizquestion WHERE poll_id = ?", poll.result["poll"]["id"])
    right = poll.params["correct_option_ids"][0]
    other = GROUP - 1  # another class, whose round runs with buttons
    bot.fake.admins[other] = {TEACHER.id}
    bot.fake.polls_barred.add(other)
    mark = bot.fake.mark()
    await bot.fake.group_text(TEACHER, other, "/quiz 1")
    await bot.settle()
    [there] = [
        bot.fake.message(r)
        for r in bot.fake.calls("sendMessage", after=mark)
        if "Question 1 of 1" in r.params.get("text", "")
    ]
    [outsider] = await bot.send(DAN, "/help")
    for message in (there, outsider):  # copied under another group's question, or into a private chat
        calls = await bot.tap_data(DAN, message, f"q:{qid}:{right}")
        assert len([c for c in calls if c.method == "answerCallbackQuery"]) == 1  # answered, politely
    text = board(await time_up(bot))
    assert "Dan" not in text and "Nobody answered this round." in text


def posted_polls(bot: Harness) -> list[Request]:
    """The quiz polls that really appeared in the group (a timed-out call did; a failed one did not)."""
    return [r for r in polls(bot) if isinstance(r.result, dict)]


async def test_a_class_of_twenty_loses_no_answer_when_posting_polls_misbehaves(bot: Harness) -> None:
    pupils = [FakeUser(6100 + n, f"Pupil{n}") for n in range(20)]
    bot.read_timeout = 0.3
    await bot.restart()
    # Question 1: Telegram posts the poll but its answer comes too late, so the bot never learns
    # the poll's id; the first answers arrive before the poll's state shows which poll it is.
    bot.fake.time_out("sendPoll", hold=0.6)
    await start_round_quietly(bot, count=4)
    # Each next question is posted as the one before closes: its fault is set up before then.
    next_fault = {
        2: lambda: bot.fake.fail("sendPoll", 502, "Bad Gateway"),  # fails outright: the sweep retries
        3: lambda: bot.fake.fail("sendPoll", 429, "Too Many Requests: retry after 1", retry_after=1),
        4: lambda: bot.fake.slow("sendPoll", 0.2, times=1),
    }
    expected: dict[int, int] = {pupil.id: 0 for pupil in pupils}
    for number in range(1, 5):
        while len(posted_polls(bot)) < number:  # a failed post is tried again by the next sweep
            await bot.quiz_sweep_after(1)
        poll = posted_polls(bot)[-1]
        if number + 1 in next_fault:
            next_fault[number + 1]()
        for n, pupil in enumerate(pupils):
            # Telegram promises no order between an answer and the poll's new state; the first
            # pupils' states come late (None here), so their answers wait for the poll to be known.
            bot.fake.poll_state = None if n < 5 else ("after" if n % 2 else "before")
            right = (n + number) % 3 != 0
            expected[pupil.id] += right
            bot.clock.advance(timedelta(milliseconds=200))
            await answer(bot, pupil, poll, right=right)
        if number == 1:
            await time_up(bot)  # the first question closes on its timer; the others early
    assert all(fault.hits == 1 for fault in bot.fake.failures)
    questions = [p.params["question"] for p in posted_polls(bot)]
    assert len(questions) == 4 and len(set(questions)) == 4  # every question posted, none twice
    rows = bot.sql.rows(
        "SELECT user_id, sum(CASE WHEN correct THEN 1 ELSE 0 END), count(*) FROM quizanswer GROUP BY user_id"
    )
    counted = {user: (right, count) for user, right, count in rows}
    assert bot.sql.rows("SELECT count(*) FROM waitingpollanswer") == [(0,)]
    # all 20 pupils, each answer to each question counted once, right or wrong as given (none of
    # them agreed to count class answers: after the round each is a pseudonym, distinct in the round)
    assert len(counted) == 20 and all(user < 0 for user in counted)
    assert sorted(counted.values()) == sorted((right, 4) for right in expected.values())
    text = board(bot.fake.requests)
    assert "Round over" in text and "after" not in text.split("\n")[0]


async def test_answers_waiting_for_a_timed_out_poll_count_when_it_is_seen_after_closing(bot: Harness) -> None:
    bot.read_timeout = 0.3
    await bot.restart()
    bot.fake.time_out("sendPoll", hold=0.6)
    bot.fake.poll_state = None  # the poll's state is seen only later
    await start_round_quietly(bot, count=2)
    [first] = posted_polls(bot)
    bot.clock.advance(timedelta(seconds=5))
    await answer(bot, AMIR, first, right=True)
    await answer(bot, BEA, first, right=False)
    await time_up(bot)  # closes on its timer with nobody counted yet; question 2 goes out
    state = {**first.result["poll"], "total_voter_count": 2, "is_closed": True}
    await bot.fake.push({"poll": state})
    await bot.settle()
    second = posted_polls(bot)[-1]
    await answer(bot, AMIR, second, right=True)
    await answer(bot, BEA, second, right=True)  # both who answered question 1: closes early
    text = board(bot.fake.requests)
    assert "Amir · " in text and "(2 right)" in text and "Bea · " in text and "(1 right)" in text


async def test_a_question_two_instances_post_at_once_stays_up_once_and_answers_to_both_count(
    bot: Harness,
) -> None:
    other = Harness(
        bot.fake, bot.db_path, clock=bot.clock, polling=False, database_url=bot.database_url
    )  # a second instance
    await other.start()
    try:
        bot.fake.admins[GROUP] = {TEACHER.id}
        slow = bot.fake.slow("sendPoll", 0.5, times=1)  # this instance's post is slow to come back
        await bot.fake.group_text(TEACHER, GROUP, "/quiz 1")
        await asyncio.wait_for(slow.reached.wait(), 5)  # the post is on its way
        await other.quiz_sweep_after(31)  # long enough for the other instance to think it lost
        await bot.settle()
        # In the order Telegram answered: the other instance's post came back (and was recorded)
        # first, so this instance's slow one is the duplicate.
        [kept, duplicate] = posted_polls(bot)
        await answer(bot, AMIR, duplicate, right=True)  # answered before it was taken down
        await answer(bot, BEA, kept, right=False)
        gone = [r for r in bot.fake.calls("deleteMessage") if r.params["chat_id"] == GROUP]
        assert [r.params["message_id"] for r in gone] == [duplicate.result["message_id"]]
        text = board(await time_up(bot))
        assert "Amir · " in text and "(1 right)" in text and "…and 1 other took part" in text  # Bea
    finally:
        await other.stop()
