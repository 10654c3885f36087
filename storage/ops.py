"""What an operator asks of the database: is it there, how much is in it, an online SQLite backup."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, text
from sqlalchemy.engine import make_url
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.class_quiz import RUNNING
from storage.db import sqlite_path
from storage.models import Answer, QuizRound


async def ping(session: AsyncSession) -> None:
    """A trivial query: raises if the database cannot be reached."""
    await session.exec(select(text("1")))


async def running_round_count(session: AsyncSession) -> int:
    """Class rounds running now, in every group."""
    result = await session.exec(
        select(func.count()).select_from(QuizRound).where(QuizRound.status == RUNNING)
    )
    return int(result.one())


async def answer_count(session: AsyncSession) -> int:
    """Answers recorded, all learners."""
    return int((await session.exec(select(func.count()).select_from(Answer))).one())


class NotSQLite(ValueError):
    """The database is not a SQLite file: back it up with the server's own tools."""


@dataclass(frozen=True)
class Backup:
    """A backup written: where, and how many answers it holds."""

    path: Path
    answers: int


def sqlite_file(database_url: str) -> Path:
    """The SQLite file `database_url` names.

    Raises:
        NotSQLite: for any other database, or an in-memory one.
    """
    path = sqlite_path(database_url)
    if path is None:
        raise NotSQLite(f"{make_url(database_url).get_backend_name()} is not a SQLite file")
    return path


def backup_sqlite(database_url: str, target: Path) -> Backup:
    """Copy the SQLite database to `target` while the bot may be writing to it.

    SQLite's online backup API copies a consistent snapshot (the copy restarts if a writer
    changes pages meanwhile), WAL contents included; the copy is readable by its owner only.

    Raises:
        NotSQLite: for a database that is not a SQLite file.
        FileNotFoundError: when the database file does not exist.
        FileExistsError: when `target` exists (a backup never overwrites).
    """
    source_path = sqlite_file(database_url)
    if not source_path.exists():
        raise FileNotFoundError(f"no database at {source_path}")
    target = target.expanduser()
    if target.exists():
        raise FileExistsError(f"{target} already exists")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.touch(mode=0o600)
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True, timeout=30)
    try:
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            (answers,) = copy.execute("SELECT count(*) FROM answer").fetchone()
        finally:
            copy.close()
    finally:
        source.close()
    return Backup(target, int(answers))
