"""Sets: practice in sessions with an end. N prompts, each miss retried before the set ends, a recap.

A set's state is worked out from its prompts (what was served, answered, missed and retried), so
nothing but the planned length needs storing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from bot.tutor.selection import SetContext

MIN_SET, MAX_SET = 5, 30
DEFAULT_SET = 10


@dataclass(frozen=True)
class SetState:
    """Where a set stands."""

    set_id: int
    size: int
    total: int  # planned length (the size, or more when late misses need their retries)
    served: int
    answered: int
    right: int
    retries: tuple[tuple[str, int], ...]  # missed items still to come back, with where they were missed
    course: str | None = None  # a homework set's pool: its class's course ("all": every body)...
    area: str | None = None  # ...and topic area (None: every area); no course: the learner's own

    @property
    def complete(self) -> bool:
        """Every planned prompt served and answered (or skipped), no retry waiting."""
        return self.served >= self.total and not self.retries

    def context(self) -> SetContext:
        """What the selector needs to serve the next prompt of the set."""
        return SetContext(self.served + 1, max(self.total, self.served + 1), self.retries)


class SetPrompt(NamedTuple):
    """A prompt of a set, as far as the set's state goes."""

    prompt_id: int
    item_id: str
    answered: bool
    correct: bool | None  # None before an answer
    position: int | None


def pending_retries(
    prompts: Sequence[SetPrompt], no_retry: Collection[str] = ()
) -> tuple[tuple[str, int], ...]:
    """Items missed in the set that have not come back since, oldest first (one retry per item).

    `no_retry`: items never asked again in the same set (a written exam question: writing the
    answer again minutes later tests nothing; its missed points bring it back in a later set).
    """
    served = Counter(p.item_id for p in prompts)
    pending = []
    for prompt in prompts:
        missed = prompt.answered and prompt.correct is False
        if (
            missed
            and served[prompt.item_id] == 1
            and prompt.position is not None
            and prompt.item_id not in no_retry
        ):
            pending.append((prompt.item_id, prompt.position))
    return tuple(pending)


def state_of(
    set_id: int,
    size: int,
    total: int,
    prompts: Sequence[SetPrompt],
    course: str | None = None,
    area: str | None = None,
    no_retry: Collection[str] = (),
) -> SetState:
    """A stored set (its id, size, planned length and pool) and its prompts (in serving order) as a state."""
    answered = [p for p in prompts if p.answered]
    return SetState(
        set_id,
        size,
        total,
        len(prompts),
        len(answered),
        sum(1 for p in answered if p.correct),
        pending_retries(prompts, no_retry),
        course,
        area,
    )


def extended_total(state: SetState) -> int:
    """The planned length once every waiting retry has a slot (the set grows for a late miss)."""
    return max(state.total, state.served + len(state.retries))
