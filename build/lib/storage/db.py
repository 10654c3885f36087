"""The database engine: async SQLite (WAL, busy timeout), table creation, sessions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Connection, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import models  # noqa: F401  (registers the tables on SQLModel.metadata)

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


def _ensure_sqlite_folder(database_url: str) -> None:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def create_engine(database_url: str) -> AsyncEngine:
    """Create the async engine for `database_url`; SQLite gets WAL mode and a busy timeout."""
    _ensure_sqlite_folder(database_url)
    engine = create_async_engine(async_url(database_url))
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def _add_missing_columns(conn: Connection) -> None:
    """Add columns that newer versions defined to tables an older version created.

    Retain's schema changes are additive (new nullable or defaulted columns), so this is the
    whole migration story: no data is rewritten.
    """
    inspector = inspect(conn)
    existing_tables = set(inspector.get_table_names())
    for table in SQLModel.metadata.sorted_tables:
        if table.name not in existing_tables:
            continue
        present = {column["name"] for column in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name in present:
                continue
            kind = column.type.compile(dialect=conn.dialect)
            default = ""
            if column.default is not None and getattr(column.default, "is_scalar", False):
                value = getattr(column.default, "arg", None)
                default = f" DEFAULT {int(value) if isinstance(value, bool) else repr(value)}"
            conn.exec_driver_sql(f'ALTER TABLE "{table.name}" ADD COLUMN "{column.name}" {kind}{default}')


async def create_tables(engine: AsyncEngine) -> None:
    """Create every table and index that does not exist yet, and add columns older versions lacked."""
    async with engine.begin() as conn:
        await conn.run_sync(SQLModel.metadata.create_all)
        await conn.run_sync(_add_missing_columns)


def session_factory(engine: AsyncEngine) -> SessionFactory:
    """A factory of async sessions that keep loaded objects usable after commit."""
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


class Database:
    """One database for a front end: its engine, its unit-of-work factory, set-up and tear-down."""

    def __init__(self, database_url: str) -> None:
        self.engine = create_engine(database_url)
        self.sessions = session_factory(self.engine)

    async def prepare(self) -> None:
        """Create or upgrade the tables (at start-up)."""
        await create_tables(self.engine)

    async def close(self) -> None:
        """Close every connection (at shutdown)."""
        await self.engine.dispose()
