"""End to end: a learner's data is theirs: see it (/privacy, /export), erase it (/forget), decide
whether class answers count, and have it deleted after a long absence."""

from __future__ import annotations

import json
from datetime import timedelta

from tests.fake_telegram import FakeUser
from tests.flows import answer_and_next, answers, onboard
from tests.harness import Harness
from tests.test_class_quiz_e2e import TEACHER, answer, board, start_round, time_up

ANNA = FakeUser(901, "Anna")
BEN = FakeUser(902, "Ben")


def rows(bot: Harness, sql: str, *args: object) -> list[tuple[object, ...]]:
    return bot.sql.rows(sql, *args)


async def test_privacy_says_what_is_kept_and_offers_export_and_erase(bot: Harness) -> None:
    [before] = await bot.send(ANNA, "/privacy")
    assert "keeps no record of you" in before.text and not before.buttons  # none here
    await onboard(bot, ANNA)
    [summary] = await bot.send(ANNA, "/privacy")
    assert (
        "What you type is kept only while you write an answer to an exam question" in summary.text
        and "18 months" in summary.text
    )
    assert [label for label, _ in summary.buttons] == [
        "Export my data",
        "Count my class answers",
        "Erase my data…",
    ]


async def test_export_sends_a_file_of_everything_stored(bot: Harness) -> None:
    prompt = await onboard(bot, ANNA)
    await answer_and_next(bot, ANNA, prompt)
    [file] = await bot.send(ANNA, "/export")
    assert file.filename == f"retain-data-{ANNA.id}.json" and "Everything Retain stores" in file.text
    data = json.loads(file.document)
    assert data["user_id"] == ANNA.id
    tables = data["tables"]
    assert tables["learner"][0]["awarding_body"] == "pearson"
    assert len(tables["answer"]) == 1 and len(tables["itemstate"]) == 1 and tables["prompt"]
    assert {"practiceset", "nudgesend", "tipshown", "quizanswer"} <= set(tables)


async def test_forget_asks_then_erases_everything_and_boards_keep_anonymous_totals(bot: Harness) -> None:
    await onboard(bot, ANNA)
    [summary] = await bot.send(ANNA, "/privacy")
    await bot.tap(ANNA, summary, "Count my class answers")
    first = await start_round(bot, count=1)
    await answer(bot, ANNA, first, right=True)
    await time_up(bot)
    assert answers(bot, ANNA)  # her class answer counted in her own record, as she agreed

    [question] = await bot.send(ANNA, "/forget")
    await bot.tap(ANNA, question, "No, keep it")
    assert "Nothing erased" in question.text and answers(bot, ANNA)
    [question] = await bot.send(ANNA, "/forget")
    await bot.tap(ANNA, question, "Yes, erase everything")
    assert "everything Retain stored about you is erased" in question.text
    for table in ("learner", "prompt", "itemstate", "practiceset", "nudgesend", "tipshown"):
        column = "id" if table == "learner" else "learner_id"
        assert rows(bot, f"SELECT count(*) FROM {table} WHERE {column} = ?", ANNA.id) == [(0,)], table
    assert answers(bot, ANNA) == []
    assert rows(bot, "SELECT count(*) FROM quizanswer WHERE user_id = ?", ANNA.id) == [(0,)]
    assert rows(bot, "SELECT name, points > 0 FROM quizanswer") == [("a classmate", 1)]  # the total stays
    [again] = await bot.send(ANNA, "/export")
    assert "stores nothing about you" in again.text


async def test_class_answers_join_a_pupils_record_only_after_they_agree(bot: Harness) -> None:
    first = await start_round(bot, count=1)
    await answer(bot, BEN, first, right=True)  # Ben never started Retain
    assert "Ben" in board(await time_up(bot))  # he is on the round's board...
    assert rows(bot, "SELECT count(*) FROM learner WHERE id = ?", BEN.id) == [(0,)]  # ...and nowhere else
    # his name and his Telegram id only for the round's life
    assert rows(bot, "SELECT name, user_id < 0 FROM quizanswer") == [("a classmate", 1)]

    [announcement] = [r for r in bot.fake.calls("sendMessage") if "A quiz round" in r.params["text"]]
    assert 'href="https://t.me/retain_test_bot?start=class"' in announcement.params["text"]
    messages = await bot.send(BEN, "/start class")  # what that link sends
    [consent] = [m for m in messages if "Class quiz answers" in m.text]
    await bot.tap(BEN, consent, "Yes, count them")
    assert "now count in your own practice" in consent.text
    second = await start_round(bot, count=1)
    await answer(bot, BEN, second, right=True)
    await time_up(bot)
    # Only the answer given after he agreed; the one from before was never linked to him.
    assert [(correct, context) for _, _, correct, context in answers(bot, BEN)] == [(1, "group")]


async def test_a_long_absence_deletes_the_record(bot: Harness) -> None:
    await onboard(bot, ANNA)
    await onboard(bot, BEN)
    bot.clock.advance(timedelta(days=300))
    await bot.send(BEN, "/next")  # Ben comes back now and then; Anna does not
    bot.clock.advance(timedelta(days=300))
    assert bot.app is not None
    removed = await bot.app.bot_data.tutor.privacy.sweep_inactive(bot.clock())
    assert removed == 1
    assert rows(bot, "SELECT id FROM learner") == [(BEN.id,)]


async def test_a_class_answer_to_a_poll_never_seen_is_deleted_after_a_day(bot: Harness) -> None:
    await bot.fake.poll_answer(ANNA, "a-poll-from-nowhere", [0])  # waits for its poll to be known
    await bot.settle()
    assert rows(bot, "SELECT name FROM waitingpollanswer") == [("Anna",)]
    assert bot.app is not None
    bot.clock.advance(timedelta(hours=23))
    await bot.app.bot_data.tutor.privacy.sweep_inactive(bot.clock())
    assert len(rows(bot, "SELECT name FROM waitingpollanswer")) == 1
    bot.clock.advance(timedelta(hours=2))
    await bot.app.bot_data.tutor.privacy.sweep_inactive(bot.clock())
    assert rows(bot, "SELECT name FROM waitingpollanswer") == []  # no first name kept for nothing


async def test_a_pupil_who_only_played_in_class_can_see_and_erase_those_answers_while_the_round_runs(
    bot: Harness,
) -> None:
    first = await start_round(bot, count=2)
    await answer(bot, BEN, first, right=True)
    [summary] = await bot.send(BEN, "/privacy")
    assert [label for label, _ in summary.buttons] == ["Export my data", "Erase my data…"]
    [file] = await bot.send(BEN, "/export")
    [kept] = json.loads(file.document)["tables"]["quizanswer"]
    assert kept["correct"] is True and kept["name"] == "Ben"  # his name, for the round's board
    [question] = await bot.send(BEN, "/forget")
    await bot.tap(BEN, question, "Yes, erase everything")
    assert rows(bot, "SELECT count(*) FROM quizanswer WHERE user_id = ?", BEN.id) == [(0,)]
    assert rows(bot, "SELECT count(*), sum(CASE WHEN correct THEN 1 ELSE 0 END) FROM quizanswer") == [
        (1, 1)
    ]  # the board's total stays
    [after] = await bot.send(BEN, "/export")
    assert "Retain stores nothing about you" in after.text


async def test_after_the_round_nothing_is_kept_under_the_id_of_a_pupil_who_never_agreed(bot: Harness) -> None:
    first = await start_round(bot, count=1)
    await answer(bot, BEN, first, right=True)
    await time_up(bot)
    [after] = await bot.send(BEN, "/export")
    assert "Retain stores nothing about you" in after.text
    assert rows(bot, "SELECT name, user_id < 0, correct FROM quizanswer") == [("a classmate", 1, 1)]


async def test_a_teacher_can_erase_the_rounds_they_started_from_their_id(bot: Harness) -> None:
    await start_round(bot, count=1)
    await time_up(bot)
    [file] = await bot.send(TEACHER, "/export")
    assert len(json.loads(file.document)["tables"]["quizround"]) == 1
    [question] = await bot.send(TEACHER, "/forget")
    await bot.tap(TEACHER, question, "Yes, erase everything")
    assert rows(bot, "SELECT started_by FROM quizround") == [(0,)]  # the round stays, with no one behind it
