"""How fast and how cleanly does a sweep nudge 10,000 learners due in the same minute?

The real bot (its Application, rate limiter and nudge sweep) sends to a fake Bot API server
running in another process on 127.0.0.1, which answers like Telegram: message ids for sends, and
429 with retry_after when more than the configured number of sends arrive in one second. Then the
sweep's query is timed on a database of 100,000 learners.

Run: .venv/bin/python bench/nudges.py [--learners N] [--rate R] [--query-learners M]
The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.app import build_application
from bot.config import CONTENT_DIR, Settings
from bot.handlers.nudges import run_sweep
from content.loader import load_bank
from storage import repo
from storage.db import create_engine, create_tables, session_factory
from tests.fake_telegram import FakeTelegram

DUE = datetime(2026, 5, 4, 17, 0, tzinfo=UTC)  # 18:00 in London
FIRST_ID = 10_000_000


def serve(rate: float, ready: Any, stop: Any, results: Any) -> None:
    """The fake Bot API server's process: serve until told to stop, then report what it saw."""

    async def main() -> None:
        fake = FakeTelegram(rate_limit=rate)
        await fake.start()
        ready.send(fake.port)
        while not stop.poll():  # noqa: ASYNC110  (a pipe cannot be awaited: check it a few times a second)
            await asyncio.sleep(0.05)
        sends = Counter(int(r.params["chat_id"]) for r in fake.requests if r.method == "sendMessage")
        results.send({"sends": dict(sends), "too_many": fake.too_many})
        await fake.stop()

    asyncio.run(main())


def seed_learners(path: Path, due_times: list[datetime], first_id: int = 0) -> None:
    """Learners who finished set-up and want a nudge at 18:00 London time, due at `due_times`."""
    rows = [(first_id + n, due.replace(tzinfo=None).isoformat(sep=" ")) for n, due in enumerate(due_times)]
    with sqlite3.connect(path) as db:
        db.executemany(
            "INSERT INTO learner (id, awarding_body, timezone, reminder_time, reminder_chosen, created_at, "
            "active, next_nudge_at, nudges_sent, ignored_nudges, backoff_notified, streak_days, quiz_named) "
            "VALUES (?, 'all', 'Europe/London', '18:00', 1, '2026-05-01 09:00:00', 1, ?, 0, 0, 0, 0, 1)",
            rows,
        )


async def sweep_benchmark(learners: int, rate: float, folder: Path) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    ready_recv, ready_send = ctx.Pipe(duplex=False)
    stop_recv, stop_send = ctx.Pipe(duplex=False)
    results_recv, results_send = ctx.Pipe(duplex=False)
    server = ctx.Process(target=serve, args=(rate, ready_send, stop_recv, results_send), daemon=True)
    server.start()
    port = ready_recv.recv()

    db_path = folder / "bench.db"
    engine = create_engine(f"sqlite:///{db_path}")
    await create_tables(engine)
    await engine.dispose()
    rng = random.Random(1)
    seed_learners(db_path, [DUE + timedelta(seconds=rng.randrange(60)) for _ in range(learners)], FIRST_ID)

    settings = Settings(
        telegram_bot_token=FakeTelegram.token,
        telegram_api_base_url=f"http://127.0.0.1:{port}/bot",
        database_url=f"sqlite:///{db_path}",
        rate_limit_per_second=rate,
        rate_limit_max_retries=3,
        _env_file=None,
    )
    app = build_application(settings, load_bank(CONTENT_DIR), clock=lambda: DUE + timedelta(minutes=1))
    await app.initialize()
    started = time.perf_counter()
    report = await run_sweep(app.bot, app.bot_data)
    finish = time.perf_counter() - started
    await app.shutdown()
    if app.post_shutdown:
        await app.post_shutdown(app)

    stop_send.send(True)
    seen = results_recv.recv()
    server.join(timeout=10)
    sends = {int(k): v for k, v in seen["sends"].items()}
    delivered = set(sends)
    expected = {FIRST_ID + n for n in range(learners)}
    return {
        "learners": learners,
        "rate_limit": rate,
        "sent": report.sent,
        "achieved_rate": report.sent / finish if finish else 0.0,
        "finish_s": finish,
        "ideal_s": learners / rate,
        "duplicates": sum(count - 1 for count in sends.values() if count > 1),
        "missed": len(expected - delivered),
        "server_429": seen["too_many"],
        "unhandled_429": report.failed,
        "errors": len(report.errors),
    }


async def query_benchmark(count: int, folder: Path) -> dict[str, float]:
    """Time the sweep's query (due learners, earliest first) on `count` learners spread over a day."""
    db_path = folder / "query.db"
    engine = create_engine(f"sqlite:///{db_path}")
    await create_tables(engine)
    rng = random.Random(2)
    seed_learners(db_path, [DUE + timedelta(seconds=rng.randrange(86_400)) for _ in range(count)])
    sessions = session_factory(engine)
    now = DUE + timedelta(hours=1)  # about 4,200 learners due, of whom a sweep batch reads 500
    timings = []
    for _ in range(21):
        async with sessions() as session:
            started = time.perf_counter()
            found = await repo.due_nudges(session, now, 500)
            timings.append((time.perf_counter() - started) * 1000)
        assert found
    await engine.dispose()
    return {
        "query_learners": count,
        "sweep_query_ms": statistics.median(timings),
        "sweep_query_max_ms": max(timings),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=100.0, help="sends per second allowed (bot and server)")
    parser.add_argument("--query-learners", type=int, default=100_000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="retain-bench-") as folder:
        figures = asyncio.run(sweep_benchmark(args.learners, args.rate, Path(folder)))
        figures.update(asyncio.run(query_benchmark(args.query_learners, Path(folder))))
    off_ideal = 100 * (figures["finish_s"] / figures["ideal_s"] - 1)
    print(f"{figures['learners']:,} learners due in one minute; sends allowed: {figures['rate_limit']:.0f}/s")
    print(f"{'measure':<34} {'value':>12}")
    print(f"{'sent':<34} {figures['sent']:>12,}")
    print(f"{'achieved rate (sends/s)':<34} {figures['achieved_rate']:>12.1f}")
    print(f"{'time to finish (s)':<34} {figures['finish_s']:>12.1f}")
    print(f"{'ideal N / rate (s)':<34} {figures['ideal_s']:>12.1f}")
    print(f"{'over ideal (%)':<34} {off_ideal:>12.1f}")
    print(f"{'duplicates':<34} {figures['duplicates']:>12}")
    print(f"{'missed':<34} {figures['missed']:>12}")
    print(f"{'429s from the server':<34} {figures['server_429']:>12}")
    print(f"{'429s not recovered (failed sends)':<34} {figures['unhandled_429']:>12}")
    queried = f"({figures['query_learners']:,} learners)"
    print(f"{'sweep query, median (ms)':<34} {figures['sweep_query_ms']:>12.2f}  {queried}")
    print(json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in figures.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
