"""What differs per database engine, asked of a unit of work: SQLite's, or PostgreSQL's."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel.ext.asyncio.session import AsyncSession


def is_postgres(session: AsyncSession) -> bool:
    """Whether the unit of work runs on PostgreSQL (else SQLite)."""
    bind = session.bind
    return bind is not None and bind.dialect.name == "postgresql"


def insert(session: AsyncSession, table: Any) -> Any:
    """An INSERT that can say ON CONFLICT DO NOTHING, in the engine's own dialect."""
    return (postgresql.insert if is_postgres(session) else sqlite.insert)(table)
