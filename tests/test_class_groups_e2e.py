"""End to end: Retain in a class group (issue 14): a greeting and the class's course, /help, refusals
that say why, settings confirmed or refused, boards that keep weaker pupils in the game, and nothing
personal kept about a pupil who has not agreed."""

from __future__ import annotations

from datetime import timedelta
from typing import cast

from tests.fake_telegram import FakeUser, Request, SentMessage
from tests.flows import answers, onboard
from tests.harness import Harness
from tests.test_class_quiz_e2e import (
    AMIR,
    BEA,
    CAL,
    DAN,
    GROUP,
    TEACHER,
    answer,
    board,
    polls,
    posted_polls,
    say,
    start_round,
    start_round_quietly,
    texts,
    time_up,
)

OTHER_GROUP = -100_789
PRIVACY_LINK = 'href="https://t.me/retain_test_bot?start=privacy"'
CLASS_LINK = 'href="https://t.me/retain_test_bot?start=class"'


def sent_messages(requests: list[Request]) -> list[Request]:
    return [r for r in requests if r.method == "sendMessage"]


def rows(bot: Harness, sql: str, *args: object) -> list[tuple[object, ...]]:
    return bot.sql.rows(sql, *args)


async def added(
    bot: Harness, chat_id: int = GROUP, status: str = "member", old: str = "left"
) -> list[Request]:
    """The teacher adds Retain to the group; returns what the bot sent there."""
    mark = bot.fake.mark()
    await bot.fake.bot_added(chat_id, TEACHER, status, old)
    await bot.settle()
    return [r for r in bot.fake.requests[mark:] if r.params.get("chat_id") == chat_id]


async def tap_in_group(
    bot: Harness, user: FakeUser, message: SentMessage, label: str
) -> tuple[str, list[str]]:
    """`user` taps a button under a group message: the toast, and what the bot then said in the group."""
    mark = bot.fake.mark()
    await bot.fake.tap(user, message, message.button(label))
    await bot.settle()
    [toast] = bot.fake.calls("answerCallbackQuery", after=mark)
    said = [r for r in bot.fake.requests[mark:] if r.params.get("chat_id") == GROUP]
    return toast.params.get("text", ""), texts(said)


# --- 1. greeting and help ---------------------------------------------------------------------


async def test_added_to_a_group_retain_greets_it_and_asks_admins_for_the_course(bot: Harness) -> None:
    bot.fake.admins[GROUP] = {TEACHER.id}
    [greeting] = await added(bot)
    text = greeting.params["text"]
    lines = text.split("\n")
    assert "quiz rounds" in lines[0]  # what Retain does
    assert "/quiz" in lines[1]  # how an admin runs a round
    assert "first names" in lines[2] and "no name or Telegram id" in lines[2] and PRIVACY_LINK in lines[2]
    assert CLASS_LINK in text  # the one-tap consent link
    assert "which course is this class on?" in text
    message = bot.fake.message(greeting)
    labels = [label for label, _ in message.buttons]
    names = [body.name for body in bot.bank.catalogue.awarding_bodies]
    assert labels == [*names, "All courses"]

    toast, said = await tap_in_group(bot, AMIR, message, "Pearson BTEC")  # a pupil's tap counts for nothing
    assert toast == "Only group admins can choose the class's course." and said == []
    assert "Course: all courses" in texts(await say(bot, TEACHER, "/quizsettings"))[0]

    toast, said = await tap_in_group(bot, TEACHER, message, "Pearson BTEC")
    assert said == ["✅ This class's course is now <b>Pearson BTEC</b>: rounds ask only its questions."]
    assert rows(bot, "SELECT course FROM groupsettings WHERE chat_id = ?", GROUP) == [("pearson",)]
    _, said = await tap_in_group(bot, TEACHER, message, "All courses")
    assert said == ["✅ This class is now on all courses: rounds ask questions from every awarding body."]
    assert rows(bot, "SELECT course FROM groupsettings WHERE chat_id = ?", GROUP) == [(None,)]


async def test_added_as_an_admin_it_greets_too_but_a_promotion_is_no_new_arrival(bot: Harness) -> None:
    assert len(await added(bot, status="administrator")) == 1
    assert await added(bot, status="administrator", old="member") == []  # promoted: already greeted


async def test_a_course_button_copied_into_a_private_chat_changes_nothing(bot: Harness) -> None:
    [reply] = await bot.send(AMIR, "/help")
    calls = await bot.tap_data(TEACHER, reply, "o:pearson")
    assert [c.method for c in calls] == ["answerCallbackQuery"]
    assert rows(bot, "SELECT count(*) FROM groupsettings") == [(0,)]


async def test_the_greetings_privacy_link_shows_what_is_kept_and_stores_nothing(bot: Harness) -> None:
    [reply] = await bot.send(BEA, "/start privacy")  # what the greeting's "What I keep" link sends
    assert "🔒 <b>Your data</b>" in reply.text and "keeps no record of you" in reply.text
    assert rows(bot, "SELECT count(*) FROM learner") == [(0,)]


async def test_help_and_start_in_a_group_list_the_group_commands_and_who_may_use_them(bot: Harness) -> None:
    for chat_id, command in ((GROUP, "/help"), (OTHER_GROUP, "/start")):
        mark = bot.fake.mark()
        await bot.fake.group_text(AMIR, chat_id, command)
        await bot.settle()
        [reply] = [
            r.params["text"]
            for r in bot.fake.calls("sendMessage", after=mark)
            if r.params["chat_id"] == chat_id
        ]
        assert "<b>Retain in this group</b>" in reply
        assert "/quiz – " in reply and "(admins)" in reply.split("/quiz – ")[1].split("\n")[0]
        assert "/quizsettings – " in reply and "/classreport – " in reply and "/help – " in reply
        assert 'href="https://t.me/retain_test_bot"' in reply  # the way to practise privately
    assert texts(await say(bot, BEA, "/help")) == []  # the answer is still on screen: not again at once
    bot.fake.admins[OTHER_GROUP] = {TEACHER.id}
    await bot.fake.group_text(TEACHER, OTHER_GROUP, "/quizsettings anyone on")
    await bot.settle()
    assert rows(bot, "SELECT anyone_can_start FROM groupsettings WHERE chat_id = ?", OTHER_GROUP) == [(1,)]


async def test_retains_private_commands_in_a_group_point_to_the_private_chat_and_others_get_silence(
    bot: Harness,
) -> None:
    [pointer] = texts(await say(bot, AMIR, "/stats"))
    assert pointer.startswith('/stats is for <a href="https://t.me/retain_test_bot">our private chat</a>')
    assert texts(await say(bot, AMIR, "/next")) == []  # told a moment ago: not every time
    assert texts(await say(bot, BEA, "/next@retain_test_bot"))[0].startswith("/next is for")
    assert texts(await say(bot, CAL, "/stats@another_bot")) == []  # another bot's command
    assert texts(await say(bot, CAL, "/weather")) == []  # not one of Retain's: other bots share the group
    assert rows(bot, "SELECT count(*) FROM learner") == [(0,)]


async def test_admin_commands_from_a_pupil_get_a_one_line_reason_once(bot: Harness) -> None:
    bot.fake.admins[GROUP] = {TEACHER.id}
    assert texts(await say(bot, AMIR, "/quizsettings time 15")) == [
        "Only group admins can change the quiz settings. Ask your teacher if something needs changing."
    ]
    assert texts(await say(bot, AMIR, "/quizsettings time 15")) == []  # a spamming pupil is not answered
    [quiz] = texts(await say(bot, BEA, "/quiz"))
    assert quiz.startswith("Only group admins can start or stop a quiz here.")
    assert texts(await say(bot, CAL, "/classreport")) == ["Only group admins can do that."]
    assert rows(bot, "SELECT count(*) FROM groupsettings") == [(0,)] and not polls(bot)


# --- 2. a course per class ---------------------------------------------------------------------


async def test_a_class_on_one_course_gets_only_that_courses_items(bot: Harness) -> None:
    bank = bot.bank
    assert any(not item.applies_to("pearson") for item in bank.items.values())  # there are others to avoid
    bot.fake.admins[GROUP] = {TEACHER.id}
    [done] = texts(await say(bot, TEACHER, "/quizsettings course PEARSON btec"))
    assert done == "✅ This class's course is now <b>Pearson BTEC</b>: rounds ask only its questions."
    assert "Course: Pearson BTEC" in texts(await say(bot, TEACHER, "/quizsettings"))[0]
    sent = await say(bot, TEACHER, "/quiz 30")
    [announcement] = [t for t in texts(sent) if "A quiz round" in t]
    assert "for <b>Pearson BTEC</b>: 30 questions" in announcement
    items = [bank.answerable(str(item_id)) for (item_id,) in rows(bot, "SELECT item_id FROM quizquestion")]
    assert len(items) == 30
    assert all(item is not None and item.applies_to("pearson") for item in items)
    await say(bot, TEACHER, "/quiz stop")

    sent = await say(bot, TEACHER, "/quiz 3 retention")  # an area of the course
    assert any("A quiz round on <b>" in t for t in texts(sent))
    await say(bot, TEACHER, "/quiz stop")
    assert "don't know that topic area" in texts(await say(bot, TEACHER, "/quiz 3 astrophysics"))[0]


async def test_a_course_by_id_by_one_word_or_all_and_buttons_when_not_given(bot: Harness) -> None:
    bot.fake.admins[GROUP] = {TEACHER.id}
    assert "<b>ProQual</b>" in texts(await say(bot, TEACHER, "/quizsettings course proqual"))[0]
    assert "<b>Pearson BTEC</b>" in texts(await say(bot, TEACHER, "/quizsettings course btec"))[0]
    [refused] = sent_messages(await say(bot, TEACHER, "/quizsettings course astrology"))
    assert "don't know that course, so the class stays on Pearson BTEC" in refused.params["text"]
    assert bot.fake.message(refused).buttons  # the courses to tap
    assert "now on all courses" in texts(await say(bot, TEACHER, "/quizsettings course all"))[0]
    [question] = sent_messages(await say(bot, TEACHER, "/quizsettings course"))
    assert "This class's course: <b>all courses</b>" in question.params["text"]
    message = bot.fake.message(question)
    _, said = await tap_in_group(bot, TEACHER, message, "Highfield")
    assert said == ["✅ This class's course is now <b>Highfield</b>: rounds ask only its questions."]


# --- 3. settings confirmed or refused ---------------------------------------------------------


async def test_settings_are_confirmed_and_unreadable_values_change_nothing_and_say_why(bot: Harness) -> None:
    bot.fake.admins[GROUP] = {TEACHER.id}
    assert texts(await say(bot, TEACHER, "/quizsettings time 15")) == [
        "✅ Time per question is now 15 seconds."
    ]
    for value in ("5", "301", "abc", "15 20"):
        [why] = texts(await say(bot, TEACHER, f"/quizsettings time {value}"))
        assert why.startswith("Time per question stays at 15 seconds: send a whole number from 10 to 300")
    [count] = texts(await say(bot, TEACHER, "/quizsettings count 0"))
    assert count.startswith("Rounds stay at 10 questions: send a whole number from 1 to 30")
    assert texts(await say(bot, TEACHER, "/quizsettings count 5")) == [
        "✅ Rounds now have 5 questions (unless /quiz asks for a number)."
    ]
    assert "Nothing changed" in texts(await say(bot, TEACHER, "/quizsettings anyone maybe"))[0]
    assert texts(await say(bot, TEACHER, "/quizsettings anyone on")) == [
        "✅ Anyone in the group can now start and stop quiz rounds."
    ]
    [unknown] = texts(await say(bot, TEACHER, "/quizsettings colour blue"))
    assert (
        unknown.startswith("I can't change that setting; nothing changed.")
        and "<b>Quiz settings</b>" in unknown
    )
    [shown] = texts(await say(bot, TEACHER, "/quizsettings"))
    assert "Time per question: 15 seconds" in shown and "Questions per round: 5" in shown
    assert "Who can start or stop rounds: anyone" in shown and "/quizsettings course pearson" in shown
    poll = await start_round(bot, count=1)
    assert poll.params["open_period"] == 15


# --- 4. boards that keep weaker pupils in the game --------------------------------------------


async def test_the_board_names_only_pupils_with_a_right_answer_and_counts_the_others(bot: Harness) -> None:
    first = await start_round(bot, count=1)
    await answer(bot, AMIR, first, right=True)
    for pupil in (BEA, CAL, DAN):
        await answer(bot, pupil, first, right=False)
    text = board(await time_up(bot))
    assert "🥇 1. Amir · " in text and "(1 right)" in text
    assert not any(name in text for name in ("Bea", "Cal", "Dan")) and "0 points" not in text
    assert "🥈" not in text and "🥉" not in text
    assert "…and 3 others took part." in text
    assert CLASS_LINK in text  # pupils who want their answers in their own practice


async def test_a_board_with_no_right_answer_names_nobody(bot: Harness) -> None:
    first = await start_round(bot, count=1)
    await answer(bot, BEA, first, right=False)
    await answer(bot, CAL, first, right=False)
    text = board(await time_up(bot))
    assert "2 of you took part. No right answers this time" in text
    assert "Bea" not in text and "Cal" not in text and "🥇" not in text and "To close on:" in text


# --- 5. nothing personal kept before consent --------------------------------------------------


async def test_no_record_before_consent_and_pseudonyms_after_the_round(bot: Harness) -> None:
    await onboard(bot, AMIR)  # started Retain, never agreed
    messages = await bot.send(CAL, "/start class")  # agreed from the class's link
    [consent] = [m for m in messages if "Class quiz answers" in m.text]
    await bot.tap(CAL, consent, "Yes, count them")
    await bot.send(CAL, "/quizname off")
    first = await start_round(bot, count=2)
    for pupil, right in ((AMIR, True), (BEA, True), (CAL, True), (DAN, False)):
        await answer(bot, pupil, first, right=right)
    # While the round runs: answers under Telegram ids, for the board; no record for Bea or Dan
    assert rows(bot, "SELECT count(*) FROM quizanswer WHERE user_id > 0") == [(4,)]
    assert rows(bot, "SELECT id FROM learner ORDER BY id") == [(AMIR.id,), (CAL.id,)]
    second = next(r for r in await time_up(bot) if r.method == "sendPoll")
    for pupil in (AMIR, BEA, CAL, DAN):
        await answer(bot, pupil, second, right=True)  # everyone has answered: the round ends
    text = board(bot.fake.requests)
    assert "Amir · " in text and "Bea · " in text and "a classmate · " in text and "Cal" not in text
    assert rows(bot, "SELECT id FROM learner ORDER BY id") == [(AMIR.id,), (CAL.id,)]  # still no Bea, no Dan
    kept = [
        (cast(int, user), name)
        for user, name in rows(bot, "SELECT user_id, name FROM quizanswer ORDER BY question_id, user_id")
    ]
    assert {(user, name) for user, name in kept if user > 0} == {(CAL.id, "Cal")}  # only Cal agreed
    hidden = {user for user, name in kept if user < 0}
    assert len(hidden) == 3 and all(name == "a classmate" for user, name in kept if user < 0)
    per_question = rows(
        bot, "SELECT question_id, count(DISTINCT user_id) FROM quizanswer GROUP BY question_id"
    )
    assert [count for _, count in per_question] == [4, 4]  # participation still counts per round
    assert [(correct, where) for _, _, correct, where in answers(bot, CAL)] == [(1, "group"), (1, "group")]
    assert answers(bot, AMIR) == []  # started, but never agreed: class answers stay off his record

    # Bea agrees later: her next round joins her record; the first one never will.
    messages = await bot.send(BEA, "/start class")
    [consent] = [m for m in messages if "Class quiz answers" in m.text]
    await bot.tap(BEA, consent, "Yes, count them")
    third = await start_round(bot, count=1)
    await answer(bot, BEA, third, right=True)
    await time_up(bot)
    assert [(correct, where) for _, _, correct, where in answers(bot, BEA)] == [(1, "group")]
    assert rows(bot, "SELECT count(*) FROM quizanswer WHERE user_id = ?", BEA.id) == [(1,)]
    pseudonyms = rows(bot, "SELECT DISTINCT user_id FROM quizanswer WHERE user_id < 0")
    assert len(pseudonyms) == 3  # a pseudonym never reaches into another round


async def test_answers_waiting_for_a_poll_never_recognised_keep_no_id_after_the_round(bot: Harness) -> None:
    bot.read_timeout = 0.3
    await bot.restart()
    bot.fake.time_out("sendPoll", hold=0.6)  # posted, but the bot never learns the poll's id...
    bot.fake.poll_state = None  # ...and no poll update shows it
    await start_round_quietly(bot, count=1)
    [poll] = posted_polls(bot)
    await answer(bot, AMIR, poll, right=True)
    await answer(bot, BEA, poll, right=False)
    assert rows(bot, "SELECT count(*) FROM waitingpollanswer WHERE user_id > 0") == [(2,)]
    text = board(await time_up(bot))
    assert "Nobody answered this round." in text
    assert rows(bot, "SELECT count(*) FROM waitingpollanswer WHERE user_id > 0") == [(0,)]
    assert rows(bot, "SELECT DISTINCT name FROM waitingpollanswer") == [("a classmate",)]
    bot.clock.advance(timedelta(days=1, minutes=1))
    assert bot.app is not None
    await bot.app.bot_data.tutor.privacy.sweep_inactive(bot.clock())
    assert rows(bot, "SELECT count(*) FROM waitingpollanswer") == [(0,)]
