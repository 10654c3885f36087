"""Start-up: how long from `python -m bot` to its first poll for updates, against a bare bot?

An operator restarts the bot after an update or a crash; until it polls, learners' taps wait. This
runs the real command (`python -m bot`: settings, the bank checked, the database brought up to
date, the Application built) against a fake Bot API on 127.0.0.1, and times the moment its first
getUpdates arrives. The same for a bare python-telegram-bot bot (an Application with one handler),
run the same way: the gap is Retain's own cost. Each is run several times, alternating, and the
median reported; the first Retain run creates the database, the others find it up to date.

Run: .venv/bin/python bench/startup.py [--runs 5]
The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.fake_telegram import FakeTelegram  # noqa: E402  (after the path is set)

TARGET_S = 1.0
BARE_BOT = """
import sys
from telegram.ext import Application, CommandHandler

async def help_(update, context):
    await update.message.reply_text("help")

app = Application.builder().token(sys.argv[1]).base_url(sys.argv[2]).build()
app.add_handler(CommandHandler("help", help_))
app.run_polling()
"""


async def time_to_first_poll(fake: FakeTelegram, command: list[str], env: dict[str, str]) -> float:
    """Seconds from starting `command` until the fake server sees its first getUpdates."""
    fake.last_poll = {}
    started = time.perf_counter()
    process = await asyncio.create_subprocess_exec(
        *command, cwd=REPO, env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE
    )
    try:
        while not fake.last_poll:
            if process.returncode is not None or time.perf_counter() - started > 60:
                raise RuntimeError(f"{command[:3]} stopped or never polled")
            await asyncio.sleep(0.005)
        return time.perf_counter() - started
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGINT)
        try:
            _, err = await asyncio.wait_for(process.communicate(), 15)
        except TimeoutError:
            process.kill()
            _, err = await process.communicate()
        if process.returncode not in (0, -signal.SIGINT):
            sys.stderr.write(err.decode(errors="replace")[-2000:])


async def measure(runs: int) -> dict[str, Any]:
    fake = FakeTelegram(hold_polls=False)
    await fake.start()
    retain: list[float] = []
    bare: list[float] = []
    with tempfile.TemporaryDirectory(prefix="retain-bench-") as folder:
        env = {k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")}
        env.update(
            TELEGRAM_BOT_TOKEN=fake.token,
            TELEGRAM_API_BASE_URL=fake.base_url,
            DATABASE_URL=f"sqlite:///{Path(folder) / 'retain.db'}",
            LOG_LEVEL="WARNING",
        )
        for _ in range(runs):
            retain.append(await time_to_first_poll(fake, [sys.executable, "-m", "bot"], env))
            bare.append(
                await time_to_first_poll(
                    fake, [sys.executable, "-c", BARE_BOT, fake.token, fake.base_url], env
                )
            )
    await fake.stop()
    return {
        "runs": runs,
        "retain_first_run_s": retain[0],
        "retain_s": statistics.median(retain[1:] or retain),
        "bare_s": statistics.median(bare),
        "retain_all_s": retain,
        "bare_all_s": bare,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    figures = asyncio.run(measure(max(args.runs, 1)))
    figures["target_s"] = TARGET_S
    figures["target_met"] = figures["retain_s"] < TARGET_S
    print(f"Start-up to the first poll, median of {figures['runs']} runs each (alternating)")
    print(f"{'bot':<40} {'seconds':>8}")
    print(f"{'Retain, database created':<40} {figures['retain_first_run_s']:>8.2f}")
    print(f"{'Retain, database up to date':<40} {figures['retain_s']:>8.2f}")
    print(f"{'bare python-telegram-bot bot':<40} {figures['bare_s']:>8.2f}")
    rounded = {k: [round(x, 3) for x in v] if isinstance(v, list) else v for k, v in figures.items()}
    print(json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in rounded.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
