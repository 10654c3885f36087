"""The real run command in webhook mode, `python -m bot` with WEBHOOK_URL, in a child process."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import aiohttp

from tests.fake_telegram import FakeTelegram, FakeUser
from tests.harness import _free_port

REPO = Path(__file__).resolve().parent.parent
ANNA = FakeUser(111, "Anna")
SECRET = "a-Webhook_secret-0123456789"


def environment(**settings: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TELEGRAM_", "DATABASE_", "LOG_", "WEBHOOK_"))
    }
    env.update(PYTHONPATH=str(REPO), **settings)
    return env


async def test_python_m_bot_serves_the_webhook_health_and_stops_cleanly_on_sigterm(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    port = _free_port()
    url = f"http://127.0.0.1:{port}/telegram/hook"
    env = environment(
        TELEGRAM_BOT_TOKEN=fake_telegram.token,
        TELEGRAM_API_BASE_URL=fake_telegram.base_url,
        WEBHOOK_URL=url,
        WEBHOOK_SECRET=SECRET,
        WEBHOOK_PORT=str(port),
        LOG_LEVEL="DEBUG",
    )
    await fake_telegram.send_text(ANNA, "/start")  # waiting before the bot starts: delivered after
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=tmp_path, env=env, stderr=asyncio.subprocess.PIPE
    )
    try:
        hook = await fake_telegram.wait_for("setWebhook", within=30)
        assert hook.params["url"] == url and hook.params["secret_token"] == SECRET
        reply = await fake_telegram.wait_for(
            "sendMessage", lambda r: r.params["chat_id"] == ANNA.id, within=30
        )
        assert "Welcome to Retain" in reply.params["text"]
        async with aiohttp.ClientSession() as session:
            async with session.get(f"http://127.0.0.1:{port}/healthz") as answer:
                assert answer.status == 200 and (await answer.json())["database"] == "ok"
            async with session.get(f"http://127.0.0.1:{port}/metrics") as answer:
                assert 'retain_updates_total{type="message"}' in await answer.text()
        assert await fake_telegram.post_update(url, {"update_id": 5, "message": {}}, "wrong") == 403
    finally:
        child.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(child.communicate(), 30)
    log = stderr.decode()
    assert child.returncode == 0, log
    assert "update type=message chat=private" in log
    assert fake_telegram.token.split(":")[1] not in log and SECRET not in log
    assert not fake_telegram.calls("deleteWebhook")  # a stopping instance leaves the webhook to the others


async def test_a_webhook_url_without_a_secret_stops_the_start_with_one_line(tmp_path: Path) -> None:
    for secret in ("", "has spaces in it"):
        child = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", cwd=tmp_path,
            env=environment(TELEGRAM_BOT_TOKEN="1:x", WEBHOOK_URL="https://bot.example.org/hook",
                            WEBHOOK_SECRET=secret),
            stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        _, stderr = await asyncio.wait_for(child.communicate(), 60)
        err = stderr.decode()
        assert child.returncode == 2 and "WEBHOOK_SECRET" in err and "Traceback" not in err, err
        if secret:
            assert secret not in err


async def test_python_m_bot_polling_with_metrics_port_serves_health(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    port = _free_port()
    env = environment(
        TELEGRAM_BOT_TOKEN=fake_telegram.token,
        TELEGRAM_API_BASE_URL=fake_telegram.base_url,
        METRICS_PORT=str(port),
    )
    await fake_telegram.send_text(ANNA, "/start")
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=tmp_path, env=env, stderr=asyncio.subprocess.PIPE
    )
    try:
        reply = await fake_telegram.wait_for(
            "sendMessage", lambda r: r.params["chat_id"] == ANNA.id, within=30
        )
        assert "Welcome to Retain" in reply.params["text"] and fake_telegram.last_poll  # polled
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"http://127.0.0.1:{port}/healthz") as answer,
        ):
            assert answer.status == 200 and (await answer.json())["database"] == "ok"
    finally:
        await fake_telegram.release_polls()
        child.send_signal(signal.SIGINT)
        _, stderr = await asyncio.wait_for(child.communicate(), 30)
    assert child.returncode == 0, stderr.decode()
    assert not fake_telegram.calls("setWebhook")
