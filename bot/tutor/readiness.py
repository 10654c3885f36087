"""Predicted exam scores: "if the exam were today" and "on exam day at your current pace". Pure.

- *Today*: each item of the learner's course counts with its recall now on the evidence
  (`evidence.weigh`: FSRS's recall moved by the area's accuracy; 0 for an item never met or last
  missed). An exam question counts as many times as it has marks, each mark with the recall of
  its marking point (`ExamQuestion.point_key`; a point never attempted counts 0; a question
  answered before its points were kept counts with its own recall). A score is the weighted mean.
- *On exam day*: the learner's pace over the last PACE_DAYS days (items newly met per day, and the
  share of days they revised) is projected onto the days left. An item met counts with its recall
  decayed to the exam, lifted towards its recall now by the share of days they revise (a learner
  who revises every day keeps what they know fresh; one who stops lets it fade). Items never met
  are met at the recent pace, spread over the areas (the plan covers every area), and count with
  the mean projected recall of the items met so far; a miss not yet put right counts as such an
  item too.

The model is rough (FSRS's default forgetting curve, not fitted to the learner; a pace that will
change), so a score is said as "about N%", to the nearest ROUND_TO points, with a range of
SPREAD points either side.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.tutor.evidence import weigh
from bot.tutor.examdate import ExamPlan
from bot.tutor.memory import ItemFacts, micros, missed_last, retrievability
from content.schema import POINT_SEPARATOR, Answerable, ExamQuestion

PACE_DAYS = 14  # the recent days whose pace is projected onto the days left
ROUND_TO = 5  # a predicted score is said to the nearest 5 points
SPREAD = 10  # and with a range of 10 points either side: the model is not more precise than that
_DAY_US = 86_400_000_000


@dataclass(frozen=True)
class Pace:
    """How the learner has revised over the last PACE_DAYS days."""

    new_per_day: float  # items met for the first time, per calendar day
    active_share: float  # the share of days with at least one answer


@dataclass(frozen=True)
class Forecast:
    """A predicted score (0..1), today and, with an exam date, on the day."""

    today: float
    exam_day: float | None = None


@dataclass(frozen=True)
class Readiness:
    """Predicted scores per area (by area id, areas of the course only) and overall."""

    areas: dict[str, Forecast]
    overall: Forecast
    pace: Pace
    days_left: int | None  # None without an exam date (or once it has passed)


def about(share: float) -> int:
    """A score as it is said: a whole percentage to the nearest ROUND_TO."""
    return int(ROUND_TO * round(share * 100 / ROUND_TO))


def span(share: float) -> tuple[int, int]:
    """The honest range around a score, in whole percentages within 0..100."""
    middle = about(share)
    return max(0, middle - SPREAD), min(100, middle + SPREAD)


def pace_of(
    answers: Sequence[tuple[str, int]], facts: Mapping[str, ItemFacts], now: datetime, zone: str
) -> Pace:
    """The pace over the last PACE_DAYS days from the latest answers ((item id, when in microseconds),
    any order): an item is newly met when every one of its answers is in that window."""
    start_us = micros(now - timedelta(days=PACE_DAYS))
    offset = now.astimezone(ZoneInfo(zone)).utcoffset()
    shift = micros(now + offset) - micros(now) if offset is not None else 0
    days: set[int] = set()
    in_window: dict[str, int] = {}
    for item_id, at_us in answers:
        if at_us < start_us:
            continue
        days.add((at_us + shift) // _DAY_US)
        if POINT_SEPARATOR not in item_id:
            in_window[item_id] = in_window.get(item_id, 0) + 1
    new = sum(1 for item_id, count in in_window.items() if (f := facts.get(item_id)) and f.seen <= count)
    return Pace(new / PACE_DAYS, min(1.0, len(days) / PACE_DAYS))


def predict(
    items: Sequence[Answerable],
    facts: Mapping[str, ItemFacts],
    now: datetime,
    pace: Pace,
    exam: ExamPlan | None = None,
) -> Readiness:
    """Predicted scores for the learner's course `items` (see the module notes)."""
    now_us = micros(now)
    weighed = weigh(items, facts, now_us)
    known, adjustment = weighed.known, weighed.adjustment
    planned = exam is not None and exam.active
    exam_us = exam.at_us if exam is not None else now_us
    # (area, weight, recall now, recall on the day or None when it waits to be met)
    rows: list[tuple[str, float, float, float | None]] = []

    def on_day(item_id: str, area: str) -> tuple[float, float | None]:
        memory = facts.get(item_id)
        if memory is None or not memory.seen:
            return 0.0, None
        if POINT_SEPARATOR in item_id:
            now_value = 0.0 if missed_last(memory) else memory.recall(now_us)
        else:
            now_value = known.get(item_id, 0.0)
        if missed_last(memory) or memory.stability is None or memory.answered_us is None:
            return now_value, None
        later = retrievability(memory.stability, memory.answered_us, exam_us)
        later = min(1.0, max(0.0, later + (0.0 if POINT_SEPARATOR in item_id else adjustment[area])))
        later = min(later, now_value)
        return now_value, later + pace.active_share * (now_value - later)

    for item in items:
        if isinstance(item, ExamQuestion):
            keys = [item.point_key(point.id) for point in item.points]
            if any(key in facts for key in keys):
                for key in keys:
                    rows.append((item.area, 1.0, *on_day(key, item.area)))
                continue
            rows.append((item.area, float(item.marks), *on_day(item.id, item.area)))
        else:
            rows.append((item.area, 1.0, *on_day(item.id, item.area)))

    met_days = [(w, later) for _, w, _, later in rows if later is not None]
    mean_met = sum(w * v for w, v in met_days) / sum(w for w, _ in met_days) if met_days else 0.0
    unmet = sum(w for _, w, _, later in rows if later is None)
    days_left = exam.days_left if exam is not None and planned else None
    coverage = min(1.0, pace.new_per_day * (days_left or 0) / unmet) if unmet else 0.0

    sums: dict[str, list[float]] = {}
    for area, weight, now_value, later in rows:
        row = sums.setdefault(area, [0.0, 0.0, 0.0])
        row[0] += weight
        row[1] += weight * now_value
        row[2] += weight * (later if later is not None else coverage * mean_met)

    def forecast(total: float, today: float, day: float) -> Forecast:
        if not total:
            return Forecast(0.0, 0.0 if planned else None)
        return Forecast(today / total, day / total if planned else None)

    areas = {area: forecast(*row) for area, row in sums.items()}
    overall = forecast(*(sum(row[n] for row in sums.values()) for n in range(3)))
    return Readiness(areas, overall, pace, days_left)
