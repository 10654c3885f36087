"""Schema migrations: a database of every earlier version upgrades with its data, and the migrations
build exactly the tables the code expects."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, String, inspect
from sqlmodel import SQLModel

from bot.tutor.streaks import answered_since
from storage.db import create_engine, migrate
from tests.databases import ON_POSTGRES, SQLITE_ONLY, Sql

RELEASES = sorted((Path(__file__).parent / "data" / "releases").glob("v*.sql"))
NOW = "2026-01-05 09:00:00.000000"

# A value for every column any version had, so each version's database gets real rows.
SAMPLE: dict[str, dict[str, Any]] = {
    "learner": {
        "id": 7001,
        "awarding_body": "pearson",
        "timezone": "Europe/London",
        "reminder_time": "18:30",
        "reminder_chosen": 1,
        "focus_area": None,
        "daily_goal": 10,
        "streak_days": 3,
        "streak_day": "2026-01-05",
        "active": 1,
        "next_nudge_at": "2026-01-05 18:30:00.000000",
        "last_nudge_at": None,
        "last_nudge_day": None,
        "nudges_sent": 2,
        "ignored_nudges": 0,
        "backoff_notified": 0,
        "paused_until": None,
        "last_active_at": NOW,
        "quiz_named": 1,
        "created_at": NOW,
    },
    "itemstate": {
        "learner_id": 7001,
        "item_id": "crm-definition",
        "seen": 2,
        "correct": 1,
        "wrong": 1,
        "streak": 1,
        "last_answered_at": NOW,
        "due_at": "2026-01-08 09:00:00.000000",
        "fsrs_state": 2,
        "fsrs_step": None,
        "stability": 3.2,
        "difficulty": 5.1,
    },
    "prompt": {
        "id": 1,
        "learner_id": 7001,
        "item_id": "crm-definition",
        "kind": "concept",
        "context": "private",
        "sent_at": NOW,
        "revealed": 1,
        "revealed_at": NOW,
        "answered_at": NOW,
        "correct": 1,
        "followed_up": 1,
        "params": None,
    },
    "answer": {
        "id": 1,
        "learner_id": 7001,
        "item_id": "crm-definition",
        "kind": "concept",
        "correct": 1,
        "answered_at": NOW,
        "context": "private",
        "prompt_id": 1,
    },
    "tipshown": {"learner_id": 7001, "tip_id": "tip-one", "shown_at": NOW},
    "groupsettings": {"chat_id": -100, "anyone_can_start": 1, "seconds_per_question": 20, "default_count": 5},
    "quizround": {
        "id": 1,
        "chat_id": -100,
        "started_by": 7001,
        "started_at": NOW,
        "ended_at": NOW,
        "status": "finished",
        "area": None,
        "seconds_per_question": 20,
        "buttons": 0,
    },
    "quizquestion": {
        "id": 1,
        "round_id": 1,
        "position": 1,
        "item_id": "tf-crm-x",
        "options": '["True", "False"]',
        "correct_option": 0,
        "poll_id": "p1",
        "message_id": 9,
        "sent_at": NOW,
        "closes_at": NOW,
        "closed": 1,
    },
    "quizanswer": {
        "question_id": 1,
        "user_id": 7001,
        "name": "Ann",
        "option": 0,
        "correct": 1,
        "points": 120,
        "seconds": 3.5,
        "answered_at": NOW,
    },
}


def _build(path: Path, schema: Path) -> dict[str, int]:
    """A database of an earlier version, with a row in each of its tables; returns the row counts."""
    with sqlite3.connect(path) as db:
        db.executescript(schema.read_text(encoding="utf-8"))
        counts = {}
        for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
            columns = [row[1] for row in db.execute(f"PRAGMA table_info({table})")]
            values = {c: SAMPLE[table][c] for c in columns}
            marks = ", ".join("?" for _ in values)
            db.execute(f"INSERT INTO {table} ({', '.join(values)}) VALUES ({marks})", list(values.values()))
            counts[table] = 1
    return counts


def _differences(connection: Connection) -> list[Any]:
    """What the database lacks or has wrong, against the models. The first version declared
    `context` as VARCHAR(7): SQLite ignores lengths, so a length alone is no difference."""
    found = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    return [
        d
        for d in found
        if not (
            isinstance(d, list)
            and d
            and d[0][0] == "modify_type"
            and isinstance(d[0][5], String)
            and isinstance(d[0][6], String)
        )
    ]


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite only: the releases' databases are SQLite files")
@pytest.mark.parametrize("schema", RELEASES, ids=[p.stem for p in RELEASES])
async def test_a_database_of_every_earlier_version_upgrades_and_keeps_its_data(
    tmp_path: Path, schema: Path
) -> None:
    path = tmp_path / "retain.db"
    counts = _build(path, schema)
    engine = create_engine(f"sqlite:///{path}")
    try:
        await migrate(engine)
        async with engine.connect() as conn:
            differences = await conn.run_sync(_differences)
            tables = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
            indexes = await conn.run_sync(
                lambda c: {i["name"] for t in SQLModel.metadata.tables for i in inspect(c).get_indexes(t)}
            )
    finally:
        await engine.dispose()
    assert differences == []  # every table, column and index the code expects
    assert set(SQLModel.metadata.tables) <= tables
    assert "ix_learner_next_nudge_at" in indexes and "ix_prompt_set" in indexes
    with sqlite3.connect(path) as db:
        for table, count in counts.items():
            assert db.execute(f"SELECT count(*) FROM {table}").fetchone() == (count,), table
        learner = db.execute(
            "SELECT awarding_body, active, set_size, started_at IS NOT NULL, quiz_named FROM learner"
        ).fetchone()
        assert learner == ("pearson", 1, 10, 1, 1)  # kept, defaults filled in, started (had a course)
        assert db.execute("SELECT item_id, correct, context FROM answer").fetchall() == [
            ("crm-definition", 1, "private")
        ]
        assert db.execute("SELECT version_num FROM alembic_version").fetchone() is not None


async def test_migrations_on_an_empty_database_build_exactly_the_models(empty_database_url: str) -> None:
    engine = create_engine(empty_database_url)  # every migration, on SQLite or PostgreSQL
    try:
        await migrate(engine)
        await migrate(engine)  # a second start changes nothing
        async with engine.connect() as conn:
            assert await conn.run_sync(_differences) == []
    finally:
        await engine.dispose()


def test_the_head_revision_the_start_up_checks_is_the_newest_script() -> None:
    from alembic.script import ScriptDirectory

    from storage.db import migration_config
    from storage.migrations import HEAD

    assert ScriptDirectory.from_config(migration_config()).get_current_head() == HEAD


async def _upgrade_url_to(url: str, revision: str) -> None:
    """A database (SQLite or PostgreSQL) built by the migrations up to `revision`."""
    from alembic import command

    from storage.db import migration_config

    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(lambda c: command.upgrade(migration_config(c), revision))
    finally:
        await engine.dispose()


def _upgrade_to(path: Path, revision: str) -> None:
    """A database built by the migrations up to `revision` (as a release of that time left it)."""
    from alembic import command
    from sqlalchemy import create_engine as create_sync_engine

    from storage.db import migration_config

    with create_sync_engine(f"sqlite:///{path}").begin() as connection:
        command.upgrade(migration_config(connection), revision)


def _stored(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M:%S.%f}"


async def test_a_database_of_0006_gets_its_answer_counts_from_its_answers(empty_database_url: str) -> None:
    """0007 adds the counts kept on the learner's row and works them out from each learner's answers
    (in their own zone, as of the upgrade), and the index for a learner's latest answers; on
    either engine (every migration runs on PostgreSQL too)."""
    url = empty_database_url
    await _upgrade_url_to(url, "0006")
    db = Sql(url)

    def stored(moment: datetime) -> str | datetime:
        return moment.astimezone(UTC).replace(tzinfo=None) if db.postgres else _stored(moment)

    now = datetime.now(UTC)
    zones = {1: "Europe/London", 2: "Pacific/Auckland", 3: "America/Los_Angeles"}
    results = {1: [True, False, True, True], 2: [True, True], 3: []}  # oldest first
    times: dict[int, list[datetime]] = {}
    answer_id = 0
    for learner, zone in zones.items():
        db.execute(
            "INSERT INTO learner (id, awarding_body, timezone, reminder_chosen, streak_days, active, "
            "nudges_sent, ignored_nudges, backoff_notified, quiz_named, set_size, created_at) "
            "VALUES (?, 'all', ?, TRUE, 0, TRUE, 0, 0, FALSE, TRUE, 10, ?)",
            learner,
            zone,
            stored(now - timedelta(days=30)),
        )
        # Every 31 hours back from now: some today, some this week, some earlier.
        times[learner] = [now - timedelta(hours=31 * n + 1) for n in range(len(results[learner]))][::-1]
        for right, at in zip(results[learner], times[learner], strict=True):
            answer_id += 1
            db.execute(
                "INSERT INTO answer (id, learner_id, item_id, kind, correct, answered_at, context) "
                "VALUES (?, ?, 'crm-definition', 'concept', ?, ?, 'private')",
                answer_id,
                learner,
                right,
                stored(at),
            )
    engine = create_engine(url)
    try:
        await migrate(engine)
        async with engine.connect() as conn:
            assert await conn.run_sync(_differences) == []
            indexes = await conn.run_sync(lambda c: {i["name"] for i in inspect(c).get_indexes("answer")})
    finally:
        await engine.dispose()
    assert "ix_answer_learner_id" in indexes
    found = {
        row[0]: row[1:]
        for row in db.rows(
            "SELECT id, right_run, answers_day, answers_on_day, answers_week, answers_in_week FROM learner"
        )
    }
    for learner, zone in zones.items():
        today = now.astimezone(ZoneInfo(zone)).date()
        on_day, in_week = answered_since(times[learner], zone, now)
        run = len(results[learner]) - (
            max((n + 1 for n, right in enumerate(results[learner]) if not right), default=0)
        )
        monday = today - timedelta(days=today.weekday())
        assert found[learner] == (run, today.isoformat(), on_day, monday.isoformat(), in_week), learner


@pytest.mark.skipif(ON_POSTGRES, reason=SQLITE_ONLY)
async def test_a_database_of_0008_gains_homework_and_keeps_its_sets(tmp_path: Path) -> None:
    """0009 adds the homework tables and the pool a homework set draws on; existing sets keep theirs."""
    path = tmp_path / "retain.db"
    _upgrade_to(path, "0008")
    with sqlite3.connect(path) as db:
        db.execute(
            "INSERT INTO practiceset (id, learner_id, size, total, source, started_at) "
            "VALUES (1, 7001, 10, 10, 'private', ?)",
            (NOW,),
        )
    engine = create_engine(f"sqlite:///{path}")
    try:
        await migrate(engine)
        async with engine.connect() as conn:
            assert await conn.run_sync(_differences) == []
            indexes = await conn.run_sync(
                lambda c: {i["name"] for i in inspect(c).get_indexes("homeworkpupil")}
            )
    finally:
        await engine.dispose()
    assert "ux_homeworkpupil_homework_learner" in indexes
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT source, course, area FROM practiceset").fetchall() == [
            ("private", None, None)
        ]
        assert db.execute("SELECT version_num FROM alembic_version").fetchone() == ("0011",)
