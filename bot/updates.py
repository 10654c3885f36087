"""Updates handled in parallel, each chat's in order: a slow chart, a class round or a group's flood
limit never holds up another chat's reply.

python-telegram-bot hands every update to an update processor. This one keeps a queue per chat:
an update waits for the previous update of its chat, then for one of a bounded number of working
slots, so a chat with many waiting updates takes at most one slot.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.metrics import Metrics, chat_kind, update_kind

log = logging.getLogger(__name__)

QUEUED = 1024  # updates accepted at once (waiting for their chat or a slot)
WORKING = 32  # updates being worked on at once


def _chat_of(update: object) -> int | None:
    """The chat an update belongs to (a user's private chat for a poll answer), if any."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    return update.effective_user.id if update.effective_user is not None else None


class ChatOrderedProcessor(BaseUpdateProcessor):
    """Concurrent update processing that keeps each chat's updates in arrival order."""

    def __init__(self, working: int = WORKING, queued: int = QUEUED, metrics: Metrics | None = None) -> None:
        super().__init__(queued)
        self.metrics = metrics
        self._slots = asyncio.Semaphore(working)
        self._tails: dict[int | None, asyncio.Future[None]] = {}
        self._busy = 0
        self._idle = asyncio.Event()
        self._idle.set()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Wait for the chat's previous update, then a slot; then handle this one."""
        chat = _chat_of(update)
        previous = self._tails.get(chat)
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._tails[chat] = done
        self._busy += 1
        self._idle.clear()
        arrived = time.perf_counter()
        try:
            if previous is not None:
                await asyncio.shield(previous)
            async with self._slots:
                began = time.perf_counter()
                await coroutine
            done_at = time.perf_counter()
            kind = update_kind(update)
            if self.metrics is not None:
                self.metrics.updates.labels(kind).inc()
                self.metrics.latency.labels(kind).observe(done_at - arrived)
            if log.isEnabledFor(logging.DEBUG):  # never the text: its type, its chat's kind, timings
                log.debug(
                    "update type=%s chat=%s handler_ms=%.1f waited_ms=%.1f",
                    kind,
                    chat_kind(update),
                    (done_at - began) * 1000,
                    (began - arrived) * 1000,
                )
        finally:
            done.set_result(None)
            if self._tails.get(chat) is done:
                del self._tails[chat]
            self._busy -= 1
            if not self._busy:
                self._idle.set()

    @property
    def pending(self) -> int:
        """Updates waiting for their chat or a slot, or being handled."""
        return self._busy

    async def idle(self) -> None:
        """Wait until no update is waiting or being handled."""
        await self._idle.wait()

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down (the application waits for updates in progress)."""
