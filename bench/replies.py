"""Replies first: how long does a learner wait for a verdict while a big nudge sweep is sending?

Telegram lets a bot send about 30 messages a second. Here 200 learners revise at once, each
tapping a button every 15 seconds (the verdict and the next prompt cost two sends: about 27
sends a second between them), while a sweep nudges 2,000 other learners due at the same minute.
The bot runs with Telegram's default limits. Its rate limiter gives each send to a waiting reply
first, so a tap's verdict should wait for one token, not for the nudges queued before it; the
nudges use what the replies leave, and the sweep must still finish.

The fake Bot API and the learners run in their own process (they are Telegram and its users: the
bot's process is the bot alone). The server answers 429 beyond 30 sends a second, as Telegram does.
`--fifo` runs the same load with python-telegram-bot's own AIORateLimiter (first come, first
served) for comparison.

Run: .venv/bin/python bench/replies.py [--learners 200] [--every 15] [--nudges 2000] [--duration 60]
The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.nudges import seed_learners
from tests.fake_telegram import FakeTelegram, FakeUser, SentMessage

TELEGRAM_RATE = 30.0  # sends a second, Telegram's documented limit (and the bot's default)
LEARNER_ID = 5_000_000
NUDGE_ID = 20_000_000
SHOWN = ("sendMessage", "editMessageText", "sendPhoto")  # what a learner sees change


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of `values` lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))] if ordered else 0.0


async def learner(
    fake: FakeTelegram, user: FakeUser, every: float, until: float, rng: random.Random, waits: list[float]
) -> None:
    """Set up, then every `every` seconds tap the first button of the newest message that has one,
    timing each tap until the bot's message for it (a verdict, the next step) reaches Telegram."""
    await asyncio.sleep(rng.uniform(0, every))
    await tap_or_say(fake, user, None)
    while time.monotonic() < until:
        latest = _latest(fake, user)
        started = time.monotonic()
        waited = await tap_or_say(fake, user, latest)
        if waited is not None:
            waits.append(waited)
        await asyncio.sleep(max(0.0, every * rng.uniform(0.8, 1.2) - (time.monotonic() - started)))


async def tap_or_say(fake: FakeTelegram, user: FakeUser, latest: SentMessage | None) -> float | None:
    """Tap `latest`'s first button (or send /start): seconds until the bot's message for it, or
    None when the bot answered only with a notice on the button (nothing to show in the chat)."""
    mark = fake.mark()
    started = time.monotonic()
    if latest is None:
        await fake.send_text(user, "/start")
    else:
        await fake.tap(user, latest, latest.buttons[0][1])
    waits = [
        asyncio.ensure_future(
            fake.wait_for(method, lambda r: r.params.get("chat_id") == user.id, mark, within=30)
        )
        for method in SHOWN
    ]
    done, pending = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
    shown = [task.exception() is None for task in done]  # retrieves every outcome
    return time.monotonic() - started if any(shown) else None


def _latest(fake: FakeTelegram, user: FakeUser) -> SentMessage | None:
    """The newest message to `user` that has a button."""
    for (chat_id, _), message in sorted(fake.messages.items(), key=lambda kv: -kv[0][1]):
        if chat_id == user.id and message.buttons and message.buttons[0][1]:
            return message
    return None


def serve(args: dict[str, Any], ready: Any, go: Any, results: Any) -> None:
    """Telegram and the learners: serve, run the learners once told to, report what was seen."""

    async def main() -> None:
        fake = FakeTelegram(rate_limit=TELEGRAM_RATE)
        await fake.start()
        ready.send(fake.port)
        while not go.poll():  # noqa: ASYNC110  (a pipe cannot be awaited)
            await asyncio.sleep(0.02)
        go.recv()
        started = time.monotonic()
        until = started + args["duration"]
        rng = random.Random(7)
        waits: list[float] = []
        users = [FakeUser(LEARNER_ID + n, f"L{n}") for n in range(args["learners"])]
        await asyncio.gather(
            *(learner(fake, u, args["every"], until, random.Random(rng.random()), waits) for u in users)
        )
        results.send("learners done")
        while not go.poll():  # noqa: ASYNC110  (the bot says when its sweep is done and it has stopped)
            await asyncio.sleep(0.05)
        counts: dict[int, int] = {}
        for r in fake.requests:
            if r.method == "sendMessage" and int(r.params["chat_id"]) >= NUDGE_ID:
                counts[int(r.params["chat_id"])] = counts.get(int(r.params["chat_id"]), 0) + 1
        results.send({"waits": waits, "nudges": counts, "too_many": fake.too_many})
        await fake.stop()

    asyncio.run(main())


async def run_bot(args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    from bot import app as app_module
    from bot.config import CONTENT_DIR, Settings
    from bot.handlers.nudges import run_sweep
    from content.loader import load_bank
    from storage.db import create_engine, create_tables

    if args.fifo:  # python-telegram-bot's own limiter: every send in arrival order
        from telegram.ext import AIORateLimiter

        def fifo(per_second: float, per_minute: float, retries: int) -> AIORateLimiter:
            return AIORateLimiter(per_second * 0.1, 0.1, per_minute, 60, retries)

        setattr(app_module, "PriorityRateLimiter", fifo)  # noqa: B010  (swapped for this run only)

    ctx = mp.get_context("spawn")
    ready_recv, ready_send = ctx.Pipe(duplex=False)
    go_recv, go_send = ctx.Pipe(duplex=False)
    results_recv, results_send = ctx.Pipe(duplex=False)
    params = {"learners": args.learners, "every": args.every, "duration": args.duration}
    server = ctx.Process(target=serve, args=(params, ready_send, go_recv, results_send), daemon=True)
    server.start()
    port = ready_recv.recv()

    db_path = folder / "bench.db"
    engine = create_engine(f"sqlite:///{db_path}")
    await create_tables(engine)
    await engine.dispose()
    now = datetime.now(UTC)
    rng = random.Random(1)
    seed_learners(db_path, [now - timedelta(seconds=rng.randrange(60)) for _ in range(args.nudges)], NUDGE_ID)

    settings = Settings(
        telegram_bot_token=FakeTelegram.token,
        telegram_api_base_url=f"http://127.0.0.1:{port}/bot",
        database_url=f"sqlite:///{db_path}",
        rate_limit_per_second=TELEGRAM_RATE,
        _env_file=None,
    )
    app = app_module.build_application(settings, load_bank(CONTENT_DIR), schedule_jobs=False)
    await app.initialize()
    if app.post_init:
        await app.post_init(app)
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=1, allowed_updates=app_module.ALLOWED_UPDATES)
    await app.start()
    go_send.send(True)
    await asyncio.sleep(args.sweep_after)
    started = time.perf_counter()
    report = await run_sweep(app.bot, app.bot_data)
    sweep_s = time.perf_counter() - started
    while not results_recv.poll():  # noqa: ASYNC110  (the learners finish their taps)
        await asyncio.sleep(0.05)
    results_recv.recv()
    await app.updater.stop()
    await app.stop()
    await app.shutdown()
    if app.post_shutdown:
        await app.post_shutdown(app)
    go_send.send(True)
    seen = results_recv.recv()
    server.join(timeout=10)
    waits = [w * 1000 for w in seen["waits"]]
    counts = {int(k): v for k, v in seen["nudges"].items()}
    return {
        "limiter": "fifo (AIORateLimiter)" if args.fifo else "replies first",
        "learners": args.learners,
        "every_s": args.every,
        "nudges": args.nudges,
        "taps": len(waits),
        "tap_to_verdict_p50_ms": statistics.median(waits) if waits else 0.0,
        "tap_to_verdict_p95_ms": percentile(waits, 0.95),
        "tap_to_verdict_p99_ms": percentile(waits, 0.99),
        "tap_to_verdict_max_ms": max(waits, default=0.0),
        "sweep_s": sweep_s,
        "nudges_sent": report.sent,
        "nudges_delivered": len(counts),
        "nudge_duplicates": sum(c - 1 for c in counts.values() if c > 1),
        "sweep_finished": report.sent + report.failed + report.unsure + report.blocked >= args.nudges,
        "server_429": seen["too_many"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=200)
    parser.add_argument("--every", type=float, default=15.0, help="seconds between a learner's taps")
    parser.add_argument("--nudges", type=int, default=2000)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds the learners keep tapping")
    parser.add_argument("--sweep-after", type=float, default=5.0, help="seconds before the sweep starts")
    parser.add_argument("--fifo", action="store_true", help="python-telegram-bot's AIORateLimiter instead")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="retain-bench-") as folder:
        figures = asyncio.run(run_bot(args, Path(folder)))
    figures["target_met"] = figures["tap_to_verdict_p95_ms"] < 1000 and figures["sweep_finished"]
    print(
        f"{figures['learners']} learners tapping every {figures['every_s']:.0f} s while "
        f"{figures['nudges']:,} nudges go out; limiter: {figures['limiter']}; Telegram's 30 sends/s"
    )
    print(f"{'measure':<34} {'value':>12}")
    for key, label in [
        ("taps", "taps measured"),
        ("tap_to_verdict_p50_ms", "tap to verdict p50 (ms)"),
        ("tap_to_verdict_p95_ms", "tap to verdict p95 (ms)"),
        ("tap_to_verdict_p99_ms", "tap to verdict p99 (ms)"),
        ("tap_to_verdict_max_ms", "tap to verdict max (ms)"),
        ("sweep_s", "sweep took (s)"),
        ("nudges_delivered", "nudges delivered"),
        ("nudge_duplicates", "nudges sent twice"),
        ("server_429", "429s from the server"),
    ]:
        value = figures[key]
        print(f"{label:<34} {value:>12,.0f}" if isinstance(value, float) else f"{label:<34} {value:>12,}")
    print(json.dumps({k: round(v, 2) if isinstance(v, float) else v for k, v in figures.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
