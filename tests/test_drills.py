"""Metric drills: each metric's arithmetic (with its edge cases), answer buttons, typed answers, templates."""

from __future__ import annotations

import random
from collections import Counter
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from content.drills import (
    METRICS,
    Mark,
    Typed,
    Undefined,
    churn_rate,
    csat,
    first_contact_resolution,
    format_number,
    generate,
    instance,
    is_right,
    lifetime_value,
    mark,
    nps,
    parse_answer,
    precision,
    render,
    render_question,
    repeat_purchase_rate,
    retention_profit,
    retention_rate,
    rounded,
)
from content.loader import ContentError, load_bank
from content.schema import MetricDrill
from tests.banks import shipped_bank, write_bank

BANK = shipped_bank()
DRILLS = [item for item in BANK.items.values() if isinstance(item, MetricDrill)]


def test_nps_is_promoters_percent_minus_detractors_percent() -> None:
    result = nps({"promoters": 50, "passives": 20, "detractors": 30})
    assert result["answer"] == pytest.approx(20)
    assert result["respondents"] == 100


def test_nps_with_every_respondent_a_promoter_is_100() -> None:
    assert nps({"promoters": 37, "passives": 0, "detractors": 0})["answer"] == pytest.approx(100)


def test_nps_goes_negative_when_detractors_outnumber_promoters() -> None:
    assert nps({"promoters": 10, "passives": 30, "detractors": 60})["answer"] == pytest.approx(-50)
    assert nps({"promoters": 0, "passives": 0, "detractors": 12})["answer"] == pytest.approx(-100)


def test_nps_passives_count_in_the_total_but_in_neither_group() -> None:
    with_passives = nps({"promoters": 40, "passives": 40, "detractors": 20})["answer"]
    assert with_passives == pytest.approx(20)  # 40% - 20%, not 66.7% - 33.3%


def test_metrics_with_no_one_to_count_are_undefined() -> None:
    for compute, params in [
        (nps, {"promoters": 0, "passives": 0, "detractors": 0}),
        (csat, {"satisfied": 0, "unsatisfied": 0}),
        (retention_rate, {"start": 0, "lost": 0, "new": 5}),
        (churn_rate, {"start": 0, "lost": 0}),
        (repeat_purchase_rate, {"repeat": 0, "once": 0}),
        (first_contact_resolution, {"first": 0, "later": 0}),
    ]:
        with pytest.raises(Undefined):
            compute(params)


def test_csat_is_the_satisfied_share() -> None:
    assert csat({"satisfied": 45, "unsatisfied": 15})["answer"] == pytest.approx(75)
    assert csat({"satisfied": 0, "unsatisfied": 9})["answer"] == 0


def test_retention_rate_leaves_new_customers_out() -> None:
    result = retention_rate({"start": 200, "lost": 30, "new": 50})
    assert result["end"] == 220 and result["kept"] == 170
    assert result["answer"] == pytest.approx(85)


def test_losing_more_customers_than_there_were_is_undefined() -> None:
    with pytest.raises(Undefined):
        retention_rate({"start": 10, "lost": 11, "new": 0})
    with pytest.raises(Undefined):
        churn_rate({"start": 10, "lost": 11})


def test_churn_and_retention_add_up_to_100_without_new_customers() -> None:
    params = {"start": 800, "lost": 56}
    churn = churn_rate(params)["answer"]
    retention = retention_rate({**params, "new": 0})["answer"]
    assert churn == pytest.approx(7) and churn + retention == pytest.approx(100)


def test_repeat_purchase_rate_first_contact_resolution_lifetime_value_and_profit() -> None:
    assert repeat_purchase_rate({"repeat": 30, "once": 90})["answer"] == pytest.approx(25)
    assert first_contact_resolution({"first": 720, "later": 180})["answer"] == pytest.approx(80)
    assert lifetime_value({"spend": 4, "per_year": 50, "years": 3})["answer"] == 600
    assert retention_profit({"profit": 100_000, "uplift": 25})["answer"] == pytest.approx(125_000)
    assert retention_profit({"profit": 100_000, "uplift": 95})["answer"] == pytest.approx(195_000)


def test_the_bank_uses_every_metric() -> None:
    assert {drill.metric for drill in DRILLS} == set(METRICS)
    assert len(DRILLS) >= 7


@pytest.mark.parametrize("drill", DRILLS, ids=lambda d: d.id)
def test_every_template_draws_fresh_numbers_with_four_distinct_buttons(drill: MetricDrill) -> None:
    rng = random.Random(7)
    seen = set()
    for seed in range(40):
        drawn = generate(drill, rng, seed)
        seen.add(tuple(sorted(drawn.params.items())))
        assert len(drawn.options) == 4
        assert drawn.options[drawn.answer_index] == drawn.answer
        assert drawn.options == sorted(set(drawn.options))  # four values, smallest first
        question, solution = render_question(drill, drawn), render(drill.solution, drill, drawn)
        assert "{" not in question + solution
        assert format_number(drawn.answer, drill.decimals, drill.unit) in solution
        for n, option in enumerate(drawn.options):
            assert is_right(drill, drawn, option) == (n == drawn.answer_index)
    assert len(seen) >= 35  # fresh numbers nearly every time


def test_the_same_prompt_shows_the_same_buttons() -> None:
    drill = DRILLS[0]
    params = generate(drill, random.Random(1), seed=99).params
    assert instance(drill, params, seed=99) == instance(drill, params, seed=99)


def test_a_prompt_keeps_the_buttons_it_went_out_with() -> None:
    drill = drill_for("csat")
    shown = [Decimal("10.0"), Decimal("33.3"), Decimal("66.7"), Decimal("90.0")]
    drawn = instance(drill, {"satisfied": 2, "unsatisfied": 1}, seed=5, buttons=shown)
    assert drawn.options == shown and drawn.answer_index == 2


def drill_for(metric: str) -> MetricDrill:
    return next(d for d in DRILLS if d.metric == metric)


# --- precision: stated in the question, exact arithmetic, half away from zero -------------


@pytest.mark.parametrize(
    ("metric", "phrase"),
    [
        ("nps", "Give your answer as a whole number."),
        ("csat", "Give your answer to one decimal place."),
        ("lifetime_value", "Give your answer to the nearest pound."),
    ],
)
def test_every_question_states_the_precision_it_marks_at(metric: str, phrase: str) -> None:
    drill = drill_for(metric)
    assert render_question(drill, generate(drill, random.Random(3), seed=1)).endswith(phrase)


def test_every_drill_in_the_bank_states_its_precision() -> None:
    for drill in DRILLS:
        assert precision(drill) in render_question(drill, generate(drill, random.Random(0), seed=0))


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (Fraction(25, 2), 0, "13"),  # 12.5: half away from zero, not to even
        (Fraction(-25, 2), 0, "-13"),
        (Decimal("1.005"), 2, "1.01"),  # the float 1.005 is 1.00499..., the decimal is not
        (Fraction(2, 3) * 100, 1, "66.7"),
        (Fraction(1, 8) * 100, 1, "12.5"),
        (Fraction(-1, 100), 1, "0.0"),  # no "-0.0"
        (Decimal("98.05"), 1, "98.1"),
    ],
)
def test_rounding_is_exact_and_half_away_from_zero(
    value: Fraction | Decimal, places: int, expected: str
) -> None:
    assert str(rounded(value, places)) == expected


def test_an_nps_tie_rounds_away_from_zero() -> None:
    drill = drill_for("nps")
    # 50% promoters - 37.5% detractors = 12.5: the answer is 13, not 12 (the old float error)
    drawn = instance(drill, {"promoters": 4, "passives": 1, "detractors": 3}, seed=0)
    assert drawn.answer == 13
    assert mark(drill, drawn, typed("13")) is Mark.RIGHT
    assert mark(drill, drawn, typed("12")) is Mark.WRONG
    assert mark(drill, drawn, typed("12.5")) is Mark.RIGHT  # more precise than asked, and exact
    negative = instance(drill, {"promoters": 3, "passives": 1, "detractors": 4}, seed=0)
    assert negative.answer == -13 and mark(drill, negative, typed("-13")) is Mark.RIGHT


def typed(text: str) -> Typed:
    reading = parse_answer(text)
    assert reading is not None, text
    return reading


def test_any_answer_equal_to_the_exact_value_at_the_stated_precision_is_right() -> None:
    drill = drill_for("csat")
    drawn = instance(drill, {"satisfied": 785, "unsatisfied": 15}, seed=0)  # 98.125%
    assert drawn.answer == Decimal("98.1")
    for right in ("98.1", "98.1%", "98.10", "98.13", "98.12", "98.125"):
        assert mark(drill, drawn, typed(right)) is Mark.RIGHT, right
    for wrong in ("98.0", "98.2", "98.14", "981"):
        assert mark(drill, drawn, typed(wrong)) is Mark.WRONG, wrong


def test_an_answer_right_to_fewer_places_is_nearly_not_wrong() -> None:
    drill = drill_for("csat")
    drawn = instance(drill, {"satisfied": 785, "unsatisfied": 15}, seed=0)  # 98.125%
    assert mark(drill, drawn, typed("98")) is Mark.NEARLY
    assert mark(drill, drawn, typed("98%")) is Mark.NEARLY
    assert mark(drill, drawn, typed("99")) is Mark.WRONG  # not 98.125 rounded at all
    money = drill_for("retention_profit").model_copy(update={"decimals": 2})
    profit = instance(money, {"profit": 20001, "uplift": 33}, seed=0)  # £26,601.33
    assert profit.answer == Decimal("26601.33")
    assert mark(money, profit, typed("£26,601")) is Mark.NEARLY
    assert mark(money, profit, typed("26601.33")) is Mark.RIGHT


# --- units ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("42", "42", ""),
        ("42%", "42", "%"),
        ("42.0", "42.0", ""),
        (" 42.5 % ", "42.5", "%"),
        ("42.5 per cent", "42.5", "%"),
        ("-12", "-12", ""),
        ("\u221212", "-12", ""),
        ("+20", "20", ""),
        ("£1,250", "1250", "£"),
        ("-£5", "-5", "£"),
        ("1250.50 pounds", "1250.50", "£"),
        (".5", "0.5", ""),
        ("=85", "85", ""),
    ],
)
def test_typed_numbers_are_read_with_their_places_and_unit(text: str, value: str, unit: str) -> None:
    reading = typed(text)
    assert reading.value == Decimal(value) and str(reading.value) == value.lstrip("+")
    assert reading.unit == unit


@pytest.mark.parametrize(
    "text", ["", "abc", "forty two", "42 customers", "1,2,3", "4.2.1", "%", "£", "-", "£42%", "42£5"]
)
def test_unreadable_answers_are_not_numbers(text: str) -> None:
    assert parse_answer(text) is None


@pytest.mark.parametrize(
    ("metric", "text"),
    [("nps", "40%"), ("nps", "£40"), ("csat", "£66.7"), ("lifetime_value", "1250%")],
)
def test_a_unit_the_figure_cannot_have_is_not_marked(metric: str, text: str) -> None:
    drill = drill_for(metric)
    drawn = generate(drill, random.Random(2), seed=0)
    assert mark(drill, drawn, typed(text)) is Mark.WRONG_UNIT


def test_the_unit_the_figure_has_is_optional() -> None:
    drill = drill_for("csat")
    drawn = instance(drill, {"satisfied": 2, "unsatisfied": 1}, seed=0)
    assert mark(drill, drawn, typed("66.7%")) is mark(drill, drawn, typed("66.7")) is Mark.RIGHT


CSAT_DRILL = """\
items:
  - id: drill-csat-unit
    kind: drill
    area: satisfaction
    bodies: [all]
    sources: ["000"]
    metric: csat
    question: "{satisfied} satisfied and {unsatisfied} not. What is the CSAT score?"
    params:
      satisfied: [1, 50]
      unsatisfied: [1, 50]
    decimals: 1
    unit: "£"
    solution: "{satisfied} / {respondents} x 100 = {answer}."
    explanation: CSAT is the satisfied share of everyone who answered.
"""


def test_the_checker_refuses_a_drill_whose_unit_its_metric_cannot_have(tmp_path: Path) -> None:
    with pytest.raises(ContentError, match=r"items.yaml:13: .*metric 'csat' is rate: its unit is '%'"):
        load_bank(write_bank(tmp_path, CSAT_DRILL), floors=False)


# --- buttons: plausible, from real mistakes, the answer's place uniform --------------------------

DRAWS = 1000


@pytest.mark.parametrize("drill", DRILLS, ids=lambda d: d.id)
def test_buttons_are_possible_values_and_the_answer_is_not_given_away(drill: MetricDrill) -> None:
    metric = METRICS[drill.metric]
    rng = random.Random(2026)
    places: Counter[int] = Counter()
    largest = smallest = nearest_100 = from_mistakes = 0
    for seed in range(DRAWS):
        drawn = generate(drill, rng, seed)
        assert all(metric.within_range(option) for option in drawn.options), drawn
        places[drawn.answer_index] += 1
        largest += drawn.answer == max(drawn.options)
        smallest += drawn.answer == min(drawn.options)
        nearest_100 += drawn.answer == min(drawn.options, key=lambda o: abs(o - 100))
        mistakes = {
            rounded(m, drill.decimals) for m in metric.mistakes(drawn.params, drawn.values) if m is not None
        }
        from_mistakes += sum(1 for o in drawn.options if o != drawn.answer and o in mistakes)
    for place in range(4):  # uniform: 250 expected each; 4 standard deviations is about 55
        assert 190 <= places[place] <= 310, places
    for rule in (largest, smallest, nearest_100):
        assert rule <= 0.4 * DRAWS
    # a third or more of the wrong buttons are a named mistake; most others misread one number
    assert from_mistakes >= DRAWS


def test_a_rate_near_its_limit_still_gets_buttons_inside_the_range() -> None:
    drill = drill_for("churn_rate")
    drawn = instance(drill, {"start": 5000, "lost": 0}, seed=1)  # 0.0%: nothing below it
    assert drawn.answer == 0 and drawn.answer_index == 0
    assert all(0 <= option <= 100 for option in drawn.options)
    full = instance(drill_for("csat"), {"satisfied": 10, "unsatisfied": 0}, seed=1)  # 100%
    assert full.answer == 100 and full.answer_index == 3 and min(full.options) >= 0


def test_numbers_are_shown_the_way_people_write_them() -> None:
    assert format_number(-29, 0) == "-29"
    assert format_number(Fraction(-4, 100), 1) == "0.0"
    assert format_number(Decimal("83.05"), 1, "%") == "83.1%"  # half rounds away from zero, as by hand
    assert format_number(Fraction(5920707, 10), 0, "£") == "£592,071"
