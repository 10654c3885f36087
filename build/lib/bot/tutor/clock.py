"""Time for the core: every service takes a clock, so tests can move time by hand."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """The real time, aware UTC."""
    return datetime.now(UTC)
