"""End to end: a teacher sets homework in the class group; each pupil who agreed gets their own set in
private, once, whatever the network or a crash does; a reminder the evening before; the results."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.views.homework import homework_section
from tests import test_class_quiz_e2e as quiz
from tests.fake_telegram import FakeUser, SentMessage
from tests.flows import answer, is_prompt, onboard
from tests.harness import Harness

GROUP = quiz.GROUP
TEACHER = quiz.TEACHER
AMIR, BEA, CAL, DAN = quiz.AMIR, quiz.BEA, quiz.CAL, quiz.DAN
WEDNESDAY = datetime(2026, 12, 2, 10, tzinfo=UTC)  # London is on UTC in December
HEADING = "📚 <b>Homework from Class 3B</b>: 10 prompts, due Friday 4 Dec, 23:59."


async def agree(bot: Harness, user: FakeUser) -> None:
    """The pupil starts Retain from the group's link and says yes to class answers."""
    await onboard(bot, user)
    messages = await bot.send(user, "/start class")
    [consent] = [m for m in messages if "Class quiz answers" in m.text]
    await bot.tap(user, consent, "Yes, count them")


async def class_with_a_round(bot: Harness) -> None:
    """Amir and Bea agreed, Cal did not; all three answered a round in the group (Dan never did)."""
    bot.clock.now = WEDNESDAY
    await agree(bot, AMIR)
    await agree(bot, BEA)
    await onboard(bot, CAL)
    poll = await quiz.start_round(bot, count=1)
    for user in (AMIR, BEA, CAL):
        await quiz.answer(bot, user, poll, right=True)
    await quiz.time_up(bot)


async def group_says(bot: Harness, user: FakeUser, text: str) -> str:
    """`user` sends `text` in the group; the one message the bot sent back."""
    [reply] = quiz.texts(await quiz.say(bot, user, text))
    return reply


def homework_to(bot: Harness, user: FakeUser, mark: int = 0) -> list[SentMessage]:
    return [m for m in bot.sent_to(user, mark) if m.text.startswith("📚 <b>Homework from")]


def pupil_rows(bot: Harness) -> dict[int, tuple[str, int | None, int | None]]:
    rows = bot.sql.rows('SELECT learner_id, status, answered, "right" FROM homeworkpupil')
    return {learner: (status, answered, right) for learner, status, answered, right in rows}


async def test_homework_goes_to_pupils_who_agreed_and_to_one_who_agrees_later(bot: Harness) -> None:
    await class_with_a_round(bot)
    text = await group_says(bot, TEACHER, "/homework 10 until Friday")
    assert "Homework: 10 prompts</b>, due Friday 4 Dec, 23:59" in text
    assert "on its way to 2 pupils" in text
    assert "reminder Thursday at 18:00" in text
    assert 'href="https://t.me/retain_test_bot?start=hw1"' in text
    mark = bot.fake.mark()
    report = await bot.homework_sweep()
    assert report.sent == 2
    for user in (AMIR, BEA):
        [sent] = homework_to(bot, user, mark)
        assert sent.text.startswith(HEADING)
        assert "<b>1/10</b> · " in sent.text and is_prompt(sent)
    assert homework_to(bot, CAL) == [] and homework_to(bot, DAN) == []

    # Dan opens the link in the group, starts Retain and agrees: his copy follows.
    messages = await bot.send(DAN, "/start hw1")
    assert any("Tap <b>Yes, count them</b> below" in m.text for m in messages)
    assert (await bot.homework_sweep()).sent == 0
    [consent] = [m for m in messages if "Class quiz answers" in m.text]
    [welcome] = [m for m in messages if m.buttons and "Class quiz answers" not in m.text]
    await bot.tap(DAN, welcome, "Pearson BTEC")
    await bot.tap(DAN, consent, "Yes, count them")
    mark = bot.fake.mark()
    assert (await bot.homework_sweep()).sent == 1
    [sent] = homework_to(bot, DAN, mark)
    assert sent.text.startswith(HEADING)
    assert homework_to(bot, CAL) == []
    again = await bot.send(DAN, "/start hw1")
    assert any("You've got this one already" in m.text for m in again)
    assert (await bot.homework_sweep()).sent == 0

    # A forwarded link opened by someone outside the class gets nothing of the homework.
    stranger = FakeUser(699, "Eve")
    bot.fake.outsiders[GROUP] = {stranger.id}
    [refused] = await bot.send(stranger, "/start hw1")
    assert "for the members of its class group" in refused.text
    assert stranger.id not in pupil_rows(bot)
    assert (await bot.homework_sweep()).sent == 0


async def test_homework_is_sent_once_whatever_happens(bot: Harness) -> None:
    await class_with_a_round(bot)
    await group_says(bot, TEACHER, "/homework 10 until Friday")
    again = await group_says(bot, TEACHER, "/homework 10 until Friday")  # a double, or a retried update
    assert "There's homework open already" in again

    # A crash mid-delivery: rows leased (sets started), nothing sent; the leases run out.
    assert bot.app is not None
    deliveries, _reminders, _ = await bot.app.bot_data.tutor.homework.lease(bot.clock.now, 32)
    assert len(deliveries) == 2
    await bot.restart()
    assert (await bot.homework_sweep()).sent == 0  # still leased
    bot.clock.advance(timedelta(minutes=3))
    # Amir's send times out (Telegram delivered it); Bea has blocked the bot.
    bot.read_timeout = 0.3
    await bot.restart()
    bot.fake.time_out("sendMessage", hold=0.8, times=1)
    bot.fake.blocked.add(BEA.id)
    report = await bot.homework_sweep()
    assert report.unsure == 1 and report.blocked == 1
    for minutes in range(4, 10):
        bot.clock.now = WEDNESDAY + timedelta(minutes=minutes)
        await bot.homework_sweep()
    assert len(homework_to(bot, AMIR)) == 1  # the one Telegram delivered: never a second
    assert homework_to(bot, BEA) == []
    rows = pupil_rows(bot)
    assert rows[AMIR.id][0] == "unsure" and rows[BEA.id][0] == "blocked"
    progress = await group_says(bot, TEACHER, "/homework")
    assert "0 of 2 finished" in progress and "1 couldn't be reached" in progress


async def test_a_failed_send_is_tried_again_a_minute_later(bot: Harness) -> None:
    await class_with_a_round(bot)
    await group_says(bot, TEACHER, "/homework 10")
    bot.fake.fail("sendMessage", 429, "Too Many Requests: retry after 1", times=None, chat_id=AMIR.id)
    bot.fake.fail("sendMessage", 502, "Bad Gateway", times=None, chat_id=BEA.id)
    report = await bot.homework_sweep()
    assert report.failed == 2 and report.sent == 0
    bot.fake.failures.clear()
    assert (await bot.homework_sweep()).sent == 0  # a minute's pause first
    bot.clock.advance(timedelta(minutes=1))
    assert (await bot.homework_sweep()).sent == 2
    assert len(homework_to(bot, AMIR)) == len(homework_to(bot, BEA)) == 1


async def finish_set(bot: Harness, user: FakeUser, first: SentMessage, right: bool = True) -> SentMessage:
    """Answer every prompt of the set; the message that ends it."""
    prompt = first
    for _ in range(40):
        mark = await answer(bot, user, prompt, right)
        sent = bot.sent_to(user, mark)
        done = [m for m in sent if "Homework done" in m.text]
        if done:
            return done[0]
        prompt = [m for m in sent if is_prompt(m)][-1]
    raise AssertionError("the homework set never ended")


async def test_the_set_ends_handed_in_and_the_evening_before_reminder_goes_once(bot: Harness) -> None:
    await class_with_a_round(bot)
    await group_says(bot, TEACHER, "/homework 10 until Friday")
    await bot.homework_sweep()
    [amirs] = homework_to(bot, AMIR)
    [beas] = homework_to(bot, BEA)
    done = await finish_set(bot, AMIR, amirs)
    score = done.text.split("Homework done: ")[1].split(" right")[0]
    right, answered = (int(n) for n in score.split("/"))
    assert answered >= 10 and "Handed in to Class 3B" in done.text
    await answer(bot, BEA, beas)  # Bea starts but does not finish
    progress = await group_says(bot, TEACHER, "/homework")
    assert "1 of 2 finished · 1 started" in progress
    assert "Amir" not in progress and "Bea" not in progress  # counts only in the group

    bot.clock.now = datetime(2026, 12, 3, 17, 59, tzinfo=UTC)
    mark = bot.fake.mark()
    assert (await bot.homework_sweep()).reminded == 0
    bot.clock.now = datetime(2026, 12, 3, 18, 0, tzinfo=UTC)
    assert (await bot.homework_sweep()).reminded == 1
    bot.clock.now = datetime(2026, 12, 3, 18, 30, tzinfo=UTC)
    await bot.homework_sweep()
    reminders = [m for m in bot.sent_to(BEA, mark) if m.text.startswith("⏰")]
    assert len(reminders) == 1
    assert "due Friday 4 Dec, 23:59. You've done 1 of 10" in reminders[0].text
    assert not [m for m in bot.sent_to(AMIR, mark) if m.text.startswith("⏰")]
    mark = bot.fake.mark()
    await bot.tap(BEA, reminders[0], "Carry on ▶")
    [prompt] = [m for m in bot.sent_to(BEA, mark) if is_prompt(m)]
    assert "<b>2/10</b> · " in prompt.text

    assert bot.app is not None
    results = await bot.app.bot_data.tutor.homework.results(GROUP)
    section = homework_section(results)
    assert f"✅ Finished 1 of 2, {round(100 * right / answered)}% right: Amir {right}/{answered}" in section
    assert "⏳ Not finished: Bea (1 done)" in section
    assert pupil_rows(bot)[AMIR.id] == ("sent", answered, right)

    # The teacher's private class report carries the same results; the group sees none of them.
    await onboard(bot, TEACHER)
    mark = bot.fake.mark()
    in_group = await quiz.say(bot, TEACHER, "/classreport")
    assert not any("Finished" in t for t in quiz.texts(in_group))
    [report_homework] = [m for m in bot.sent_to(TEACHER, mark) if m.text.startswith("📚 <b>Homework</b>")]
    assert "✅ Finished 1 of 2" in report_homework.text and "⏳ Not finished: Bea" in report_homework.text


async def test_homework_picked_up_again_after_another_set(bot: Harness) -> None:
    await class_with_a_round(bot)
    await group_says(bot, TEACHER, "/homework 5 until tomorrow")
    await bot.homework_sweep()
    [first] = homework_to(bot, AMIR)
    await answer(bot, AMIR, first)
    await bot.send(AMIR, "/focus off")  # starts a set of his own
    messages = await bot.send(AMIR, "/homework")  # back to the homework
    [prompt] = [m for m in messages if is_prompt(m)]
    # The homework set again (the prompt his own set replaced counts as skipped in it).
    assert "<b>3/5</b> · " in prompt.text


async def test_only_admins_and_clear_refusals(bot: Harness) -> None:
    await class_with_a_round(bot)
    assert await group_says(bot, AMIR, "/homework 10") == "Only group admins can set homework."
    assert quiz.texts(await quiz.say(bot, AMIR, "/homework 10")) == []  # not told twice in a minute
    assert "No homework open here" in await group_says(bot, TEACHER, "/homework")
    assert "isn't a number of prompts" in await group_says(bot, TEACHER, "/homework lots")
    assert "5 to 30 prompts" in await group_says(bot, TEACHER, "/homework 50")
    assert "can't read “Funday” as a day" in await group_says(bot, TEACHER, "/homework 10 until Funday")
    assert "has already passed" in await group_says(bot, TEACHER, "/homework 10 until 2026-11-30")
    unknown = await group_says(bot, TEACHER, "/homework 10 astrology until Friday")
    assert "I don't know the topic area “astrology”" in unknown and "<code>" in unknown
    assert "There's no homework open here" in await group_says(bot, TEACHER, "/homework cancel")
    assert (await bot.homework_sweep()).sent == 0  # nothing refused was set


async def test_an_area_and_a_date_and_cancel(bot: Harness) -> None:
    await class_with_a_round(bot)
    area = bot.bank.areas[0]
    text = await group_says(bot, TEACHER, f"/homework 6 {area.id} until 12 Dec")
    assert f"6 prompts on {area.name}</b>, due Saturday 12 Dec, 23:59" in text
    cancelled = await group_says(bot, TEACHER, "/homework cancel")
    assert "Homework cancelled" in cancelled and "can still finish it as practice" in cancelled
    assert (await bot.homework_sweep()).sent == 0  # cancelled before it went: nobody gets it
    assert {status for status, _, _ in pupil_rows(bot).values()} == {"cancelled"}
    text = await group_says(bot, TEACHER, f"/homework 6 {area.id} until 12 Dec")
    assert "on its way to 2 pupils" in text
    await bot.homework_sweep()
    [sent] = homework_to(bot, AMIR)
    items = [
        row[0] for row in bot.sql.rows("SELECT item_id FROM prompt WHERE learner_id = ? ORDER BY id", AMIR.id)
    ]
    assert bot.bank.answerable(items[-1]).area == area.id  # type: ignore[union-attr]
    assert sent.text.startswith("📚 <b>Homework from Class 3B</b>: 6 prompts, due Saturday 12 Dec")


async def test_homework_waits_while_a_pupil_writes_an_exam_answer(bot: Harness) -> None:
    await class_with_a_round(bot)
    [question] = await bot.send(AMIR, "/write")
    assert "Send <b>done</b>" in question.text
    await bot.send(AMIR, "A CRM system keeps every customer's history in one place.")
    await group_says(bot, TEACHER, "/homework 10 until Friday")
    mark = bot.fake.mark()
    assert (await bot.homework_sweep()).sent == 1  # Bea's; Amir's waits for his answer
    assert homework_to(bot, AMIR, mark) == [] and len(homework_to(bot, BEA, mark)) == 1
    assert bot.sql.rows("SELECT messages FROM examdraft") == [(1,)]  # his words are still there
    [marking] = await bot.send(AMIR, "done")
    assert "marking points" in marking.text
    bot.clock.now += timedelta(minutes=21)
    mark = bot.fake.mark()
    assert (await bot.homework_sweep()).sent == 1
    [sent] = homework_to(bot, AMIR, mark)
    assert sent.text.startswith(HEADING)
