"""Delivery receipts: which message shows which prompt, recorded after Telegram confirms the send.

A receipt is its own small unit of work, run off the update's path, so the learner's reply never
waits for it. A newer prompt uses it to take the buttons off the one it replaces.
"""

from __future__ import annotations

import asyncio
import logging

from bot.tutor.tutor import Tutor

log = logging.getLogger(__name__)

TASK_NAME = "delivery-receipts"  # every task recording a receipt is named so


class Receipts:
    """Records delivery receipts in the background."""

    def __init__(self, tutor: Tutor) -> None:
        self.tutor = tutor
        self._tasks: set[asyncio.Task[None]] = set()

    def record(self, prompt_id: int, message_id: int) -> None:
        """Remember, soon, that `message_id` shows prompt `prompt_id`."""
        task = asyncio.get_running_loop().create_task(self._record(prompt_id, message_id), name=TASK_NAME)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _record(self, prompt_id: int, message_id: int) -> None:
        try:
            await self.tutor.practice.shown(prompt_id, message_id)
        except Exception:  # a lost receipt only means an old prompt may keep its buttons
            log.exception("Could not record which message shows a prompt")

    async def idle(self) -> None:
        """Wait until every receipt so far is recorded."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
