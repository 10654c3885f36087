"""Metric drills: each metric's arithmetic (with its edge cases), answer buttons, typed answers, templates."""

from __future__ import annotations

import random

import pytest

from content.drills import (
    METRICS,
    Undefined,
    churn_rate,
    csat,
    first_contact_resolution,
    format_number,
    generate,
    instance,
    is_right,
    lifetime_value,
    nps,
    parse_number,
    render,
    repeat_purchase_rate,
    retention_profit,
    retention_rate,
)
from content.schema import MetricDrill
from tests.banks import shipped_bank

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
        assert len(set(drawn.options)) == 4
        question, solution = render(drill.question, drill, drawn), render(drill.solution, drill, drawn)
        assert "{" not in question + solution
        assert format_number(drawn.answer, drill.decimals, drill.unit) in solution
        assert is_right(drill, drawn, drawn.values["answer"])
        for n, option in enumerate(drawn.options):
            assert is_right(drill, drawn, option) == (n == drawn.answer_index)
    assert len(seen) >= 35  # fresh numbers nearly every time


def test_the_same_prompt_shows_the_same_buttons() -> None:
    drill = DRILLS[0]
    params = generate(drill, random.Random(1), seed=99).params
    assert instance(drill, params, seed=99) == instance(drill, params, seed=99)


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("42", 42.0),
        ("42%", 42.0),
        ("42.0", 42.0),
        (" 42.5 % ", 42.5),
        ("-12", -12.0),
        ("\u221212", -12.0),
        ("+20", 20.0),
        ("£1,250", 1250.0),
        ("1250.50", 1250.5),
        (".5", 0.5),
        ("=85", 85.0),
    ],
)
def test_typed_numbers_are_read_generously(typed: str, value: float) -> None:
    assert parse_number(typed) == value


@pytest.mark.parametrize("typed", ["", "abc", "forty two", "42 customers", "1,2,3", "4.2.1", "%", "£", "-"])
def test_unreadable_answers_are_not_numbers(typed: str) -> None:
    assert parse_number(typed) is None


def test_tolerance_decides_a_typed_answer() -> None:
    drill = next(d for d in DRILLS if d.metric == "csat")
    drawn = instance(drill, {"satisfied": 2, "unsatisfied": 1}, seed=0)  # 66.666...%
    assert drawn.answer == 66.7
    assert is_right(drill, drawn, 66.7) and is_right(drill, drawn, 66.6)
    assert not is_right(drill, drawn, 66.0) and not is_right(drill, drawn, 67)


def test_numbers_are_shown_the_way_people_write_them() -> None:
    assert format_number(-29, 0) == "-29"
    assert format_number(-0.04, 1) == "0.0"
    assert format_number(83.05, 1, "%") == "83.1%"  # half rounds away from zero, as by hand
    assert format_number(592070.7, 0, "£") == "£592,071"
