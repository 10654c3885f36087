"""End to end: `python -m bot backup PATH` while the bot records answers; a bot started on the copy
finds every answer recorded before it."""

from __future__ import annotations

import asyncio
import os
import re
import sqlite3
import sys
from pathlib import Path

import pytest

from tests.databases import ON_POSTGRES
from tests.fake_telegram import FakeTelegram, FakeUser
from tests.flows import answer_and_next, onboard
from tests.harness import Harness

REPO = Path(__file__).resolve().parent.parent
LEARNERS = [FakeUser(901 + n, f"Learner {n}") for n in range(3)]


async def backup(tmp_path: Path, database_url: str, target: Path) -> tuple[int, str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_", "LOG_"))}
    env.update(PYTHONPATH=str(REPO), DATABASE_URL=database_url)
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "backup", str(target), cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(child.communicate(), 60)
    assert child.returncode is not None
    return child.returncode, out.decode(), err.decode()


@pytest.mark.skipif(
    ON_POSTGRES, reason="SQLite's backup API: PostgreSQL is backed up with pg_dump (docs/deploy.md)"
)
async def test_a_backup_taken_while_answers_are_recorded_holds_every_earlier_answer(
    bot: Harness, fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    prompts = {learner.id: await onboard(bot, learner) for learner in LEARNERS}
    for _ in range(3):
        for learner in LEARNERS:
            prompts[learner.id] = await answer_and_next(bot, learner, prompts[learner.id])
    assert bot.app is not None
    before = await bot.app.bot_data.tutor.operations.answers_recorded()
    assert before == 3 * len(LEARNERS)

    async def keep_answering() -> None:  # the bot goes on writing while the copy is made
        for _ in range(3):
            for learner in LEARNERS:
                prompts[learner.id] = await answer_and_next(bot, learner, prompts[learner.id])

    target = tmp_path / "backups" / "retain-copy.db"
    writing = asyncio.ensure_future(keep_answering())
    code, out, err = await backup(tmp_path, f"sqlite:///{bot.db_path}", target)
    await writing
    assert code == 0, err
    match = re.search(r"to (\S+) \((\d+) answers recorded\)", out)
    assert match and Path(match.group(1)) == target, out
    copied = int(match.group(2))
    assert before <= copied <= before + 3 * len(LEARNERS)
    assert target.stat().st_mode & 0o777 == 0o600  # learners' data: owner only
    await bot.stop()

    restored = Harness(fake_telegram, target)  # a fresh bot on the backup file
    await restored.start()
    try:
        assert restored.app is not None
        assert await restored.app.bot_data.tutor.operations.answers_recorded() == copied
        for learner in LEARNERS:
            [stats] = await restored.send(learner, "/stats")
            assert "items met" in stats.text  # each learner's progress is there
    finally:
        await restored.stop()


async def test_backup_refuses_a_database_that_is_not_sqlite_and_never_an_existing_file(
    tmp_path: Path,
) -> None:
    code, _, err = await backup(
        tmp_path, "postgresql://retain:s3cret-pw@db.internal/retain", tmp_path / "x.db"
    )
    assert code == 2 and "pg_dump" in err and "s3cret-pw" not in err and "Traceback" not in err
    with sqlite3.connect(tmp_path / "source.db") as db:
        db.execute("CREATE TABLE answer (id INTEGER)")
    (tmp_path / "there.db").write_text("keep me")
    code, _, err = await backup(tmp_path, f"sqlite:///{tmp_path / 'source.db'}", tmp_path / "there.db")
    assert code == 1 and "Backup failed" in err and "Traceback" not in err
    assert (tmp_path / "there.db").read_text() == "keep me"
