"""`python -m content check`: the guessability and coverage tables, and the limits it fails a bank on.

The shipped bank prints every table; small banks written as real YAML each break one rule and the
checker fails naming the figure and its limit (or the marking point).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from content.guessability import (
    BEST_WORD_LIMIT,
    CUE_RULE_LIMIT,
    DRILL_RULE_LIMIT,
    LONGEST_ANSWER_LIMIT,
)
from content.schema import Bank, MetricDrill
from tests.banks import shipped_bank, write_bank


def check(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "content", "check", *args], capture_output=True, text=True, check=False
    )


def failures(result: subprocess.CompletedProcess[str]) -> list[str]:
    """The checks the bank failed, one per line, as the checker lists them on stderr."""
    lines = result.stderr.strip().splitlines()
    assert lines and "guessability or coverage" in lines[0], result.stderr
    return [line.strip() for line in lines[1:-1]]


# --- the shipped bank ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped() -> subprocess.CompletedProcess[str]:
    return check()


def test_the_shipped_bank_prints_its_true_false_and_multiple_choice_figures(
    shipped: subprocess.CompletedProcess[str],
) -> None:
    out = shipped.stdout
    assert "The bank in bank/ is sound." in out and "by kind: concept" in out  # the counts come first
    figure = r"\d+/\d+ right \(\d+\.\d %\)"
    assert re.search(rf"cue-word rule: {figure}, limit {CUE_RULE_LIMIT} %", out), out
    assert re.search(rf"hedging variant: {figure}, limit {CUE_RULE_LIMIT} %", out), out
    assert re.search(rf"best single word, '[a-z]+': {figure}, limit {BEST_WORD_LIMIT} %", out), out
    assert re.search(
        rf"right answer strictly the longest option: \d+/\d+ \(\d+\.\d %\), limit {LONGEST_ANSWER_LIMIT} %",
        out,
    ), out
    assert "wrong options used 3+ times and never right: none, limit none" in out


def test_the_shipped_bank_prints_each_drills_button_rules(shipped: subprocess.CompletedProcess[str]) -> None:
    out = shipped.stdout
    header = f"share of 1,000 draws in which a rule taps the right button; limit {DRILL_RULE_LIMIT} % each"
    assert header in out
    assert re.search(r"item +largest +smallest +nearest 100", out), out
    drills = [item.id for item in shipped_bank().items.values() if isinstance(item, MetricDrill)]
    assert drills
    for drill in drills:
        assert re.search(rf"{drill} +\d+\.\d %.? +\d+\.\d %.? +\d+\.\d %", out), drill


def test_the_shipped_bank_prints_every_marking_point_with_its_teaching_and_testing_items(
    shipped: subprocess.CompletedProcess[str],
) -> None:
    out = shipped.stdout
    bank: Bank = shipped_bank()
    section = out[out.index("Coverage:") :]
    for spec in bank.catalogue.specifications:
        assert f"{bank.body_name(spec.body)} ({spec.body}):" in section
        for outcome in spec.outcomes:
            assert f"  {outcome.id}: {outcome.title}" in section
            for point in outcome.points:
                block = section[section.index(f"    {point.id}: ") :].splitlines()
                assert re.match(r" +teach [1-9]\d*: [a-z0-9-]+", block[1]), block[:3]
                assert re.match(r" +test  [1-9]\d*: [a-z0-9-]+", block[2]), block[:3]
    assert "\ngaps: none\n" in section


def test_the_shipped_bank_passes_every_check(shipped: subprocess.CompletedProcess[str]) -> None:
    assert shipped.returncode == 0, shipped.stderr
    assert "Every guessability limit is met and every marking point is taught" in shipped.stdout


# --- small banks that break one rule each --------------------------------------------------------


def _truefalse(item_id: str, statement: str, answer: bool) -> str:
    return f"""\
  - id: {item_id}
    kind: truefalse
    area: satisfaction
    bodies: [all]
    sources: ["000"]
    statement: "{statement}"
    answer: {str(answer).lower()}
    explanation: Because.
"""


def _mcq(item_id: str, answer: str, wrong: list[str], covers: str = "") -> str:
    options = ", ".join(f'"{w}"' for w in wrong)
    return f"""\
  - id: {item_id}
    kind: mcq
    area: crm
    bodies: [all]
    sources: ["000"]{covers}
    question: Which one?
    answer: "{answer}"
    wrong: [{options}]
    explanation: Because.
"""


def _bank(tmp_path: Path, *items: str, specifications: str = "") -> Path:
    return write_bank(tmp_path / "unit", "items:\n" + "".join(items), specifications=specifications)


# Every false statement carries a different cue word and every true one none; no other word is
# shared, so the cue-word rule is always right while no single word predicts more than 6 in 10.
CUED = [
    ("tf-cue-1", "Loyalty always follows discounts.", False),
    ("tf-cue-2", "Surveys never mislead managers.", False),
    ("tf-cue-3", "Complaints only harm brands.", False),
    ("tf-cue-4", "Software alone builds relationships.", False),
    ("tf-cue-5", "Refunds guarantee repeat custom.", False),
    ("tf-cue-6", "Empathy calms upset callers.", True),
    ("tf-cue-7", "Feedback reveals service gaps.", True),
    ("tf-cue-8", "Training improves adviser confidence.", True),
    ("tf-cue-9", "Data supports personalised offers.", True),
    ("tf-cue-10", "Retention lowers acquisition spending.", True),
]


def test_a_true_false_bank_the_cue_word_rule_beats_fails(tmp_path: Path) -> None:
    result = check(str(_bank(tmp_path, *(_truefalse(*row) for row in CUED))))
    assert result.returncode == 1
    assert "cue-word rule: 10/10 right (100.0 %), limit 60 %" in result.stdout
    assert "best single word, 'acquisition': 6/10 right (60.0 %), limit 62 %" in result.stdout  # ties: A-Z
    assert failures(result) == [
        "true/false: the cue-word rule gets 10/10 right (100.0 %); the limit is 60 %",
        "true/false: the hedging variant gets 10/10 right (100.0 %); the limit is 60 %",
    ]


def test_a_draft_is_told_about_the_limits_but_not_failed(tmp_path: Path) -> None:
    result = check("--draft", str(_bank(tmp_path, *(_truefalse(*row) for row in CUED))))
    assert result.returncode == 0, result.stderr
    assert "Draft: 2 guessability or coverage checks not met (not enforced):" in result.stdout
    assert "the cue-word rule gets 10/10 right (100.0 %); the limit is 60 %" in result.stdout


def test_a_bank_whose_longest_option_is_always_right_fails(tmp_path: Path) -> None:
    items = [
        _mcq("mcq-a", "Interaction tracking across channels", ["Payroll", "Stock control", "Rotas"]),
        _mcq("mcq-b", "Percentage of promoters minus detractors", ["Average score", "Mean rating"]),
        _mcq("mcq-c", "Hear, Empathise, Apologise, Take action", ["Help, End, Ask, Tell", "Hold"]),
        _mcq("mcq-d", "Customers kept as a share of the start", ["New sign-ups", "Lost customers"]),
    ]
    result = check(str(_bank(tmp_path, *items)))
    assert result.returncode == 1
    assert "right answer strictly the longest option: 4/4 (100.0 %), limit 30 %" in result.stdout
    assert failures(result) == [
        "multiple choice: the right answer is strictly the longest option in 4/4 items (100.0 %); "
        "the limit is 30 %"
    ]


def test_a_distractor_used_three_times_and_never_right_fails(tmp_path: Path) -> None:
    items = [
        _mcq("mcq-a", "CRM", ["Payroll", "Stock control"]),
        _mcq("mcq-b", "NPS", ["Average basket", "payroll"]),
        _mcq("mcq-c", "FCR", ["Payroll ", "Footfall"]),
    ]
    result = check(str(_bank(tmp_path, *items)))
    assert result.returncode == 1
    assert "wrong options used 3+ times and never right: 1, limit none" in result.stdout
    assert "'Payroll': 3 uses (mcq-a, mcq-b, mcq-c)" in result.stdout
    assert failures(result) == [
        "multiple choice: the wrong option 'Payroll' is used 3 times (mcq-a, mcq-b, mcq-c) and is never "
        "right; the limit is none"
    ]


ONE_POINT = """\
specifications:
  - body: pearson
    outcomes:
      - id: crm
        title: Understand CRM
        points:
          - id: pearson-crm-data
            text: How CRM data personalises service.
"""

UNTAUGHT_CARD = """\
  - id: crm-card
    kind: concept
    area: crm
    bodies: [all]
    sources: ["000"]
    question: What is CRM?
    answer: A strategy.
    explanation: Because.
"""


def test_a_marking_point_with_no_teaching_item_fails(tmp_path: Path) -> None:
    tested = _mcq("mcq-a", "CRM", ["Payroll system", "Stock control"], "\n    covers: [pearson-crm-data]")
    result = check(str(_bank(tmp_path, UNTAUGHT_CARD, tested, specifications=ONE_POINT)))
    assert result.returncode == 1
    assert "    pearson-crm-data: How CRM data personalises service." in result.stdout
    assert "      teach 0: none (a gap)\n      test  1: mcq-a" in result.stdout
    assert failures(result) == [
        "coverage: pearson · crm · pearson-crm-data has no teaching item (a concept card or exam tip "
        "that covers it and that pearson learners meet)"
    ]
    # A draft is told about the gap but not failed for it.
    draft = check("--draft", str(_bank(tmp_path / "draft", UNTAUGHT_CARD, tested, specifications=ONE_POINT)))
    assert draft.returncode == 0 and "has no teaching item" in draft.stdout


def test_covers_naming_an_unknown_point_fail_even_a_draft(tmp_path: Path) -> None:
    tested = _mcq("mcq-a", "CRM", ["Payroll system", "Stock control"], "\n    covers: [pearson-crm-dta]")
    result = check("--draft", str(_bank(tmp_path, UNTAUGHT_CARD, tested, specifications=ONE_POINT)))
    assert result.returncode == 1
    assert failures(result) == [
        "coverage: item 'mcq-a' covers 'pearson-crm-dta', which no specification lists"
    ]
