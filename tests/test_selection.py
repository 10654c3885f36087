"""The selector's rules, each pinned on a small hand-made bank, and the spacing arithmetic."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.tutor.memory import INTERVALS_AFTER_RIGHT, RETRY_AFTER_WRONG, ItemRecord, review
from bot.tutor.selection import Item, Reason, area_strength, next_item
from content.schema import ConceptCard, TrueFalse

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def concept(item_id: str, area: str) -> ConceptCard:
    return ConceptCard(
        id=item_id, area=area, bodies=["all"], sources=["000"], question="Q?", answer="A.", explanation="Why."
    )


def challenge(item_id: str, area: str, tests: list[str] | None = None) -> TrueFalse:
    return TrueFalse(
        id=item_id,
        area=area,
        bodies=["all"],
        sources=["000"],
        statement="S.",
        answer=True,
        explanation="Why.",
        tests=tests or [],
    )


def answered(correct: int, wrong: int, due_in: timedelta) -> ItemRecord:
    return ItemRecord(seen=correct + wrong, correct=correct, wrong=wrong, due_at=NOW + due_in)


BANK: list[Item] = [
    concept("crm-a", "crm"),
    challenge("tf-crm-a", "crm", tests=["crm-a"]),
    concept("crm-b", "crm"),
    concept("ret-a", "retention"),
    challenge("tf-ret-a", "retention", tests=["ret-a"]),
    concept("sat-a", "satisfaction"),
]


def test_a_new_learner_starts_with_a_concept_in_the_first_area() -> None:
    selection = next_item(BANK, {}, NOW)
    assert selection is not None
    assert (selection.item.id, selection.reason) == ("crm-a", Reason.NEW)


def test_due_reviews_come_before_new_items() -> None:
    records = {"sat-a": answered(1, 0, -timedelta(minutes=1))}
    selection = next_item(BANK, records, NOW)
    assert selection is not None
    assert (selection.item.id, selection.reason) == ("sat-a", Reason.DUE)


def test_due_reviews_from_the_weakest_area_first() -> None:
    records = {
        "crm-a": answered(3, 0, -timedelta(hours=2)),  # strong area, more overdue
        "ret-a": answered(0, 2, -timedelta(minutes=1)),  # weak area
    }
    selection = next_item(BANK, records, NOW)
    assert selection is not None and selection.item.id == "ret-a"


def test_within_an_area_the_most_overdue_review_first() -> None:
    records = {
        "crm-a": answered(1, 1, -timedelta(minutes=1)),
        "crm-b": answered(1, 1, -timedelta(hours=1)),
    }
    selection = next_item(BANK, records, NOW)
    assert selection is not None and selection.item.id == "crm-b"


def test_new_items_come_from_the_weakest_area() -> None:
    records = {
        "crm-a": answered(2, 0, timedelta(days=1)),
        "ret-a": answered(0, 2, timedelta(days=1)),
    }
    selection = next_item(BANK, records, NOW)
    assert selection is not None
    assert (selection.item.id, selection.reason) == ("tf-ret-a", Reason.NEW)


def test_an_area_never_answered_counts_between_good_and_bad() -> None:
    strength = area_strength(
        BANK, {"crm-a": answered(2, 0, timedelta(days=1)), "ret-a": answered(0, 1, timedelta())}
    )
    assert strength["retention"] < strength["satisfaction"] == 0.5 < strength["crm"]


def test_a_concept_is_taught_before_the_challenge_that_tests_it() -> None:
    bank: list[Item] = [challenge("tf-crm-a", "crm", tests=["crm-a"]), concept("crm-a", "crm")]
    selection = next_item(bank, {}, NOW)
    assert selection is not None and selection.item.id == "crm-a"
    # Once the concept is seen, its challenge may come.
    selection = next_item(bank, {"crm-a": answered(1, 0, timedelta(days=1))}, NOW, last_item_id="crm-a")
    assert selection is not None and selection.item.id == "tf-crm-a"


def test_a_challenge_whose_concept_the_learner_cannot_meet_is_ready() -> None:
    bank: list[Item] = [challenge("tf-crm-a", "crm", tests=["crm-elsewhere"])]
    selection = next_item(bank, {}, NOW)
    assert selection is not None and selection.item.id == "tf-crm-a"


def test_never_the_same_item_twice_in_a_row() -> None:
    records = {"crm-a": answered(0, 3, -timedelta(hours=1))}  # due, weakest, most overdue
    selection = next_item(BANK, records, NOW, last_item_id="crm-a")
    assert selection is not None and selection.item.id != "crm-a"


def test_a_single_item_bank_repeats_rather_than_stalls() -> None:
    only: list[Item] = [concept("only", "crm")]
    selection = next_item(only, {"only": answered(1, 0, timedelta(days=1))}, NOW, "only")
    assert selection is not None and selection.item.id == "only"


def test_when_everything_is_met_and_nothing_due_the_soonest_due_comes_early() -> None:
    records = {item.id: answered(1, 0, timedelta(days=3)) for item in BANK}
    records["ret-a"] = answered(1, 0, timedelta(hours=5))
    selection = next_item(BANK, records, NOW)
    assert selection is not None
    assert (selection.item.id, selection.reason) == ("ret-a", Reason.AHEAD)


def test_an_empty_bank_selects_nothing() -> None:
    assert next_item([], {}, NOW) is None


def test_a_wrong_answer_comes_back_within_minutes() -> None:
    after = review(ItemRecord(), correct=False, now=NOW)
    assert (after.seen, after.wrong, after.streak, after.due_at) == (1, 1, 0, NOW + RETRY_AFTER_WRONG)


def test_right_answers_in_a_row_space_out_then_hold() -> None:
    record = ItemRecord()
    gaps = []
    for _ in range(len(INTERVALS_AFTER_RIGHT) + 1):
        record = review(record, correct=True, now=NOW)
        assert record.due_at is not None
        gaps.append(record.due_at - NOW)
    assert gaps == [*INTERVALS_AFTER_RIGHT, INTERVALS_AFTER_RIGHT[-1]]
    assert record.correct == record.streak == len(gaps)


def test_a_wrong_answer_resets_the_streak() -> None:
    record = review(review(ItemRecord(), True, NOW), True, NOW)
    record = review(record, False, NOW)
    record = review(record, True, NOW)
    assert record.streak == 1 and record.due_at == NOW + INTERVALS_AFTER_RIGHT[0]
