"""The callback codec, the database set-up, and the run command's answers to bad settings."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.codec import Action, BadCallback, Callback, decode, encode
from storage.db import async_url, create_engine, create_tables
from tests.databases import ON_POSTGRES, SQLITE_ONLY

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    "callback",
    [
        Callback(Action.BODY, value="pearson"),
        Callback(Action.BODY, value="all"),
        Callback(Action.REMIND, value="1830"),
        Callback(Action.REMIND, value="off"),
        Callback(Action.CHANGE_COURSE),
        Callback(Action.REVEAL, 42),
        Callback(Action.KNEW, 42, "0"),
        Callback(Action.TRUE_FALSE, 9_007_199_254_740_000, "t"),
        Callback(Action.NEXT, 1),
        Callback(Action.MARK, 9_007_199_254_740_000),
        Callback(Action.POINT, 9_007_199_254_740_000, "6"),
        Callback(Action.CONFIRM, 7),
    ],
)
def test_every_button_round_trips_within_64_bytes(callback: Callback) -> None:
    data = encode(callback)
    assert decode(data) == callback
    assert len(data.encode()) <= 64


@pytest.mark.parametrize(
    "data",
    [
        "",
        "X",
        "Y:1",
        "x:1",
        "x:1:0",
        "x:1:7",
        "y:1:1",
        "w:0",
        "t:1",
        "t:1:x",
        "t:-1:t",
        "t:0:t",
        "t:01:t",
        "t:1:t:extra",
        "v:1:t",
        "r:2599",
        "r:",
        "b:",
        "b:Pearson",
        "c:1",
        "n:abc",
        "k:" + "9" * 70 + ":1",
        None,
    ],
)
def test_forged_or_malformed_data_is_rejected(data: str | None) -> None:
    with pytest.raises(BadCallback):
        decode(data)


def test_reminder_button_carries_a_local_time() -> None:
    assert decode("r:0730").reminder_time == "07:30"
    assert decode("r:off").reminder_time is None


def test_database_url_takes_the_plain_sqlalchemy_form() -> None:
    assert async_url("sqlite:///data/retain.db") == "sqlite+aiosqlite:///data/retain.db"
    assert async_url("sqlite+aiosqlite:////tmp/x.db") == "sqlite+aiosqlite:////tmp/x.db"
    # PostgreSQL, as SQLAlchemy writes it and as hosting providers hand it out
    assert (
        async_url("postgresql://u:p@db.example:5432/retain")
        == "postgresql+asyncpg://u:p@db.example:5432/retain"
    )
    assert async_url("postgres://u:p@db.example/retain") == "postgresql+asyncpg://u:p@db.example/retain"
    assert async_url("postgresql+psycopg://u@db.example/retain") == "postgresql+asyncpg://u@db.example/retain"


@pytest.mark.skipif(ON_POSTGRES, reason=SQLITE_ONLY)
async def test_tables_are_created_in_wal_mode_with_indexes_for_every_lookup(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "retain.db"
    engine = create_engine(f"sqlite:///{path}")
    await create_tables(engine)
    await create_tables(engine)  # a second start changes nothing
    await engine.dispose()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert {"learner", "itemstate", "prompt", "answer"} <= tables
        plans = {
            "item states": "SELECT * FROM itemstate WHERE learner_id = 1",
            "last prompt": "SELECT * FROM prompt WHERE learner_id = 1 ORDER BY id DESC LIMIT 1",
            "answer log": "SELECT * FROM answer WHERE learner_id = 1 ORDER BY answered_at",
        }
        for name, query in plans.items():
            plan = " ".join(str(row) for row in db.execute("EXPLAIN QUERY PLAN " + query))
            assert "USING" in plan and "SCAN" not in plan.replace("SCAN CONSTANT", ""), (name, plan)


def run_bot(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_", "DEFAULT_"))}
    clean["PYTHONPATH"] = str(REPO)
    return subprocess.run(
        [sys.executable, "-m", "bot"],
        cwd=tmp_path,  # no .env there
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_without_a_token_the_run_command_explains_how_to_get_one(tmp_path: Path) -> None:
    result = run_bot(tmp_path)
    assert result.returncode == 2
    assert "@BotFather" in result.stderr and "TELEGRAM_BOT_TOKEN" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_bad_time_zone_setting_is_explained(tmp_path: Path) -> None:
    result = run_bot(tmp_path, TELEGRAM_BOT_TOKEN="1:x", DEFAULT_TIMEZONE="Mars/Base")
    assert result.returncode == 2
    assert "DEFAULT_TIMEZONE" in result.stderr and "Mars/Base" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_bot_refuses_to_start_on_a_broken_bank(tmp_path: Path) -> None:
    bank = tmp_path / "bank"
    bank.mkdir()
    (bank / "catalogue.yaml").write_text((REPO / "content/bank/catalogue.yaml").read_text())
    (bank / "broken.yaml").write_text("items:\n  - id: x\n    kind: concept\n")
    result = run_bot(tmp_path, TELEGRAM_BOT_TOKEN="1:x", CONTENT_DIR=str(bank))
    assert result.returncode == 1
    assert "will not start" in result.stderr
    assert "broken.yaml:2: item 'x': 'area' is missing" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.skipif(ON_POSTGRES, reason=SQLITE_ONLY)
async def test_a_database_from_the_first_version_upgrades_and_keeps_its_answers(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as db:  # the tables as version 0.1 created them
        db.executescript(
            """
            CREATE TABLE learner (id BIGINT PRIMARY KEY, awarding_body VARCHAR, timezone VARCHAR NOT NULL,
                reminder_time VARCHAR, reminder_chosen BOOLEAN NOT NULL, created_at DATETIME NOT NULL);
            CREATE TABLE prompt (id INTEGER PRIMARY KEY, learner_id BIGINT NOT NULL,
                item_id VARCHAR NOT NULL, kind VARCHAR NOT NULL, context VARCHAR(16) NOT NULL,
                sent_at DATETIME NOT NULL, revealed BOOLEAN NOT NULL, answered_at DATETIME,
                correct BOOLEAN, followed_up BOOLEAN NOT NULL);
            INSERT INTO learner VALUES (7, 'pearson', 'Europe/London', NULL, 1, '2026-01-01 09:00:00');
            INSERT INTO prompt VALUES (1, 7, 'crm-what-it-is', 'concept', 'private', '2026-01-01 09:00:00',
                1, '2026-01-01 09:01:00', 1, 0);
            """
        )
    engine = create_engine(f"sqlite:///{path}")
    await create_tables(engine)
    await engine.dispose()
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT id, awarding_body, focus_area FROM learner").fetchall() == [
            (7, "pearson", None)
        ]
        assert db.execute("SELECT item_id, correct, params FROM prompt").fetchall() == [
            ("crm-what-it-is", 1, None)
        ]
        assert db.execute("SELECT count(*) FROM tipshown").fetchone() == (0,)
