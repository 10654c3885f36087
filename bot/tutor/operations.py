"""What an operator's health check and metrics ask of the core: plain answers, one read each."""

from __future__ import annotations

from dataclasses import dataclass

from bot.tutor.core import Core
from storage import ops


@dataclass(frozen=True)
class Operations:
    """Reads for /healthz and /metrics."""

    core: Core

    async def check_database(self) -> None:
        """Run a trivial query; raises whatever the database raises when it cannot be reached."""
        async with self.core.reads() as session:
            await ops.ping(session)

    async def running_rounds(self) -> int:
        """Class rounds running now, in every group."""
        async with self.core.reads() as session:
            return await ops.running_round_count(session)

    async def answers_recorded(self) -> int:
        """Answers recorded, all learners."""
        async with self.core.reads() as session:
            return await ops.answer_count(session)
