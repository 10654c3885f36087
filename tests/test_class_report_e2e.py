"""End to end: /classreport, always in the teacher's private chat, and what the report shows."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from html import escape

from bot.views.class_report import day, short_day
from tests.fake_telegram import FakeUser, Request, SentMessage
from tests.harness import Harness

GROUP = -100_123
OTHER = -100_456
TEACHER = FakeUser(701, "Mrs Khan")
AMIR = FakeUser(702, "Amir")
BEA = FakeUser(703, "Bea")
CAL = FakeUser(704, "Cal")
DAN = FakeUser(705, "Dan")
LINK = "https://t.me/retain_test_bot?start=report_m100123"


async def say(bot: Harness, user: FakeUser, text: str, group: int = GROUP) -> list[Request]:
    """`user` sends `text` in a group; returns what the bot sent to that group meanwhile."""
    mark = bot.fake.mark()
    await bot.fake.group_text(user, group, text)
    await bot.settle()
    return sent_to_group(bot, mark, group)


def sent_to_group(bot: Harness, mark: int, group: int = GROUP) -> list[Request]:
    """Every send to the group since `mark` (asking Telegram about its members is not one)."""
    return [
        r
        for r in bot.fake.requests[mark:]
        if r.params.get("chat_id") == group and r.method != "getChatMember"
    ]


async def start_round(bot: Harness, count: int, group: int = GROUP) -> Request:
    """The teacher starts a round of `count` questions; returns its first poll."""
    bot.fake.admins.setdefault(group, set()).add(TEACHER.id)
    sent = await say(bot, TEACHER, f"/quiz {count}", group)
    [first] = [r for r in sent if r.method == "sendPoll"]
    return first


async def choose(bot: Harness, user: FakeUser, poll: Request, option: int) -> None:
    await bot.fake.poll_answer(user, poll.result["poll"]["id"], [option])
    await bot.settle()


def right_option(poll: Request) -> int:
    return int(poll.params["correct_option_ids"][0])


async def answer(bot: Harness, user: FakeUser, poll: Request, right: bool) -> None:
    correct = right_option(poll)
    await choose(bot, user, poll, correct if right else (correct + 1) % len(poll.params["options"]))


async def time_up(bot: Harness, group: int = GROUP) -> list[Request]:
    """The open question's time runs out; returns the polls posted next in `group`."""
    mark = bot.fake.mark()
    await bot.quiz_sweep_after(31)
    return [r for r in bot.fake.calls("sendPoll", after=mark) if r.params["chat_id"] == group]


async def one_question_round(bot: Harness, right: list[tuple[FakeUser, bool]], group: int = GROUP) -> Request:
    """A round of one question, answered as `right` says; returns its poll."""
    poll = await start_round(bot, 1, group)
    for user, is_right in right:
        await answer(bot, user, poll, is_right)
    await time_up(bot, group)
    return poll


async def agree(bot: Harness, user: FakeUser) -> None:
    """The pupil opens Retain from the class link and says yes to class answers counting."""
    messages = await bot.send(user, "/start class")
    [consent] = [m for m in messages if "Class quiz answers" in m.text]
    await bot.tap(user, consent, "Yes, count them")


async def report_for(bot: Harness, admin: FakeUser, group: int = GROUP) -> list[SentMessage]:
    """The admin, who has started Retain, asks for the report; returns what reached them privately."""
    mark = bot.fake.mark()
    in_group = await say(bot, admin, "/classreport", group)
    assert [r.params["text"] for r in in_group] == ["📊 Sent you the class report in a private chat."]
    return bot.sent_to(admin, mark)


def report_text(sent: list[SentMessage]) -> str:
    [text] = [m.text for m in sent if not m.photo and not m.document]
    return text


def csv_rows(sent: list[SentMessage]) -> tuple[str, list[list[str]]]:
    [document] = [m for m in sent if m.document]
    assert document.document.startswith(b"\xef\xbb\xbf")  # UTF-8's byte order mark: Excel reads it as UTF-8
    return document.filename, list(csv.reader(io.StringIO(document.document.decode("utf-8-sig"))))


async def test_the_report_never_appears_in_the_group_only_a_link_to_it_privately(bot: Harness) -> None:
    bot.fake.strangers.add(TEACHER.id)  # the teacher has never opened Retain privately
    await one_question_round(bot, [(AMIR, True), (BEA, False)])
    refused = await say(bot, AMIR, "/classreport")
    assert [r.params["text"] for r in refused] == ["Only group admins can do that."]
    mark = bot.fake.mark()
    in_group = await say(bot, TEACHER, "/classreport")
    [link] = [r for r in in_group if isinstance(r.result, dict)]  # one message, and nothing else
    assert link.method == "sendMessage" and "private" in link.params["text"]
    assert len(link.params["text"]) < 100 and "Amir" not in link.params["text"]
    [[button]] = link.params["reply_markup"]["inline_keyboard"]
    assert button["url"] == LINK
    assert bot.sent_to(TEACHER, mark) == []  # Telegram refused the private chat: nothing reached it
    # The teacher taps the link: Telegram opens the private chat and sends /start with its payload.
    mark = bot.fake.mark()
    sent = await bot.send(TEACHER, "/start report_m100123")
    assert [m.photo for m in sent] == [True, False]  # the chart, then the report (no pupil agreed: no CSV)
    assert sent[0].text == f"📊 <b>Class 3B</b> · {day(bot.clock.now.date())}"
    assert "📊 <b>Class 3B</b> · class report" in sent[1].text
    assert "No pupil listed yet" in sent[1].text
    assert sent_to_group(bot, mark) == []
    # the group's name was kept when /classreport came
    assert bot.sql.rows("SELECT title FROM groupsettings WHERE chat_id = ?", GROUP) == [("Class 3B",)]


async def test_a_forwarded_link_opened_by_someone_not_an_admin_gets_nothing_of_the_report(
    bot: Harness,
) -> None:
    await one_question_round(bot, [(AMIR, True), (BEA, False)])
    bot.fake.admins[GROUP] = {TEACHER.id}
    sent = await bot.send(BEA, "/start report_m100123")
    assert [m.text for m in sent] == ["That class report is for the group's admins only."]
    bot.fake.admins[GROUP] = set()  # the teacher is no longer an admin: their old link stops working
    sent = await bot.send(TEACHER, "/start report_m100123")
    assert [m.text for m in sent] == ["That class report is for the group's admins only."]


async def test_an_admin_who_started_retain_gets_chart_report_and_csv_privately(bot: Harness) -> None:
    await bot.send(TEACHER, "/start")
    await agree(bot, AMIR)
    await one_question_round(bot, [(AMIR, True), (BEA, False)])
    mark = bot.fake.mark()
    sent = await report_for(bot, TEACHER)
    assert [(m.photo, bool(m.document)) for m in sent] == [(True, False), (False, False), (False, True)]
    in_group = sent_to_group(bot, mark)
    assert [r.method for r in in_group] == ["sendMessage"]  # the one line saying where it went
    text = report_text(sent)
    today = day(bot.clock.now.date())
    assert text.startswith(f"📊 <b>Class 3B</b> · class report\n{today} · 1 round · 2 answers")
    assert "<b>By topic area</b>, weakest first\n• " in text and "% (1/2)" in text
    assert f"<b>Rounds</b>\nRound 1 · {short_day(bot.clock.now.date())}: 2 took part · 50% right" in text
    assert "mastered" not in text.lower()


async def test_rounds_are_numbered_per_class_and_dated(bot: Harness) -> None:
    await bot.send(TEACHER, "/start")
    bot.fake.titles[OTHER] = "Class 4C"
    first_day = bot.clock.now.date()
    await one_question_round(bot, [(AMIR, True)])  # the database's round 1
    bot.clock.advance(timedelta(days=2))
    await one_question_round(bot, [(BEA, False), (CAL, True)], OTHER)  # round 2 in the database: 4C's first
    bot.clock.advance(timedelta(days=3))
    await one_question_round(bot, [(AMIR, False), (BEA, False), (CAL, True)])
    here = report_text(await report_for(bot, TEACHER))
    there = report_text(await report_for(bot, TEACHER, OTHER))
    last_day = bot.clock.now.date()
    assert f"{short_day(first_day)} – {day(last_day)} · 2 rounds · 4 answers" in here
    assert f"Round 1 · {short_day(first_day)}: 1 took part · 100% right" in here
    assert f"Round 2 · {short_day(last_day)}: 3 took part · 33% right" in here
    assert "Trend: 100% → 33% right, 1 → 3 taking part" in here
    middle = first_day + timedelta(days=2)
    assert there.startswith(f"📊 <b>Class 4C</b> · class report\n{day(middle)} · 1 round · 2 answers")
    assert f"Round 1 · {short_day(middle)}: 2 took part · 50% right" in there
    assert "Round 2" not in there


async def test_most_missed_questions_are_whole_with_the_wrong_answer_most_chosen(bot: Harness) -> None:
    await bot.send(TEACHER, "/start")
    poll = await start_round(bot, 1)
    options = poll.params["options"]
    correct = right_option(poll)
    popular = (correct + 1) % len(options)
    for pupil in (AMIR, BEA, CAL):
        await choose(bot, pupil, poll, popular)
    await choose(bot, DAN, poll, (correct + 2) % len(options) if len(options) > 2 else correct)
    await time_up(bot)
    text = report_text(await report_for(bot, TEACHER))
    wrong = 4 if len(options) > 2 else 3
    option = options[popular]
    label = option["text"] if isinstance(option, dict) else option
    question = poll.params["question"]
    assert f"<b>Most missed</b>\n1. {escape(question)}\n" in text  # the whole question, never cut
    assert f"✗ {wrong} of 4 wrong · most chose “{escape(label)}” (3)" in text


async def test_only_pupils_who_agreed_are_listed_and_the_csv_holds_their_figures(bot: Harness) -> None:
    await bot.send(TEACHER, "/start")
    await agree(bot, AMIR)
    await agree(bot, CAL)
    polls = [await one_question_round(bot, [(AMIR, True), (BEA, True), (CAL, False)])]
    polls.append(await one_question_round(bot, [(AMIR, False), (BEA, True), (CAL, False)]))
    # a pupil who never agreed, as a round's end leaves them
    [(question_id,)] = bot.sql.rows("SELECT min(id) FROM quizquestion")
    bot.sql.execute(
        "INSERT INTO quizanswer (question_id, user_id, name, option, correct, points, seconds,"
        " answered_at) VALUES (?, -1, 'a classmate', 0, TRUE, 100, 3.0, '2026-03-02 09:00:05')",
        question_id,
    )
    sent = await report_for(bot, TEACHER)
    text = report_text(sent)
    assert "Round 1 · " in text and ": 4 took part · 75% right" in text  # the pseudonym counts, unnamed
    pupils = text.split("<b>Pupils</b>, % right\n")[1]
    table = pupils.split("<pre>")[1].split("</pre>")[0].splitlines()
    assert table[0].startswith("Pupil   All ")
    assert [row[:7].strip() for row in table[1:]] == ["Amir", "Cal"]  # Bea never agreed: not listed
    assert table[1][7:11] == "  50" and table[2][7:11] == "   0"
    assert all(len(row) <= 27 for row in table)  # fits a small phone
    assert "Bea" not in text and "Pupils who haven't agreed count in the class figures only." in text
    filename, rows = csv_rows(sent)
    assert filename == f"class-report-Class-3B-{bot.clock.now.date().isoformat()}.csv"
    areas = [area.name for area in bot.bank.areas]
    assert rows[0] == ["Pupil", "Answers", "Right", "Accuracy %", *(f"{a} %" for a in areas)]
    by_name = {row[0]: row for row in rows[1:]}
    assert set(by_name) == {"Amir", "Cal"}
    assert by_name["Amir"][1:4] == ["2", "1", "50"] and by_name["Cal"][1:4] == ["2", "0", "0"]
    asked = [bot.bank.answerable(item_id_of(bot, p)) for p in polls]
    for name, rights in (("Amir", [True, False]), ("Cal", [False, False])):
        for area in bot.bank.areas:
            mine = [
                r for item, r in zip(asked, rights, strict=True) if item is not None and item.area == area.id
            ]
            expected = str(round(100 * sum(mine) / len(mine))) if mine else ""
            assert by_name[name][4 + areas.index(area.name)] == expected


def item_id_of(bot: Harness, poll: Request) -> str:
    [(item_id,)] = bot.sql.rows(
        "SELECT item_id FROM quizquestion WHERE poll_id = ?", poll.result["poll"]["id"]
    )
    return str(item_id)


async def test_a_class_with_a_course_is_reported_on_its_bodys_questions_only(bot: Harness) -> None:
    await bot.send(TEACHER, "/start")
    poll = await start_round(bot, 12)
    for number in range(1, 13):
        await answer(bot, AMIR, poll, right=number % 2 == 0)
        if number == 1:
            [poll] = await time_up(bot)  # the first closes on its timer, the rest once Amir answers
        elif number < 12:
            [poll] = [p for p in bot.fake.calls("sendPoll") if p.params["chat_id"] == GROUP][-1:]
    asked = [row[0] for row in bot.sql.rows("SELECT item_id FROM quizquestion ORDER BY position")]
    items = [bot.bank.answerable(item_id) for item_id in asked]
    bodies = [body.id for body in bot.bank.catalogue.awarding_bodies]
    body = next(b for b in bodies if 0 < sum(i is not None and i.applies_to(b) for i in items) < len(items))
    kept = sum(i is not None and i.applies_to(body) for i in items)
    bot.sql.execute(  # what the class's course setting stores
        "INSERT INTO groupsettings (chat_id, anyone_can_start, seconds_per_question, default_count,"
        " course) VALUES (?, FALSE, 30, 10, ?)",
        GROUP,
        body,
    )
    text = report_text(await report_for(bot, TEACHER))
    assert f"· 1 round · {kept} answers" in text
    assert f"Course: {escape(bot.bank.body_name(body))} (its questions only)" in text
    per_area = [line for line in text.splitlines() if line.startswith("• ")]
    assert sum(int(line.rsplit("/", 1)[1].rstrip(")")) for line in per_area) == kept
