"""The selector's rules, each pinned on a small hand-made bank; sets and their retries; FSRS memory."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

from fsrs import State

from bot.tutor.memory import RETRY_AFTER_WRONG, ItemMemory, missed_last, recall, review
from bot.tutor.selection import RETRY_GAP, Reason, SetContext, due_retry, next_item
from bot.tutor.streaks import advance_streak, answered_since, current_streak
from content.schema import Answerable, ConceptCard, TrueFalse

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


def learnt(days_ago: float, right: int = 1, wrong: int = 0) -> ItemMemory:
    """A record answered right `right` times (after `wrong` misses), last `days_ago` days ago."""
    record = ItemMemory()
    at = NOW - timedelta(days=days_ago)
    for n in range(wrong + right):
        record = review(record, n >= wrong, at - timedelta(minutes=(wrong + right - n) * 10))
    return record


def missed(minutes_ago: float) -> ItemMemory:
    """A record answered wrong `minutes_ago` minutes ago."""
    return review(ItemMemory(), False, NOW - timedelta(minutes=minutes_ago))


BANK: list[Answerable] = [
    concept("crm-a", "crm"),
    challenge("tf-crm-a", "crm", tests=["crm-a"]),
    concept("crm-b", "crm"),
    concept("ret-a", "retention"),
    challenge("tf-ret-a", "retention", tests=["ret-a"]),
    concept("sat-a", "satisfaction"),
]


def pick(
    bank: list[Answerable], records: dict[str, ItemMemory], recent: tuple[str, ...] = (), focus: bool = False
) -> str:
    selection = next_item(bank, records, NOW, recent, focus=focus)
    assert selection is not None
    return selection.item.id


def test_a_new_learner_starts_with_a_concept_in_the_first_area() -> None:
    selection = next_item(BANK, {}, NOW)
    assert selection is not None
    assert (selection.item.id, selection.reason) == ("crm-a", Reason.NEW)


def test_a_miss_comes_back_once_its_short_step_is_due() -> None:
    records = {"sat-a": missed(minutes_ago=6), "crm-a": learnt(days_ago=3)}
    selection = next_item(BANK, records, NOW, ("sat-a", "crm-a"))
    assert selection is not None
    assert (selection.item.id, selection.reason) == ("sat-a", Reason.RETRY)
    # ...and not before the step is up: then other work comes first.
    assert pick(BANK, {"sat-a": missed(minutes_ago=2)}, ("sat-a", "crm-a")) != "sat-a"


def test_misses_due_again_come_from_the_weakest_area_first() -> None:
    records = {
        "crm-a": missed(minutes_ago=30),
        "crm-b": learnt(days_ago=0.1, right=3),
        "ret-a": missed(minutes_ago=6),
        "tf-ret-a": review(missed(60), False, NOW - timedelta(minutes=40)),
    }
    # Retention is weaker (three misses in three answers), though crm-a is more overdue than ret-a;
    # within retention the most overdue miss first.
    assert pick(BANK, records) == "tf-ret-a"


def test_new_items_come_from_the_weakest_area() -> None:
    records = {
        "crm-a": learnt(days_ago=1, right=2),  # crm: known
        "sat-a": learnt(days_ago=1, right=2),  # satisfaction: known
        "ret-a": learnt(days_ago=1, right=1, wrong=2),  # retention: missed twice before
    }
    assert pick(BANK, records, ("crm-a", "sat-a")) == "tf-ret-a"


def test_due_reviews_in_the_weakest_area_come_before_those_in_a_strong_one() -> None:
    bank: list[Answerable] = [concept("crm-a", "crm"), concept("ret-a", "retention")]
    records = {
        "crm-a": learnt(days_ago=9, right=2),
        "ret-a": learnt(days_ago=9, right=1, wrong=2),
    }
    selection = next_item(bank, records, NOW)
    assert selection is not None
    assert (selection.item.id, selection.reason) == ("ret-a", Reason.DUE)


def test_an_area_never_met_is_not_left_behind_while_known_items_are_polished() -> None:
    records = {item.id: learnt(days_ago=2) for item in BANK if item.area != "satisfaction"}
    assert pick(BANK, records) == "sat-a"


def test_a_concept_is_taught_before_the_challenge_that_tests_it() -> None:
    bank: list[Answerable] = [challenge("tf-crm-a", "crm", tests=["crm-a"]), concept("crm-a", "crm")]
    assert pick(bank, {}) == "crm-a"
    assert pick(bank, {"crm-a": learnt(days_ago=0.01)}, ("crm-a",)) == "tf-crm-a"


def test_a_challenge_whose_concept_the_learner_cannot_meet_is_ready() -> None:
    bank: list[Answerable] = [challenge("tf-crm-a", "crm", tests=["crm-elsewhere"])]
    assert pick(bank, {}) == "tf-crm-a"


def test_never_the_same_item_twice_in_a_row() -> None:
    records = {"crm-a": missed(minutes_ago=60)}  # due, weakest, most overdue
    assert pick(BANK, records, ("crm-a",)) != "crm-a"


def test_no_third_prompt_in_a_row_from_one_area() -> None:
    bank: list[Answerable] = [concept(f"crm-{n}", "crm") for n in range(5)]
    bank.append(concept("ret-a", "retention"))
    records = {"ret-a": learnt(days_ago=0.01, right=3)}  # retention well known: crm is the weak one
    assert pick(bank, records, ("crm-0",)).startswith("crm-")
    assert pick(bank, records, ("crm-0", "crm-1")) == "ret-a"
    assert pick(bank, records, ("crm-0", "crm-1"), focus=True).startswith("crm-")  # unless /focus


def test_a_single_item_bank_repeats_rather_than_stalls() -> None:
    only: list[Answerable] = [concept("only", "crm")]
    assert pick(only, {"only": learnt(days_ago=1)}, ("only",)) == "only"


def test_when_everything_is_well_known_practice_goes_ahead_of_schedule() -> None:
    records = {item.id: learnt(days_ago=0.01, right=3) for item in BANK}
    selection = next_item(BANK, records, NOW)
    assert selection is not None and selection.reason is Reason.AHEAD


def test_an_empty_bank_selects_nothing() -> None:
    assert next_item([], {}, NOW) is None


def test_a_miss_in_a_set_comes_back_after_the_gap_or_at_the_end_of_the_set() -> None:
    assert due_retry(SetContext(position=3, total=10)) is None
    missed_at_2 = (("crm-a", 2),)
    for position in range(3, 3 + RETRY_GAP):  # RETRY_GAP other prompts first...
        assert due_retry(SetContext(position, 10, missed_at_2)) is None
    assert due_retry(SetContext(3 + RETRY_GAP, 10, missed_at_2)) == "crm-a"  # ...then back
    # Near the end, the retries still waiting take the last slots, and past it they extend the set.
    two = (("crm-a", 8), ("ret-a", 9))
    assert due_retry(SetContext(9, 10, two[:1])) is None
    assert due_retry(SetContext(10, 10, two)) == "crm-a"
    assert due_retry(SetContext(11, 10, two[1:])) == "ret-a"


def test_in_a_set_the_retry_is_served_when_due_and_not_before() -> None:
    records = {"sat-a": missed(minutes_ago=1), "crm-a": learnt(days_ago=3)}
    waiting = SetContext(position=3, total=10, retries=(("sat-a", 2),))
    early = next_item(BANK, records, NOW, ("sat-a", "crm-a"), in_set=waiting)
    assert early is not None and early.item.id != "sat-a"
    due = SetContext(position=2 + RETRY_GAP + 1, total=10, retries=(("sat-a", 2),))
    selection = next_item(BANK, records, NOW, ("sat-a", "crm-a"), in_set=due)
    assert selection is not None and (selection.item.id, selection.reason) == ("sat-a", Reason.RETRY)


def test_in_a_set_a_miss_comes_back_once_not_again_on_fsrs_short_step() -> None:
    # sat-a was missed, came back in this set, and was missed again ten minutes ago: its FSRS step
    # is due, but the set has had its one retry; it waits for another day.
    twice = review(missed(minutes_ago=12), False, NOW - timedelta(minutes=10))
    records = {"sat-a": twice, "crm-a": learnt(days_ago=3)}
    in_set = SetContext(position=8, total=10)
    inside = next_item(BANK, records, NOW, ("crm-a",), in_set=in_set)
    assert inside is not None and inside.item.id != "sat-a"
    outside = next_item(BANK, records, NOW, ("crm-a",))
    assert outside is not None and (outside.item.id, outside.reason) == ("sat-a", Reason.RETRY)


def test_nothing_answered_earlier_today_comes_again_while_other_items_remain() -> None:
    bank: list[Answerable] = [concept("crm-a", "crm"), concept("crm-b", "crm")]
    # crm-a was missed in this morning's set (and missed again on its retry): on the evidence it
    # is not known, but a second go the same day adds little; in this evening's set crm-b, met a
    # week ago, goes first.
    missed_twice = review(missed(minutes_ago=6 * 60 + 2), False, NOW - timedelta(hours=6))
    records = {"crm-a": missed_twice, "crm-b": learnt(days_ago=7, right=2)}
    evening = next_item(bank, records, NOW, in_set=SetContext(position=1, total=10))
    assert evening is not None and evening.item.id == "crm-b"
    # In the next day's set the miss comes first, as due.
    tomorrow = next_item(bank, records, NOW + timedelta(days=1), in_set=SetContext(position=1, total=10))
    assert tomorrow is not None and (tomorrow.item.id, tomorrow.reason) == ("crm-a", Reason.DUE)
    assert missed_last(records["crm-a"])
    assert pick(bank, records) == "crm-a"  # outside a set, FSRS's short step brings it back


def test_fsrs_right_graduates_at_once_and_wrong_comes_back_in_minutes() -> None:
    right = review(ItemMemory(), True, NOW)
    assert (
        right.fsrs_state == State.Review
        and right.due_at is not None
        and right.due_at - NOW >= timedelta(days=1)
    )
    wrong = review(ItemMemory(), False, NOW)
    assert wrong.relearning and wrong.due_at == NOW + RETRY_AFTER_WRONG
    assert (wrong.seen, wrong.wrong, wrong.streak) == (1, 1, 0)


def test_fsrs_intervals_grow_with_right_answers_and_a_fast_recall_grows_them_more() -> None:
    record, gaps = ItemMemory(), []
    at = NOW
    for _ in range(4):
        record = review(record, True, at)
        assert record.due_at is not None
        gaps.append(record.due_at - at)
        at = record.due_at
    assert gaps == sorted(gaps) and gaps[-1] > gaps[0] * 4
    easy = review(ItemMemory(), True, NOW, fast=True)
    assert easy.due_at is not None and right_due(NOW) < easy.due_at


def right_due(at: datetime) -> datetime:
    due = review(ItemMemory(), True, at).due_at
    assert due is not None
    return due


def test_predicted_recall_decays_from_one_and_never_met_is_zero() -> None:
    record = review(ItemMemory(), True, NOW)
    assert recall(record, NOW) == 1
    assert recall(record, NOW + timedelta(days=30)) < recall(record, NOW + timedelta(days=3)) < 1
    assert recall(ItemMemory(), NOW) == 0


def test_a_streak_grows_once_a_day_breaks_after_a_gap_and_lives_until_midnight() -> None:
    streak, day = advance_streak(0, None, date(2026, 3, 1))
    assert (streak, day) == (1, "2026-03-01")
    assert advance_streak(streak, day, date(2026, 3, 1)) == (1, "2026-03-01")  # twice the same day
    streak, day = advance_streak(streak, day, date(2026, 3, 2))
    assert (streak, day) == (2, "2026-03-02")
    assert advance_streak(streak, day, date(2026, 3, 4)) == (1, "2026-03-04")  # a day missed

    learner = SimpleNamespace(timezone="Europe/London", streak_days=2, streak_day="2026-03-01")
    assert current_streak(learner, NOW) == 2  # nothing yet on the 2nd, but yesterday counts
    assert current_streak(learner, NOW + timedelta(days=1)) == 0
    # 20:00 UTC on 2 March is already 3 March in Kiritimati (UTC+14): there the 1st is two days ago.
    evening = NOW + timedelta(hours=11)
    far_east = SimpleNamespace(timezone="Pacific/Kiritimati", streak_days=2, streak_day="2026-03-01")
    assert current_streak(learner, evening) == 2 and current_streak(far_east, evening) == 0


def test_answers_today_and_this_week_are_counted_in_the_learners_zone() -> None:
    monday_morning = datetime(2026, 3, 2, 8, tzinfo=UTC)  # a Monday
    answers = [monday_morning, monday_morning, datetime(2026, 3, 1, 12, tzinfo=UTC)]  # and a Sunday
    assert answered_since(answers, "Europe/London", NOW) == (2, 2)


def test_a_written_exam_question_waits_until_three_items_of_its_area_are_met() -> None:
    from content.schema import Command, ExamQuestion, SchemePoint

    exam = ExamQuestion(
        id="exam-crm",
        area="crm",
        bodies=["all"],
        sources=["000"],
        explanation="Why.",
        command=Command.EXPLAIN,
        outcome="crm",
        question="Explain CRM.",
        points=[
            SchemePoint(id="a", text="A", phrasings=["crm + data"]),
            SchemePoint(id="b", text="B", phrasings=["loyal*"]),
        ],
        model_answer="CRM data builds loyalty.",
    )
    cards = [challenge(f"crm-{n}", "crm") for n in range(4)]
    items: list[Answerable] = [exam, *cards]  # bank order puts the exam question first among equals
    met = {card.id: learnt(days_ago=20) for card in cards[:2]}
    first = next_item(items, met, NOW)
    assert first is not None and first.item.id != "exam-crm"  # two of its area met: not yet
    met[cards[2].id] = learnt(days_ago=20)
    third = next_item(items, met, NOW)
    assert third is not None and third.item.id == "exam-crm"  # three met: it comes
