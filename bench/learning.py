"""Does the tutor beat random practice? Synthetic learners revising the real bank on a fake clock.

Each synthetic learner has a hidden ability per topic area and a forgetting curve (the model is
written down in docs/adaptive.md). Every policy faces the same learners with the same random
seeds; the tutor is the real selector (`bot.tutor.selection.next_item`) with the real FSRS state
updates (`bot.tutor.memory.review`). No Telegram, no database.

Run: .venv/bin/python bench/learning.py [--learners N] [--days D] [--per-day K] [--seed S]
The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.config import CONTENT_DIR
from bot.tutor.memory import ItemMemory, review
from bot.tutor.selection import next_item
from content.loader import load_bank
from content.schema import Answerable, MetricDrill, MultipleChoice, TrueFalse

START = datetime(2026, 1, 5, 18, 0, tzinfo=UTC)
SECONDS_PER_PROMPT = 30
MASTERY = 0.8  # true recall, in every area, that counts as mastered
EXAM_DELAY = timedelta(days=1)  # mastery is judged as "if the exam were tomorrow"
BODIES = ("icq", "proqual", "highfield", "pearson", "generic")

# The synthetic learner (see docs/adaptive.md).
PRIOR_OFFSET = 1.5  # prior knowledge of an unseen item: sigmoid(ability - difficulty - 1.5)
FIRST_STABILITY = 1.0  # days, for an average item learnt once
LAPSE_STABILITY = 0.4  # days, after seeing the answer to an item not recalled
GROWTH = 2.5  # how much a successful recall extends memory, more when recall was hard
CONCEPT_TRANSFER = 0.6  # a challenge's prior rises to this share of its concept's recall
FACTOR, DECAY = 19 / 81, -0.5  # the forgetting curve's shape: recall = (1 + F t / S) ** D


@dataclass
class Learner:
    """A synthetic learner's hidden state for one bank."""

    ability: dict[str, float]
    difficulty: np.ndarray
    prior: np.ndarray
    stability: np.ndarray  # days; 0 for never studied
    studied_at: np.ndarray  # seconds since START; nan for never studied
    rng: random.Random

    def recall(self, index: np.ndarray | int, at: float) -> np.ndarray:
        """True recall probability of items at time `at` (seconds since START)."""
        stability = self.stability[index]
        elapsed = np.maximum(0.0, (at - np.nan_to_num(self.studied_at[index], nan=at)) / 86400)
        memory = np.where(stability > 0, (1 + FACTOR * elapsed / np.maximum(stability, 1e-9)) ** DECAY, 0.0)
        prior = self.prior[index]
        recalled: np.ndarray = prior + (1 - prior) * memory
        return recalled


@dataclass
class World:
    """One bank for one awarding body, with the indexes the simulation needs."""

    items: list[Answerable]
    index: dict[str, int]
    area_of: np.ndarray
    areas: list[str]
    guess: np.ndarray
    tests: dict[int, list[int]] = field(default_factory=dict)  # concept index -> challenge indexes


def make_world(items: Sequence[Answerable]) -> World:
    index = {item.id: n for n, item in enumerate(items)}
    areas = sorted({item.area for item in items})
    area_of = np.array([areas.index(item.area) for item in items])
    guess = np.array([_guess_rate(item) for item in items])
    tests: dict[int, list[int]] = {}
    for n, item in enumerate(items):
        for ref in item.tests:
            if ref in index:
                tests.setdefault(index[ref], []).append(n)
    return World(list(items), index, area_of, areas, guess, tests)


def _guess_rate(item: Answerable) -> float:
    if isinstance(item, TrueFalse):
        return 0.5
    if isinstance(item, MultipleChoice):
        return 1 / len(item.options)
    if isinstance(item, MetricDrill):
        return 0.25  # one of four buttons
    return 0.0  # a concept card is graded by the learner, honestly


def make_learner(world: World, seed: int) -> Learner:
    rng = random.Random(seed)
    ability = {area: rng.gauss(0, 1) for area in world.areas}
    theta = np.array([ability[world.areas[a]] for a in world.area_of])
    difficulty = np.array([rng.gauss(0, 0.6) for _ in world.items])
    prior = 1 / (1 + np.exp(-(theta - difficulty - PRIOR_OFFSET)))
    n = len(world.items)
    return Learner(ability, difficulty, prior, np.zeros(n), np.full(n, np.nan), random.Random(seed + 1))


def practise(learner: Learner, world: World, i: int, at: float) -> bool:
    """The learner meets item i at time `at`: answers (maybe by guessing), reads why, and learns."""
    theta = learner.ability[world.areas[world.area_of[i]]]
    strength = math.exp(0.5 * (theta - learner.difficulty[i]))
    r = float(learner.recall(i, at))
    knows = learner.rng.random() < r
    correct = knows or learner.rng.random() < world.guess[i]
    if learner.stability[i] == 0:
        learner.stability[i] = FIRST_STABILITY * strength * (2 if knows else 1)
    elif knows:
        memory = (r - learner.prior[i]) / max(1 - learner.prior[i], 1e-9)
        learner.stability[i] *= 1 + GROWTH * strength * (1 - memory)
    else:
        learner.stability[i] = max(LAPSE_STABILITY * strength, learner.stability[i] * 0.3)
    learner.studied_at[i] = at
    for challenge in world.tests.get(i, []):  # a concept studied helps the challenges it teaches
        learner.prior[challenge] = max(
            learner.prior[challenge], CONCEPT_TRANSFER * float(learner.recall(i, at))
        )
    return correct


def area_recall(learner: Learner, world: World, at: float) -> np.ndarray:
    """Mean true recall per area at time `at`."""
    recall = learner.recall(np.arange(len(world.items)), at)
    return np.bincount(world.area_of, weights=recall) / np.bincount(world.area_of)


# --- policies: each picks the next item from (items, records, now, recent) ---------------------

Policy = Callable[
    [World, dict[str, ItemMemory], datetime, list[str], random.Random, dict[str, int]], Answerable
]


def tutor(
    world: World, records: dict[str, ItemMemory], now: datetime, recent: list[str], *_: object
) -> Answerable:
    selection = next_item(world.items, records, now, recent[-3:])
    assert selection is not None
    return selection.item


def uniform_random(
    world: World,
    _records: dict[str, ItemMemory],
    _now: datetime,
    recent: list[str],
    rng: random.Random,
    _state: dict[str, int],
) -> Answerable:
    choices = [item for item in world.items if not recent or item.id != recent[-1]]
    return rng.choice(choices)


def round_robin(
    world: World,
    records: dict[str, ItemMemory],
    _now: datetime,
    _recent: list[str],
    _rng: random.Random,
    state: dict[str, int],
) -> Answerable:
    """Areas in turn; within an area the item practised longest ago (unseen first, syllabus order)."""
    area = world.areas[state.setdefault("turn", 0) % len(world.areas)]
    state["turn"] += 1
    in_area = [item for item in world.items if item.area == area]
    never = datetime.min.replace(tzinfo=UTC)
    return min(
        in_area,
        key=lambda item: (records[item.id].last_answered_at or never) if item.id in records else never,
    )


def plain_fsrs(
    world: World, records: dict[str, ItemMemory], now: datetime, recent: list[str], *_: object
) -> Answerable:
    """What Anki does: due reviews first (most overdue first), then new items in syllabus order."""
    last = recent[-1] if recent else None
    due = [
        i for i in world.items if i.id in records and i.id != last and (records[i.id].due_at or now) <= now
    ]
    if due:
        return min(due, key=lambda item: records[item.id].due_at or now)
    new = [item for item in world.items if item.id not in records]
    if new:
        return new[0]
    return min((i for i in world.items if i.id != last), key=lambda item: records[item.id].due_at or now)


POLICIES: dict[str, Policy] = {
    "tutor": tutor,
    "random": uniform_random,
    "round_robin": round_robin,
    "plain_fsrs": plain_fsrs,
}


@dataclass
class Outcome:
    prompts_to_mastery: int | None
    recall_after_budget: float  # mean over areas of true recall, judged a day after the budget
    weakest_after_budget: float


def run(policy: Policy, world: World, seed: int, days: int, per_day: int, budget_days: int) -> Outcome:
    learner = make_learner(world, seed)
    rng = random.Random(seed + 2)
    records: dict[str, ItemMemory] = {}
    recent: list[str] = []
    state: dict[str, int] = {}
    mastered_at: int | None = None
    budget_recall = np.zeros(len(world.areas))
    prompts = 0
    for day in range(days):
        for k in range(per_day):
            at = (day * 86400) + k * SECONDS_PER_PROMPT
            now = START + timedelta(seconds=at)
            item = policy(world, records, now, recent, rng, state)
            i = world.index[item.id]
            correct = practise(learner, world, i, at)
            records[item.id] = review(records.get(item.id, ItemMemory()), correct, now)
            recent.append(item.id)
            prompts += 1
            if mastered_at is None and k % 3 == 2:  # judged every third prompt to keep the run fast
                exam = at + EXAM_DELAY.total_seconds()
                if area_recall(learner, world, exam).min() >= MASTERY:
                    mastered_at = prompts
        if day + 1 == budget_days:
            budget_recall = area_recall(learner, world, (day * 86400) + EXAM_DELAY.total_seconds())
            if mastered_at is not None:
                break
        if mastered_at is not None and day + 1 >= budget_days:
            break
    return Outcome(mastered_at, float(budget_recall.mean()), float(budget_recall.min()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=100)
    parser.add_argument("--days", type=int, default=80, help="horizon for reaching mastery")
    parser.add_argument("--per-day", type=int, default=15)
    parser.add_argument("--budget-days", type=int, default=14)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)

    bank = load_bank(CONTENT_DIR)
    worlds = {body: make_world(bank.for_body(body)) for body in BODIES}
    started = time.perf_counter()
    results: dict[str, list[Outcome]] = {name: [] for name in POLICIES}
    for n in range(args.learners):
        body = BODIES[n % len(BODIES)]
        for name, policy in POLICIES.items():
            results[name].append(
                run(policy, worlds[body], args.seed + 7919 * n, args.days, args.per_day, args.budget_days)
            )
    elapsed = time.perf_counter() - started

    horizon = args.days * args.per_day
    summary: dict[str, dict[str, float]] = {}
    for name, outcomes in results.items():
        reached = [o.prompts_to_mastery for o in outcomes if o.prompts_to_mastery is not None]
        # A learner who never got there within the horizon counts as the horizon (a lower bound).
        counted = [o.prompts_to_mastery or horizon for o in outcomes]
        summary[name] = {
            "prompts_to_mastery": statistics.mean(counted),
            "median_prompts_to_mastery": statistics.median(counted),
            "reached_share": len(reached) / len(outcomes),
            "recall_after_budget": statistics.mean(o.recall_after_budget for o in outcomes),
            "weakest_area_after_budget": statistics.mean(o.weakest_after_budget for o in outcomes),
        }
    base_random = summary["random"]["prompts_to_mastery"]
    base_rr = summary["round_robin"]["prompts_to_mastery"]

    print(
        f"{args.learners} synthetic learners (bodies in turn), {args.per_day} prompts a day; "
        f"mastery = true recall >= {MASTERY} in every area, judged a day later; "
        f"horizon {args.days} days; budget {args.budget_days} days."
    )
    print(
        f"{'policy':<12} {'prompts to mastery':>19} {'median':>7} {'reached':>8} {'vs random':>10} "
        f"{'vs round-robin':>15} {'recall@budget':>14} {'weakest@budget':>15}"
    )
    for name, s in summary.items():
        print(
            f"{name:<12} {s['prompts_to_mastery']:>19.1f} {s['median_prompts_to_mastery']:>7.0f} "
            f"{s['reached_share']:>8.0%} {s['prompts_to_mastery'] / base_random:>10.2f} "
            f"{s['prompts_to_mastery'] / base_rr:>15.2f} {s['recall_after_budget']:>14.3f} "
            f"{s['weakest_area_after_budget']:>15.3f}"
        )
    print(f"({elapsed:.1f} s)")
    figures = {
        "learners": args.learners,
        "per_day": args.per_day,
        "budget_days": args.budget_days,
        "horizon_days": args.days,
        "prompts_to_mastery": {k: round(v["prompts_to_mastery"], 1) for k, v in summary.items()},
        "reached_share": {k: round(v["reached_share"], 3) for k, v in summary.items()},
        "ratio_vs_random": round(summary["tutor"]["prompts_to_mastery"] / base_random, 3),
        "ratio_vs_round_robin": round(summary["tutor"]["prompts_to_mastery"] / base_rr, 3),
        "ratio_vs_plain_fsrs": round(
            summary["tutor"]["prompts_to_mastery"] / summary["plain_fsrs"]["prompts_to_mastery"], 3
        ),
        "recall_after_budget": {k: round(v["recall_after_budget"], 3) for k, v in summary.items()},
        "weakest_area_after_budget": {
            k: round(v["weakest_area_after_budget"], 3) for k, v in summary.items()
        },
        "seconds": round(elapsed, 1),
    }
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
