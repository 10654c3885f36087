"""Shared fixtures: a fake Telegram server and a running bot against it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from content.schema import Bank
from tests.fake_telegram import FakeTelegram
from tests.harness import Harness


@pytest.fixture
async def fake_telegram() -> AsyncIterator[FakeTelegram]:
    """A fake Bot API server listening on 127.0.0.1."""
    fake = FakeTelegram()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
async def bot(fake_telegram: FakeTelegram, tmp_path: Path) -> AsyncIterator[Harness]:
    """The real bot, started against the fake server with a fresh database file."""
    harness = Harness(fake_telegram, tmp_path / "retain.db")
    await harness.start()
    yield harness
    await harness.stop()


@pytest.fixture
async def make_bot(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> AsyncIterator[Callable[[Bank], Awaitable[Harness]]]:
    """Start the real bot on a bank of the test's choosing."""
    started: list[Harness] = []

    async def start(bank: Bank) -> Harness:
        harness = Harness(fake_telegram, tmp_path / "retain.db", bank=bank)
        await harness.start()
        started.append(harness)
        return harness

    yield start
    for harness in started:
        await harness.stop()
