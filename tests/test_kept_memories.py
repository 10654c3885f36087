"""Learners' memories kept between updates (`bot.tutor.kept`): used while the learner's memory tag
says nothing changed, read again as soon as anything did, whichever process changed it."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator

import pytest

from bot.config import CONTENT_DIR
from bot.tutor.kept import KeptMemories
from bot.tutor.memory import ItemFacts
from bot.tutor.tutor import Tutor
from content.loader import load_bank
from storage.db import Database
from tests.test_statements import Clock, Statements, _choice, _next, _set_up

ANN = 7001


@pytest.fixture
async def two(database_url: str) -> AsyncIterator[tuple[Tutor, Tutor, Clock, Statements]]:
    """Two tutors over one database, as two processes would be, each keeping its own copies."""
    url = database_url
    first, second = Database(url), Database(url)
    await first.prepare()
    clock, bank = Clock(), load_bank(CONTENT_DIR)
    a = Tutor.open(first, bank, "Europe/London", clock=clock, rng=random.Random(1))
    b = Tutor.open(second, bank, "Europe/London", clock=clock, rng=random.Random(2))
    yield a, b, clock, Statements(first)
    await first.close()
    await second.close()


async def test_a_copy_is_used_only_while_nothing_has_changed(
    two: tuple[Tutor, Tutor, Clock, Statements],
) -> None:
    a, b, _, _ = two
    await _set_up(a, ANN)
    for _ in range(4):
        prompt = await _next(a, ANN)
        await a.practice.answer(ANN, prompt.prompt_id, prompt.item.kind, _choice(prompt, True))
    kept = a.core.memories.get(ANN)
    assert kept is not None and len(kept[1]) == 4  # kept as the answers were recorded
    stats = await a.progress.stats(ANN)
    assert stats is not None and stats.stats.answers == 4
    # Another process records an answer: the first one's copy is now out of date...
    prompt = await _next(b, ANN)
    await b.practice.answer(ANN, prompt.prompt_id, prompt.item.kind, _choice(prompt, False))
    assert a.core.memories.get(ANN) == kept
    # ...so its next read brings the item states, and /stats counts the answer.
    stats = await a.progress.stats(ANN)
    assert stats is not None and stats.stats.answers == 5
    assert a.core.memories.get(ANN) != kept


async def test_the_states_are_not_read_again_while_the_copy_holds(
    two: tuple[Tutor, Tutor, Clock, Statements],
) -> None:
    a, _, _, _ = two
    await _set_up(a, ANN)
    prompt = await _next(a, ANN)
    await a.practice.answer(ANN, prompt.prompt_id, prompt.item.kind, _choice(prompt, True))
    kept = a.core.memories.get(ANN)
    assert kept is not None
    first = await a.progress.stats(ANN)
    a.core.memories.keep(ANN, kept[0], {})  # a copy that says nothing was met, under the right tag
    second = await a.progress.stats(ANN)
    assert first is not None and second is not None
    assert first.stats.items_met == 1 and second.stats.items_met == 0  # the copy was used, not read
    a.core.memories.keep(ANN, kept[0] + 1, {})  # under a tag that is not the learner's
    third = await a.progress.stats(ANN)
    assert third is not None and third.stats.items_met == 1


def test_the_least_recently_used_copies_go_first_beyond_the_limit() -> None:
    kept = KeptMemories(limit=5)
    memory = ItemFacts(1, 1, 0, 1, 0, 0, 2, None, 1.0, 5.0)
    kept.keep(1, 10, {"a": memory, "b": memory})
    kept.keep(2, 20, {"a": memory, "b": memory})
    assert kept.get(1) is not None  # used: now the most recent
    kept.keep(3, 30, {"a": memory, "b": memory})  # six kept: one learner's copy goes
    assert kept.get(2) is None and kept.get(1) is not None and kept.get(3) is not None
    copy = {"a": memory}
    kept.keep(4, 40, copy)
    copy["b"] = memory  # a copy is kept, not the caller's dict
    found = kept.get(4)
    assert found is not None and set(found[1]) == {"a"}
