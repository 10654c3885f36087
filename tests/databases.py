"""The database each test runs on: a fresh SQLite file, or, when `RETAIN_TEST_POSTGRES` names a
PostgreSQL server (`postgresql://user@host:port/postgres`), a fresh database there, made for the
test and dropped after it. `Sql` reads and writes it directly (what a test checks or plants),
whichever it is."""

from __future__ import annotations

import asyncio
import atexit
import os
import re
import sqlite3
import threading
import uuid
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

POSTGRES = os.environ.get("RETAIN_TEST_POSTGRES") or None
ON_POSTGRES = POSTGRES is not None
SQLITE_ONLY = "SQLite only: the test is about the SQLite file itself"


def _dsn(database: str) -> str:
    """A plain libpq URL to `database` on the test server."""
    assert POSTGRES is not None
    url = make_url(POSTGRES).set(drivername="postgresql", database=database)
    return url.render_as_string(hide_password=False)


def _in_thread(work: Any) -> Any:
    """Run a coroutine function to its end on its own event loop, in a thread of its own (the
    test's loop is blocked meanwhile, as it was by a direct SQLite connection)."""
    found: list[Any] = []
    failed: list[BaseException] = []

    def run() -> None:
        try:
            found.append(asyncio.run(work()))
        except BaseException as exc:
            failed.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if failed:
        raise failed[0]
    return found[0]


async def _admin(sql: str) -> None:
    import asyncpg

    assert POSTGRES is not None
    connection = await asyncpg.connect(_dsn(make_url(POSTGRES).database or "postgres"))
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


_template: str | None = None


async def _migrated_template() -> str:
    """A database at the newest schema, made once per test process: each test's is a copy of it."""
    global _template
    if _template is None:
        from storage.db import Database

        name = f"retain_template_{uuid.uuid4().hex[:12]}"
        await _admin(f'CREATE DATABASE "{name}"')
        database = Database(_dsn(name))
        try:
            await database.prepare()  # every migration, 0001 to the newest, on PostgreSQL
        finally:
            await database.close()
        _template = name
        # Dropped when the test process ends (on a server of one's own, none is left behind).
        atexit.register(lambda: asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')))
    return _template


async def create_database(*, migrated: bool = True) -> str:
    """A fresh database's URL: a PostgreSQL database at the newest schema (or with no table at all)."""
    name = f"retain_test_{uuid.uuid4().hex[:16]}"
    if migrated:
        await _admin(f'CREATE DATABASE "{name}" TEMPLATE "{await _migrated_template()}"')
    else:
        await _admin(f'CREATE DATABASE "{name}"')
    return _dsn(name)


async def drop_database(url: str) -> None:
    """Drop a database `create_database` made (closing any connection left to it)."""
    await _admin(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')


def _as_sqlite(value: object) -> object:
    """A value as SQLite hands it back: times as the text SQLAlchemy stores there."""
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M:%S}.{value.microsecond:06d}"
    return value


def _numbered(sql: str) -> str:
    """`?` placeholders as PostgreSQL's `$1, $2...`."""
    count = iter(range(1, 10_000))
    return re.sub(r"\?", lambda _m: f"${next(count)}", sql)


class Sql:
    """Direct SQL on a test's database (SQLite's `?` placeholders, on either engine; rows come
    back as SQLite gives them, times as text)."""

    def __init__(self, database_url: str) -> None:
        self.url = database_url
        self.postgres = database_url.startswith(("postgresql", "postgres:"))

    def _sqlite(self) -> sqlite3.Connection:
        return sqlite3.connect(Path(make_url(self.url).database or ""))

    def rows(self, sql: str, *args: object) -> list[tuple[Any, ...]]:
        """The rows a query returns, as tuples."""
        if not self.postgres:
            with self._sqlite() as db:
                return db.execute(sql, args).fetchall()

        async def fetch() -> list[tuple[Any, ...]]:
            import asyncpg

            connection = await asyncpg.connect(self.url)
            try:
                return [tuple(map(_as_sqlite, row)) for row in await connection.fetch(_numbered(sql), *args)]
            finally:
                await connection.close()

        result: list[tuple[Any, ...]] = _in_thread(fetch)
        return result

    def one(self, sql: str, *args: object) -> tuple[Any, ...] | None:
        """The first row a query returns, if any."""
        found = self.rows(sql, *args)
        return found[0] if found else None

    def execute(self, sql: str, *args: object) -> None:
        """Run one statement (committed)."""
        self.executemany(sql, [args])

    def executemany(self, sql: str, many: Sequence[Sequence[object]]) -> None:
        """Run one statement for each set of values (committed together)."""
        if not self.postgres:
            with self._sqlite() as db:
                db.executemany(sql, many)
            return

        async def run() -> None:
            import asyncpg

            connection = await asyncpg.connect(self.url)
            try:
                await connection.executemany(_numbered(sql), many)
            finally:
                await connection.close()

        _in_thread(run)
