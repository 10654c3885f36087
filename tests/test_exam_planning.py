"""The exam date's rules on a fake clock: reading dates, the plan's phases, the selector planning
towards the day (and unchanged without one), and the predicted scores."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bot.tutor.deadlines import DateProblem
from bot.tutor.examdate import ExamPlan, Phase, parse_exam_date, plan_of
from bot.tutor.memory import ItemMemory, facts_of, micros, review
from bot.tutor.readiness import Pace, about, pace_of, predict, span
from bot.tutor.selection import Reason, Selection, next_item
from content.schema import Answerable, Command, ExamQuestion, SchemePoint
from tests.test_selection import BANK, NOW, concept, learnt

TODAY = NOW.date()  # Monday 2 March 2026


def plan(days_left: int, now: datetime = NOW) -> ExamPlan:
    """An exam `days_left` days after `now`'s day, at 09:00 UTC."""
    day = now.date() + timedelta(days=days_left)
    found = plan_of(day.isoformat(), "UTC", now)
    assert found is not None
    return found


def question(item_id: str, area: str, marks: int) -> ExamQuestion:
    return ExamQuestion(
        id=item_id,
        area=area,
        bodies=["all"],
        sources=["000"],
        explanation="Why.",
        command=Command.EXPLAIN,
        outcome="retention",
        question="Explain.",
        points=[SchemePoint(id=f"p{n}", text="A point.", phrasings=["point"]) for n in range(marks)],
        model_answer="A model answer.",
    )


def choice(
    items: Sequence[Answerable], memories: dict[str, ItemMemory], now: datetime = NOW, **rules: Any
) -> Selection:
    """The selector's choice (there always is one here)."""
    selection = next_item(items, memories, now, **rules)
    assert selection is not None
    return selection


# --- reading the date ----------------------------------------------------------------------------


def test_dates_are_read_as_the_learner_writes_them() -> None:
    assert parse_exam_date("12 March", TODAY).day == date(2026, 3, 12)
    assert parse_exam_date("March 12th", TODAY).day == date(2026, 3, 12)
    assert parse_exam_date("1 March", TODAY).day == date(2027, 3, 1)  # a day and month: the next one
    assert parse_exam_date("2027-03-12", TODAY).day == date(2027, 3, 12)
    assert parse_exam_date("12/03/2027", TODAY).day == date(2027, 3, 12)  # day first, as in the UK
    assert parse_exam_date("12.03.27", TODAY).day == date(2027, 3, 12)
    assert parse_exam_date("12/03", TODAY).day == date(2026, 3, 12)
    assert parse_exam_date("in 6 weeks", TODAY).day == date(2026, 4, 13)
    assert parse_exam_date("in 10 days", TODAY).day == date(2026, 3, 12)
    assert parse_exam_date("today", TODAY).day == TODAY
    # the form Retain writes a date back in is read too, with its year
    assert parse_exam_date("Friday 12 March 2027", TODAY).day == date(2027, 3, 12)
    assert parse_exam_date("March 12th, 2027", TODAY).day == date(2027, 3, 12)
    assert parse_exam_date("29 February 2028", TODAY).problem is DateProblem.TOO_FAR  # read, then refused


def test_a_past_a_far_or_an_unreadable_date_is_refused_with_its_reason() -> None:
    assert parse_exam_date("2026-03-01", TODAY).problem is DateProblem.PAST
    assert parse_exam_date("01/03/2026", TODAY).problem is DateProblem.PAST
    assert parse_exam_date("2027-09-30", TODAY).problem is DateProblem.TOO_FAR  # over 18 months
    assert parse_exam_date("2027-08-20", TODAY).day == date(2027, 8, 20)  # under 18 months
    assert parse_exam_date("soonish", TODAY).problem is DateProblem.UNREADABLE
    assert parse_exam_date("31/02/2027", TODAY).problem is DateProblem.UNREADABLE


def test_the_plan_has_phases_counted_in_the_learners_own_days() -> None:
    assert plan(30).phase is Phase.AHEAD and plan(30).days_left == 30
    assert plan(7).phase is Phase.FINAL and plan(1).phase is Phase.FINAL
    assert plan(0).phase is Phase.EXAM_DAY
    assert plan(-1).phase is Phase.PASSED and not plan(-1).active
    late = datetime(2026, 3, 2, 23, 30, tzinfo=UTC)  # already 3 March in Auckland
    auckland = plan_of("2026-03-12", "Pacific/Auckland", late)
    assert auckland is not None and auckland.days_left == 9
    assert plan_of(None, "UTC", NOW) is None


# --- the selector with a date --------------------------------------------------------------------


def test_without_a_date_or_after_it_the_choice_is_exactly_as_before() -> None:
    memories = {"crm-a": learnt(3), "ret-a": learnt(1), "tf-crm-a": learnt(5)}
    for hours in range(0, 72, 7):
        now = NOW + timedelta(hours=hours)
        before = next_item(BANK, memories, now)
        assert next_item(BANK, memories, now, exam=None) == before
        assert next_item(BANK, memories, now, exam=plan(-3, now)) == before


def spaced(*days_ago: float) -> ItemMemory:
    """A record answered right once on each of these days (days before NOW, oldest first)."""
    memory = ItemMemory()
    for days in days_ago:
        memory = review(memory, True, NOW - timedelta(days=days))
    return memory


def test_in_the_final_days_an_item_that_would_fade_by_the_exam_is_due_before_it() -> None:
    items: list[Answerable] = [concept("a1", "a"), concept("b1", "b")]
    fresh = spaced(1)  # learnt yesterday: 95% now, FSRS brings it back tomorrow
    memories = {"a1": fresh, "b1": spaced(3, 1)}
    assert choice(items, memories).reason is Reason.AHEAD  # not due yet, without a date
    chosen = choice(items, memories, exam=plan(5))  # by the exam it would be near 80%
    assert chosen.item.id == "a1" and chosen.reason is Reason.DUE


def test_what_would_fade_by_the_day_comes_before_what_will_hold() -> None:
    items: list[Answerable] = [concept("held", "a"), concept("fresh", "a")]
    held = ItemMemory(  # reviewed for weeks: 94% now, and barely less in ten days
        seen=4,
        correct=4,
        streak=4,
        last_answered_at=NOW - timedelta(days=13.5),
        due_at=NOW + timedelta(days=20),
        fsrs_state=2,
        stability=30.0,
        difficulty=5.0,
    )
    memories = {"held": held, "fresh": spaced(1)}  # learnt yesterday: 95% now, fading fast
    assert choice(items, memories).item.id == "held"  # without a date: the lower recall now
    assert choice(items, memories, exam=plan(10)).item.id == "fresh"  # the lower recall on the day


def test_with_a_date_every_area_is_met_before_the_final_days() -> None:
    items: list[Answerable] = [concept(f"{area}{n}", area) for area in "abcd" for n in range(5)]
    memories: dict[str, ItemMemory] = {}
    recent: list[str] = []
    exam = date(2026, 3, 16)  # two weeks ahead; three prompts a day, all answered right
    for day in range(7):
        now = NOW + timedelta(days=day)
        for n in range(3):
            at = now + timedelta(minutes=n)
            found = plan_of(exam.isoformat(), "UTC", at)
            chosen = choice(items, memories, at, recent=recent[-3:], exam=found).item
            memories[chosen.id] = review(memories.get(chosen.id, ItemMemory()), True, at)
            recent.append(chosen.id)
    assert {item_id[0] for item_id in memories} == set("abcd")


def test_the_final_days_favour_exam_questions_and_the_weakest_area() -> None:
    items: list[Answerable] = [concept("a1", "a"), question("q1", "a", 3)]
    memories = {"a1": spaced(30, 10, 2), "q1": spaced(30, 10, 2)}
    assert choice(items, memories).item.id == "a1"  # without a date: bank order among equals
    assert choice(items, memories, exam=plan(5)).item.id == "q1"
    assert choice(items, memories, exam=plan(30)).item.id == "a1"
    # Area b's items are held less well on average, though area a has the one most faded: in the
    # final days the weakest area comes first.
    mixed: list[Answerable] = [concept("a1", "a"), concept("a2", "a"), concept("b1", "b"), concept("b2", "b")]
    weak = {"a1": spaced(20, 12), "a2": spaced(30, 10, 1), "b1": spaced(6, 3), "b2": spaced(6, 3)}
    assert choice(mixed, weak).item.id == "a1"
    assert choice(mixed, weak, exam=plan(20)).item.id == "a1"
    assert choice(mixed, weak, exam=plan(3)).item.area == "b"


def test_on_exam_day_nothing_new_comes_while_anything_met_remains() -> None:
    memories = {"crm-a": learnt(3), "ret-a": learnt(4)}
    assert choice(BANK, memories, NOW).reason is Reason.NEW  # new material, without a date
    chosen = next_item(BANK, memories, NOW, exam=plan(0))
    assert chosen is not None and chosen.item.id in memories


# --- predicted scores ----------------------------------------------------------------------------


def test_a_score_is_said_to_the_nearest_five_with_a_range_of_ten_either_side() -> None:
    assert about(0.537) == 55 and span(0.537) == (45, 65)
    assert span(0.03) == (0, 15) and span(0.98) == (90, 100)


def test_today_counts_items_never_met_as_not_known_and_exam_questions_by_their_marks() -> None:
    items: list[Answerable] = [concept("a1", "a"), concept("a2", "a"), question("q1", "b", 4)]
    known = {"a1": facts_of(learnt(0.001))}
    today = predict(items, known, NOW, Pace(0, 0))
    assert 0.45 < today.areas["a"].today <= 0.5  # one of two known
    assert today.areas["b"].today == 0.0
    assert 0.05 < today.overall.today < 1 / 6 + 0.01  # one mark of six: the question weighs 4
    q = items[2]
    assert isinstance(q, ExamQuestion)
    points = {q.point_key("p0"): facts_of(learnt(0.001)), q.point_key("p1"): facts_of(learnt(0.001))}
    half = predict(items, {**known, **points}, NOW, Pace(0, 0))
    assert 0.45 < half.areas["b"].today <= 0.5  # two of its four points earned
    assert half.overall.exam_day is None and half.days_left is None  # no date: today only


def test_on_exam_day_memories_fade_unless_revised_and_the_recent_pace_meets_new_items() -> None:
    items: list[Answerable] = [*(concept(f"a{n}", "a") for n in range(10))]
    known = {f"a{n}": facts_of(learnt(1, right=2)) for n in range(5)}
    stopped = predict(items, known, NOW, Pace(0, 0), plan(30))
    steady = predict(items, known, NOW, Pace(0.5, 1.0), plan(30))
    assert stopped.overall.exam_day is not None and steady.overall.exam_day is not None
    assert stopped.overall.exam_day < stopped.overall.today  # nothing revised: it fades
    assert steady.overall.exam_day > steady.overall.today  # revising daily, meeting the rest in time
    assert steady.days_left == 30


def test_the_pace_counts_items_met_for_the_first_time_and_days_revised_in_the_last_fortnight() -> None:
    first = learnt(2)  # met two days ago, once
    old = learnt(20)  # met long ago
    again = review(old.__class__(), True, NOW - timedelta(days=30))
    facts = {"new": facts_of(first), "old": facts_of(old), "again": facts_of(review(again, True, NOW))}
    answers = [
        ("new", micros(NOW - timedelta(days=2))),
        ("again", micros(NOW - timedelta(hours=1))),
        ("old", micros(NOW - timedelta(days=20))),
    ]
    pace = pace_of(answers, facts, NOW, "UTC")
    assert pace.new_per_day == 1 / 14  # "again" was met before the fortnight
    assert pace.active_share == 2 / 14
