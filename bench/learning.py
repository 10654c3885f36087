"""Does the tutor beat the baselines for a learner doing one short set a day? Two learner models.

Simulated learners revise the real bank for their awarding body (bodies taken in turn) on a fake
clock, at human pace: one set a day of 10 to 20 prompts (varying by learner and day), 15 to 40
seconds a prompt, starting at a different time each evening. The tutor is the real selector
(`bot.tutor.selection.next_item`), driven through `SetContext` as the bot drives it, with the real
FSRS updates (`bot.tutor.memory.review`); it never sees a learner's hidden state, only right and
wrong answers. Every policy faces the same learners with the same schedules and random seeds.

Two learner models (docs/adaptive.md writes both down):

- *synthetic*: hidden ability per area and difficulty per item, a power forgetting curve, and
  stability that grows most when a recall was hard (the model the tutor was first tuned on);
- *consolidating*: written separately as a check on the first: FSRS-6's published memory model
  as ground truth, personalised by hidden per-area ability, per-item difficulty and a per-learner
  forgetting curve, in which memory consolidates only across days (a repetition within the same
  day adds little stability).

The exam-date scenario (`--exam-learners`, 0 to skip it): each learner has an exam N days ahead
(`--exam-days`, 14, 28 and 56 by default) and revises until the evening before; the figure is the
share of learners whose true recall, averaged over every item of each area, is at least MASTERY
in every area at the start of the exam (09:00 on day N). The tutor with the date
(`next_item(..., exam=...)`), the tutor without it, plain FSRS and round-robin face the same
learners, under three sets of assumptions (`EXAM_VARIANTS`): a set every day, a set on three days
a week, and short sets of 5 to 8 prompts.

Run: .venv/bin/python bench/learning.py [--learners N] [--days D] [--seed S] [--workers W]
     [--exam-learners L] [--exam-days 14,28,56]
The last line printed is one JSON object with the figures, per model (the exam-date scenario's
under `exam_date`).
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing as mp
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

import numpy as np
from fsrs import Card, Rating, Scheduler

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.config import CONTENT_DIR
from bot.tutor.evidence import area_evidence, weakest_area
from bot.tutor.examdate import ExamPlan, exam_moment
from bot.tutor.memory import ItemMemory, micros, review
from bot.tutor.selection import MAX_RUN, Reason, SetContext, due_retry, next_item
from content.loader import load_bank
from content.schema import Answerable, ExamQuestion, MetricDrill, MultipleChoice, TrueFalse

START = datetime(2026, 1, 5, 18, 0, tzinfo=UTC)  # day 0's set starts around 18:00
DAY = 86_400.0
SET_SIZE = (10, 20)  # prompts in a day's set, before retries
PACE = (15.0, 40.0)  # seconds a prompt takes
SET_START_SPREAD = (-2.0, 3.0)  # hours around 18:00 at which a day's set starts
MASTERY = 0.8  # true recall, in every area, that counts as mastered
EXAM_DELAY = DAY  # mastery is judged as "if the exam were tomorrow"
BUDGET_DAYS = 14  # the fortnight after which recall and the weakest area are judged
BODIES = ("icq", "proqual", "highfield", "pearson", "generic")
TOLERANCE = 0.05  # for the looser agreement figure: the named area is within this of the weakest


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


class Learner(Protocol):
    """A simulated learner's hidden memory of one bank."""

    def practise(self, i: int, at: float) -> bool:
        """Meet item i at `at` (seconds since START): answer (maybe by guessing), read why, learn."""
        ...

    def recall(self, index: np.ndarray, at: float) -> np.ndarray:
        """The true probability of recalling each item at `at` (guessing aside)."""
        ...


# --- model 1: the synthetic learner ------------------------------------------------------------

PRIOR_OFFSET = 1.5  # prior knowledge of an unseen item: sigmoid(ability - difficulty - 1.5)
FIRST_STABILITY = 1.0  # days, for an average item learnt once
LAPSE_STABILITY = 0.4  # days, after seeing the answer to an item not recalled
GROWTH = 2.5  # how much a successful recall extends memory, more when recall was hard
CONCEPT_TRANSFER = 0.6  # a challenge's prior rises to this share of its concept's recall
FACTOR, DECAY = 19 / 81, -0.5  # the forgetting curve's shape: recall = (1 + F t / S) ** D


class SyntheticLearner:
    """Model 1: a power forgetting curve over a prior, stability grown by effortful recall."""

    def __init__(self, world: World, seed: int) -> None:
        rng = random.Random(seed)
        self.world = world
        self.ability = {area: rng.gauss(0, 1) for area in world.areas}
        theta = np.array([self.ability[world.areas[a]] for a in world.area_of])
        self.difficulty = np.array([rng.gauss(0, 0.6) for _ in world.items])
        self.prior = 1 / (1 + np.exp(-(theta - self.difficulty - PRIOR_OFFSET)))
        n = len(world.items)
        self.stability = np.zeros(n)  # days; 0 for never studied
        self.studied_at = np.full(n, np.nan)  # seconds since START
        self.rng = random.Random(seed + 1)

    def recall(self, index: np.ndarray, at: float) -> np.ndarray:
        stability = self.stability[index]
        elapsed = np.maximum(0.0, (at - np.nan_to_num(self.studied_at[index], nan=at)) / DAY)
        memory = np.where(stability > 0, (1 + FACTOR * elapsed / np.maximum(stability, 1e-9)) ** DECAY, 0.0)
        prior = self.prior[index]
        recalled: np.ndarray = prior + (1 - prior) * memory
        return recalled

    def practise(self, i: int, at: float) -> bool:
        world = self.world
        theta = self.ability[world.areas[world.area_of[i]]]
        strength = math.exp(0.5 * (theta - self.difficulty[i]))
        r = float(self.recall(np.array([i]), at)[0])
        knows = self.rng.random() < r
        correct = knows or self.rng.random() < world.guess[i]
        if self.stability[i] == 0:
            self.stability[i] = FIRST_STABILITY * strength * (2 if knows else 1)
        elif knows:
            memory = (r - self.prior[i]) / max(1 - self.prior[i], 1e-9)
            self.stability[i] *= 1 + GROWTH * strength * (1 - memory)
        else:
            self.stability[i] = max(LAPSE_STABILITY * strength, self.stability[i] * 0.3)
        self.studied_at[i] = at
        for challenge in world.tests.get(i, []):  # a concept studied helps the challenges it teaches
            here = float(self.recall(np.array([i]), at)[0])
            self.prior[challenge] = max(self.prior[challenge], CONCEPT_TRANSFER * here)
        return correct


# --- model 2: the consolidating learner --------------------------------------------------------

# FSRS-6's published default parameters: the population's average memory, used as ground truth.
W = (0.212, 1.2931, 2.3065, 8.2956, 6.4133, 0.8334, 3.0194, 0.001, 1.8722, 0.1666, 0.796, 1.4835,
     0.0614, 0.2629, 1.6483, 0.6014, 1.8729, 0.5425, 0.0912, 0.0658, 0.1542)  # fmt: skip
CONSOLIDATION = 0.5  # days: a repetition sooner than this after the last is "the same day"
AREA_SPREAD = 0.6  # standard deviation of hidden ability between a learner's areas (log scale)
LEARNER_SPREAD = 0.3  # and of a learner's general ability
ITEM_SPREAD = 0.4  # and of items' hidden difficulty
DECAY_SPREAD = 0.3  # a learner's forgetting curve: FSRS-6's decay times exp(N(0, 0.3))
TRANSFER = 0.3  # studying a concept gives a challenge it teaches, if unmet, this share of its stability


class ConsolidatingLearner:
    """Model 2: FSRS-6 memory as ground truth, personalised, consolidating only across days.

    Each item's memory has a stability S (days) and a difficulty D (1-10). Recall after t days is
    (1 + f t / S) ** -decay. A learner's ability in an area and an item's difficulty set a
    multiplier k = exp(ability - difficulty) on first stability and on how much a recall grows
    it, and the item's D. A study on a later day updates S by FSRS-6's long-term rules (a
    successful recall grows it most when recall was hard; a failed one cuts it); a study on the
    same day uses FSRS-6's short-term rule, which adds little. Some items are known before the
    course (studied weeks ago); a concept studied gives its challenges a first weak memory.
    """

    def __init__(self, world: World, seed: int) -> None:
        rng = random.Random(seed)
        self.world = world
        general = rng.gauss(0, LEARNER_SPREAD)
        ability = {area: general + rng.gauss(0, AREA_SPREAD) for area in world.areas}
        theta = np.array([ability[world.areas[a]] for a in world.area_of])
        offset = np.array([rng.gauss(0, ITEM_SPREAD) for _ in world.items])
        self.k = np.exp(theta - offset)
        self.item_difficulty = np.clip(5.0 - 1.5 * (theta - offset), 1.0, 10.0)
        self.decay = W[20] * math.exp(rng.gauss(0, DECAY_SPREAD))
        self.factor = 0.9 ** (-1 / self.decay) - 1
        n = len(world.items)
        self.stability = np.zeros(n)  # 0: no memory at all
        self.difficulty = self.item_difficulty.copy()
        self.studied_at = np.full(n, np.nan)
        for i in range(n):  # known before the course: studied some weeks ago
            if rng.random() < 1 / (1 + math.exp(-(theta[i] - offset[i] - 1.5))):
                self.stability[i] = W[2] * self.k[i] * rng.uniform(1, 4)
                self.studied_at[i] = -rng.uniform(10, 60) * DAY
        self.rng = random.Random(seed + 1)

    def recall(self, index: np.ndarray, at: float) -> np.ndarray:
        stability = self.stability[index]
        elapsed = np.maximum(0.0, (at - np.nan_to_num(self.studied_at[index], nan=at)) / DAY)
        recalled: np.ndarray = np.where(
            stability > 0, (1 + self.factor * elapsed / np.maximum(stability, 1e-9)) ** -self.decay, 0.0
        )
        return recalled

    def practise(self, i: int, at: float) -> bool:
        r = float(self.recall(np.array([i]), at)[0])
        knows = self.rng.random() < r
        correct = knows or self.rng.random() < self.world.guess[i]
        grade = 3 if knows else 1  # not recalled (even if guessed right): they learn from the answer
        s, d, k = self.stability[i], self.difficulty[i], self.k[i]
        if s == 0:
            s = W[0] * k
        elif (at - self.studied_at[i]) / DAY < CONSOLIDATION:
            s = s * math.exp(W[17] * (grade - 3 + W[18])) * s ** -W[19]
            if knows:
                s = max(s, self.stability[i])
        elif knows:
            growth = math.exp(W[8]) * (11 - d) * s ** -W[9] * (math.exp(W[10] * (1 - r)) - 1)
            s = s * (1 + growth * k)
        else:
            s = min(s, W[11] * d ** -W[12] * ((s + 1) ** W[13] - 1) * math.exp(W[14] * (1 - r)))
        if s != 0 and not knows:
            s = max(s, 0.5 * W[0] * k)  # reading the answer leaves at least a fresh trace
        if self.stability[i] > 0:  # difficulty moves with each rated review, towards the item's own
            d = d - W[6] * (grade - 3) * (10 - d) / 9
            d = float(np.clip(W[7] * self.item_difficulty[i] + (1 - W[7]) * d, 1.0, 10.0))
        self.stability[i], self.difficulty[i], self.studied_at[i] = s, d, at
        for challenge in self.world.tests.get(i, []):
            if self.stability[challenge] == 0:
                self.stability[challenge] = TRANSFER * s
                self.studied_at[challenge] = at
        return correct


MODELS: dict[str, Callable[[World, int], Learner]] = {
    "synthetic": SyntheticLearner,
    "consolidating": ConsolidatingLearner,
}


def area_recall(learner: Learner, world: World, at: float, met: np.ndarray | None = None) -> np.ndarray:
    """Mean true recall per area at `at`, over all the area's items or (with `met`) the items met."""
    recall = learner.recall(np.arange(len(world.items)), at)
    weights = np.ones(len(world.items)) if met is None else met.astype(float)
    counts = np.bincount(world.area_of, weights=weights, minlength=len(world.areas))
    sums = np.bincount(world.area_of, weights=recall * weights, minlength=len(world.areas))
    return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)


def judge(learner: Learner, world: World, exam: float) -> bool:
    """Whether the learner has mastered every area for an exam at `exam`."""
    return bool(np.min(area_recall(learner, world, exam)) >= MASTERY)


# --- a learner's days: when each set starts, how long it is, how long each prompt takes -------


@dataclass(frozen=True)
class Schedule:
    starts: list[float]  # seconds since START
    sizes: list[int]
    pace_seed: int


def make_schedule(seed: int, days: int) -> Schedule:
    rng = random.Random(seed)
    usual = rng.randint(*SET_SIZE)
    sizes = [min(SET_SIZE[1], max(SET_SIZE[0], usual + rng.randint(-3, 3))) for _ in range(days)]
    starts = [day * DAY + rng.uniform(*SET_START_SPREAD) * 3600 for day in range(days)]
    return Schedule(starts, sizes, seed + 3)


# --- policies ----------------------------------------------------------------------------------


@dataclass
class History:
    """What a policy can see: its records of each item (the bot's own), what it served."""

    records: dict[str, ItemMemory] = field(default_factory=dict)
    recent: list[str] = field(default_factory=list)
    cards: dict[str, Card] = field(default_factory=dict)  # plain FSRS's own scheduler state
    turn: int = 0
    learner: Learner | None = None  # only the oracle looks
    studied_at: dict[int, float] = field(default_factory=dict)


Policy = Callable[[World, History, datetime, SetContext, random.Random], tuple[Answerable, bool]]


def tutor(
    world: World, history: History, now: datetime, in_set: SetContext, _rng: random.Random
) -> tuple[Answerable, bool]:
    selection = next_item(world.items, history.records, now, history.recent[-(MAX_RUN + 1) :], in_set=in_set)
    assert selection is not None
    return selection.item, selection.reason is Reason.RETRY


def uniform_random(
    world: World, history: History, _now: datetime, _in_set: SetContext, rng: random.Random
) -> tuple[Answerable, bool]:
    last = history.recent[-1] if history.recent else None
    return rng.choice([item for item in world.items if item.id != last]), False


def round_robin(
    world: World, history: History, _now: datetime, _in_set: SetContext, _rng: random.Random
) -> tuple[Answerable, bool]:
    """Areas in turn; within an area the item practised longest ago (unseen first, syllabus order)."""
    area = world.areas[history.turn % len(world.areas)]
    history.turn += 1
    never = datetime.min.replace(tzinfo=UTC)
    records = history.records
    return min(
        (item for item in world.items if item.area == area),
        key=lambda item: (records[item.id].last_answered_at or never) if item.id in records else never,
    ), False


ANKI = Scheduler(enable_fuzzing=False)  # FSRS with its defaults: steps of 1 and 10 minutes, 90 %


def plain_fsrs(
    world: World, history: History, now: datetime, _in_set: SetContext, _rng: random.Random
) -> tuple[Answerable, bool]:
    """What Anki does: due cards first (most overdue first), then new items in syllabus order."""
    cards = history.cards
    last = history.recent[-1] if history.recent else None
    due = [item for item in world.items if item.id in cards and item.id != last and cards[item.id].due <= now]
    if due:
        return min(due, key=lambda item: cards[item.id].due), False
    new = [item for item in world.items if item.id not in cards]
    if new:
        return new[0], False
    return min((i for i in world.items if i.id != last), key=lambda item: cards[item.id].due), False


def oracle(
    world: World, history: History, now: datetime, _in_set: SetContext, _rng: random.Random
) -> tuple[Answerable, bool]:
    """Not a baseline: a policy that sees the learner's true memory (a yardstick for what is possible).

    Each item scores its true chance of being failed tomorrow, times one plus four times its
    area's shortfall (one minus the area's true recall tomorrow, over all its items); nothing
    studied in the last CONSOLIDATION days comes again while anything else remains."""
    assert history.learner is not None
    at = (now - START).total_seconds()
    tomorrow = history.learner.recall(np.arange(len(world.items)), at + DAY)
    by_area = np.bincount(world.area_of, weights=tomorrow) / np.bincount(world.area_of)
    score = (1 - tomorrow) * (1 + 4 * (1 - by_area[world.area_of]))
    for i, when in history.studied_at.items():
        if at - when < CONSOLIDATION * DAY:
            score[i] -= 10
    return world.items[int(np.argmax(score))], False


def oracle_retry(
    world: World, history: History, now: datetime, in_set: SetContext, rng: random.Random
) -> tuple[Answerable, bool]:
    """The oracle, paying the price the product promises: every miss comes back once in its set."""
    if (item_id := due_retry(in_set)) is not None:
        return world.items[world.index[item_id]], True
    return oracle(world, history, now, in_set, rng)


POLICIES: dict[str, Policy] = {
    "tutor": tutor,
    "random": uniform_random,
    "round_robin": round_robin,
    "plain_fsrs": plain_fsrs,
    "oracle": oracle,
    "oracle_retry": oracle_retry,
}
WITH_RETRIES = {"tutor", "oracle_retry"}  # policies that take a miss back within the set, as the bot does


def retried(item: Answerable) -> bool:
    """Whether a miss comes back within its set, as in the bot (never a written exam question)."""
    return not isinstance(item, ExamQuestion)


@dataclass
class Outcome:
    prompts_to_mastery: int | None
    prompts_served: int  # in all, up to mastery or the horizon
    recall_day14: float  # mean over areas of true recall over all items, a day after the 14th set
    weakest_day14: float  # the lowest of those
    agreement: bool  # area_evidence's weakest area is the true weakest over the items met
    near_agreement: bool  # ... or within TOLERANCE of it
    retries_first_fortnight: int
    prompts_first_fortnight: int


def run(policy_name: str, model: str, world: World, seed: int, schedule: Schedule, days: int) -> Outcome:
    policy = POLICIES[policy_name]
    learner = MODELS[model](world, seed)
    rng = random.Random(seed + 2)
    pace = random.Random(schedule.pace_seed)
    history = History(learner=learner)
    met = np.zeros(len(world.items), dtype=bool)
    mastered_at: int | None = None
    prompts = retries_14 = prompts_14 = 0
    recall_14 = weakest_14 = 0.0
    agreement = near = False
    for day in range(days):
        at = schedule.starts[day]
        position, total = 1, schedule.sizes[day]
        pending: list[tuple[str, int]] = []  # misses in this set not yet taken back
        taken_back: set[str] = set()  # at most one in-set retry per item per set
        while position <= total or pending:
            now = START + timedelta(seconds=at)
            item, is_retry = policy(world, history, now, SetContext(position, total, tuple(pending)), rng)
            i = world.index[item.id]
            correct = learner.practise(i, at)
            met[i] = True
            history.records[item.id] = review(history.records.get(item.id, ItemMemory()), correct, now)
            if policy_name == "plain_fsrs":
                card = history.cards.get(item.id) or Card(card_id=i)
                rating = Rating.Good if correct else Rating.Again
                history.cards[item.id], _ = ANKI.review_card(card, rating, now)
            history.recent.append(item.id)
            history.studied_at[i] = at
            pending = [(p, at_) for p, at_ in pending if p != item.id]
            if policy_name in WITH_RETRIES and not correct and item.id not in taken_back and retried(item):
                pending.append((item.id, position))
                taken_back.add(item.id)
            prompts += 1
            if day < BUDGET_DAYS:
                prompts_14 += 1
                retries_14 += is_retry
            # Judged every third prompt, to keep runs fast.
            if mastered_at is None and prompts % 3 == 0 and judge(learner, world, at + EXAM_DELAY):
                mastered_at = prompts
            position += 1
            at += pace.uniform(*PACE)
        if day + 1 == BUDGET_DAYS:
            moment = schedule.starts[day] + DAY
            over_all = area_recall(learner, world, moment)
            recall_14, weakest_14 = float(np.mean(over_all)), float(np.min(over_all))
            over_met = area_recall(learner, world, moment, met)
            evidence = area_evidence(world.items, history.records, START + timedelta(seconds=moment))
            named = weakest_area(evidence)
            if named is not None:
                truth = float(np.nanmin(over_met))
                agreement = bool(over_met[world.areas.index(named.area)] == truth)
                near = bool(over_met[world.areas.index(named.area)] <= truth + TOLERANCE)
        if mastered_at is not None and day + 1 >= BUDGET_DAYS:
            break
    return Outcome(mastered_at, prompts, recall_14, weakest_14, agreement, near, retries_14, prompts_14)


# --- the exam-date scenario --------------------------------------------------------------------

EXAM_POLICIES = ("tutor_with_date", "tutor", "plain_fsrs", "round_robin")


@dataclass(frozen=True)
class ExamVariant:
    """Assumptions about how a learner revises before their exam."""

    name: str
    days_a_week: int  # days with a set (the same weekdays every week, chosen per learner)
    set_size: tuple[int, int]  # prompts in a set, before retries


EXAM_VARIANTS = (
    ExamVariant("daily", 7, SET_SIZE),
    ExamVariant("three_days_a_week", 3, SET_SIZE),
    ExamVariant("short_sets", 7, (5, 8)),
)


def exam_schedule(seed: int, days: int, variant: ExamVariant) -> Schedule:
    """A learner's sets before an exam on day `days`: their usual weekdays, their usual set size."""
    rng = random.Random(seed)
    low, high = variant.set_size
    usual = rng.randint(low, high)
    weekdays = set(rng.sample(range(7), variant.days_a_week))
    starts, sizes = [], []
    for day in range(days):
        if day % 7 in weekdays:
            starts.append(day * DAY + rng.uniform(*SET_START_SPREAD) * 3600)
            sizes.append(min(high, max(low, usual + rng.randint(-2, 2))))
    return Schedule(starts, sizes, seed + 3)


def run_to_exam(
    policy_name: str, model: str, world: World, seed: int, schedule: Schedule, days: int
) -> tuple[bool, float]:
    """One learner revising until their exam on day `days`: whether every area is at MASTERY then,
    and the weakest area's true recall."""
    learner = MODELS[model](world, seed)
    rng = random.Random(seed + 2)
    pace = random.Random(schedule.pace_seed)
    history = History(learner=learner)
    exam_at = exam_moment(START.date() + timedelta(days=days), "UTC")
    policy = POLICIES["tutor" if policy_name == "tutor_with_date" else policy_name]
    for start, size in zip(schedule.starts, schedule.sizes, strict=True):
        at = start
        position, pending, taken_back = 1, list[tuple[str, int]](), set[str]()
        while position <= size or pending:
            now = START + timedelta(seconds=at)
            in_set = SetContext(position, size, tuple(pending))
            if policy_name == "tutor_with_date":
                plan = ExamPlan(exam_at.date(), now.date(), micros(exam_at))
                selection = next_item(
                    world.items,
                    history.records,
                    now,
                    history.recent[-(MAX_RUN + 1) :],
                    in_set=in_set,
                    exam=plan,
                )
                assert selection is not None
                item, _ = selection.item, selection.reason
            else:
                item, _ = policy(world, history, now, in_set, rng)
            i = world.index[item.id]
            correct = learner.practise(i, at)
            history.records[item.id] = review(history.records.get(item.id, ItemMemory()), correct, now)
            if policy_name == "plain_fsrs":
                card = history.cards.get(item.id) or Card(card_id=i)
                history.cards[item.id], _ = ANKI.review_card(
                    card, Rating.Good if correct else Rating.Again, now
                )
            history.recent.append(item.id)
            history.studied_at[i] = at
            pending = [(p, at_) for p, at_ in pending if p != item.id]
            tutor = policy_name in ("tutor", "tutor_with_date")
            if tutor and not correct and item.id not in taken_back and retried(item):
                pending.append((item.id, position))
                taken_back.add(item.id)
            position += 1
            at += pace.uniform(*PACE)
    weakest = float(np.min(area_recall(learner, world, (exam_at - START).total_seconds())))
    return weakest >= MASTERY, weakest


def run_exam_learner(
    job: tuple[str, int, int, int, str],
) -> tuple[str, int, str, dict[str, tuple[bool, float]]]:
    """Every exam policy on one learner of one model, one exam distance, one set of assumptions."""
    model, n, seed, days, variant_name = job
    if not _WORLDS:
        _load_worlds()
    variant = next(v for v in EXAM_VARIANTS if v.name == variant_name)
    world = _WORLDS[BODIES[n % len(BODIES)]]
    learner_seed = seed + 7919 * n
    schedule = exam_schedule(learner_seed + 5, days, variant)
    ready = {name: run_to_exam(name, model, world, learner_seed, schedule, days) for name in EXAM_POLICIES}
    return model, days, variant_name, ready


def exam_scenario(
    models: list[str], learners: int, distances: list[int], seed: int, workers: int
) -> dict[str, object]:
    """The exam-date scenario's figures: per model, assumptions and distance, each policy's share of
    learners with every area at MASTERY on exam day."""
    jobs = [
        (m, n, seed, d, v.name)
        for m in models
        for v in EXAM_VARIANTS
        for d in distances
        for n in range(learners)
    ]
    if workers > 1:
        with mp.get_context("fork").Pool(workers, initializer=_load_worlds) as pool:
            done = pool.map(run_exam_learner, jobs, chunksize=2)
    else:
        done = [run_exam_learner(job) for job in jobs]
    tally: dict[tuple[str, str, int], dict[str, int]] = {}
    weakest: dict[tuple[str, str, int], dict[str, float]] = {}
    for model, days, variant_name, ready in done:
        row = tally.setdefault((model, variant_name, days), dict.fromkeys(EXAM_POLICIES, 0))
        low = weakest.setdefault((model, variant_name, days), dict.fromkeys(EXAM_POLICIES, 0.0))
        for name, (ok, recall) in ready.items():
            row[name] += ok
            low[name] += recall / learners
    figures: dict[str, object] = {}
    for model in models:
        print(f"\nexam date, model: {model} (share of learners with every area >= {MASTERY} on exam day)")
        print(
            f"{'assumptions':<18} {'days':>4} "
            + " ".join(f"{name:>15}" for name in EXAM_POLICIES)
            + "   weakest area's recall: "
            + " ".join(f"{name:>15}" for name in EXAM_POLICIES)
        )
        per_variant: dict[str, object] = {}
        for variant in EXAM_VARIANTS:
            per_days: dict[str, object] = {}
            for days in distances:
                key = (model, variant.name, days)
                shares = {name: round(count / learners, 3) for name, count in tally[key].items()}
                lows = {name: round(value, 3) for name, value in weakest[key].items()}
                per_days[str(days)] = {"ready_share": shares, "weakest_recall": lows}
                print(
                    f"{variant.name:<18} {days:>4} "
                    + " ".join(f"{shares[name]:>15.0%}" for name in EXAM_POLICIES)
                    + " " * 25
                    + " ".join(f"{lows[name]:>15.3f}" for name in EXAM_POLICIES)
                )
            per_variant[variant.name] = per_days
        figures[model] = per_variant
    return figures


# --- the runs, in parallel over learners -------------------------------------------------------

_WORLDS: dict[str, World] = {}


def _load_worlds() -> None:
    bank = load_bank(CONTENT_DIR)
    _WORLDS.update({body: make_world(bank.for_body(body)) for body in BODIES})


def run_learner(job: tuple[str, int, int, int]) -> tuple[str, dict[str, Outcome]]:
    """Every policy on one learner of one model (the unit of work a worker process does)."""
    model, n, seed, days = job
    if not _WORLDS:
        _load_worlds()
    world = _WORLDS[BODIES[n % len(BODIES)]]
    learner_seed = seed + 7919 * n
    schedule = make_schedule(learner_seed + 5, days)
    return model, {name: run(name, model, world, learner_seed, schedule, days) for name in POLICIES}


def summarise(outcomes: dict[str, list[Outcome]]) -> dict[str, dict[str, float]]:
    summary: dict[str, dict[str, float]] = {}
    for name, runs in outcomes.items():
        # A learner who never got there within the horizon counts as every prompt served (a lower bound).
        counted = [o.prompts_to_mastery or o.prompts_served for o in runs]
        summary[name] = {
            "prompts_to_mastery": statistics.mean(counted),
            "median": statistics.median(counted),
            "reached_share": sum(o.prompts_to_mastery is not None for o in runs) / len(runs),
            "recall_day14": statistics.mean(o.recall_day14 for o in runs),
            "weakest_recall_day14": statistics.mean(o.weakest_day14 for o in runs),
            "weakest_area_agreement": statistics.mean(o.agreement for o in runs),
            "near_agreement": statistics.mean(o.near_agreement for o in runs),
            "retry_share": sum(o.retries_first_fortnight for o in runs)
            / max(1, sum(o.prompts_first_fortnight for o in runs)),
        }
    return summary


TARGETS = {
    "ratio_vs_round_robin": ("<=", 0.6),
    "ratio_vs_plain_fsrs": ("<=", 0.5),
    "weakest_recall_day14": (">=", 0.75),
    "weakest_area_agreement": (">=", 0.8),
}


def figures_of(summary: dict[str, dict[str, float]]) -> dict[str, object]:
    tutor_prompts = summary["tutor"]["prompts_to_mastery"]
    figures: dict[str, object] = {
        "ratio_vs_round_robin": round(tutor_prompts / summary["round_robin"]["prompts_to_mastery"], 3),
        "ratio_vs_plain_fsrs": round(tutor_prompts / summary["plain_fsrs"]["prompts_to_mastery"], 3),
        "weakest_recall_day14": round(summary["tutor"]["weakest_recall_day14"], 3),
        "weakest_area_agreement": round(summary["tutor"]["weakest_area_agreement"], 3),
    }
    figures["targets_met"] = {
        name: (figures[name] <= bound if op == "<=" else figures[name] >= bound)  # type: ignore[operator]
        for name, (op, bound) in TARGETS.items()
    }
    figures["ratio_vs_random"] = round(tutor_prompts / summary["random"]["prompts_to_mastery"], 3)
    figures["retry_share"] = round(summary["tutor"]["retry_share"], 3)
    for key in ("prompts_to_mastery", "reached_share", "weakest_recall_day14", "weakest_area_agreement"):
        figures[f"{key}_by_policy"] = {name: round(s[key], 3) for name, s in summary.items()}
    return figures


def print_table(model: str, summary: dict[str, dict[str, float]]) -> None:
    rr = summary["round_robin"]["prompts_to_mastery"]
    fsrs = summary["plain_fsrs"]["prompts_to_mastery"]
    print(f"\nmodel: {model}")
    print(
        f"{'policy':<12} {'to mastery':>10} {'median':>7} {'reached':>8} {'vs r-robin':>10} {'vs FSRS':>8} "
        f"{'recall@14':>9} {'weakest@14':>10} {'agreement':>9} {'near':>5} {'retries':>8}"
    )
    for name, s in summary.items():
        print(
            f"{name:<12} {s['prompts_to_mastery']:>10.1f} {s['median']:>7.0f} {s['reached_share']:>8.0%} "
            f"{s['prompts_to_mastery'] / rr:>10.2f} {s['prompts_to_mastery'] / fsrs:>8.2f} "
            f"{s['recall_day14']:>9.3f} {s['weakest_recall_day14']:>10.3f} "
            f"{s['weakest_area_agreement']:>9.0%} {s['near_agreement']:>5.0%} {s['retry_share']:>8.1%}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=100, help="learners per model")
    parser.add_argument("--days", type=int, default=80, help="horizon for reaching mastery")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--models", default=",".join(MODELS), help="comma-separated learner models")
    parser.add_argument("--workers", type=int, default=min(2, mp.cpu_count()))
    parser.add_argument(
        "--exam-learners",
        type=int,
        default=None,
        help="per model, assumptions and distance "
        "in the exam-date scenario (default: --learners, at most 40; 0 skips it)",
    )
    parser.add_argument("--exam-days", default="14,28,56", help="comma-separated days from start to exam")
    args = parser.parse_args(argv)
    models = [m for m in args.models.split(",") if m]
    if unknown := set(models) - set(MODELS):
        parser.error(f"unknown model(s): {', '.join(sorted(unknown))}")
    days = max(args.days, BUDGET_DAYS)

    started = time.perf_counter()
    jobs = [(model, n, args.seed, days) for model in models for n in range(args.learners)]
    results = {model: {name: list[Outcome]() for name in POLICIES} for model in models}
    if args.workers > 1:
        with mp.get_context("fork").Pool(args.workers, initializer=_load_worlds) as pool:
            done = pool.map(run_learner, jobs, chunksize=1)
    else:
        done = [run_learner(job) for job in jobs]
    for model, outcomes in done:
        for name, outcome in outcomes.items():
            results[model][name].append(outcome)
    elapsed = time.perf_counter() - started

    print(
        f"{args.learners} learners per model (bodies in turn), one set a day of {SET_SIZE[0]}-{SET_SIZE[1]} "
        f"prompts at {PACE[0]:.0f}-{PACE[1]:.0f} s each; mastery = true recall >= {MASTERY} over every "
        f"area's items, judged a day later; horizon {days} days; day-{BUDGET_DAYS} figures a day after "
        f"the {BUDGET_DAYS}th set; seed {args.seed}."
    )
    figures: dict[str, object] = {"learners": args.learners, "days": days, "seed": args.seed}
    per_model: dict[str, object] = {}
    for model in models:
        summary = summarise(results[model])
        print_table(model, summary)
        per_model[model] = figures_of(summary)
    figures["models"] = per_model
    exam_learners = min(args.learners, 40) if args.exam_learners is None else args.exam_learners
    if exam_learners > 0:
        distances = [int(d) for d in args.exam_days.split(",") if d]
        exam = exam_scenario(models, exam_learners, distances, args.seed, args.workers)
        figures["exam_date"] = {"learners": exam_learners, "mastery": MASTERY, "models": exam}
    elapsed = time.perf_counter() - started
    figures["seconds"] = round(elapsed, 1)
    print(f"({elapsed:.1f} s)")
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
