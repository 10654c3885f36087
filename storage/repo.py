"""Async repository functions for the private loop. They never commit: the caller's unit of work does.

The paths taken on every prompt read what they need in one statement (`practice_rows`,
`progress_rows`): the learner's row and the rows around it as ORM objects, and the many small
rows (item states, a set's prompts, the latest prompts or answers) as JSON arrays of plain values
built by the database, so that no object is built per row. Times in those arrays are whole
microseconds since 1970 (UTC), worked out exactly in SQL; floats are written with every digit
(SQLite's JSON keeps only 15 unless told). The few constructs that differ per engine compile per
engine (`_Micros`, `_Exact`, `_JsonArray`, `_JsonRows`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    BigInteger,
    String,
    and_,
    bindparam,
    case,
    func,
    insert,
    null,
    or_,
    update,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import dialect, locks
from storage.models import Answer, ItemState, Learner, NudgeSend, PracticeSet, Prompt, TipShown, fresh_tag

ItemStateRow = tuple[
    str, int, int, int, int, int | None, int | None, int | None, int | None, float | None, float | None
]
"""An item state as read in bulk: item id, seen, correct, wrong, streak, last answered and due (whole
microseconds since 1970, UTC), FSRS state, step, stability and difficulty."""
SetPromptRow = tuple[int, str, bool, bool | None, int | None]
"""A prompt of a set: id, item id, answered, right (None before an answer), position."""


class _Micros(FunctionElement[int]):
    """A stored time as whole microseconds since 1970 (UTC), NULL for NULL (compiled per engine)."""

    type = BigInteger()
    inherit_cache = True
    name = "retain_micros"


@compiles(_Micros, "sqlite")
def _micros_sqlite(element: _Micros, compiler: Any, **kw: Any) -> str:
    # The text SQLAlchemy stores ('YYYY-MM-DD HH:MM:SS.ffffff'): the seconds from SQLite's date
    # functions on the text without its fraction (they keep only milliseconds), the microseconds
    # from the fraction's digits: exact.
    text = compiler.process(element.clauses, **kw)
    return (
        f"CAST(strftime('%s', substr({text}, 1, 19)) AS INTEGER) * 1000000"
        f" + CAST(substr({text} || '000000', 21, 6) AS INTEGER)"
    )


@compiles(_Micros, "postgresql")
def _micros_postgresql(element: _Micros, compiler: Any, **kw: Any) -> str:
    # A timestamp without time zone holds naive UTC; its epoch is exact (numeric) in microseconds.
    return f"CAST(EXTRACT(EPOCH FROM {compiler.process(element.clauses, **kw)}) * 1000000 AS BIGINT)"


def _micros(column: Any) -> ColumnElement[int]:
    """A stored time (naive UTC) as whole microseconds since 1970, exactly; NULL for NULL."""
    return _Micros(column)


class _Exact(FunctionElement[Any]):
    """A float as a JSON number with every digit it has, NULL for NULL (compiled per engine)."""

    inherit_cache = True
    name = "retain_exact"


@compiles(_Exact, "sqlite")
def _exact_sqlite(element: _Exact, compiler: Any, **kw: Any) -> str:
    # SQLite's JSON keeps only 15 digits: write all 17.
    column = compiler.process(element.clauses, **kw)
    return f"CASE WHEN {column} IS NULL THEN NULL ELSE json(printf('%!.17g', {column})) END"


@compiles(_Exact, "postgresql")
def _exact_postgresql(element: _Exact, compiler: Any, **kw: Any) -> str:
    # PostgreSQL writes a float8 with the shortest digits that read back exactly.
    return str(compiler.process(element.clauses, **kw))


def _exact(column: Any) -> ColumnElement[Any]:
    """A REAL as a JSON number with every digit it has (JSON would round it to 15), NULL for NULL."""
    return _Exact(column)


class _JsonArray(FunctionElement[Any]):
    """One row's values as a JSON array (SQLite's json_array, PostgreSQL's json_build_array)."""

    inherit_cache = True
    name = "json_array"


@compiles(_JsonArray, "sqlite")
def _json_array_sqlite(element: _JsonArray, compiler: Any, **kw: Any) -> str:
    return f"json_array({compiler.process(element.clauses, **kw)})"


@compiles(_JsonArray, "postgresql")
def _json_array_postgresql(element: _JsonArray, compiler: Any, **kw: Any) -> str:
    return f"json_build_array({compiler.process(element.clauses, **kw)})"


class _JsonRows(FunctionElement[Any]):
    """An aggregate: the rows' JSON values as one JSON array (json_group_array, json_agg); its text."""

    type = String()
    inherit_cache = True
    name = "json_group_array"


@compiles(_JsonRows, "sqlite")
def _json_rows_sqlite(element: _JsonRows, compiler: Any, **kw: Any) -> str:
    return f"json_group_array({compiler.process(element.clauses, **kw)})"


@compiles(_JsonRows, "postgresql")
def _json_rows_postgresql(element: _JsonRows, compiler: Any, **kw: Any) -> str:
    return f"CAST(json_agg({compiler.process(element.clauses, **kw)}) AS TEXT)"


async def _write(session: AsyncSession, statement: Any, values: dict[str, Any]) -> Any:
    """Run a write that reads nothing, `statement` built once and `values` bound. What the unit of
    work has changed meanwhile (the learner's row) is flushed once, at commit, in one statement,
    rather than before each such write."""
    with session.no_autoflush:
        return await session.exec(statement, params=values)


_ITEM_STATES = ItemState.__table__  # type: ignore[attr-defined]
_PROMPTS = Prompt.__table__  # type: ignore[attr-defined]
_SETS = PracticeSet.__table__  # type: ignore[attr-defined]
_ANSWERS = Answer.__table__  # type: ignore[attr-defined]
_ADD_STATE = insert(_ITEM_STATES)
_SAVE_STATE = update(_ITEM_STATES).where(
    _ITEM_STATES.c.learner_id == bindparam("key_learner"), _ITEM_STATES.c.item_id == bindparam("key_item")
)
_ADD_PROMPT = insert(_PROMPTS)
_PROMPT_PARAMS = update(_PROMPTS).where(_PROMPTS.c.id == bindparam("key_id"))
_ADD_SET = insert(_SETS)
_LOG_ANSWER = insert(_ANSWERS)


def _select(*columns: Any) -> Any:
    """`select` of more columns than sqlmodel's typed overloads take."""
    return select(*columns)


_STATE_COLUMNS = (  # `ItemStateRow`, as plain columns
    ItemState.item_id,
    ItemState.seen,
    ItemState.correct,
    ItemState.wrong,
    ItemState.streak,
    _micros(ItemState.last_answered_at),
    _micros(ItemState.due_at),
    ItemState.fsrs_state,
    ItemState.fsrs_step,
    ItemState.stability,
    ItemState.difficulty,
)
_STATE_JSON = (*_STATE_COLUMNS[:9], _exact(ItemState.stability), _exact(ItemState.difficulty))
_LEARNER = bindparam("learner_id", type_=BigInteger)
_NO_TAG = -1  # tags are never negative


def _states_json() -> Any:
    """The learner's item states, as [item id, seen, ..., difficulty] arrays (`ItemStateRow`); NULL,
    and nothing read, when the learner's memory tag is the one the caller gave (`known_tag`): the
    caller holds them already."""
    states = (
        select(_JsonRows(_JsonArray(*_STATE_JSON))).where(ItemState.learner_id == _LEARNER).scalar_subquery()
    )
    return case((col(Learner.memory_tag) == bindparam("known_tag"), null()), else_=states)


def _state_rows(text: str | None) -> list[ItemStateRow]:
    return [tuple(row) for row in json.loads(text or "[]")]


def _latest_json(table: Any, count: int, *columns: Any) -> Any:
    """The learner's latest `count` rows of a table (by id), as [id, *columns] arrays."""
    latest = (
        select(table.id, *columns).where(table.learner_id == _LEARNER).order_by(table.id.desc()).limit(count)
    ).subquery()
    return select(_JsonRows(_JsonArray(*latest.c))).scalar_subquery()


@dataclass
class PracticeRows:
    """What serving or answering a prompt reads of a learner, in one statement."""

    learner: Learner
    current_set: PracticeSet | None  # the set the learner's row points to (ended or not)
    live: Prompt | None  # the prompt the learner's row points to as live
    asked: Prompt | None  # the prompt asked for by id, if any (whoever's it is)
    last: Prompt | None  # the learner's latest prompt, when asked for
    states: list[ItemStateRow] | None  # every item answered (None: as the caller's tag says)
    set_prompts: list[SetPromptRow]  # the current set's prompts, in the order served
    recent: list[str]  # the items of the learner's latest prompts, oldest first


@cache
def _practice_statement(recent: int, asked: bool, last: bool) -> Any:
    """`practice_rows`'s statement, built once for each shape (its values are bound parameters)."""
    live_prompt = aliased(Prompt, name="live")
    asked_prompt = aliased(Prompt, name="asked")
    last_prompt = aliased(Prompt, name="latest")
    set_prompts = (
        select(
            _JsonRows(
                _JsonArray(
                    Prompt.id,
                    Prompt.item_id,
                    col(Prompt.answered_at).is_not(None),
                    Prompt.correct,
                    Prompt.position,
                )
            )
        )
        .where(col(Prompt.set_id) == col(Learner.current_set_id))
        .scalar_subquery()
    )
    statement = (
        _select(
            Learner,
            PracticeSet,
            live_prompt,
            asked_prompt if asked else null(),
            last_prompt if last else null(),
            _states_json(),
            set_prompts,
            _latest_json(Prompt, recent, Prompt.item_id),
        )
        .select_from(Learner)
        .outerjoin(PracticeSet, col(PracticeSet.id) == col(Learner.current_set_id))
        .outerjoin(live_prompt, col(live_prompt.id) == col(Learner.live_prompt_id))
        .where(col(Learner.id) == _LEARNER)
    )
    if asked:
        statement = statement.outerjoin(asked_prompt, col(asked_prompt.id) == bindparam("prompt_id"))
    if last:
        newest = select(func.max(Prompt.id)).where(Prompt.learner_id == _LEARNER).scalar_subquery()
        statement = statement.outerjoin(last_prompt, col(last_prompt.id) == newest)
    return statement


async def practice_rows(
    session: AsyncSession,
    learner_id: int,
    *,
    recent: int,
    prompt_id: int | None = None,
    last: bool = False,
    known_tag: int | None = None,
) -> PracticeRows | None:
    """The learner and everything a prompt or an answer needs, in one statement (None: no learner).

    `recent`: how many of the latest prompts' items; `prompt_id`: a prompt to load as well (an
    answer's, or a "Next" button's); `last`: also load the learner's latest prompt; `known_tag`:
    the `Learner.memory_tag` of item states the caller holds (they are not read again if it is
    still the learner's).
    """
    await locks.lock_learner(session, learner_id)  # first: what follows reads what it guards
    statement = _practice_statement(recent, prompt_id is not None, last)
    values: dict[str, Any] = {
        "learner_id": learner_id,
        "known_tag": _NO_TAG if known_tag is None else known_tag,
    }
    if prompt_id is not None:
        values["prompt_id"] = prompt_id
    row = (await session.exec(statement, params=values)).first()
    if row is None:
        return None
    learner, current_set, live_prompt, asked_prompt, last_prompt, states, in_set, latest_items = row
    prompts = sorted(json.loads(in_set or "[]"))
    return PracticeRows(
        learner,
        current_set,
        live_prompt,
        asked_prompt,
        last_prompt,
        None if states is None else _state_rows(states),
        [
            (n, item_id, bool(answered), None if right is None else bool(right), at)
            for n, item_id, answered, right, at in prompts
        ],
        [item_id for _n, item_id in sorted(json.loads(latest_items or "[]"))],
    )


@dataclass
class ProgressRows:
    """What /stats reads of a learner, in one statement."""

    learner: Learner
    states: list[ItemStateRow] | None  # None: as the caller's tag says
    answers: list[tuple[str, bool]]  # the latest answers, newest first: (item id, right)
    answered_us: list[int] = field(default_factory=list)  # when each of `answers` was given (microseconds)


@cache
def _progress_statement(answers: int) -> Any:
    """`progress_rows`'s statement, built once (its values are bound parameters)."""
    latest = _latest_json(Answer, answers, Answer.item_id, Answer.correct, _micros(Answer.answered_at))
    return select(Learner, _states_json(), latest).where(col(Learner.id) == _LEARNER)


async def progress_rows(
    session: AsyncSession, learner_id: int, answers: int, known_tag: int | None = None
) -> ProgressRows | None:
    """The learner, their item states (unless `known_tag` is still theirs: see `practice_rows`) and
    their latest `answers` answers, in one statement."""
    values = {"learner_id": learner_id, "known_tag": _NO_TAG if known_tag is None else known_tag}
    found = await session.exec(_progress_statement(answers), params=values)
    row = found.first()
    if row is None:
        return None
    learner, states, latest = row
    logged = sorted(json.loads(latest or "[]"), reverse=True)
    return ProgressRows(
        learner,
        None if states is None else _state_rows(states),
        [(item_id, bool(right)) for _n, item_id, right, _at in logged],
        [int(at) for _n, _item_id, _right, at in logged],
    )


async def get_learner(session: AsyncSession, learner_id: int) -> Learner | None:
    """The learner with this Telegram user id, if any (held by the unit of work, on PostgreSQL:
    `storage.locks`)."""
    fresh = await locks.lock_learner(session, learner_id)
    return await session.get(Learner, learner_id, populate_existing=fresh)


async def item_state(session: AsyncSession, learner_id: int, item_id: str) -> ItemStateRow | None:
    """One learner's state for one item, as `practice_rows` reads them."""
    result = await session.exec(
        _select(*_STATE_COLUMNS).where(ItemState.learner_id == learner_id, ItemState.item_id == item_id)
    )
    found = result.first()
    return None if found is None else tuple(found)


async def met_items(session: AsyncSession, learner_id: int) -> list[str]:
    """The items the learner has answered at least once."""
    result = await session.exec(
        select(ItemState.item_id).where(ItemState.learner_id == learner_id, col(ItemState.seen) > 0)
    )
    return list(result.all())


async def save_item_state(
    session: AsyncSession, learner: Learner, item_id: str, values: dict[str, Any], *, new: bool
) -> None:
    """Write a learner's state for one item (`values`: every column but the key), one statement; the
    learner's memory tag changes with it (written with their row, in the same transaction)."""
    learner.memory_tag = fresh_tag()
    learner_id = learner.id
    if new:
        await _write(session, _ADD_STATE, {"learner_id": learner_id, "item_id": item_id, **values})
    else:
        await _write(session, _SAVE_STATE, {"key_learner": learner_id, "key_item": item_id, **values})


async def add_prompt(session: AsyncSession, **values: Any) -> int:
    """Store a new prompt (one statement, no object built); its id."""
    result = await _write(session, _ADD_PROMPT, values)
    return int(result.inserted_primary_key[0])


async def set_prompt_params(session: AsyncSession, prompt_id: int, params: str) -> None:
    """Store a calculation prompt's drawn numbers (known once its id, their seed, is)."""
    await _write(session, _PROMPT_PARAMS, {"key_id": prompt_id, "params": params})


async def add_set(session: AsyncSession, **values: Any) -> int:
    """Store a new practice set (one statement, no object built); its id."""
    result = await _write(session, _ADD_SET, values)
    return int(result.inserted_primary_key[0])


async def answer_times(session: AsyncSession, learner_id: int, since: datetime) -> list[datetime]:
    """When the learner answered, since `since` (for streaks and daily counts)."""
    result = await session.exec(
        select(Answer.answered_at).where(Answer.learner_id == learner_id, col(Answer.answered_at) >= since)
    )
    return list(result.all())


async def get_prompt(session: AsyncSession, prompt_id: int) -> Prompt | None:
    """A prompt by id."""
    return await session.get(Prompt, prompt_id)


async def claim_answer(
    session: AsyncSession, prompt_id: int, learner_id: int, correct: bool, now: datetime, choice: str | None
) -> bool:
    """Mark a prompt answered (with the choice made), atomically; False when it was already answered
    (or is not theirs). A loaded prompt object sees the change."""
    result = await session.exec(
        update(Prompt)
        .where(
            col(Prompt.id) == prompt_id,
            col(Prompt.learner_id) == learner_id,
            col(Prompt.answered_at).is_(None),
        )
        .values(answered_at=now, correct=correct, choice=choice)
    )
    return bool(result.rowcount)


async def claim_follow_up(session: AsyncSession, prompt_id: int, learner_id: int) -> bool:
    """Mark that a prompt's "Next" was served, atomically; False when it already was."""
    result = await session.exec(
        update(Prompt)
        .where(
            col(Prompt.id) == prompt_id,
            col(Prompt.learner_id) == learner_id,
            col(Prompt.followed_up).is_(False),
        )
        .values(followed_up=True)
    )
    return bool(result.rowcount)


async def log_answer(
    session: AsyncSession,
    *,
    learner_id: int,
    item_id: str,
    kind: str,
    correct: bool,
    answered_at: datetime,
    context: str,
    prompt_id: int | None,
) -> None:
    """Append one answer to the log (one statement, no object built)."""
    values = {
        "learner_id": learner_id,
        "item_id": item_id,
        "kind": kind,
        "correct": correct,
        "answered_at": answered_at,
        "context": context,
        "prompt_id": prompt_id,
    }
    await _write(session, _LOG_ANSWER, values)


async def tips_shown(session: AsyncSession, learner_id: int) -> dict[str, datetime]:
    """When the learner was last shown each exam tip."""
    result = await session.exec(select(TipShown).where(TipShown.learner_id == learner_id))
    return {row.tip_id: row.shown_at for row in result.all()}


async def mark_tip_shown(
    session: AsyncSession, learner_id: int, tip_id: str, now: datetime, *, new: bool
) -> None:
    """Remember that a tip was shown now (`new`: never before; else `tips_shown` loaded it)."""
    row = None if new else await session.get(TipShown, (learner_id, tip_id))
    if row is None:
        session.add(TipShown(learner_id=learner_id, tip_id=tip_id, shown_at=now))
    else:
        row.shown_at = now


async def due_nudges(session: AsyncSession, now: datetime, limit: int) -> Sequence[Learner]:
    """Learners whose next nudge is due, earliest first (one index range scan); on PostgreSQL only
    those no other unit of work holds, held now and read after (`storage.locks`)."""
    due = (
        select(Learner)
        .where(col(Learner.next_nudge_at) <= now)
        .order_by(col(Learner.next_nudge_at))
        .limit(limit)
    )
    found = (await session.exec(due)).all()
    if not dialect.is_postgres(session):
        return found
    free = await locks.try_lock_learners(session, [learner.id for learner in found])
    if not free:
        return []
    again = await session.exec(
        due.where(col(Learner.id).in_(sorted(free))).execution_options(populate_existing=True)
    )
    return again.all()


async def free_learners(session: AsyncSession, ids: Sequence[int]) -> set[int]:
    """Those of the learners the unit of work can hold now without waiting, held from now on (all
    of them on SQLite, where writers take turns): a sweep leaves the others to its next pass."""
    return await locks.try_lock_learners(session, ids)


async def hold_group(session: AsyncSession, chat_id: int) -> None:
    """Hold a class (a group chat) for the unit of work: its rounds and homework change one unit
    of work at a time (PostgreSQL; SQLite's writers take turns anyway)."""
    await locks.lock_group(session, chat_id)


async def learners(session: AsyncSession, ids: Sequence[int]) -> Sequence[Learner]:
    """The learners with these ids (read afresh: the caller may have just taken their locks)."""
    result = await session.exec(
        select(Learner).where(col(Learner.id).in_(ids)).execution_options(populate_existing=True)
    )
    return result.all()


async def get_set(session: AsyncSession, set_id: int) -> PracticeSet | None:
    """A practice set by id."""
    return await session.get(PracticeSet, set_id)


async def record_receipt(session: AsyncSession, prompt_id: int, message_id: int) -> None:
    """Remember which message showed a prompt (once: the first receipt wins)."""
    await session.exec(
        update(Prompt)
        .where(col(Prompt.id) == prompt_id, col(Prompt.message_id).is_(None))
        .values(message_id=message_id)
    )


async def leasable_nudges(session: AsyncSession, now: datetime, limit: int) -> Sequence[NudgeSend]:
    """Nudges to send now: pending ones whose time has come, and leases a crash left to run out."""
    pending = and_(col(NudgeSend.status) == "pending", col(NudgeSend.attempt_at) <= now)
    lost = and_(col(NudgeSend.status) == "sending", col(NudgeSend.lease_until) <= now)
    statement = select(NudgeSend).where(or_(pending, lost)).order_by(col(NudgeSend.attempt_at)).limit(limit)
    result = await session.exec(locks.claim(session, statement))
    return result.all()


async def nudges(session: AsyncSession, ids: Sequence[int]) -> dict[int, NudgeSend]:
    """The nudges with these ids, by id."""
    result = await session.exec(select(NudgeSend).where(col(NudgeSend.id).in_(ids)))
    return {row.id: row for row in result.all() if row.id is not None}


async def get_nudge(session: AsyncSession, nudge_id: int) -> NudgeSend | None:
    """A nudge by id."""
    return await session.get(NudgeSend, nudge_id)


async def nudge_of_prompt(session: AsyncSession, prompt_id: int) -> NudgeSend | None:
    """The nudge that carried a prompt, if one did."""
    result = await session.exec(select(NudgeSend).where(NudgeSend.prompt_id == prompt_id))
    return result.first()


async def nudged_between(session: AsyncSession, learner_id: int, after_day: str, before_day: str) -> bool:
    """Whether a nudge reached the learner (sent, or timed out and so probably delivered) on a local day
    after `after_day` and before `before_day` (ISO days)."""
    result = await session.exec(
        select(NudgeSend.id)
        .where(
            NudgeSend.learner_id == learner_id,
            col(NudgeSend.local_day) > after_day,
            col(NudgeSend.local_day) < before_day,
            col(NudgeSend.status).in_(("sent", "unsure")),
        )
        .limit(1)
    )
    return result.first() is not None


async def nudge_on_day(session: AsyncSession, learner_id: int, local_day: str) -> NudgeSend | None:
    """The learner's nudge for a local day, if one was scheduled."""
    result = await session.exec(
        select(NudgeSend).where(NudgeSend.learner_id == learner_id, NudgeSend.local_day == local_day)
    )
    return result.first()
