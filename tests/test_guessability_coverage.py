"""Guessability and coverage: each measure on a tiny hand-made bank, then the shipped bank held to them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.config import CONTENT_DIR
from content.coverage import Gap, coverage
from content.guessability import (
    has_cue_word,
    has_hedge,
    mcq_longest_share,
    mcq_reused_distractors,
    truefalse_best_word,
    truefalse_cue_rule,
)
from content.loader import load_bank
from content.schema import ITEM_ADAPTER, Bank
from tests.banks import write_bank


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
    folder = write_bank(tmp_path / "bank", COVERED_ITEMS)
    catalogue = folder / "catalogue.yaml"
    text = catalogue.read_text()
    text = text[: text.index("specifications:")] if "specifications:" in text else text
    catalogue.write_text(text + TINY_SPECIFICATIONS)
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


def test_a_bank_without_specifications_has_no_coverage_to_report(tmp_path: Path) -> None:
    folder = write_bank(tmp_path / "bank")
    catalogue = folder / "catalogue.yaml"
    text = catalogue.read_text()
    catalogue.write_text(text[: text.index("specifications:")] if "specifications:" in text else text)
    found = coverage(load_bank(folder, floors=False))
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
