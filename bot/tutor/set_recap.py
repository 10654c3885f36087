"""The recap at the end of a set: how it went, the area that needs work, what comes back soon."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.tutor.memory import ItemFacts, micros
from bot.tutor.results import SetRecap
from bot.tutor.sets import SetPrompt, SetState
from content.schema import Bank
from storage.models import Learner


def end_of_tomorrow(now: datetime, timezone: str) -> datetime:
    """Midnight at the end of tomorrow, in the learner's zone."""
    zone = ZoneInfo(timezone)
    tomorrow = now.astimezone(zone).date() + timedelta(days=1)
    return datetime.combine(tomorrow + timedelta(days=1), datetime.min.time(), tzinfo=zone)


def recap_of(
    bank: Bank,
    state: SetState,
    prompts: Sequence[SetPrompt],
    memories: Mapping[str, ItemFacts],
    learner: Learner,
    answered_today: int,
    now: datetime,
) -> SetRecap:
    """Sum a finished set up for the learner."""
    misses: Counter[str] = Counter()
    for prompt in prompts:
        item = bank.answerable(prompt.item_id)
        if item is not None and prompt.answered and prompt.correct is False:
            misses[item.area] += 1
    weakest = bank.area(misses.most_common(1)[0][0]) if misses else None
    horizon = micros(end_of_tomorrow(now, learner.timezone))
    items = {prompt.item_id for prompt in prompts}
    back = sum(
        1
        for item_id in items
        if (m := memories.get(item_id)) is not None and m.due_us is not None and m.due_us < horizon
    )
    return SetRecap(
        state.set_id,
        state.served,
        state.answered,
        state.right,
        weakest,
        back,
        answered_today,
        learner.daily_goal,
    )
