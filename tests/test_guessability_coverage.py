"""Guessability and coverage: each measure on a tiny hand-made bank, then the shipped bank held to them."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.config import CONTENT_DIR
from content import guessability
from content.coverage import Gap, coverage
from content.guessability import (
    BUTTON_RULES,
    DRILL_RULE_LIMIT,
    DrillButtons,
    RuleScore,
    beats,
    drill_button_rules,
    has_cue_word,
    has_hedge,
    mcq_longest_share,
    mcq_reused_distractors,
    picks,
    truefalse_best_word,
    truefalse_cue_rule,
)
from content.loader import load_bank
from content.schema import ITEM_ADAPTER, Bank, ConceptCard, MetricDrill
from tests.banks import TINY, write_bank


def _truefalse(item_id: str, statement: str, answer: bool, bodies: str = "[all]") -> str:
    return f"""\
  - id: {item_id}
    kind: truefalse
    area: satisfaction
    bodies: {bodies}
    sources: ["000"]
    statement: "{statement}"
    answer: {str(answer).lower()}
    explanation: Because.
"""


def _mcq(item_id: str, answer: str, wrong: list[str]) -> str:
    options = ", ".join(f'"{w}"' for w in wrong)
    return f"""\
  - id: {item_id}
    kind: mcq
    area: crm
    bodies: [all]
    sources: ["000"]
    question: Which one?
    answer: "{answer}"
    wrong: [{options}]
    explanation: Because.
"""


def _bank(tmp_path: Path, *items: str) -> Bank:
    return load_bank(write_bank(tmp_path / "bank", "items:\n" + "".join(items)), floors=False)


# --- the measures on tiny banks ------------------------------------------------------------------


def test_cue_words_and_hedges_are_found_as_words() -> None:
    assert has_cue_word("CRM is only software.") and has_cue_word("Satisfaction ALONE is not loyalty.")
    assert not has_cue_word("Knowledge matters.")  # "no" inside a word is not the word "no"
    assert has_hedge("Win-back is one of the stages.") and has_hedge("Complaints can build loyalty.")
    assert not has_hedge("One customer is part-time, of course.")  # "part" then "time", not "part of"


def test_cue_rule_and_its_hedging_variant(tmp_path: Path) -> None:
    bank = _bank(
        tmp_path,
        _truefalse("tf-a", "CRM is only software.", False),  # cue: guessed false, right
        _truefalse("tf-b", "Retention simply means winning customers.", False),  # cue: right
        _truefalse("tf-c", "Satisfaction alone does not guarantee loyalty.", True),  # cue: wrong
        _truefalse("tf-d", "Complaints can build loyalty.", True),  # hedge: right in the variant
        _truefalse("tf-e", "Win-back is about brand-new customers.", False),  # neither
    )
    rule = truefalse_cue_rule(bank)
    assert (rule.statements, rule.true_count, rule.cue_statements, rule.cue_false) == (5, 2, 3, 2)
    assert (rule.hedged_statements, rule.hedged_true) == (1, 1)
    # Main rule: a, b, d right (no cue word means true, so e is wrong).
    assert rule.accuracy == pytest.approx(3 / 5)
    # Variant: e has neither, so it gets the majority answer (false): right.
    assert rule.hedging_accuracy == pytest.approx(4 / 5)
    assert rule.true_share == pytest.approx(2 / 5)


def test_hedging_variant_takes_the_guessers_best_choice_when_cue_and_hedge_meet(tmp_path: Path) -> None:
    bank = _bank(
        tmp_path,
        _truefalse("tf-a", "CRM is only software.", False),
        _truefalse("tf-b", "Complaints can never be ignored.", True),  # a cue word and a hedge
    )
    rule = truefalse_cue_rule(bank)
    assert rule.accuracy == pytest.approx(1 / 2)
    assert rule.hedging_accuracy == pytest.approx(1.0)  # guessing "true" for a conflict scores both


def test_best_single_word(tmp_path: Path) -> None:
    bank = _bank(
        tmp_path,
        _truefalse("tf-a", "Loyalty programmes reward existing customers.", True),
        _truefalse("tf-b", "Loyalty grows when complaints are handled well.", True),
        _truefalse("tf-c", "Churn counts new customers.", False),
        _truefalse("tf-d", "NPS rates one call.", False),
    )
    best = truefalse_best_word(bank)
    assert (best.word, best.answer_if_present, best.present) == ("loyalty", True, 2)
    assert best.accuracy == pytest.approx(1.0)


def test_longest_answer_share_and_reused_distractors(tmp_path: Path) -> None:
    bank = _bank(
        tmp_path,
        _mcq("mcq-a", "Interaction tracking", ["Payroll", "Stock control"]),  # strictly longest
        _mcq("mcq-b", "Contact management", ["Interaction tracking", "Payroll"]),
        _mcq("mcq-c", "Equality Act 2010", ["Interaction tracking", "payroll "]),
        _mcq("mcq-d", "Act", ["Plan", "PAYROLL", "Interaction tracking"]),
        _mcq("mcq-e", "Check", ["Plan", "Act"]),  # strictly longest
    )
    share = mcq_longest_share(bank)
    assert share.mcqs == 5 and share.longest == ("mcq-a", "mcq-e")
    assert share.share == pytest.approx(2 / 5)
    reused = mcq_reused_distractors(bank)
    # "Interaction tracking" is wrong three times but right once; "Plan" is wrong only twice.
    assert [(d.text, d.uses, d.items) for d in reused] == [
        ("Payroll", 4, ("mcq-a", "mcq-b", "mcq-c", "mcq-d"))
    ]


@dataclass(frozen=True)
class Drawn:
    """What the measure reads of a drawn drill (content.drills.DrillInstance's public fields)."""

    options: list[float]
    answer_index: int

    @property
    def answer(self) -> float:
        return self.options[self.answer_index]


def _served(options: list[float], answer_index: int) -> Drawn:
    return Drawn(options, answer_index)


def test_each_rule_counts_the_draws_in_which_it_taps_the_answer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The measure on draws of known buttons (whatever the drills module draws)."""
    shown = [
        _served([10, 20, 30, 40], 3),  # the largest, also the nearest 100
        _served([10, 20, 30, 40], 0),  # the smallest
        _served([90, 110, 5, 200], 1),  # 90 and 110 tie for the nearest 100: the guesser's
        _served([1, 2, 3, 4], 1),  # no rule
    ]
    seeds: list[int] = []

    def fake_generate(drill: MetricDrill, rng: random.Random, seed: int) -> Drawn:
        assert isinstance(drill, MetricDrill) and isinstance(rng, random.Random)
        seeds.append(seed)
        return shown[(len(seeds) - 1) % len(shown)]

    monkeypatch.setattr(guessability, "generate", fake_generate)
    bank = load_bank(write_bank(tmp_path / "bank", TINY), floors=False)
    [found] = drill_button_rules(bank, draws=8, seed=5)
    assert (found.item, found.metric, found.draws) == ("drill-sat-nps", "nps", 8)
    assert (found.largest, found.smallest, found.nearest_100) == (2, 2, 4)
    assert found.worst == RuleScore("nearest 100", 4, 8) and found.worst.share == 0.5
    assert len(set(seeds)) == 8  # each draw orders its buttons from a seed of its own
    first = seeds[:]
    drill_button_rules(bank, draws=8, seed=5)
    assert seeds[8:] == first  # the same seed, the same draws


def test_the_measure_on_a_real_drill_is_repeatable(tmp_path: Path) -> None:
    bank = load_bank(write_bank(tmp_path / "bank", TINY), floors=False)
    [found] = drill_button_rules(bank, draws=200, seed=3)
    assert found.draws == 200 and all(0 <= score.right <= 200 for score in found.rules)
    assert drill_button_rules(bank, draws=200, seed=3) == [found]
    assert [score.rule for score in found.rules] == [name for name, _ in BUTTON_RULES]


def test_ties_go_to_the_guesser_and_the_worst_rule_is_the_best_scoring() -> None:
    nearest = dict(BUTTON_RULES)["nearest 100"]
    shown = [Decimal(90), Decimal(110), Decimal(40), Decimal(50)]
    assert picks(shown, nearest) == {0, 1}
    assert picks(shown, dict(BUTTON_RULES)["smallest"]) == {2}
    found = DrillButtons("d", "csat", draws=1000, largest=120, smallest=401, nearest_100=401)
    assert found.worst == RuleScore("smallest", 401, 1000)
    assert beats(401, 1000, 40) and not beats(400, 1000, 40)  # the limit itself passes


TINY_SPECIFICATIONS = """\
specifications:
  - body: pearson
    outcomes:
      - id: crm
        title: Understand CRM
        points:
          - id: pearson-crm-data
            text: How CRM data personalises service.
  - body: generic
    outcomes:
      - id: retention
        title: Understand customer retention
        points:
          - id: generic-retention-benefits
            text: Benefits of retention.
"""

COVERED_ITEMS = """\
items:
  - id: crm-data
    kind: concept
    area: crm
    bodies: [pearson]
    sources: ["004"]
    covers: [pearson-crm-data]
    question: How does CRM data personalise service?
    answer: It tailors each interaction.
    explanation: Because staff can see the history.
  - id: tf-shared
    kind: truefalse
    area: retention
    bodies: [all]
    sources: ["000"]
    covers: [pearson-crm-data, generic-retention-benefits]
    statement: Retention pays.
    answer: true
    explanation: Keeping customers costs less.
  - id: ces-context
    kind: concept
    area: satisfaction
    bodies: []
    sources: []
    beyond_spec: true
    question: What is CES?
    answer: How easy it was.
    explanation: Context beyond the specifications.
  - id: mcq-wrong-body
    kind: mcq
    area: crm
    bodies: [generic]
    sources: ["002"]
    covers: [pearson-crm-data, no-such-point]
    question: Which CRM function?
    answer: Interaction tracking
    wrong: [Payroll]
    explanation: It logs contacts.
"""


def _covered_bank(tmp_path: Path) -> Bank:
    folder = write_bank(tmp_path / "bank", COVERED_ITEMS, specifications=TINY_SPECIFICATIONS)
    return load_bank(folder, floors=False)


def test_coverage_lists_teaching_and_testing_items_and_the_gaps(tmp_path: Path) -> None:
    result = _covered_bank(tmp_path)
    found = coverage(result)
    points = {
        (body.body, point.point): point
        for body in found.bodies
        for outcome in body.outcomes
        for point in outcome.points
    }
    assert points["pearson", "pearson-crm-data"].teaching == ("crm-data",)
    # mcq-wrong-body names the point but Pearson learners never meet it, so it does not count.
    assert points["pearson", "pearson-crm-data"].testing == ("tf-shared",)
    assert points["generic", "generic-retention-benefits"].teaching == ()
    assert points["generic", "generic-retention-benefits"].testing == ("tf-shared",)
    assert found.gaps == (Gap("generic", "generic-retention-benefits", "teaching"),)
    assert len(found.problems) == 2
    assert "mcq-wrong-body" in found.problems[0] and "pearson-crm-data" in found.problems[0]
    assert "no-such-point" in found.problems[1]


def test_beyond_spec_items_reach_everyone_cite_nothing_and_cover_nothing(tmp_path: Path) -> None:
    bank = _covered_bank(tmp_path)
    context = bank.items["ces-context"]
    assert context.beyond_spec and all(context.applies_to(body) for body in ("icq", "pearson", None))
    base = {
        "id": "x",
        "kind": "concept",
        "area": "crm",
        "question": "Q?",
        "answer": "A.",
        "explanation": "E.",
    }
    with pytest.raises(ValidationError):  # an ordinary item must cite a body and a source
        ITEM_ADAPTER.validate_python({**base, "bodies": [], "sources": []})
    with pytest.raises(ValidationError):  # beyond the specifications means citing none
        ITEM_ADAPTER.validate_python({**base, "beyond_spec": True, "bodies": ["icq"], "sources": []})
    with pytest.raises(ValidationError):  # ...and covering no marking point
        ITEM_ADAPTER.validate_python(
            {**base, "beyond_spec": True, "bodies": [], "sources": [], "covers": ["icq-crm-purpose"]}
        )


def test_a_beyond_spec_item_never_counts_towards_coverage(tmp_path: Path) -> None:
    """Even one that slipped past the schema with `covers` (built here without validation)."""
    bank = _covered_bank(tmp_path)
    context = bank.items["ces-context"]
    assert isinstance(context, ConceptCard)
    smuggled = context.model_copy(update={"covers": ["generic-retention-benefits"]})
    rigged = Bank(catalogue=bank.catalogue, items={**bank.items, "ces-context": smuggled})
    found = coverage(rigged)
    point = next(
        p
        for body in found.bodies
        for outcome in body.outcomes
        for p in outcome.points
        if p.point == "generic-retention-benefits"
    )
    assert "ces-context" not in point.teaching and point.teaching == ()
    assert Gap("generic", "generic-retention-benefits", "teaching") in found.gaps
    assert any("'ces-context' is beyond the specifications" in problem for problem in found.problems)


def test_a_bank_without_specifications_has_no_coverage_to_report(tmp_path: Path) -> None:
    found = coverage(load_bank(write_bank(tmp_path / "bank", specifications=""), floors=False))
    assert (found.bodies, found.gaps, found.problems) == ((), (), ())


# --- the shipped bank ----------------------------------------------------------------------------


OUTCOMES = {"crm", "retention", "measurement"}
TEXT_FIELDS = {"question", "answer", "wrong", "statement", "explanation", "solution", "title", "text"}


@pytest.fixture(scope="module")
def shipped() -> Bank:
    return load_bank(CONTENT_DIR)


def test_the_cue_word_rule_does_not_beat_the_shipped_true_false_bank(shipped: Bank) -> None:
    rule = truefalse_cue_rule(shipped)
    assert rule.accuracy <= 0.60, rule
    assert rule.hedging_accuracy <= 0.60, rule
    assert 0.45 <= rule.true_share <= 0.55, rule


def test_no_single_word_gives_the_shipped_true_false_answers_away(shipped: Bank) -> None:
    best = truefalse_best_word(shipped)
    assert best.accuracy <= 0.62, best


def test_the_longest_option_is_not_a_tell_in_the_shipped_bank(shipped: Bank) -> None:
    share = mcq_longest_share(shipped)
    assert share.share <= 0.30, share


def test_no_shipped_distractor_is_reused_without_ever_being_right(shipped: Bank) -> None:
    assert mcq_reused_distractors(shipped) == []


def test_no_button_rule_beats_the_shipped_drills(shipped: Bank) -> None:
    over = [
        (found.item, found.worst)
        for found in drill_button_rules(shipped)
        if beats(found.worst.right, found.draws, DRILL_RULE_LIMIT)
    ]
    assert over == []


def test_every_marking_point_of_every_body_is_taught_and_tested(shipped: Bank) -> None:
    found = coverage(shipped)
    assert found.problems == ()
    assert found.gaps == ()
    bodies = {body.id for body in shipped.catalogue.awarding_bodies}
    assert {body.body for body in found.bodies} == bodies
    for body in found.bodies:
        assert {outcome.outcome for outcome in body.outcomes} == OUTCOMES, body.body
        assert all(outcome.points for outcome in body.outcomes), body.body


def test_shipped_items_name_no_other_body_to_its_learners(shipped: Bank) -> None:
    """An item that names an awarding body is for that body's learners only."""
    bodies = [body.id for body in shipped.catalogue.awarding_bodies if body.id != "generic"]
    for item in shipped.items.values():
        fields = item.model_dump(include=TEXT_FIELDS)
        text = " ".join(str(value) for value in fields.values()).casefold()
        for body in bodies:
            if re.search(rf"\b{body}\b", text):
                assert set(item.bodies) == {body} and not item.beyond_spec, (item.id, body)
