"""Learners' memories kept in the process between updates, so that a learner whose item states have
not changed since is not read again: the read that loads the learner compares the tag the copy was
kept under with the learner's `memory_tag` and returns the item states only if they differ.

The tag changes whenever the learner's item states are written, in the same transaction, so a copy
kept under a tag is what the database holds for as long as the learner's row carries that tag. A
copy kept under a tag that never committed (its transaction rolled back) is simply never matched.
Each process keeps its own copies; the tags keep them right whatever the others write.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping

from bot.tutor.memory import ItemFacts

MAX_KEPT = 20_000  # item memories kept across learners (about 7 MB), least recently used dropped first


class KeptMemories:
    """Copies of learners' memories, each with the tag it is right for."""

    def __init__(self, limit: int = MAX_KEPT) -> None:
        self.limit = limit
        self._kept: OrderedDict[int, tuple[int, dict[str, ItemFacts]]] = OrderedDict()
        self._size = 0

    def get(self, learner_id: int) -> tuple[int, Mapping[str, ItemFacts]] | None:
        """The copy kept for a learner and its tag (never changed in place: `keep` replaces it)."""
        found = self._kept.get(learner_id)
        if found is not None:
            self._kept.move_to_end(learner_id)
        return found

    def keep(self, learner_id: int, tag: int, memories: Mapping[str, ItemFacts]) -> None:
        """Keep a copy of a learner's memories as they are under `tag`."""
        old = self._kept.pop(learner_id, None)
        if old is not None:
            self._size -= len(old[1])
        self._kept[learner_id] = (tag, dict(memories))
        self._size += len(memories)
        while self._size > self.limit and self._kept:
            _, (_, dropped) = self._kept.popitem(last=False)
            self._size -= len(dropped)

    def clear(self) -> None:
        """Keep nothing (the next read of every learner brings their item states)."""
        self._kept.clear()
        self._size = 0

    def __len__(self) -> int:
        return len(self._kept)
