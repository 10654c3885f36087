"""Class quiz rules as plain functions: which items make a round, poll options, points, the board.

Points reward accuracy first: a right answer is worth 100, and speed adds at most 25 on top (a
quarter of a right answer), so a slower learner who is right beats a fast one who is wrong, and
there is no compounding streak bonus to run away with the board.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from content import limits
from content.schema import ALL_BODIES, Answerable, AwardingBody, MultipleChoice, TrueFalse

POINTS_RIGHT = 100
SPEED_BONUS_MAX = POINTS_RIGHT // 4
RECENT_ROUNDS = 3  # items from the class's last rounds are avoided
REVIEW_SHARE = 0.3  # about this share of a round reviews areas other than the weakest
MIN_QUESTIONS, MAX_QUESTIONS = 1, 30  # per round
MIN_SECONDS, MAX_SECONDS = 10, 300  # per question
BOARD_TOP = 10  # places on the board

QuizItem = TrueFalse | MultipleChoice


def fits_poll(item: Answerable) -> bool:
    """Whether an item can be a native quiz poll (true/false or multiple choice within the limits)."""
    if isinstance(item, TrueFalse):
        question, options, explanation = item.statement, ["True", "False"], item.explanation
    elif isinstance(item, MultipleChoice):
        question, options, explanation = item.question, item.options, item.explanation
    else:
        return False
    return (
        len(question) <= limits.POLL_MAX_QUESTION
        and len(options) <= limits.POLL_MAX_OPTIONS
        and all(len(o) <= limits.POLL_MAX_OPTION for o in options)
        and len(explanation) <= limits.POLL_MAX_EXPLANATION
    )


def poll_options(item: QuizItem, seed: int) -> tuple[str, list[str], int]:
    """The question, its options in the order shown, and the index of the right one."""
    if isinstance(item, TrueFalse):
        return item.statement, ["True", "False"], 0 if item.answer else 1
    order = list(range(len(item.options)))
    if item.shuffle:
        random.Random(seed).shuffle(order)
    return item.question, [item.options[i] for i in order], order.index(0)


def match_body(bodies: Sequence[AwardingBody], text: str) -> str | None:
    """The awarding body `text` names (its id or name, any case, or one word of its name), `ALL_BODIES`
    for "all", or None when it names none (or more than one)."""
    wanted = " ".join(text.split()).casefold()
    if wanted in (ALL_BODIES, "all courses"):
        return ALL_BODIES
    exact = [b.id for b in bodies if wanted in (b.id, b.name.casefold())]
    loose = [b.id for b in bodies if wanted and wanted in b.name.casefold().split()]
    found = exact or loose
    return found[0] if len(found) == 1 else None


def points(correct: bool, elapsed: float, open_period: float) -> int:
    """Points for one answer: 100 if right, plus up to 25 for speed (nothing for a wrong one)."""
    if not correct:
        return 0
    share = max(0.0, 1 - elapsed / open_period) if open_period > 0 else 0.0
    return POINTS_RIGHT + round(SPEED_BONUS_MAX * share)


@dataclass(frozen=True)
class Standing:
    """One line of the leaderboard."""

    rank: int
    player_id: int
    points: int
    right: int


def leaderboard(totals: Mapping[int, tuple[int, int]], top: int = BOARD_TOP) -> list[Standing]:
    """Players by points (ties share a rank: 1, 1, 3), then the top `top` places (ties kept whole).

    `totals` maps a player to (points, right answers).
    """
    ordered = sorted(totals.items(), key=lambda pair: (-pair[1][0], -pair[1][1], pair[0]))
    standings: list[Standing] = []
    for position, (player, (score, right)) in enumerate(ordered, start=1):
        rank = standings[-1].rank if standings and standings[-1].points == score else position
        if rank > top:
            break
        standings.append(Standing(rank, player, score, right))
    return standings


def choose_round(
    candidates: Sequence[QuizItem],
    accuracy: Mapping[str, float],
    avoid: set[str],
    count: int,
    rng: random.Random,
) -> list[QuizItem]:
    """Items for a round: leaning to the class's weakest areas, with some review of the rest.

    Args:
        candidates: the poll-fitting items of the areas in play.
        accuracy: the class's accuracy per area so far (areas never played are absent).
        avoid: item ids from the class's last rounds (used only if nothing else is left).
        count: questions wanted.
        rng: randomness for this round.
    """
    fresh = [item for item in candidates if item.id not in avoid] or list(candidates)
    by_area: dict[str, list[QuizItem]] = {}
    for item in fresh:
        by_area.setdefault(item.area, []).append(item)
    for items in by_area.values():
        rng.shuffle(items)
    # Weakness: 1 - accuracy, an unplayed area counting as middling; squared to lean harder.
    weight = {area: (1 - accuracy.get(area, 0.5)) ** 2 + 0.02 for area in by_area}
    chosen: list[QuizItem] = []
    while len(chosen) < count and any(by_area.values()):
        areas = [area for area in by_area if by_area[area]]
        if rng.random() < REVIEW_SHARE:
            area = rng.choice(areas)
        else:
            area = rng.choices(areas, weights=[weight[a] for a in areas])[0]
        chosen.append(by_area[area].pop())
    return chosen
