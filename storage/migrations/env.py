"""Alembic's environment: migrations run on the connection the application hands over.

From the command line (`alembic -c pyproject.toml revision --autogenerate -m "..."`), the
database is the one `DATABASE_URL` names (SQLite by default).
"""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import create_engine
from sqlmodel import SQLModel

from storage import models  # noqa: F401  (registers the tables on SQLModel.metadata)

config = context.config


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=SQLModel.metadata,
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=False,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    url = os.environ.get("DATABASE_URL", "sqlite:///data/retain.db")
    url = url.replace("+aiosqlite", "").replace("+asyncpg", "+psycopg") if "+" in url else url
    with create_engine(url).begin() as cli_connection:
        _run(cli_connection)
