"""Shared fixtures: a fake Telegram server and a running bot against it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from content.schema import Bank
from tests.databases import ON_POSTGRES, create_database, drop_database
from tests.fake_telegram import FakeTelegram
from tests.harness import Harness


@pytest.fixture
async def database_url(tmp_path: Path) -> AsyncIterator[str]:
    """A fresh database for the test: a SQLite file, or a new PostgreSQL database when
    RETAIN_TEST_POSTGRES names a server (tests/databases.py)."""
    if not ON_POSTGRES:
        yield f"sqlite:///{tmp_path / 'retain.db'}"
        return
    url = await create_database()
    yield url
    await drop_database(url)


@pytest.fixture
async def empty_database_url(tmp_path: Path) -> AsyncIterator[str]:
    """Like `database_url`, with no table at all (for migrations)."""
    if not ON_POSTGRES:
        yield f"sqlite:///{tmp_path / 'retain.db'}"
        return
    url = await create_database(migrated=False)
    yield url
    await drop_database(url)


@pytest.fixture
async def fake_telegram() -> AsyncIterator[FakeTelegram]:
    """A fake Bot API server listening on 127.0.0.1."""
    fake = FakeTelegram()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
async def bot(fake_telegram: FakeTelegram, tmp_path: Path, database_url: str) -> AsyncIterator[Harness]:
    """The real bot, started against the fake server with a fresh database."""
    harness = Harness(fake_telegram, tmp_path / "retain.db", database_url=database_url)
    await harness.start()
    yield harness
    await harness.stop()


@pytest.fixture
async def make_bot(
    fake_telegram: FakeTelegram, tmp_path: Path, database_url: str
) -> AsyncIterator[Callable[[Bank], Awaitable[Harness]]]:
    """Start the real bot on a bank of the test's choosing."""
    started: list[Harness] = []

    async def start(bank: Bank) -> Harness:
        harness = Harness(fake_telegram, tmp_path / "retain.db", bank=bank, database_url=database_url)
        await harness.start()
        started.append(harness)
        return harness

    yield start
    for harness in started:
        await harness.stop()
