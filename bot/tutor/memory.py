"""Memory per item: FSRS (the maintained `fsrs` package), with steps chosen for a bot used briefly.

Grading: a right answer is Good (Easy for a "knew it" given quickly), a wrong one is Again.
FSRS's default learning steps (1 and 10 minutes) suit a long sitting at a desk; in a chat used a
few minutes a day they would mostly re-ask what was just seen. So one 5-minute step, used only
after a miss: a first right answer goes straight to spaced review, and a wrong answer (say a
misconception believed) comes back later in the same sitting (a sitting of 15 prompts takes
about 7 minutes), after a few other prompts.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from fsrs import Card, Rating, Scheduler, State

RETRY_AFTER_WRONG = timedelta(minutes=5)
DESIRED_RETENTION = 0.9
# A "knew it" revealed this soon after the card arrived is an easy recall.
FAST_RECALL = timedelta(seconds=8)

SCHEDULER = Scheduler(
    desired_retention=DESIRED_RETENTION,
    learning_steps=(RETRY_AFTER_WRONG,),
    relearning_steps=(RETRY_AFTER_WRONG,),
    maximum_interval=365,
    enable_fuzzing=False,  # reproducible schedules; nudges already spread load by local time
)


@dataclass(frozen=True)
class ItemMemory:
    """A learner's memory of one item: counts for statistics, FSRS state for timing.

    The fields have the names of the stored columns (`storage.models.ItemState`).
    """

    seen: int = 0
    correct: int = 0
    wrong: int = 0
    streak: int = 0
    last_answered_at: datetime | None = None
    due_at: datetime | None = None
    fsrs_state: int | None = None  # fsrs.State value
    fsrs_step: int | None = None
    stability: float | None = None
    difficulty: float | None = None

    def card(self) -> Card:
        """The FSRS card this record describes (a new card before the first answer)."""
        if self.fsrs_state is None:
            return Card(card_id=0)
        return Card(
            card_id=0,
            state=State(self.fsrs_state),
            step=self.fsrs_step,
            stability=self.stability,
            difficulty=self.difficulty,
            due=self.due_at,
            last_review=self.last_answered_at,
        )

    @property
    def relearning(self) -> bool:
        """Whether the item is waiting on its short step after a miss."""
        return self.fsrs_state in (State.Learning, State.Relearning) and self.wrong > 0


def rating_for(correct: bool, fast: bool = False) -> Rating:
    """Right is Good (Easy when fast), wrong is Again."""
    if not correct:
        return Rating.Again
    return Rating.Easy if fast else Rating.Good


def review(memory: ItemMemory, correct: bool, now: datetime, fast: bool = False) -> ItemMemory:
    """Return the memory of an item after one answer given at `now` (aware UTC)."""
    card, _log = SCHEDULER.review_card(memory.card(), rating_for(correct, fast), now)
    return replace(
        memory,
        seen=memory.seen + 1,
        correct=memory.correct + (1 if correct else 0),
        wrong=memory.wrong + (0 if correct else 1),
        streak=memory.streak + 1 if correct else 0,
        last_answered_at=now,
        due_at=card.due,
        fsrs_state=int(card.state),
        fsrs_step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
    )


_DECAY = -SCHEDULER.parameters[20]
_FACTOR = 0.9 ** (1 / _DECAY) - 1
_DAY = 86_400.0


def recall(memory: ItemMemory, now: datetime) -> float:
    """FSRS's predicted probability that the learner recalls the item at `now` (0 if never seen).

    Elapsed time counts in fractional days (the `fsrs` package counts whole days, so an item
    reviewed this morning would read as untouched by time until midnight).
    """
    if memory.fsrs_state is None or memory.stability is None or memory.last_answered_at is None:
        return 0.0
    elapsed = max(0.0, (now - memory.last_answered_at).total_seconds() / _DAY)
    return float((1 + _FACTOR * elapsed / memory.stability) ** _DECAY)


def missed_last(memory: ItemMemory) -> bool:
    """Whether the learner's latest answer to the item was wrong (nothing right since)."""
    return memory.wrong > 0 and memory.streak == 0
