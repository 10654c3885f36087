"""Two instances over one database, working on the same learners at the same moment: nothing is
counted twice or lost, no row is made twice, and two sweeps never take the same row. On SQLite
the writers take turns anyway; on PostgreSQL this is what `storage/locks.py` is for."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.config import CONTENT_DIR
from bot.tutor.tutor import Tutor
from content.loader import load_bank
from storage.db import Database
from tests.databases import Sql
from tests.test_answer_counts import _counts
from tests.test_statements import Clock, _choice, _next, _set_up

ANN = 9001
LEARNERS = 120


@pytest.fixture
async def two(database_url: str) -> AsyncIterator[tuple[Tutor, Tutor, Clock, Sql]]:
    """Two tutors over one database, as two instances of the bot would be."""
    first, second = Database(database_url), Database(database_url)
    await first.prepare()
    clock, bank = Clock(), load_bank(CONTENT_DIR)
    a = Tutor.open(first, bank, "Europe/London", clock=clock, rng=random.Random(1))
    b = Tutor.open(second, bank, "Europe/London", clock=clock, rng=random.Random(2))
    yield a, b, clock, Sql(database_url)
    await first.close()
    await second.close()


async def test_one_learner_s_taps_handled_at_once_by_two_instances_count_once(
    two: tuple[Tutor, Tutor, Clock, Sql],
) -> None:
    a, b, clock, sql = two
    await _set_up(a, ANN)
    rng = random.Random(7)
    for _ in range(25):
        prompt = await _next(a, ANN)
        clock.now += timedelta(seconds=30)
        choice = _choice(prompt, rng.random() < 0.7)
        kind = prompt.item.kind
        # The same tap reaching both instances, and "Next" on both, all at once.
        await asyncio.gather(
            a.practice.answer(ANN, prompt.prompt_id, kind, choice),
            b.practice.answer(ANN, prompt.prompt_id, kind, choice),
            a.practice.next_prompt(ANN),
            b.practice.next_prompt(ANN),
        )
    kept, logged = await _counts(a, ANN)
    assert kept == logged
    answers = sql.rows("SELECT item_id, count(*) FROM answer WHERE learner_id = ? GROUP BY item_id", ANN)
    seen = sql.rows("SELECT item_id, seen FROM itemstate WHERE learner_id = ?", ANN)
    assert dict(answers) == {item: n for item, n in seen if n}  # every answer counted once, none lost
    assert sql.rows("SELECT count(*) FROM answer WHERE learner_id = ? AND prompt_id IS NULL", ANN) == [(0,)]
    positions: dict[int, list[int]] = {}
    for set_id, position in sql.rows(
        "SELECT set_id, position FROM prompt WHERE learner_id = ? AND set_id IS NOT NULL ORDER BY id", ANN
    ):
        positions.setdefault(set_id, []).append(position)
    assert all(places == list(range(1, len(places) + 1)) for places in positions.values()), positions


async def test_two_instances_sweeping_at_once_never_lease_the_same_nudge(
    two: tuple[Tutor, Tutor, Clock, Sql],
) -> None:
    a, b, clock, sql = two
    for n in range(LEARNERS):
        await _set_up(a, 10_000 + n)
    due = clock.now.replace(tzinfo=None) - timedelta(minutes=1)
    sql.execute("UPDATE learner SET next_nudge_at = ?", due)
    leased: Counter[int] = Counter()
    for _ in range(LEARNERS):  # until neither finds anything to do
        batches = await asyncio.gather(a.nudges.lease(clock.now, 16), b.nudges.lease(clock.now, 16))
        for jobs, _ in batches:
            leased.update(job.learner_id for job in jobs)
        if not any(counts.anything for _, counts in batches):
            break
    assert len(leased) == LEARNERS and max(leased.values()) == 1, leased.most_common(3)
    assert sql.rows("SELECT count(*), count(DISTINCT learner_id) FROM nudgesend") == [(LEARNERS, LEARNERS)]
