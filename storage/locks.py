"""Who may change what at once, on PostgreSQL: a learner's (or a class's) unit of work holds a lock
on them, taken before anything of theirs is read.

On SQLite every writing unit of work runs alone (BEGIN IMMEDIATE: storage/db.py), so every function
here does nothing there. On PostgreSQL (READ COMMITTED) two units of work on one learner, from two
updates or two instances, would each read the learner's counts and item states and write them back:
one answer lost, a row created twice. A transaction-scoped advisory lock keyed on the learner's id
(or the class's chat id: group ids are negative, user ids positive, so the two never meet) makes
them take turns; it also covers a learner whose row does not exist yet, which `SELECT ... FOR
UPDATE` cannot. The sweeps never wait: they take what is free (`try_lock_learners`, and `FOR UPDATE
SKIP LOCKED` on their outbox rows) and leave the rest to their next pass, so two instances never
take the same row and a sweep never waits on a learner's update.

Read what a lock guards only after taking it: in READ COMMITTED each statement sees what was
committed when it started.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar, cast

from sqlalchemy import BigInteger, bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import READ_ONLY
from storage.dialect import is_postgres

Statement = TypeVar("Statement")
_HELD = "retain_locked"  # session.info: the keys this unit of work holds

_LOCK = text("SELECT pg_advisory_xact_lock(:key)").bindparams(bindparam("key", type_=BigInteger))
_TRY = text("SELECT key FROM unnest(:keys) AS wanted(key) WHERE pg_try_advisory_xact_lock(key)").bindparams(
    bindparam("keys", type_=ARRAY(BigInteger))
)


def _held(session: AsyncSession) -> set[int] | None:
    """The keys the unit of work's transaction holds; None where no lock is taken (SQLite, a
    read-only unit). Advisory locks end with the transaction, so does this record of them."""
    bind = session.bind
    if bind is None or not is_postgres(session):
        return None
    if bind.sync_engine.get_execution_options().get(READ_ONLY):
        return None
    transaction = session.sync_session.get_transaction()
    owner, held = session.info.get(_HELD, (None, set()))
    if transaction is None or owner is not transaction:
        held = set()
        session.info[_HELD] = (transaction, held)
    return cast(set[int], held)


def _record(session: AsyncSession, held: set[int]) -> None:
    """After a lock statement: the transaction it began (if it began one) owns what is held."""
    session.info[_HELD] = (session.sync_session.get_transaction(), held)


async def _lock(session: AsyncSession, key: int) -> bool:
    held = _held(session)
    if held is None or key in held:
        return False
    with session.no_autoflush:  # what the unit of work changed so far is flushed at commit
        await session.exec(_LOCK, params={"key": key})  # type: ignore[call-overload]
    held.add(key)
    _record(session, held)
    return True


async def lock_learner(session: AsyncSession, learner_id: int) -> bool:
    """Wait until no other unit of work holds the learner, then hold them until commit; whether
    the lock was taken just now (what was read of them before may be out of date)."""
    return await _lock(session, learner_id)


async def lock_group(session: AsyncSession, chat_id: int) -> bool:
    """Wait until no other unit of work holds the class (a group chat), then hold it until commit."""
    return await _lock(session, chat_id)


async def try_lock_learners(session: AsyncSession, learner_ids: Iterable[int]) -> set[int]:
    """Hold those of the learners no other unit of work holds, without waiting; the ids held."""
    wanted = set(learner_ids)
    held = _held(session)
    if held is None:
        return wanted
    missing = sorted(wanted - held)
    if missing:
        with session.no_autoflush:
            result = await session.exec(_TRY, params={"keys": missing})  # type: ignore[call-overload]
        held.update(int(key) for key in result.scalars().all())
        _record(session, held)
    return wanted & held


def for_update(session: AsyncSession) -> bool:
    """Whether rows read to be changed are locked as they are read (`FOR UPDATE`): PostgreSQL."""
    return _held(session) is not None


def claim(session: AsyncSession, statement: Statement, *, of: Any = None) -> Statement:
    """A SELECT of outbox rows to lease: on PostgreSQL, `FOR UPDATE SKIP LOCKED` (rows another
    instance is leasing are left to it); SQLite takes the statement as it is (its writers take
    turns)."""
    if _held(session) is None:
        return statement
    chosen: Statement = cast(Any, statement).with_for_update(skip_locked=True, of=of)
    return chosen
