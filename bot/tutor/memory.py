"""When an item comes back: the first version of per-item spacing (right answers space out)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

# A wrong answer comes back in the same sitting, after a few other prompts.
RETRY_AFTER_WRONG = timedelta(minutes=5)
# Intervals after 1, 2, 3... right answers in a row; the last one repeats.
INTERVALS_AFTER_RIGHT = (
    timedelta(days=1),
    timedelta(days=3),
    timedelta(days=7),
    timedelta(days=16),
    timedelta(days=35),
)


@dataclass(frozen=True)
class ItemRecord:
    """What a learner's record says about one item."""

    seen: int = 0
    correct: int = 0
    wrong: int = 0
    streak: int = 0
    last_answered_at: datetime | None = None
    due_at: datetime | None = None


def review(record: ItemRecord, correct: bool, now: datetime) -> ItemRecord:
    """Return the item's record after one answer given at `now` (UTC)."""
    if not correct:
        return replace(
            record,
            seen=record.seen + 1,
            wrong=record.wrong + 1,
            streak=0,
            last_answered_at=now,
            due_at=now + RETRY_AFTER_WRONG,
        )
    streak = record.streak + 1
    interval = INTERVALS_AFTER_RIGHT[min(streak, len(INTERVALS_AFTER_RIGHT)) - 1]
    return replace(
        record,
        seen=record.seen + 1,
        correct=record.correct + 1,
        streak=streak,
        last_answered_at=now,
        due_at=now + interval,
    )
