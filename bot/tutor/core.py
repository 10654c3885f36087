"""What every core service shares: the unit-of-work factory, the bank, the clock and randomness."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from bot.tutor.clock import Clock, system_clock
from bot.tutor.kept import KeptMemories
from content.schema import Bank
from storage.db import SessionFactory


@dataclass(frozen=True)
class Core:
    """The dependencies of the core services, built once by a front end's composition root."""

    sessions: SessionFactory
    bank: Bank
    default_timezone: str
    clock: Clock = system_clock
    rng: random.Random = field(default_factory=random.Random)
    memories: KeptMemories = field(default_factory=KeptMemories)  # learners' memories, read once
    read_only: SessionFactory | None = None  # units of work that only read (never wait for writers)

    @property
    def reads(self) -> SessionFactory:
        """The factory for a unit of work that only reads."""
        return self.read_only or self.sessions


class InvalidChoice(ValueError):
    """A setting outside what the tutor offers (forged button data, a time that is not a time...)."""
