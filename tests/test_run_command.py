"""The real run command, `python -m bot`, polling the fake server in a child process."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from tests.fake_telegram import FakeTelegram, FakeUser

REPO = Path(__file__).resolve().parent.parent
ANNA = FakeUser(101, "Anna")


async def test_python_m_bot_polls_answers_and_never_logs_the_token(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))}
    env.update(
        PYTHONPATH=str(REPO),
        TELEGRAM_BOT_TOKEN=fake_telegram.token,
        TELEGRAM_API_BASE_URL=fake_telegram.base_url,
        DATABASE_URL="sqlite:///data/retain.db",
        LOG_LEVEL="DEBUG",
    )
    await fake_telegram.send_text(ANNA, "/start")  # waiting before the bot starts: must not be dropped
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=tmp_path, env=env, stderr=asyncio.subprocess.PIPE
    )
    try:
        reply = await fake_telegram.wait_for(
            "sendMessage", lambda r: r.params["chat_id"] == ANNA.id, within=30
        )
        assert "Welcome to Retain" in reply.params["text"]
        assert {"message", "callback_query", "poll_answer", "my_chat_member"} <= set(
            fake_telegram.last_poll["allowed_updates"]
        )
        assert fake_telegram.calls("setMyCommands")
        assert (tmp_path / "data" / "retain.db").exists()  # the default SQLite file, created on first run
    finally:
        await fake_telegram.release_polls()
        child.send_signal(signal.SIGINT)
        _, stderr = await asyncio.wait_for(child.communicate(), 30)
    log = stderr.decode()
    assert child.returncode == 0, log
    assert "Application started" in log
    assert fake_telegram.token not in log
    assert fake_telegram.token.split(":")[1] not in log
