"""A unit of work that only reads (/stats) never waits for a writer: WAL gives it a snapshot."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import text

from storage.db import Database
from tests.databases import ON_POSTGRES

pytestmark = pytest.mark.skipif(ON_POSTGRES, reason="SQLite only: WAL snapshots and its write lock")


async def test_a_read_goes_ahead_while_another_update_holds_the_write_lock(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'retain.db'}")
    await database.prepare()
    try:
        async with database.sessions() as writer, writer.begin():
            connection = await writer.connection()
            await connection.execute(text("UPDATE learner SET active = active"))  # holds the write lock
            async with database.reads() as reader:
                count = await asyncio.wait_for(reader.scalar(text("SELECT count(*) FROM learner")), 1.0)
            assert count == 0
    finally:
        await database.close()
