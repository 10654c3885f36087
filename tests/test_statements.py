"""The SQL a prompt, an answer and /stats cost, counted on the engine: a few statements each, the same
for a learner with a long history as for a new one (the selection reads what it needs in one go)."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event

from bot.config import CONTENT_DIR
from bot.tutor.results import PromptResult, ServedPrompt, Status
from bot.tutor.tutor import Tutor
from content.loader import load_bank
from content.schema import ConceptCard, ExamQuestion, MetricDrill, MultipleChoice, TrueFalse
from storage.db import Database
from tests.databases import ON_POSTGRES

START = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


class Statements:
    """Every statement the engine runs (BEGIN included: it is counted apart)."""

    def __init__(self, database: Database) -> None:
        self.seen: list[str] = []
        event.listen(database.engine.sync_engine, "before_cursor_execute", self._run)

    def _run(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self.seen.append(statement.split()[0].upper())

    async def of(self, action: Callable[[], Awaitable[Any]]) -> tuple[Any, list[str]]:
        self.seen = []
        result = await action()
        seen, self.seen = self.seen, []
        return result, seen


@pytest.fixture
async def tutor(database_url: str) -> AsyncIterator[tuple[Tutor, Clock, Statements]]:
    database = Database(database_url)
    await database.prepare()
    clock = Clock()
    tutor = Tutor.open(database, load_bank(CONTENT_DIR), "Europe/London", clock=clock, rng=random.Random(3))
    yield tutor, clock, Statements(database)
    await database.close()


def _choice(prompt: ServedPrompt, right: bool) -> bool | int:
    item = prompt.item
    if isinstance(item, ConceptCard):
        return right
    if isinstance(item, TrueFalse):
        return item.answer if right else not item.answer
    if isinstance(item, MultipleChoice):
        return 0 if right else 1
    assert isinstance(item, MetricDrill) and prompt.drill is not None
    return prompt.drill.answer_index if right else (prompt.drill.answer_index + 1) % len(prompt.drill.options)


async def _set_up(tutor: Tutor, user: int) -> ServedPrompt:
    await tutor.profiles.start(user)
    await tutor.profiles.choose_body(user, "all")
    first = await tutor.profiles.choose_reminder(user, None)
    assert first.prompt is not None and first.prompt.prompt is not None
    return first.prompt.prompt


async def _next(tutor: Tutor, user: int) -> ServedPrompt:
    result: PromptResult = await tutor.practice.next_prompt(user)
    while result.prompt is None:  # a set just ended: its recap, then a new set
        result = await tutor.practice.next_prompt(user)
    return result.prompt


async def _write(tutor: Tutor, user: int, prompt: ServedPrompt, right: bool) -> None:
    """Answer an exam question in writing (the model answer, or nothing of use), and confirm the marks."""
    assert isinstance(prompt.item, ExamQuestion)
    text = prompt.item.model_answer if right else "I am not sure about this one."
    await tutor.practice.free_text(user, f"{text}\ndone")
    await tutor.practice.confirm_marks(user, prompt.prompt_id)


async def _practise(tutor: Tutor, clock: Clock, user: int, answers: int) -> None:
    """Answer `answers` prompts, a set a day, most of them right."""
    rng = random.Random(user)
    prompt = await _next(tutor, user)
    for n in range(answers):
        clock.now += timedelta(seconds=30) if n % 10 else timedelta(hours=20)
        if isinstance(prompt.item, ExamQuestion):
            await _write(tutor, user, prompt, rng.random() < 0.8)
        else:
            choice = _choice(prompt, rng.random() < 0.8)
            await tutor.practice.answer(user, prompt.prompt_id, prompt.item.kind, choice)
        prompt = await _next(tutor, user)


async def _costs(tutor: Tutor, clock: Clock, statements: Statements, user: int) -> dict[str, list[str]]:
    clock.now += timedelta(days=1)
    costs = {}
    prompt = await _next(tutor, user)  # the live prompt, unanswered
    while isinstance(prompt.item, ExamQuestion):  # a question to type an answer to: not a tap
        await _write(tutor, user, prompt, True)
        prompt = await _next(tutor, user)
    clock.now += timedelta(seconds=20)
    served, costs["/next over an open prompt"] = await statements.of(lambda: tutor.practice.next_prompt(user))
    assert served.status is Status.OK and served.prompt is not None
    prompt = served.prompt
    while isinstance(prompt.item, MetricDrill | ExamQuestion):  # one whose answer brings the next
        prompt = await _next(tutor, user)
    clock.now += timedelta(seconds=20)
    answered, costs["answer (the next prompt follows)"] = await statements.of(
        lambda: tutor.practice.answer(user, prompt.prompt_id, prompt.item.kind, _choice(prompt, True))
    )
    assert answered.status is Status.OK and answered.following is not None
    progress, costs["/stats"] = await statements.of(lambda: tutor.progress.stats(user))
    assert progress is not None
    return costs


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite only: counts the statements SQLite's engine sends")
async def test_a_prompt_an_answer_and_stats_cost_a_few_statements_whatever_the_history(
    tutor: tuple[Tutor, Clock, Statements],
) -> None:
    service, clock, statements = tutor
    await _set_up(service, 1)
    await _set_up(service, 2)
    await _practise(service, clock, 2, 250)  # a long history: nearly every item of the bank met
    new, seasoned = await _costs(service, clock, statements, 1), await _costs(service, clock, statements, 2)
    print("\n".join(f"{label}: {' '.join(kinds)}" for label, kinds in seasoned.items()))
    # The history adds no statement (a first answer to an item inserts its memory, a later one updates it).
    assert {label: len(kinds) for label, kinds in new.items()} == {k: len(v) for k, v in seasoned.items()}
    # One read for everything the choice needs; the new prompt stored; the learner's row saved;
    # the replaced prompt's buttons retired. BEGIN IMMEDIATE comes with the read.
    assert seasoned["/next over an open prompt"] == ["BEGIN", "SELECT", "INSERT", "UPDATE", "UPDATE"]
    # The answer claimed, the item's memory and the answer log written, the next prompt stored, the
    # learner's row (streak, counts, live prompt) saved: no read beyond the first.
    assert seasoned["answer (the next prompt follows)"] == [
        "BEGIN",
        "SELECT",
        "UPDATE",
        "UPDATE",
        "INSERT",
        "INSERT",
        "UPDATE",
    ]
    assert seasoned["/stats"] == ["BEGIN", "SELECT"]
