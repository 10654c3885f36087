"""Evidence per topic area (met, recall, readiness, the weakest area), and the selector acting on it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.tutor.evidence import area_adjustment, area_evidence, item_recall, weakest_area
from bot.tutor.memory import ItemMemory, recall, review
from bot.tutor.selection import next_item
from content.schema import Answerable, ConceptCard, TrueFalse

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
A_MINUTE_AGO = NOW - timedelta(minutes=1)


def concept(item_id: str, area: str) -> ConceptCard:
    return ConceptCard(
        id=item_id, area=area, bodies=["all"], sources=["000"], question="Q?", answer="A.", explanation="Why."
    )


def true_false(item_id: str, area: str) -> TrueFalse:
    return TrueFalse(
        id=item_id,
        area=area,
        bodies=["all"],
        sources=["000"],
        statement="S.",
        answer=True,
        explanation="Why.",
    )


def answered(correct: bool, at: datetime = A_MINUTE_AGO) -> ItemMemory:
    return review(ItemMemory(), correct, at)


# Area A: six items, five answered a minute ago, one of them right. Area B: three, two answered
# right a minute ago. Each has an item still unseen.
BANK: list[Answerable] = [
    *(concept(f"a{n}", "area-a") for n in range(6)),
    *(concept(f"b{n}", "area-b") for n in range(3)),
]
RECORDS = {
    "a0": answered(True),
    **{f"a{n}": answered(False) for n in range(1, 5)},
    "b0": answered(True),
    "b1": answered(True),
}


def test_one_right_of_five_is_weaker_than_two_right_of_two_and_the_tutor_goes_there() -> None:
    evidence = area_evidence(BANK, RECORDS, NOW)
    a, b = evidence["area-a"], evidence["area-b"]
    assert (a.met, a.answers, a.right) == (5, 5, 1) and (b.met, b.answers, b.right) == (2, 2, 2)
    assert a.recall is not None and b.recall is not None
    assert a.recall < b.recall
    assert a.recall <= 0.25  # four misses a minute ago count as not known, at once
    weakest = weakest_area(evidence)
    assert weakest is not None and weakest.area == "area-a"
    selection = next_item(BANK, RECORDS, NOW)
    assert selection is not None and selection.item.area == "area-a"


def test_a_miss_shows_at_once() -> None:
    bank: list[Answerable] = [concept("a0", "area-a"), concept("a1", "area-a")]
    before = {"a0": answered(True, NOW - timedelta(days=2)), "a1": answered(True, NOW - timedelta(days=2))}
    after = {**before, "a1": review(before["a1"], False, A_MINUTE_AGO)}
    was, now = area_evidence(bank, before, NOW)["area-a"], area_evidence(bank, after, NOW)["area-a"]
    assert was.recall is not None and now.recall is not None
    assert now.recall <= was.recall / 2 + 0.01  # one of two items now counts as not known
    assert item_recall(after["a1"], NOW) == 0
    assert item_recall(review(after["a1"], True, NOW), NOW) > 0  # until it is answered right again


def test_readiness_counts_unseen_items_as_not_known() -> None:
    bank: list[Answerable] = [concept(f"a{n}", "area-a") for n in range(4)]
    records = {"a0": answered(True, NOW)}
    e = area_evidence(bank, records, NOW)["area-a"]
    assert (e.items, e.met) == (4, 1)
    assert e.recall == pytest.approx(1.0) and e.readiness == pytest.approx(0.25)


def test_item_recall_is_fsrs_recall_moved_by_how_the_area_goes_against_the_learners_average() -> None:
    memory = answered(True, NOW - timedelta(days=5))
    assert item_recall(None, NOW) == 0 and item_recall(ItemMemory(), NOW) == 0
    assert item_recall(memory, NOW) == pytest.approx(recall(memory, NOW))
    assert item_recall(memory, NOW, adjustment=-0.2) == pytest.approx(recall(memory, NOW) - 0.2)
    assert item_recall(memory, NOW, adjustment=0.5) == 1  # never above certain
    adjustment = area_adjustment(BANK, RECORDS)
    assert adjustment["area-a"] < 0 < adjustment["area-b"]
    assert area_adjustment(BANK, {}) == {"area-a": 0.0, "area-b": 0.0}


def test_right_answers_by_lucky_guessing_do_not_count_as_skill() -> None:
    bank: list[Answerable] = [true_false(f"t{n}", "area-t") for n in range(8)]
    bank += [concept(f"c{n}", "area-c") for n in range(8)]
    # Half right on true/false is what guessing gives; half right on concept cards is knowledge.
    records = {f"t{n}": answered(n % 2 == 0) for n in range(8)} | {
        f"c{n}": answered(n % 2 == 0) for n in range(8)
    }
    adjustment = area_adjustment(bank, records)
    assert adjustment["area-t"] < 0 < adjustment["area-c"]


def test_the_weakest_area_is_chosen_only_among_areas_with_evidence() -> None:
    assert weakest_area(area_evidence(BANK, {}, NOW)) is None
    only_b = {"b0": answered(False)}
    evidence = area_evidence(BANK, only_b, NOW)
    assert not evidence["area-a"].started and evidence["area-a"].recall is None
    weakest = weakest_area(evidence)
    assert weakest is not None and weakest.area == "area-b"  # area A has no evidence either way
