"""End to end: daily nudges at each learner's local time, durable across restarts, polite, and robust."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.handlers.nudges import SweepReport
from tests.fake_telegram import Failure, FakeUser, Request, SentMessage
from tests.flows import answer_and_next, onboard
from tests.harness import Harness

ANNA = FakeUser(501, "Anna")  # London
BEN = FakeUser(502, "Ben")  # New York


def row(bot: Harness, user: FakeUser, *columns: str) -> tuple[Any, ...]:
    [found] = bot.sql.rows(f"SELECT {', '.join(columns)} FROM learner WHERE id = ?", user.id)
    return found


def nudges_to(bot: Harness, user: FakeUser, mark: int = 0) -> list[SentMessage]:
    return [m for m in bot.sent_to(user, mark) if "Your daily revision" in m.text]


async def set_up(bot: Harness, user: FakeUser, remind: str, zone: str | None = None) -> None:
    [welcome] = await bot.send(user, "/start")
    await bot.tap(user, welcome, "Not sure: all of them")
    await bot.tap(user, bot.fake.messages[(user.id, welcome.message_id)], "Not now")
    if zone:
        await bot.send(user, f"/timezone {zone}")
    await bot.send(user, f"/remind {remind}")


async def sweep_at_report(bot: Harness, moment: datetime) -> SweepReport:
    """Run the sweep at `moment` and return its report."""
    bot.clock.now = moment
    return await bot.sweep()


async def sweep_at(bot: Harness, moment: datetime) -> int:
    """Run the sweep at `moment`; it returns once its sends are done."""
    bot.clock.now = moment
    mark = bot.fake.mark()
    await bot.sweep()
    return mark


async def test_nudges_arrive_at_local_time_in_two_zones_across_a_dst_change(bot: Harness) -> None:
    bot.clock.now = datetime(2026, 3, 6, 10, tzinfo=UTC)  # a Friday; New York changes clocks on Sunday 8th
    await set_up(bot, ANNA, "18:30")
    await set_up(bot, BEN, "08:00", "America/New_York")

    sent: list[tuple[str, datetime]] = []
    failures = []
    moment = datetime(2026, 3, 6, 11, tzinfo=UTC)
    while moment < datetime(2026, 3, 31, tzinfo=UTC):  # every 30 minutes for 25 days
        bot.clock.now = moment
        mark = bot.fake.mark()
        report = await bot.sweep()
        if report.failed or report.errors:
            failures.append((moment, report))
        sent += [("anna", moment) for _ in nudges_to(bot, ANNA, mark)]
        sent += [("ben", moment) for _ in nudges_to(bot, BEN, mark)]
        moment += timedelta(minutes=30)
        if moment.hour == 0 and moment.minute == 0:
            await bot.send(ANNA, "/next")  # activity, so nudges stay daily
            await bot.send(BEN, "/next")
    assert failures == []  # a send that failed would be retried later, at another time
    anna = [t for who, t in sent if who == "anna"]
    ben = [t for who, t in sent if who == "ben"]
    assert len(anna) == len({t.date() for t in anna}) == 25  # one a day, every day
    assert {t.time().isoformat() for t in anna if t < datetime(2026, 3, 29, tzinfo=UTC)} == {"18:30:00"}
    assert {t.time().isoformat() for t in anna if t >= datetime(2026, 3, 29, tzinfo=UTC)} == {"17:30:00"}
    assert {t.time().isoformat() for t in ben if t < datetime(2026, 3, 8, tzinfo=UTC)} == {"13:00:00"}
    assert {t.time().isoformat() for t in ben if t >= datetime(2026, 3, 8, tzinfo=UTC)} == {"12:00:00"}
    assert len(ben) == 25


async def test_a_nudge_teaches_in_place_and_its_answer_counts_as_a_nudge_answer(bot: Harness) -> None:
    bot.clock.now = datetime(2026, 5, 4, 9, tzinfo=UTC)
    await set_up(bot, ANNA, "18:00")
    mark = await sweep_at(bot, datetime(2026, 5, 4, 17, tzinfo=UTC))
    [nudge] = nudges_to(bot, ANNA, mark)
    assert nudge.buttons  # answerable right here
    assert "<b>1/10</b> · " in nudge.text  # a nudge starts a set
    following = await answer_and_next(bot, ANNA, nudge)
    assert following.text.startswith("<b>2/10</b> · ")  # ...that carries on in the chat
    assert bot.sql.rows("SELECT context FROM answer WHERE learner_id = ?", ANNA.id) == [("nudge",)]


async def test_a_restart_between_sweeps_sends_nothing_twice(bot: Harness) -> None:
    bot.clock.now = datetime(2026, 5, 4, 9, tzinfo=UTC)
    await set_up(bot, ANNA, "18:00")
    due = datetime(2026, 5, 4, 17, tzinfo=UTC)
    await sweep_at(bot, due)
    await bot.restart()
    await sweep_at(bot, due + timedelta(minutes=1))
    await sweep_at(bot, due + timedelta(hours=5))  # still the same local day
    assert len(nudges_to(bot, ANNA)) == 1


async def test_after_downtime_a_nudge_under_two_hours_late_is_caught_up(bot: Harness) -> None:
    bot.clock.now = datetime(2026, 5, 4, 9, tzinfo=UTC)
    await set_up(bot, ANNA, "18:00")
    await bot.stop()  # down from before 18:00 London (17:00 UTC)...
    bot.clock.now = datetime(2026, 5, 4, 18, 55, tzinfo=UTC)  # ...back 1 h 55 min after it was due
    await bot.start()
    mark = await sweep_at(bot, bot.clock.now)
    assert len(nudges_to(bot, ANNA, mark)) == 1


async def test_after_long_downtime_a_stale_nudge_is_skipped_to_the_next_day(bot: Harness) -> None:
    bot.clock.now = datetime(2026, 5, 4, 9, tzinfo=UTC)
    await set_up(bot, ANNA, "18:00")
    mark = await sweep_at(bot, datetime(2026, 5, 4, 19, 5, tzinfo=UTC))  # 2 h 5 min late
    assert nudges_to(bot, ANNA, mark) == []
    (next_at,) = row(bot, ANNA, "next_nudge_at")
    assert next_at.startswith("2026-05-05 17:00")
    mark = await sweep_at(bot, datetime(2026, 5, 5, 17, tzinfo=UTC))
    assert len(nudges_to(bot, ANNA, mark)) == 1


async def test_a_learner_who_blocked_the_bot_is_marked_inactive_and_others_still_get_theirs(
    bot: Harness,
) -> None:
    bot.clock.now = datetime(2026, 5, 4, 9, tzinfo=UTC)
    await set_up(bot, ANNA, "18:00")
    await set_up(bot, BEN, "18:00")
    bot.fake.blocked.add(ANNA.id)
    mark = await sweep_at(bot, datetime(2026, 5, 4, 17, tzinfo=UTC))
    assert len(nudges_to(bot, BEN, mark)) == 1
    assert row(bot, ANNA, "active", "next_nudge_at") == (0, None)
    mark = await sweep_at(bot, datetime(2026, 5, 5, 17, tzinfo=UTC))
    assert not [r for r in bot.fake.calls("sendMessage", after=mark) if r.params["chat_id"] == ANNA.id]

    bot.fake.blocked.clear()
    await bot.fake.member_update(ANNA, "kicked", "member")  # she unblocked the bot
    await bot.settle()
    assert row(bot, ANNA, "active")[0] == 1
    mark = await sweep_at(bot, datetime(2026, 5, 6, 17, tzinfo=UTC))
    assert len(nudges_to(bot, ANNA, mark)) == 1


async def test_a_blocked_update_stops_nudges_without_a_failed_send(bot: Harness) -> None:
    bot.clock.now = datetime(2026, 5, 4, 9, tzinfo=UTC)
    await set_up(bot, ANNA, "18:00")
    await bot.fake.member_update(ANNA, "member", "kicked")
    await bot.settle()
    assert row(bot, ANNA, "active", "next_nudge_at") == (0, None)
    mark = await sweep_at(bot, datetime(2026, 5, 4, 17, tzinfo=UTC))
    assert not [r for r in bot.fake.calls("sendMessage", after=mark) if r.params["chat_id"] == ANNA.id]


async def test_other_send_errors_are_retried_and_do_not_stop_the_sweep(bot: Harness) -> None:
    bot.clock.now = datetime(2026, 5, 4, 9, tzinfo=UTC)
    await set_up(bot, ANNA, "18:00")
    await set_up(bot, BEN, "18:00")
    bot.fake.failures.append(Failure("sendMessage", 502, "Bad Gateway", times=2, chat_id=ANNA.id))
    mark = await sweep_at(bot, datetime(2026, 5, 4, 17, tzinfo=UTC))
    assert len(nudges_to(bot, ANNA, mark)) == 1  # third time lucky
    assert len(nudges_to(bot, BEN, mark)) == 1
    bot.fake.failures.append(Failure("sendMessage", 502, "Bad Gateway", times=99, chat_id=BEN.id))
    mark = await sweep_at(bot, datetime(2026, 5, 5, 17, tzinfo=UTC))
    assert len(nudges_to(bot, ANNA, mark)) == 1 and nudges_to(bot, BEN, mark) == []
    bot.fake.failures.clear()
    mark = await sweep_at(bot, datetime(2026, 5, 5, 17, 0, 30, tzinfo=UTC))
    assert nudges_to(bot, BEN, mark) == []  # a minute's pause before the next try
    mark = await sweep_at(bot, datetime(2026, 5, 5, 17, 1, tzinfo=UTC))
    assert len(nudges_to(bot, BEN, mark)) == 1


async def test_a_nudge_that_keeps_failing_stops_two_hours_after_its_time(bot: Harness) -> None:
    bot.clock.now = datetime(2026, 5, 4, 9, tzinfo=UTC)
    await set_up(bot, ANNA, "18:00")
    bot.fake.failures.append(Failure("sendMessage", 502, "Bad Gateway", times=10_000, chat_id=ANNA.id))
    late = []
    for minutes in range(0, 240, 5):  # a sweep every five minutes for four hours
        at = datetime(2026, 5, 4, 17, tzinfo=UTC) + timedelta(minutes=minutes)
        before = bot.fake.mark()
        await sweep_at(bot, at)
        if [r for r in bot.fake.calls("sendMessage", after=before) if r.params["chat_id"] == ANNA.id]:
            late.append(minutes)
    assert late and max(late) <= 120  # retried within the two hours after its time, never after
    bot.fake.failures.clear()
    [typed] = await bot.send(ANNA, "42")  # the undelivered nudge's question does not take this answer
    assert "I work with buttons" in typed.text or "buttons" in typed.text
    mark = await sweep_at(bot, datetime(2026, 5, 5, 17, tzinfo=UTC))
    assert len(nudges_to(bot, ANNA, mark)) == 1  # the next day comes as usual


async def test_a_permanent_rejection_is_not_retried(bot: Harness) -> None:
    bot.clock.now = datetime(2026, 5, 4, 9, tzinfo=UTC)
    await set_up(bot, ANNA, "18:00")
    bot.fake.failures.append(
        Failure("sendMessage", 400, "Bad Request: can't parse entities", chat_id=ANNA.id)
    )
    mark = bot.fake.mark()
    for minute in range(5):
        await sweep_at(bot, datetime(2026, 5, 4, 17, minute, tzinfo=UTC))
    tries = [r for r in bot.fake.calls("sendMessage", after=mark) if r.params["chat_id"] == ANNA.id]
    assert len(tries) == 1


async def test_after_three_ignored_nudges_every_other_day_said_once_and_activity_restores_daily(
    bot: Harness,
) -> None:
    bot.clock.now = datetime(2026, 5, 4, 9, tzinfo=UTC)
    await set_up(bot, ANNA, "18:00")
    days = [datetime(2026, 5, 4 + n, 17, tzinfo=UTC) for n in range(9)]
    received = []
    for day in days[:7]:
        mark = await sweep_at(bot, day)
        received += [(day.day, m) for m in nudges_to(bot, ANNA, mark)]
    assert [d for d, _ in received] == [
        4,
        5,
        6,
        7,
        9,
    ]  # three ignored, the fourth says so, then every other day
    notices = [m for _, m in received if "every other day" in m.text]
    assert [d for d, m in received if m in notices] == [7]

    await bot.send(ANNA, "/next")  # any activity, here on the 10th...
    daily = []
    for date_in_may in (11, 12, 13):
        mark = await sweep_at(bot, datetime(2026, 5, date_in_may, 17, tzinfo=UTC))
        daily += [date_in_may for _ in nudges_to(bot, ANNA, mark)]
    assert daily == [11, 12, 13]  # ...restores daily nudges


async def test_pause_skips_days_and_resume_restarts(bot: Harness) -> None:
    bot.clock.now = datetime(2026, 5, 4, 9, tzinfo=UTC)  # a Monday
    await set_up(bot, ANNA, "18:00")
    [confirm] = await bot.send(ANNA, "/pause 3")
    assert "Nudges paused until Thursday 7 May" in confirm.text
    for day in (4, 5, 6):
        mark = await sweep_at(bot, datetime(2026, 5, day, 17, tzinfo=UTC))
        assert nudges_to(bot, ANNA, mark) == []
    mark = await sweep_at(bot, datetime(2026, 5, 7, 17, tzinfo=UTC))
    assert len(nudges_to(bot, ANNA, mark)) == 1
    await bot.send(ANNA, "/pause 2")
    [resumed] = await bot.send(ANNA, "/resume")
    assert "Nudges are back on" in resumed.text and "Every day at <b>18:00</b>, London time" in resumed.text


async def test_no_nudge_once_the_daily_goal_is_met(bot: Harness) -> None:
    bot.clock.now = datetime(2026, 5, 4, 9, tzinfo=UTC)
    await set_up(bot, ANNA, "18:00")
    await bot.send(ANNA, "/goal 1")
    [prompt] = await bot.send(ANNA, "/next")
    await bot.tap(ANNA, prompt, prompt.buttons[0][0])
    if prompt.buttons and prompt.buttons[0][0] == "Knew it":
        await bot.tap(ANNA, prompt, "Knew it")
    [menu] = await bot.send(ANNA, "/remind")
    assert "Next nudge: tomorrow at 18:00." in menu.text  # today's would be skipped: the goal is met
    mark = await sweep_at(bot, datetime(2026, 5, 4, 17, tzinfo=UTC))
    assert nudges_to(bot, ANNA, mark) == []
    mark = await sweep_at(bot, datetime(2026, 5, 5, 17, tzinfo=UTC))
    assert len(nudges_to(bot, ANNA, mark)) == 1


async def test_settings_are_shown_back_in_the_learners_own_words(bot: Harness) -> None:
    bot.clock.now = datetime(2026, 5, 4, 9, tzinfo=UTC)
    await set_up(bot, ANNA, "18:30")
    [shown] = await bot.send(ANNA, "/remind 6:45pm")
    assert "Every day at <b>18:45</b>, London time." in shown.text
    assert "Next nudge: today at 18:45." in shown.text
    [zone] = await bot.send(ANNA, "/timezone +2")
    assert (
        "Time zone set: UTC+2 (Etc/GMT-2)" in zone.text
        and "Every day at <b>18:45</b>, UTC+2 time." in zone.text
    )
    [menu] = await bot.send(ANNA, "/remind")
    assert [label for label, _ in menu.buttons] == ["07:30", "12:30", "18:00", "20:30", "No nudges"]
    await bot.tap(ANNA, menu, "No nudges")
    assert "Daily nudges are off" in menu.text
    assert row(bot, ANNA, "reminder_time", "next_nudge_at") == (None, None)


async def test_every_invalid_setting_gets_a_clear_hint(bot: Harness) -> None:
    for command, hint in [
        ("/remind 25:99", "“25:99” isn't a time of day"),
        ("/remind tomorrow", "“tomorrow” isn't a time of day"),
        ("/timezone Mars/Base", "I don't know the time zone “Mars/Base”"),
        ("/timezone Europe/Londn", "Did you mean <code>Europe/London</code>"),
        ("/timezone +5:30", "whole-hour offset"),
        ("/pause soon", "Send /pause and a number of days"),
        ("/pause 90", "Send /pause and a number of days"),
    ]:
        [reply] = await bot.send(ANNA, command)
        assert hint in reply.text, (command, reply.text)


async def test_the_repeating_sweep_sends_due_nudges_by_itself(bot: Harness) -> None:
    await set_up(bot, ANNA, "18:30")
    await bot.stop()
    bot.clock.now = datetime(2026, 3, 2, 18, 31, tzinfo=UTC)  # London is on UTC in early March
    bot.sweep_seconds = 0.05  # the job queue runs the sweep; the test never calls it
    await bot.start()
    nudge = await bot.fake.wait_for(
        "sendMessage", lambda r: r.params["chat_id"] == ANNA.id and "Your daily revision" in r.params["text"]
    )
    assert nudge.result["chat"]["id"] == ANNA.id


async def test_a_send_that_times_out_is_taken_as_delivered_and_never_sent_again(bot: Harness) -> None:
    bot.clock.now = datetime(2026, 5, 4, 9, tzinfo=UTC)
    await set_up(bot, ANNA, "18:00")
    bot.read_timeout = 0.3
    await bot.restart()
    bot.fake.time_out("sendMessage", hold=0.8, times=1)  # Telegram sends it; its answer comes too late
    mark = bot.fake.mark()
    report = await sweep_at_report(bot, datetime(2026, 5, 4, 17, tzinfo=UTC))
    assert report.unsure == 1 and report.sent == 0
    for minute in range(1, 6):
        await sweep_at(bot, datetime(2026, 5, 4, 17, minute, tzinfo=UTC))
    assert len(nudges_to(bot, ANNA, mark)) == 1  # the one Telegram delivered: never a second


async def test_with_a_tenth_of_sends_timing_out_nobody_gets_a_nudge_twice(bot: Harness) -> None:
    bot.clock.now = datetime(2026, 5, 4, 9, tzinfo=UTC)
    learners = [FakeUser(7000 + n, f"L{n}") for n in range(40)]
    for user in learners:
        await set_up(bot, user, "18:00")
    bot.read_timeout = 0.3
    await bot.restart()
    bot.fake.time_out("sendMessage", hold=0.8, times=None, share=0.1)
    mark = bot.fake.mark()
    for minute in range(0, 10):
        await sweep_at(bot, datetime(2026, 5, 4, 17, minute, tzinfo=UTC))
    got = {user.id: len(nudges_to(bot, user, mark)) for user in learners}
    assert set(got.values()) == {1}, got  # everyone reached, nobody twice


async def test_a_learners_reply_goes_out_before_the_nudges_a_sweep_has_queued(bot: Harness) -> None:
    bot.clock.now = datetime(2026, 5, 4, 9, tzinfo=UTC)
    learners = [FakeUser(7100 + n, f"N{n}") for n in range(30)]
    for user in learners:
        await set_up(bot, user, "18:00")
    card = await onboard(bot, ANNA)  # no reminder: Anna is revising, not being nudged
    await bot.tap(ANNA, card, "Reveal")
    bot.rate_limit_per_second = 30  # Telegram's own limit: the sweep takes about a second
    await bot.restart()
    bot.clock.now = datetime(2026, 5, 4, 17, tzinfo=UTC)
    nudged = {user.id for user in learners}

    def nudge_sends(requests: list[Request]) -> int:
        return sum(1 for r in requests if r.method == "sendMessage" and int(r.params["chat_id"]) in nudged)

    mark = bot.fake.mark()
    sweep = asyncio.ensure_future(bot.sweep())
    await bot.fake.wait_for("sendMessage", lambda r: int(r.params["chat_id"]) in nudged, after=mark)
    tapped = bot.fake.mark()
    await bot.tap(ANNA, card, "Knew it")
    verdict = next(
        n
        for n, r in enumerate(bot.fake.requests)
        if n >= tapped and r.method == "editMessageText" and r.params["chat_id"] == ANNA.id
    )
    before = nudge_sends(bot.fake.requests[mark:verdict])
    assert before <= len(learners) // 2, before  # the reply did not wait for the queued nudges
    report = await sweep
    assert report.sent == len(learners)  # and the sweep still finished, everyone nudged once
    assert all(len(nudges_to(bot, user, mark)) == 1 for user in learners)
