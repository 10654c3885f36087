"""Who was refused a group command, and when: a member repeating it is not told again for a minute.

A group gets 20 messages a minute from a bot; a member who sends /quiz thirty times must not spend
the group's allowance (nor Retain's requests) on thirty refusals.
"""

from __future__ import annotations

import time

QUIET_FOR = 60.0  # seconds a member who was refused is not refused again (a group gets 20 messages a minute)


class Refusals:
    """Who was refused a command, when: a member repeating it is not told again for a minute.

    The same throttle serves other replies a group member could ask for again and again (`kind`:
    /help in a group, the pointer to the private chat), each kind counted on its own.
    """

    def __init__(self) -> None:
        self._when: dict[tuple[int, int, str], float] = {}

    def recent(self, chat_id: int, member_id: int, kind: str = "") -> bool:
        """Whether this member was refused (or told `kind`) in this chat within the last minute."""
        at = self._when.get((chat_id, member_id, kind))
        return at is not None and time.monotonic() - at < QUIET_FOR

    def note(self, chat_id: int, member_id: int, kind: str = "") -> None:
        """Remember a refusal (and forget the ones that no longer matter)."""
        now = time.monotonic()
        self._when = {key: at for key, at in self._when.items() if now - at < QUIET_FOR}
        self._when[(chat_id, member_id, kind)] = now

    def forget(self, chat_id: int) -> None:
        """The group's rules changed (say, anyone may now start rounds): refusals no longer stand."""
        self._when = {key: at for key, at in self._when.items() if key[0] != chat_id}
