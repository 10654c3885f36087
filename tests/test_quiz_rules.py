"""Class quiz rules: points, the board, which items a round takes, and poll options."""

from __future__ import annotations

import random
from collections import Counter

from bot.tutor.class_quiz.rules import (
    POINTS_RIGHT,
    SPEED_BONUS_MAX,
    QuizItem,
    choose_round,
    fits_poll,
    leaderboard,
    match_body,
    points,
    poll_options,
)
from content.schema import MultipleChoice, TrueFalse
from tests.banks import shipped_bank

BANK = shipped_bank()
ITEMS: list[QuizItem] = [
    item for item in BANK.for_body(None) if isinstance(item, TrueFalse | MultipleChoice) and fits_poll(item)
]


def test_speed_never_outweighs_a_quarter_of_a_right_answer() -> None:
    assert points(True, 0, 30) == POINTS_RIGHT + SPEED_BONUS_MAX == 125
    assert points(True, 15, 30) == 112  # half the time left: half the bonus (rounded)
    assert points(True, 30, 30) == points(True, 45, 30) == 100
    assert points(False, 0.1, 30) == 0
    # The slowest right answer beats the fastest wrong one, and two slow rights beat one fast right.
    assert points(True, 29, 30) > points(False, 0, 30)
    assert 2 * points(True, 29, 30) > points(True, 0, 30) + points(False, 0, 30)


def test_ties_share_a_rank_and_the_board_stops_after_the_top_ten() -> None:
    totals = {1: (300, 3), 2: (250, 2), 3: (250, 2), 4: (100, 1)}
    assert [(s.rank, s.player_id) for s in leaderboard(totals)] == [(1, 1), (2, 2), (2, 3), (4, 4)]
    crowd = {n: (1000 - 10 * n, 5) for n in range(1, 15)}
    crowd[11] = crowd[10]  # a tie for tenth place keeps both
    board = leaderboard(crowd)
    assert [s.rank for s in board][-2:] == [10, 10] and len(board) == 11


def test_every_bank_item_that_fits_a_poll_is_playable() -> None:
    assert len(ITEMS) >= 100
    kinds = Counter(type(item).__name__ for item in ITEMS)
    assert kinds["TrueFalse"] and kinds["MultipleChoice"]


def test_true_false_options_stay_in_order_and_multiple_choice_is_shuffled_with_its_answer_tracked() -> None:
    tf = next(item for item in ITEMS if isinstance(item, TrueFalse) and not item.answer)
    assert poll_options(tf, 1) == (tf.statement, ["True", "False"], 1)
    mcq = next(item for item in ITEMS if isinstance(item, MultipleChoice) and item.shuffle)
    orders = set()
    for seed in range(10):
        _, options, correct = poll_options(mcq, seed)
        assert options[correct] == mcq.answer and sorted(options) == sorted(mcq.options)
        orders.add(tuple(options))
    assert len(orders) > 1


def test_a_round_leans_to_the_class_weakest_area_with_some_review() -> None:
    accuracy = {area.id: 0.9 for area in BANK.areas}
    accuracy["legislation"] = 0.2
    counts: Counter[str] = Counter()
    for seed in range(40):
        round_items = choose_round(ITEMS, accuracy, set(), 10, random.Random(seed))
        assert len(round_items) == 10 and len({i.id for i in round_items}) == 10  # no repeats
        counts.update(item.area for item in round_items)
    share = counts["legislation"] / sum(counts.values())
    assert share > 0.5  # leaning to the weakest
    assert len(counts) >= 6  # but reviewing the rest


def test_a_round_avoids_items_from_recent_rounds() -> None:
    first = choose_round(ITEMS, {}, set(), 10, random.Random(1))
    second = choose_round(ITEMS, {}, {item.id for item in first}, 10, random.Random(2))
    assert not {i.id for i in first} & {i.id for i in second}
    only = [ITEMS[0]]
    assert choose_round(only, {}, {ITEMS[0].id}, 3, random.Random(3)) == only  # better than nothing


def test_a_course_is_named_by_id_name_or_one_word_of_its_name_in_any_case() -> None:
    bodies = shipped_bank().catalogue.awarding_bodies
    assert match_body(bodies, "pearson") == "pearson"
    assert match_body(bodies, "  PEARSON   btec ") == "pearson"
    assert match_body(bodies, "BTEC") == "pearson"
    assert match_body(bodies, "ProQual") == "proqual"
    assert match_body(bodies, "All") == "all" and match_body(bodies, "all courses") == "all"
    assert match_body(bodies, "astrology") is None and match_body(bodies, "") is None
