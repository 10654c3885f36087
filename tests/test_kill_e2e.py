"""Nudges survive kill -9: the real `python -m bot`, killed at random moments mid-sweep, reaches every
learner, and a learner gets a nudge twice only when it was in flight at the moment of a kill."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from storage.db import Database
from tests.databases import Sql
from tests.fake_telegram import FakeTelegram

REPO = Path(__file__).resolve().parent.parent
LEARNERS = 3000
KILLS = 20
LEASE = timedelta(seconds=2)
FIRST_ID = 50_000_000


def _seed(db: Sql, due: datetime) -> None:
    """Learners who finished set-up, every one's nudge due a moment ago."""
    at = due.replace(tzinfo=None)
    db.executemany(
        "INSERT INTO learner (id, awarding_body, timezone, reminder_time, reminder_chosen, created_at, "
        "next_nudge_at) VALUES (?, 'all', 'Etc/UTC', ?, TRUE, ?, ?)",
        [(FIRST_ID + n, f"{due:%H:%M}", at, at) for n in range(LEARNERS)],
    )


def _in_flight(db: Sql, since: datetime) -> int:
    """Nudges the killed process leased (after `since`) and had not confirmed: what a kill can
    leave to be sent twice."""
    leased_after = (since + LEASE).replace(tzinfo=None)
    [(count,)] = db.rows(
        "SELECT count(*) FROM nudgesend WHERE status = 'sending' AND lease_until >= ?", leased_after
    )
    return int(count)


def _settled(db: Sql) -> dict[str, int]:
    return {
        status: int(count)
        for status, count in db.rows("SELECT status, count(*) FROM nudgesend GROUP BY status")
    }


def _sends(fake: FakeTelegram) -> Counter[int]:
    return Counter(
        int(r.params["chat_id"])
        for r in fake.requests
        if r.method == "sendMessage" and isinstance(r.result, dict) and int(r.params["chat_id"]) >= FIRST_ID
    )


async def test_kill_9_mid_sweep_loses_no_nudge_and_doubles_only_those_in_flight(
    fake_telegram: FakeTelegram, tmp_path: Path, database_url: str
) -> None:
    database = Database(database_url)
    await database.prepare()
    await database.close()
    path = Sql(database_url)
    _seed(path, datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(seconds=60))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))}
    env.update(
        PYTHONPATH=str(REPO),
        TELEGRAM_BOT_TOKEN=fake_telegram.token,
        TELEGRAM_API_BASE_URL=fake_telegram.base_url,
        DATABASE_URL=database_url,
        RATE_LIMIT_PER_SECOND="100000",
        NUDGE_SWEEP_SECONDS="0.2",
        NUDGE_LEASE_SECONDS=str(LEASE.total_seconds()),
        LOG_LEVEL="ERROR",
    )
    rng = random.Random(11)
    in_flight_at_kills = []

    async def start() -> asyncio.subprocess.Process:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", cwd=tmp_path, env=env, stderr=asyncio.subprocess.DEVNULL
        )

    for _ in range(KILLS):
        started = datetime.now(UTC)
        child = await start()
        before = sum(_sends(fake_telegram).values())
        wanted = before + rng.randint(1, 150)
        deadline = time.monotonic() + 30
        while sum(_sends(fake_telegram).values()) < wanted and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.01)  # the sends come from another process
        child.send_signal(signal.SIGKILL)
        await child.wait()
        in_flight_at_kills.append(_in_flight(path, started))

    child = await start()  # and now let it finish
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        statuses = _settled(path)
        if sum(statuses.get(s, 0) for s in ("sent", "unsure")) == LEARNERS:
            break
        await asyncio.sleep(0.1)
    await fake_telegram.release_polls()
    child.send_signal(signal.SIGINT)
    await asyncio.wait_for(child.wait(), 30)

    sends = _sends(fake_telegram)
    duplicates = sum(n - 1 for n in sends.values())
    statuses = _settled(path)
    assert len(sends) == LEARNERS, f"reached {len(sends)} of {LEARNERS}; outbox {statuses}"
    assert statuses.get("sent", 0) + statuses.get("unsure", 0) == LEARNERS, statuses
    assert duplicates <= sum(in_flight_at_kills), (duplicates, in_flight_at_kills)
    print(
        f"{KILLS} kills, {LEARNERS} learners: {len(sends)} reached, {duplicates} duplicates, "
        f"in flight at the kills: {sum(in_flight_at_kills)} ({max(in_flight_at_kills)} at most)"
    )
