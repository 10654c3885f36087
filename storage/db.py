"""The database engine: async SQLite (WAL, busy timeout) or PostgreSQL, migrations at start-up, sessions."""

from __future__ import annotations

import asyncio
import functools
import os
import sqlite3
from collections import deque
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

if TYPE_CHECKING:
    from alembic.config import Config

from storage import models  # noqa: F401  (registers the tables on SQLModel.metadata)
from storage.migrations import HEAD

SQLITE_BUSY_TIMEOUT_MS = 5000

Session = AsyncSession
"""A unit of work: the core opens one per update (`async with sessions() as s, s.begin():`) and
passes it to the repository functions, which never commit."""
SessionFactory = async_sessionmaker[AsyncSession]


def async_url(database_url: str) -> str:
    """Turn a plain SQLAlchemy URL (`sqlite:///data/retain.db`, `postgresql://user:pw@host/db`, or
    the `postgres://` form hosting providers hand out) into its async-driver form."""
    if database_url.startswith("postgres://"):
        database_url = "postgresql://" + database_url.removeprefix("postgres://")
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.get_driver_name() != "aiosqlite":
        url = url.set(drivername="sqlite+aiosqlite")
    elif url.get_backend_name() == "postgresql" and url.get_driver_name() != "asyncpg":
        url = url.set(drivername="postgresql+asyncpg")
    return url.render_as_string(hide_password=False)


def describe(database_url: str) -> str:
    """A database URL as it may be shown: without its password."""
    try:
        return make_url(database_url).render_as_string(hide_password=True)
    except Exception:  # an unreadable URL might hide a password anywhere: show none of it
        return "the configured DATABASE_URL"


def sqlite_path(database_url: str) -> Path | None:
    """The SQLite file `database_url` names (None: another database, or an in-memory one)."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database).expanduser()


def _ensure_sqlite_folder(database_url: str) -> None:
    """The SQLite file's folder and the file itself, readable by their owner only (learners' data).

    SQLite gives the -wal and -shm files it creates the database file's permissions.
    """
    path = sqlite_path(database_url)
    if path is None:
        return
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))


class DatabaseUnusable(Exception):
    """The database cannot be opened, or cannot be written."""


async def check_writable(engine: AsyncEngine) -> None:
    """Open the database and make a write that is rolled back.

    Raises:
        DatabaseUnusable: with the reason, in a line an operator can act on.
    """
    try:
        async with engine.connect() as conn:
            transaction = await conn.begin()
            await conn.exec_driver_sql("CREATE TABLE retain_write_check (x INTEGER)")
            await transaction.rollback()
    except (OSError, SQLAlchemyError) as exc:
        reason = getattr(exc, "orig", None) or exc
        raise DatabaseUnusable(str(reason).splitlines()[0]) from exc


def _run(
    connection: Any, begin: str | None, many: bool, sql: str, parameters: Any
) -> tuple[Any, list[Any], int, int | None, bool]:
    """In aiosqlite's thread: begin the transaction if one is waiting to begin, run the statement,
    fetch its rows and close its cursor, all at once; and say whether a transaction is open."""
    sqlite: sqlite3.Connection = connection._conn
    if begin is not None:
        sqlite.execute(begin)
    cursor = sqlite.cursor()
    try:
        if many:
            cursor.executemany(sql, parameters)
        else:
            cursor.execute(sql, () if parameters is None else parameters)
        description = cursor.description
        rows = cursor.fetchall() if description is not None else []
        return description, rows, cursor.rowcount, cursor.lastrowid, sqlite.in_transaction
    finally:
        cursor.close()


class WriterTurn:
    """Writers of one process take turns in order, in the event loop, before asking SQLite.

    SQLite has one writer at a time. Without this, a writer that finds the lock taken sleeps in
    SQLite's busy handler (1, 2, 5, 10 ms... at a time) and the lock can sit free while every
    waiter sleeps; here the next writer starts the moment the last one commits. Other processes
    on the same file still meet SQLite's busy timeout.
    """

    def __init__(self) -> None:
        self._lock = asyncio.Lock()

    async def take(self) -> None:
        """Wait for the turn; like SQLite's busy timeout, give up after it with "database is locked"."""
        try:
            await asyncio.wait_for(self._lock.acquire(), SQLITE_BUSY_TIMEOUT_MS / 1000)
        except TimeoutError as exc:
            raise sqlite3.OperationalError("database is locked") from exc

    def give(self) -> None:
        """End this writer's turn."""
        self._lock.release()


class _OneTripCursor:
    """An aiosqlite cursor that costs one trip to the connection's thread per statement.

    aiosqlite's own cursor makes a trip to open, one to execute, one to fetch and one to close:
    four hand-overs between the event loop and the database thread for each statement SQLAlchemy
    runs, at a few tens of microseconds each. This one executes, fetches every row (as
    SQLAlchemy's adapter does anyway, straight after executing) and closes in one call there.
    A BEGIN waits to go with the statement after it (`_OneTripConnection`).
    """

    arraysize = 1

    def __init__(self, connection: _OneTripConnection) -> None:
        self._connection = connection
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None
        self._rows: deque[Any] = deque()

    async def __aenter__(self) -> _OneTripCursor:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        self._rows.clear()

    async def _go(self, many: bool, sql: str, parameters: Any) -> _OneTripCursor:
        connection = self._connection
        if not many and not parameters and sql.startswith("BEGIN"):
            connection.begin = sql  # it goes with the next statement: nothing happens in between
            self.description, self.rowcount, self.lastrowid = None, -1, None
            self._rows.clear()
            return self
        begin, connection.begin = connection.begin, None
        if begin is not None and "IMMEDIATE" in begin:
            await connection.take_writer()
        try:
            found = await connection.inner._execute(_run, connection.inner, begin, many, sql, parameters)
        except BaseException:
            connection.in_transaction = True  # not known: a rollback will make sure
            raise
        self.description, rows, self.rowcount, self.lastrowid, connection.in_transaction = found
        self._rows = deque(rows)
        return self

    async def execute(self, sql: str, parameters: Any = None) -> _OneTripCursor:
        return await self._go(False, sql, parameters)

    async def executemany(self, sql: str, parameters: Any) -> _OneTripCursor:
        return await self._go(True, sql, parameters)

    async def fetchone(self) -> Any:
        return self._rows.popleft() if self._rows else None

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        count = self.arraysize if size is None else size
        return [self._rows.popleft() for _ in range(min(count, len(self._rows)))]

    async def fetchall(self) -> list[Any]:
        rows = list(self._rows)
        self._rows.clear()
        return rows

    async def close(self) -> None:
        self._rows.clear()


class _OneTripConnection:
    """aiosqlite's connection, making as few trips to its thread as SQLite needs.

    - Each statement costs one trip (`_OneTripCursor`).
    - BEGIN is sent with the transaction's first statement rather than on its own (nothing else
      reaches the connection in between, so the transaction and its locks are the same).
    - A rollback when no transaction is open (the pool's reset of a connection returned after a
      commit) is skipped: SQLite's own flag, read in the thread after each statement, says so.
    """

    def __init__(self, connection: Any, writers: WriterTurn) -> None:
        self.inner = connection  # the aiosqlite.Connection
        self.begin: str | None = None  # a BEGIN waiting for the first statement of its transaction
        self.in_transaction = False
        self._writers = writers
        self._writing = False

    def cursor(self) -> _OneTripCursor:
        return _OneTripCursor(self)

    async def take_writer(self) -> None:
        """Wait for this process's turn to write before asking SQLite for its write lock."""
        if not self._writing:
            await self._writers.take()
            self._writing = True

    def _done_writing(self) -> None:
        if self._writing:
            self._writing = False
            self._writers.give()

    async def commit(self) -> None:
        if self.begin is not None:  # a transaction without a statement: nothing began
            self.begin = None
            return
        try:
            await self.inner.commit()
            self.in_transaction = False
        finally:
            self._done_writing()

    async def rollback(self) -> None:
        if self.begin is not None:
            self.begin = None
            self._done_writing()
            return
        try:
            if self.in_transaction:
                await self.inner.rollback()
                self.in_transaction = False
        finally:
            self._done_writing()

    async def close(self) -> None:
        try:
            await self.inner.close()
        finally:
            self._done_writing()  # a connection dropped mid-transaction never keeps the turn

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def _sqlite_pragmas(writers: WriterTurn, dbapi_connection: Any, _record: Any) -> None:
    # SQLAlchemy's adapter of the aiosqlite connection: its statements go through one-trip cursors.
    dbapi_connection._connection = _OneTripConnection(dbapi_connection._connection, writers)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
    # Transactions are begun by SQLAlchemy's "begin" event below, not implicitly by the driver.
    dbapi_connection.isolation_level = None


READ_ONLY = "retain_read_only"  # an execution option: units of work that only read
POOL_SIZE = 32  # connections kept open: one per update handled at once (bot/updates.py's WORKING)


def _sqlite_begin(connection: Connection) -> None:
    # Updates are handled in parallel. A deferred transaction that reads and then writes fails at
    # once ("database is locked") when another wrote in between; an immediate one waits its turn.
    # One that only reads never waits for the writers: WAL gives it a snapshot.
    if connection.get_execution_options().get(READ_ONLY):
        connection.exec_driver_sql("BEGIN")
    else:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def create_engine(database_url: str) -> AsyncEngine:
    """Create the async engine for `database_url`; SQLite gets WAL mode and a busy timeout.

    The SQLite tricks (one-trip cursor, writers taking turns, BEGIN IMMEDIATE) are SQLite's only:
    PostgreSQL gets a plain pool, its units of work lock the rows they read to change
    (`storage.locks`).
    """
    _ensure_sqlite_folder(database_url)
    url = async_url(database_url)
    if make_url(url).get_backend_name() == "postgresql":
        # As many pooled connections as updates handled at once; mind the server's max_connections
        # (100 by default) when running several instances.
        return create_async_engine(url, pool_size=POOL_SIZE, max_overflow=8)
    # Enough pooled connections for every update handled at once: an overflow connection is
    # closed when returned, and opening one costs a thread, a connect and three PRAGMAs.
    pooled = {} if ":memory:" in url or "mode=memory" in url else {"pool_size": POOL_SIZE, "max_overflow": 8}
    engine = create_async_engine(url, **pooled)
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", functools.partial(_sqlite_pragmas, WriterTurn()))
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
    return engine


MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def migration_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration for Retain's migrations (on `connection`, when given)."""
    from alembic.config import Config  # imported when migrating only: it is slow to import

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def _upgrade(connection: Connection) -> None:
    from alembic import command

    command.upgrade(migration_config(connection), "head")


def _current(connection: Connection) -> str | None:
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


async def migrate(engine: AsyncEngine) -> None:
    """Bring the database to the newest schema: create it, adopt one made before migrations
    existed, or apply the migrations it lacks (every answer is kept)."""
    async with engine.begin() as conn:
        if await conn.run_sync(_current) == HEAD:
            return  # the usual start: nothing to do, and Alembic need not even be imported
        await conn.run_sync(_upgrade)


async def create_tables(engine: AsyncEngine) -> None:
    """The same as `migrate` (kept for the tests and benchmarks that set up a database)."""
    await migrate(engine)


def session_factory(engine: AsyncEngine) -> SessionFactory:
    """A factory of async sessions that keep loaded objects usable after commit."""
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


class Database:
    """One database for a front end: its engine, its unit-of-work factory, set-up and tear-down."""

    def __init__(self, database_url: str) -> None:
        try:
            self.engine = create_engine(database_url)
        except OSError as exc:
            raise DatabaseUnusable(f"cannot create {exc.filename}: {exc.strerror}") from exc
        self.sessions = session_factory(self.engine)
        self.reads = session_factory(self.engine.execution_options(**{READ_ONLY: True}))

    async def prepare(self) -> None:
        """Check the database can be written, then create or upgrade the tables (at start-up).

        Raises:
            DatabaseUnusable: when it cannot be opened or written.
        """
        await check_writable(self.engine)
        await migrate(self.engine)

    async def close(self) -> None:
        """Close every connection (at shutdown)."""
        await self.engine.dispose()
