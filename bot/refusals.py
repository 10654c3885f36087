"""Who was refused a group command, and when: a member repeating it is not told again for a minute.

A group gets 20 messages a minute from a bot; a member who sends /quiz thirty times must not spend
the group's allowance (nor Retain's requests) on thirty refusals.
"""

from __future__ import annotations

import time

QUIET_FOR = 60.0  # seconds a member who was refused is not refused again (a group gets 20 messages a minute)


class Refusals:
    """Who was refused a command, when: a member repeating it is not told again for a minute."""

    def __init__(self) -> None:
        self._when: dict[tuple[int, int], float] = {}

    def recent(self, chat_id: int, member_id: int) -> bool:
        """Whether this member was refused in this chat within the last minute."""
        at = self._when.get((chat_id, member_id))
        return at is not None and time.monotonic() - at < QUIET_FOR

    def note(self, chat_id: int, member_id: int) -> None:
        """Remember a refusal (and forget the ones that no longer matter)."""
        now = time.monotonic()
        self._when = {key: at for key, at in self._when.items() if now - at < QUIET_FOR}
        self._when[(chat_id, member_id)] = now

    def forget(self, chat_id: int) -> None:
        """The group's rules changed (say, anyone may now start rounds): refusals no longer stand."""
        self._when = {key: at for key, at in self._when.items() if key[0] != chat_id}
