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
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

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
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_RELEARNING = (int(State.Learning), int(State.Relearning))


def micros(moment: datetime) -> int:
    """An aware time as whole microseconds since 1970 (UTC): exact, like `timedelta` arithmetic."""
    return (moment - _EPOCH) // _MICROSECOND


def moment_of(us: int) -> datetime:
    """The aware UTC time `micros` gave `us` for."""
    return _EPOCH + timedelta(microseconds=us)


def retrievability(stability: float, answered_us: int, now_us: int) -> float:
    """FSRS's forgetting curve at `now_us` for a memory of this stability last answered at `answered_us`
    (elapsed time in fractional days, the arithmetic `recall` has always used: whole microseconds,
    to seconds, to days)."""
    elapsed = max(0.0, (now_us - answered_us) / 1_000_000 / _DAY)
    return float((1 + _FACTOR * elapsed / stability) ** _DECAY)


def recall(memory: ItemMemory, now: datetime) -> float:
    """FSRS's predicted probability that the learner recalls the item at `now` (0 if never seen).

    Elapsed time counts in fractional days (the `fsrs` package counts whole days, so an item
    reviewed this morning would read as untouched by time until midnight). FSRS's closed form,
    computed here from stability and elapsed time; the `fsrs` package is not called.
    """
    if memory.fsrs_state is None or memory.stability is None or memory.last_answered_at is None:
        return 0.0
    return retrievability(memory.stability, micros(memory.last_answered_at), micros(now))


def missed_last(memory: ItemMemory | ItemFacts) -> bool:
    """Whether the learner's latest answer to the item was wrong (nothing right since)."""
    return memory.wrong > 0 and memory.streak == 0


class ItemFacts(NamedTuple):
    """A learner's memory of one item as read in bulk: `ItemMemory`'s fields, times as whole
    microseconds since 1970 (UTC), so that a learner's every item can be read and weighed on each
    prompt without building a datetime or an object per item."""

    seen: int
    correct: int
    wrong: int
    streak: int
    answered_us: int | None  # ItemMemory.last_answered_at
    due_us: int | None  # ItemMemory.due_at
    fsrs_state: int | None
    fsrs_step: int | None
    stability: float | None
    difficulty: float | None

    @property
    def relearning(self) -> bool:
        """Whether the item is waiting on its short step after a miss (`ItemMemory.relearning`)."""
        return self.fsrs_state in _RELEARNING and self.wrong > 0

    def recall(self, now_us: int) -> float:
        """`recall` of the memory these facts describe, at `now_us` (the same arithmetic, to the bit)."""
        if self.fsrs_state is None or self.stability is None or self.answered_us is None:
            return 0.0
        return retrievability(self.stability, self.answered_us, now_us)

    def memory(self) -> ItemMemory:
        """The memory these facts describe."""
        return ItemMemory(
            self.seen,
            self.correct,
            self.wrong,
            self.streak,
            None if self.answered_us is None else moment_of(self.answered_us),
            None if self.due_us is None else moment_of(self.due_us),
            self.fsrs_state,
            self.fsrs_step,
            self.stability,
            self.difficulty,
        )


def facts_of(memory: ItemMemory) -> ItemFacts:
    """The facts of a memory (its times in microseconds)."""
    return ItemFacts(
        memory.seen,
        memory.correct,
        memory.wrong,
        memory.streak,
        None if memory.last_answered_at is None else micros(memory.last_answered_at),
        None if memory.due_at is None else micros(memory.due_at),
        memory.fsrs_state,
        memory.fsrs_step,
        memory.stability,
        memory.difficulty,
    )
