"""Adaptive selection: a pure function of (bank, the learner's record, now) to the next item.

Rules, in order:
1. Never the item just served (unless it is the only one the learner can meet).
2. Reviews that are due come first, from the weakest topic area; within an area the most overdue.
3. Otherwise a new item from the weakest area that still has new items; a concept card is taught
   before the challenges (true/false, multiple choice, drills) that test it, and served first.
4. Otherwise (everything met and nothing due) the item due soonest, so practice never runs dry.

An area's strength is its accuracy with one imaginary right and one wrong answer added, so an
area with no answers counts as 0.5: below one answered well and above one answered badly.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.tutor.memory import ItemRecord
from content.schema import Answerable, ConceptCard

Item = Answerable


class Reason(StrEnum):
    """Why the selector chose an item."""

    DUE = "due"
    NEW = "new"
    AHEAD = "ahead"


@dataclass(frozen=True)
class Selection:
    """The next item and why it was chosen."""

    item: Item
    reason: Reason


def area_strength(items: Iterable[Item], records: Mapping[str, ItemRecord]) -> dict[str, float]:
    """Smoothed accuracy per topic area over the answers in `records`."""
    right: dict[str, int] = {}
    total: dict[str, int] = {}
    for item in items:
        record = records.get(item.id)
        right.setdefault(item.area, 0)
        total.setdefault(item.area, 0)
        if record is not None:
            right[item.area] += record.correct
            total[item.area] += record.correct + record.wrong
    return {area: (right[area] + 1) / (total[area] + 2) for area in total}


def _ready(item: Item, eligible_ids: set[str], records: Mapping[str, ItemRecord]) -> bool:
    """A challenge is ready once every concept that teaches it (and that the learner meets) was seen."""
    return all(ref in records or ref not in eligible_ids for ref in item.tests)


def next_item(
    items: Sequence[Item],
    records: Mapping[str, ItemRecord],
    now: datetime,
    last_item_id: str | None = None,
) -> Selection | None:
    """Choose the next item for a learner.

    Args:
        items: the items this learner can meet, in bank order (concepts before challenges
            within an area is the author's order, but the selector does not rely on it).
        records: the learner's record per item id (items never answered are absent).
        now: the current time, aware UTC.
        last_item_id: the item served last, never served twice in a row.

    Returns:
        The selection, or None when `items` is empty.
    """
    if not items:
        return None
    candidates = [item for item in items if item.id != last_item_id] or list(items)
    strength = area_strength(items, records)
    order = {area: index for index, area in enumerate(dict.fromkeys(item.area for item in items))}

    def area_rank(item: Item) -> tuple[float, int]:
        return strength[item.area], order[item.area]

    due = [
        item
        for item in candidates
        if (record := records.get(item.id)) is not None and record.due_at is not None and record.due_at <= now
    ]
    if due:
        chosen = min(due, key=lambda item: (area_rank(item), records[item.id].due_at))
        return Selection(chosen, Reason.DUE)

    eligible_ids = {item.id for item in items}
    fresh = [
        (index, item)
        for index, item in enumerate(candidates)
        if item.id not in records and _ready(item, eligible_ids, records)
    ]
    if fresh:
        _, chosen = min(
            fresh,
            key=lambda pair: (area_rank(pair[1]), not isinstance(pair[1], ConceptCard), pair[0]),
        )
        return Selection(chosen, Reason.NEW)

    seen = [item for item in candidates if item.id in records]
    if seen:
        far = datetime.max.replace(tzinfo=now.tzinfo)
        chosen = min(seen, key=lambda item: (records[item.id].due_at or far, area_rank(item)))
        return Selection(chosen, Reason.AHEAD)
    # Only challenges whose concept is the item just served remain: serve one anyway.
    return Selection(candidates[0], Reason.NEW)
