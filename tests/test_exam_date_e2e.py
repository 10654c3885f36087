"""End to end through the fake Bot API: /exam sets, shows and clears the exam date; /stats predicts
the score today and on the day; nudges count down, wish luck on the day, and say once that it passed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.fake_telegram import FakeUser, SentMessage
from tests.flows import answer_and_next, item_of, onboard
from tests.harness import Harness

ANNA = FakeUser(601, "Anna")  # London; the clock starts on Monday 2 March 2026 at 09:00 UTC


def exam_date(bot: Harness, user: FakeUser) -> str | None:
    [(day,)] = bot.sql.rows("SELECT exam_date FROM learner WHERE id = ?", user.id)
    return str(day) if day is not None else None


async def revise(bot: Harness, user: FakeUser, prompt: SentMessage, n: int) -> SentMessage:
    for _ in range(n):
        prompt = await answer_and_next(bot, user, prompt)
    return prompt


async def test_exam_sets_shows_and_clears_the_date_and_refuses_dates_it_cannot_use(bot: Harness) -> None:
    await onboard(bot, ANNA)
    [shown] = await bot.send(ANNA, "/exam")
    assert "You haven't set an exam date" in shown.text and "/exam 12 March" in shown.text

    [confirmed] = await bot.send(ANNA, "/exam 12 March")
    assert "Thursday 12 March 2026</b>, in 10 days" in confirmed.text
    assert "what you remember on the day" in confirmed.text and "/exam off" in confirmed.text
    assert exam_date(bot, ANNA) == "2026-03-12"
    [shown] = await bot.send(ANNA, "/exam")
    assert "Your exam: <b>Thursday 12 March 2026</b>, in 10 days." in shown.text

    readable = [("2027-03-12", "2027-03-12"), ("12/03/2027", "2027-03-12"), ("in 6 weeks", "2026-04-13")]
    for typed, day in readable:
        await bot.send(ANNA, f"/exam {typed}")
        assert exam_date(bot, ANNA) == day

    for typed, reason in [
        ("2026-02-20", "has already passed"),
        ("2030-01-01", "more than 18 months away"),
        ("soonish", "couldn't read “soonish” as a date"),
    ]:
        [refused] = await bot.send(ANNA, f"/exam {typed}")
        assert reason in refused.text
        assert exam_date(bot, ANNA) == "2026-04-13"  # a refusal changes nothing

    [cleared] = await bot.send(ANNA, "/exam off")
    assert "Exam date cleared" in cleared.text and exam_date(bot, ANNA) is None
    [again] = await bot.send(ANNA, "/exam off")
    assert "You have no exam date set" in again.text

    [help_text] = await bot.send(ANNA, "/help")
    assert "/exam" in help_text.text


async def test_stats_predict_the_score_today_and_with_a_date_on_the_day(bot: Harness) -> None:
    prompt = await onboard(bot, ANNA)
    await revise(bot, ANNA, prompt, 6)
    [stats] = await bot.send(ANNA, "/stats")
    assert "🎯 If the exam were today: about " in stats.text and "(roughly " in stats.text
    assert "On exam day" not in stats.text and "/exam 12 March" in stats.text

    await bot.send(ANNA, "/exam 12 March")
    [stats] = await bot.send(ANNA, "/stats")
    assert "📅 On exam day (Thursday 12 March 2026, in 10 days) at your current pace: about " in stats.text

    bot.clock.now = datetime(2026, 3, 13, 9, tzinfo=UTC)
    [stats] = await bot.send(ANNA, "/stats")
    assert "has passed" in stats.text and "/exam off" in stats.text and "On exam day" not in stats.text


async def sweep_at(bot: Harness, moment: datetime) -> list[SentMessage]:
    """Run the nudge sweep at `moment`; the nudges it sent Anna."""
    bot.clock.now = moment
    mark = bot.fake.mark()
    await bot.sweep()
    return [m for m in bot.sent_to(ANNA, mark) if "Your daily revision" in m.text]


async def test_nudges_count_down_wish_luck_on_the_day_and_say_once_that_it_passed(bot: Harness) -> None:
    prompt = await onboard(bot, ANNA)
    prompt = await revise(bot, ANNA, prompt, 4)
    await bot.send(ANNA, "/remind 18:30")
    await bot.send(ANNA, "/exam 12 March")

    [nudge] = await sweep_at(bot, datetime(2026, 3, 2, 18, 30, tzinfo=UTC))
    assert "📅 <b>10 days</b> to your exam. " in nudge.text and "<b>" in nudge.text.split("to your exam.")[1]

    met = {row[0] for row in bot.sql.rows("SELECT item_id FROM itemstate WHERE learner_id = ?", ANNA.id)}
    day = datetime(2026, 3, 3, 18, 30, tzinfo=UTC)
    while day.date() < datetime(2026, 3, 12).date():
        [nudge] = await sweep_at(bot, day)
        assert "to your exam" in nudge.text
        await bot.send(ANNA, "/next")  # activity, so nudges stay daily
        day += timedelta(days=1)
    met = {row[0] for row in bot.sql.rows("SELECT item_id FROM itemstate WHERE learner_id = ?", ANNA.id)}

    [on_the_day] = await sweep_at(bot, datetime(2026, 3, 12, 18, 30, tzinfo=UTC))
    assert "Exam day: good luck!" in on_the_day.text and "nothing new today" in on_the_day.text
    assert item_of(bot, on_the_day).id in met  # a last quick review, not new material

    [after] = await sweep_at(bot, datetime(2026, 3, 13, 18, 30, tzinfo=UTC))
    assert "has passed" in after.text and "/exam off" in after.text and "to your exam" not in after.text
    await bot.send(ANNA, "/next")
    [later] = await sweep_at(bot, datetime(2026, 3, 14, 18, 30, tzinfo=UTC))
    assert "has passed" not in later.text and "exam" not in later.text.split("\n")[0]


async def test_without_a_date_nudges_say_nothing_about_an_exam(bot: Harness) -> None:
    prompt = await onboard(bot, ANNA)
    await revise(bot, ANNA, prompt, 2)
    await bot.send(ANNA, "/remind 18:30")
    [nudge] = await sweep_at(bot, datetime(2026, 3, 2, 18, 30, tzinfo=UTC))
    assert "to your exam" not in nudge.text and "good luck" not in nudge.text
