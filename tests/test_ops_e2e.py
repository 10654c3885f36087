"""End to end: webhook mode, /healthz and /metrics, through the fake Bot API and the bot's own server."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from telegram.error import Conflict

from bot.app import ALLOWED_UPDATES
from tests.fake_telegram import FakeTelegram, FakeUser
from tests.flows import answer, onboard
from tests.harness import Harness

ANNA = FakeUser(701, "Anna")


@pytest.fixture
async def hooked(fake_telegram: FakeTelegram, tmp_path: Path) -> AsyncIterator[Harness]:
    """The real bot in webhook mode: the fake posts updates to the bot's own server."""
    harness = Harness(fake_telegram, tmp_path / "retain.db", webhook=True)
    await harness.start()
    yield harness
    await harness.stop()


async def get(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.get(url) as answer:
        return answer.status, await answer.text()


async def health(bot: Harness) -> tuple[int, dict[str, Any]]:
    async with aiohttp.ClientSession() as session, session.get(f"{bot.ops_url}/healthz") as answer:
        return answer.status, await answer.json()


def metric(text: str, name: str, **labels: str) -> float:
    """The value of one sample in Prometheus text (0 when it is absent)."""
    wanted = name + ("{" + ",".join(f'{k}="{v}"' for k, v in sorted(labels.items())) + "}" if labels else "")
    for line in text.splitlines():
        if line.startswith(wanted + " "):
            return float(line.split()[-1])
    return 0.0


async def test_webhook_mode_sets_the_webhook_and_answers_what_telegram_posts(hooked: Harness) -> None:
    fake = hooked.fake
    [call] = fake.calls("setWebhook")
    assert call.params["url"] == hooked.webhook_url
    assert call.params["secret_token"] == hooked.webhook_secret
    assert call.params["allowed_updates"] == list(ALLOWED_UPDATES)
    assert call.params["max_connections"] == 40
    assert not fake.calls("deleteWebhook") and not fake.last_poll  # never polls
    prompt = await onboard(hooked, ANNA)  # /start and two taps, each posted to the webhook
    await answer(hooked, ANNA, prompt)
    assert {status for _, url, status in fake.deliveries} == {200}
    assert all(url == hooked.webhook_url for _, url, _ in fake.deliveries)
    [reply] = await hooked.send(ANNA, "/stats")
    assert "1 of" in reply.text


async def test_telegram_reports_the_webhook_and_refuses_polling_while_it_is_set(hooked: Harness) -> None:
    assert hooked.app is not None
    info = await hooked.app.bot.get_webhook_info()
    assert info.url == hooked.webhook_url and info.max_connections == 40
    assert set(info.allowed_updates or ()) == set(ALLOWED_UPDATES) and info.pending_update_count == 0
    with pytest.raises(Conflict):
        await hooked.app.bot.get_updates(timeout=0)


async def test_a_post_without_the_right_secret_is_refused_and_nothing_is_handled(hooked: Harness) -> None:
    fake = hooked.fake
    start = {"update_id": 9_000, "message": fake.text_message(ANNA, ANNA.id, "/start")}
    mark = fake.mark()
    assert await fake.post_update(hooked.webhook_url, start, None) == 403
    assert await fake.post_update(hooked.webhook_url, start, "not-the-secret") == 403
    assert await fake.post_update(hooked.webhook_url, start, hooked.webhook_secret[:-1]) == 403
    assert await fake.post_update(hooked.webhook_url, b"{not json", hooked.webhook_secret) == 400
    assert await fake.post_update(hooked.webhook_url, {"message": {}}, hooked.webhook_secret) == 400
    await hooked.settle()
    assert not [r for r in fake.requests[mark:] if r.params.get("chat_id") == ANNA.id]
    # The right secret: handled.
    assert await fake.post_update(hooked.webhook_url, start, hooked.webhook_secret) == 200
    await hooked.settle()
    assert "Welcome to Retain" in hooked.sent_to(ANNA, mark)[0].text


async def test_an_unreadable_update_posted_is_skipped_and_its_tap_still_answered(hooked: Harness) -> None:
    fake = hooked.fake
    query_id = fake.new_query_id()
    broken = {"update_id": 9_001, "callback_query": {"id": query_id, "from": "not a user"}}
    await fake.push(broken)
    await hooked.settle()
    assert fake.answer_counts()[query_id] == 1  # skipped, its tap answered all the same
    assert await fake.post_update(hooked.webhook_url, {"update_id": 9_002}, hooked.webhook_secret) == 200
    await hooked.settle()
    [welcome] = await hooked.send(ANNA, "/start")  # the bot goes on
    assert "Welcome to Retain" in welcome.text


async def test_healthz_reports_the_database_the_sweep_and_waiting_updates(hooked: Harness) -> None:
    status, body = await health(hooked)
    assert status == 200 and body == {"database": "ok", "last_sweep_age_s": 0.0, "pending_updates": 0}
    hooked.clock.advance(timedelta(minutes=2))
    status, body = await health(hooked)
    assert status == 200 and body["last_sweep_age_s"] == 120.0
    hooked.clock.advance(timedelta(minutes=1, seconds=1))  # three sweep intervals with none finished
    status, body = await health(hooked)
    assert status == 503 and "stale" in body["sweep"] and body["database"] == "ok"
    await hooked.sweep()
    status, body = await health(hooked)
    assert status == 200 and body["last_sweep_age_s"] == 0.0


async def test_healthz_is_503_when_the_database_cannot_be_reached(hooked: Harness) -> None:
    database = hooked.app.bot_data.tutor.database if hooked.app else None
    assert database is not None
    await database.engine.dispose()  # pooled connections closed: the next one opens the file anew
    moved = hooked.db_path.with_suffix(".away")
    hooked.db_path.rename(moved)
    hooked.db_path.mkdir()  # a folder where the file was: SQLite cannot open it
    try:
        status, body = await health(hooked)
        assert status == 503 and body["database"].startswith("unreachable")
    finally:
        hooked.db_path.rmdir()
        moved.rename(hooked.db_path)
    await database.engine.dispose()
    status, body = await health(hooked)
    assert status == 200 and body["database"] == "ok"


async def test_metrics_count_updates_latency_nudges_429s_and_rounds(hooked: Harness) -> None:
    fake = hooked.fake
    prompt = await onboard(hooked, ANNA)
    await answer(hooked, ANNA, prompt)
    fake.fail("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1, chat_id=ANNA.id)
    [help_text] = await hooked.send(ANNA, "/help")  # limited once (a real second's pause), then sent
    assert help_text.text
    group, teacher = -100_777, FakeUser(702, "Mrs Khan")
    fake.admins[group] = {teacher.id}
    await fake.group_text(teacher, group, "/quiz 2")
    await hooked.settle()
    await hooked.send(ANNA, "/remind 09:30")
    hooked.clock.now += timedelta(minutes=31)
    assert (await hooked.sweep()).sent == 1
    status, text = await get(f"{hooked.ops_url}/metrics")
    assert status == 200
    assert metric(text, "retain_updates_total", type="message") >= 3
    assert metric(text, "retain_updates_total", type="callback_query") >= 3
    assert metric(text, "retain_reply_seconds_count", type="callback_query") >= 3
    assert metric(text, "retain_reply_seconds_bucket", type="message", le="+Inf") >= 3
    assert metric(text, "retain_telegram_429_total") == 1
    assert metric(text, "retain_class_rounds_running") == 1
    assert metric(text, "retain_pending_updates") == 0
    assert metric(text, "retain_nudges_total", outcome="sent") == 1


async def test_each_update_logs_one_debug_line_without_its_text(
    hooked: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG, logger="bot.updates"):
        await hooked.send(ANNA, "my private words")
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.updates"]
    assert any(line.startswith("update type=message chat=private handler_ms=") for line in lines), lines
    assert not any("private words" in r.getMessage() for r in caplog.records)
    assert hooked.fake.token not in caplog.text


async def test_an_update_that_telegram_fails_to_answer_logs_one_warning_without_traceback(
    hooked: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    await hooked.send(ANNA, "/start")
    hooked.fake.fail("sendMessage", 502, "Bad Gateway", chat_id=ANNA.id)  # a network failure
    with caplog.at_level(logging.DEBUG, logger="bot"):
        sent = await hooked.send(ANNA, "/help")
    [line] = [r for r in caplog.records if r.name == "bot.handlers.errors" and r.levelno >= logging.WARNING]
    assert line.levelno == logging.WARNING and line.exc_info is None
    assert (
        line.getMessage() == "Update failed type=message chat=private: Telegram did not answer (NetworkError)"
    )
    assert len(sent) == 1  # the learner is told something went wrong
    _, text = await get(f"{hooked.ops_url}/metrics")
    assert metric(text, "retain_update_failures_total", type="message") == 1


async def test_polling_with_metrics_port_serves_health_and_metrics_but_no_webhook(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    bot = Harness(fake_telegram, tmp_path / "retain.db", ops=True)
    await bot.start()
    try:
        [welcome] = await bot.send(ANNA, "/start")  # polled
        assert "Welcome to Retain" in welcome.text and fake_telegram.last_poll
        status, body = await health(bot)
        assert status == 200 and body["database"] == "ok"
        status, text = await get(f"{bot.ops_url}/metrics")
        assert status == 200 and metric(text, "retain_updates_total", type="message") >= 1
        start = {"update_id": 9_100, "message": fake_telegram.text_message(ANNA, ANNA.id, "/start")}
        assert await fake_telegram.post_update(f"{bot.ops_url}/telegram", start, "x") in (404, 405)
    finally:
        await bot.stop()


async def test_two_apps_keep_their_own_metrics(fake_telegram: FakeTelegram, tmp_path: Path) -> None:
    one = Harness(fake_telegram, tmp_path / "one.db", webhook=True)
    two = Harness(fake_telegram, tmp_path / "two.db", webhook=True)
    await one.start()
    await two.start()
    try:
        assert one.app is not None and two.app is not None
        assert one.app.bot_data.metrics.registry is not two.app.bot_data.metrics.registry
    finally:
        await one.stop()
        await two.stop()
