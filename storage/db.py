"""The database engine: async SQLite (WAL, busy timeout), migrations at start-up, sessions."""

from __future__ import annotations

import os
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
    """Turn a plain SQLAlchemy URL (`sqlite:///data/retain.db`) into its async-driver form."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.get_driver_name() != "aiosqlite":
        url = url.set(drivername="sqlite+aiosqlite")
    return url.render_as_string(hide_password=False)


def describe(database_url: str) -> str:
    """A database URL as it may be shown: without its password."""
    try:
        return make_url(database_url).render_as_string(hide_password=True)
    except Exception:  # an unreadable URL might hide a password anywhere: show none of it
        return "the configured DATABASE_URL"


def _ensure_sqlite_folder(database_url: str) -> None:
    """The SQLite file's folder and the file itself, readable by their owner only (learners' data).

    SQLite gives the -wal and -shm files it creates the database file's permissions.
    """
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return
    path = Path(url.database).expanduser()
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


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
    # Transactions are begun by SQLAlchemy's "begin" event below, not implicitly by the driver.
    dbapi_connection.isolation_level = None


def _sqlite_begin(connection: Connection) -> None:
    # Updates are handled in parallel. A deferred transaction that reads and then writes fails at
    # once ("database is locked") when another wrote in between; an immediate one waits its turn.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def create_engine(database_url: str) -> AsyncEngine:
    """Create the async engine for `database_url`; SQLite gets WAL mode and a busy timeout."""
    _ensure_sqlite_folder(database_url)
    engine = create_async_engine(async_url(database_url))
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
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
