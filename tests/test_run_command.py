"""The real run command, `python -m bot`, polling the fake server in a child process."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
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
        modes = {
            p.name: p.stat().st_mode & 0o777 for p in [tmp_path / "data", *(tmp_path / "data").iterdir()]
        }
        assert modes["data"] == 0o700 and modes["retain.db"] == 0o600, modes  # learners' data: owner only
        assert all(mode == 0o600 for name, mode in modes.items() if name != "data"), modes
    finally:
        await fake_telegram.release_polls()
        child.send_signal(signal.SIGINT)
        _, stderr = await asyncio.wait_for(child.communicate(), 30)
    log = stderr.decode()
    assert child.returncode == 0, log
    assert "Application started" in log
    assert fake_telegram.token not in log
    assert fake_telegram.token.split(":")[1] not in log


def _run_bot(tmp_path: Path, **settings: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_", "LOG_"))}
    env.update(PYTHONPATH=str(REPO), **settings)
    return subprocess.run(
        [sys.executable, "-m", "bot"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


async def test_a_rejected_token_gets_one_clear_line_and_never_shows_the_token(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    token = "123456:THIS-IS-NOT-THE-TOKEN-THE-FAKE-KNOWS"
    result = await asyncio.to_thread(
        _run_bot,
        tmp_path,
        TELEGRAM_BOT_TOKEN=token,
        TELEGRAM_API_BASE_URL=fake_telegram.base_url,
        LOG_LEVEL="DEBUG",
    )
    output = result.stdout + result.stderr
    assert result.returncode == 2, output
    assert "Telegram refused the bot token" in output and "Traceback" not in output
    assert token not in output and token.split(":")[1] not in output


def test_a_bad_log_level_is_a_setting_error_not_a_crash(tmp_path: Path) -> None:
    result = _run_bot(tmp_path, TELEGRAM_BOT_TOKEN="1:x", LOG_LEVEL="verbose")
    assert result.returncode == 2 and "LOG_LEVEL" in result.stderr and "not a log level" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_database_that_cannot_be_opened_or_written_stops_the_start_with_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the database folder should be")
    result = _run_bot(tmp_path, TELEGRAM_BOT_TOKEN="1:x", DATABASE_URL=f"sqlite:///{blocker}/retain.db")
    assert result.returncode == 2 and "Retain cannot use its database" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr

    readonly = f"sqlite:///file:{tmp_path / 'ro.db'}?mode=ro&uri=true"
    (tmp_path / "ro.db").touch()
    result = _run_bot(tmp_path, TELEGRAM_BOT_TOKEN="1:x", DATABASE_URL=readonly)
    assert result.returncode == 2 and "readonly" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


async def test_an_unreachable_bot_api_is_one_warning_and_the_bot_keeps_trying(tmp_path: Path) -> None:
    token = "123456:SECRET-PART-OF-THE-TOKEN"
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_", "LOG_"))}
    env.update(
        PYTHONPATH=str(REPO), TELEGRAM_BOT_TOKEN=token, TELEGRAM_API_BASE_URL=f"http://127.0.0.1:{port}/bot"
    )
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=tmp_path, env=env, stderr=asyncio.subprocess.PIPE
    )
    assert child.stderr is not None
    seen: list[str] = []

    async def until_warned() -> None:
        while "Telegram cannot be reached" not in "".join(seen):
            line = await child.stderr.readline()  # type: ignore[union-attr]
            if not line:
                return
            seen.append(line.decode())

    # A real process on the real clock: however slowly it starts (a loaded machine), wait for the
    # warning, then for two more retries (1 s, 1.5 s...) that must not repeat it.
    await asyncio.wait_for(until_warned(), timeout=60)
    await asyncio.sleep(3)
    assert child.returncode is None  # still running, still trying
    child.send_signal(signal.SIGKILL)
    _, stderr = await child.communicate()
    log = "".join(seen) + stderr.decode()
    assert log.count("Telegram cannot be reached") == 1, log
    assert "Traceback" not in log and token.split(":")[1] not in log
