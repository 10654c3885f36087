"""The content loader and checker: the real bank loads; each mistake is reported with file and line."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path

import pytest

from bot.config import CONTENT_DIR
from content.loader import ContentError, load_bank
from content.published import read_published
from content.schema import TrueFalse
from tests.banks import copy_real_bank

GOOD_CONCEPT = """\
  - id: crm-test-card
    kind: concept
    area: crm
    bodies: [all]
    sources: ["000"]
    question: What is CRM?
    answer: A strategy.
    explanation: Because it joins people, processes and technology.
"""

GOOD_CHALLENGE = """\
  - id: tf-test
    kind: truefalse
    area: crm
    bodies: [pearson]
    sources: ["004"]
    statement: CRM is only software.
    answer: false
    explanation: It is a strategy as well as a tool.
    tests: [crm-test-card]
"""


def bank_dir(tmp_path: Path, **files: str) -> Path:
    """A bank folder with the real catalogue (floors and all) and the given item files."""
    folder = tmp_path / "bank"
    folder.mkdir(parents=True)
    shutil.copy(CONTENT_DIR / "catalogue.yaml", folder / "catalogue.yaml")
    for name, text in files.items():
        (folder / f"{name}.yaml").write_text(textwrap.dedent(text))
    return folder


def problems(folder: Path, floors: bool = False) -> list[str]:
    """Every problem the checker reports (the shipped floors only when asked for)."""
    with pytest.raises(ContentError) as caught:
        load_bank(folder, floors=floors)
    return [str(p) for p in caught.value.problems]


def test_the_real_bank_meets_its_floors() -> None:
    bank = load_bank(CONTENT_DIR)
    items = list(bank.items.values())
    kinds = Counter(item.kind.value for item in items)
    assert kinds["concept"] >= 50 and kinds["truefalse"] >= 100 and kinds["mcq"] >= 40
    assert kinds["drill"] >= 7 and kinds["tip"] >= 20
    challenges = [i for i in items if isinstance(i, TrueFalse)]
    assert 0.4 <= sum(c.answer for c in challenges) / len(challenges) <= 0.6
    areas = Counter(item.area for item in items)
    assert {a.id for a in bank.areas} == {
        "crm",
        "retention",
        "satisfaction",
        "complaints",
        "performance",
        "quality",
        "legislation",
        "leadership",
    }
    assert all(areas[a.id] >= 12 for a in bank.areas)
    assert all(item.sources or item.beyond_spec for item in items)  # beyond the specs: cites none


def test_every_item_in_the_bank_is_published() -> None:
    published = set(read_published(CONTENT_DIR))
    unpublished = sorted(set(load_bank(CONTENT_DIR).items) - published)
    assert not unpublished, f"run `python -m content publish` to publish {unpublished}"


def test_removing_a_published_item_is_refused_unless_it_is_retired(tmp_path: Path) -> None:
    folder = copy_real_bank(tmp_path / "bank")
    crm = folder / "crm.yaml"
    text = crm.read_text()
    start = text.index("  - id: crm-what-it-is")
    end = text.index("  - id: ", start + 10)
    crm.write_text(text[:start] + text[end:])
    lines = (folder / "published.txt").read_text().splitlines()
    line = lines.index("crm-what-it-is") + 1
    found = problems(folder)
    assert any(f"published.txt:{line}: published id 'crm-what-it-is' is gone" in p for p in found), found
    # Challenges that tested the card must be repointed too; retire the card and fix them.
    catalogue = folder / "catalogue.yaml"
    catalogue.write_text(
        catalogue.read_text().replace(
            "retired: []", "retired:\n  - id: crm-what-it-is\n    reason: merged into crm-purpose-objectives"
        )
    )
    for path in folder.glob("*.yaml"):
        path.write_text(path.read_text().replace("tests: [crm-what-it-is]", "tests: []"))
        path.write_text(path.read_text().replace("crm-what-it-is, ", "").replace(", crm-what-it-is", ""))
    load_bank(folder)


def test_floors_are_enforced_and_a_draft_skips_them(tmp_path: Path) -> None:
    folder = bank_dir(tmp_path, a="items:\n" + GOOD_CONCEPT)
    catalogue = folder / "catalogue.yaml"
    catalogue.write_text(catalogue.read_text().replace("  per_area: 12", "  per_area: 2"))
    found = problems(folder, floors=True)
    assert "catalogue.yaml:1: the bank has 1 concept items; the floor is 50" in found
    assert "catalogue.yaml:1: topic area 'crm' has 1 items; every area needs 2" in found
    assert load_bank(folder, floors=False).items.keys() == {"crm-test-card"}


def test_a_lopsided_true_false_bank_is_refused(tmp_path: Path) -> None:
    falses = "".join(GOOD_CHALLENGE.replace("tf-test", f"tf-test-{n}") for n in range(4))
    folder = bank_dir(tmp_path, a="items:\n" + GOOD_CONCEPT + falses)
    assert any("0% of true/false items are true" in p for p in problems(folder, floors=True))


GOOD_MCQ = """\
  - id: mcq-test
    kind: mcq
    area: crm
    bodies: [all]
    sources: ["000"]
    question: Which is a CRM function?
    answer: Interaction tracking
    wrong: [Payroll, Stock control]
    explanation: CRM logs every contact.
"""


def test_multiple_choice_limits_and_repeated_options(tmp_path: Path) -> None:
    text = GOOD_MCQ.replace("Payroll", "x" * 101).replace("Stock control", "Interaction Tracking")
    found = problems(bank_dir(tmp_path, a="items:\n" + text))
    assert found == [
        "a.yaml:9: item 'mcq-test': option 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...' is 101 characters; "
        "a quiz poll option allows 100",
        "a.yaml:9: item 'mcq-test': two options are the same",
    ]
    wrong = ", ".join(f"w{n}" for n in range(12))
    found = problems(
        bank_dir(tmp_path / "b", a="items:\n" + GOOD_MCQ.replace("Payroll, Stock control", wrong))
    )
    assert found == ["a.yaml:9: item 'mcq-test': 13 options; a quiz poll allows 12"]


GOOD_DRILL = """\
  - id: drill-test
    kind: drill
    area: satisfaction
    bodies: [all]
    sources: ["000"]
    metric: csat
    question: "{satisfied} of {respondents} were satisfied. CSAT?"
    solution: "{satisfied} / {respondents} = {answer}"
    params:
      satisfied: [0, 10]
      unsatisfied: [0, 10]
    explanation: Only satisfied scores count.
    unit: "%"
"""


def test_drill_templates_are_checked(tmp_path: Path) -> None:
    assert load_bank(bank_dir(tmp_path, a="items:\n" + GOOD_DRILL), floors=False)
    cases = {
        "metric: csat": ("metric: happiness", "a.yaml:7: item 'drill-test': unknown metric 'happiness'"),
        "unsatisfied: [0, 10]": ("unhappy: [0, 10]", "a.yaml:11: item 'drill-test': metric 'csat' takes"),
        "{respondents} were": ("{people} were", "a.yaml:8: item 'drill-test': question uses {people}"),
        "satisfied: [0, 10]\n      unsat": (
            "satisfied: [0, 0]\n      unsat",
            "a.yaml:11: item 'drill-test': drill drill-test: no defined value",
        ),
    }
    for n, (old, (new, expected)) in enumerate(cases.items()):
        text = GOOD_DRILL.replace(old, new)
        if "[0, 0]" in new:
            text = text.replace("unsatisfied: [0, 10]", "unsatisfied: [0, 0]")
        found = problems(bank_dir(tmp_path / str(n), a="items:\n" + text))
        assert found[0].startswith(expected), found


def test_tips_are_short_cards(tmp_path: Path) -> None:
    tip = """\
  - id: tip-test
    kind: tip
    area: any
    bodies: [all]
    sources: ["000"]
    title: A tip
    text: TEXT
"""
    assert load_bank(bank_dir(tmp_path, a="items:\n" + tip.replace("TEXT", "Keep it short.")), floors=False)
    found = problems(bank_dir(tmp_path / "b", a="items:\n" + tip.replace("TEXT", "y" * 401)))
    assert found == [
        "a.yaml:8: item 'tip-test': text is 401 characters; a tip is a short card of at most 400"
    ]
    found = problems(bank_dir(tmp_path / "c", a="items:\n" + GOOD_CONCEPT.replace("area: crm", "area: any")))
    assert found[0].startswith("a.yaml:4: item 'crm-test-card': unknown topic area 'any'")


def test_items_for_one_body_include_those_common_to_all(tmp_path: Path) -> None:
    bank = load_bank(bank_dir(tmp_path, items="items:\n" + GOOD_CONCEPT + GOOD_CHALLENGE), floors=False)
    assert [i.id for i in bank.for_body("icq")] == ["crm-test-card"]
    assert [i.id for i in bank.for_body("pearson")] == ["crm-test-card", "tf-test"]
    assert [i.id for i in bank.for_body("all")] == ["crm-test-card", "tf-test"]


def test_malformed_yaml_names_file_and_line(tmp_path: Path) -> None:
    folder = bank_dir(tmp_path, broken="items:\n  - id: x\n    kind: [concept\n    area: crm\n")
    [problem] = problems(folder)
    assert problem.startswith("broken.yaml:4: malformed YAML")


def test_duplicate_ids_across_files(tmp_path: Path) -> None:
    folder = bank_dir(tmp_path, a="items:\n" + GOOD_CONCEPT, b="# another file\nitems:\n" + GOOD_CONCEPT)
    assert problems(folder) == ["b.yaml:3: duplicate id 'crm-test-card' (first defined at a.yaml:2)"]


def test_unknown_topic_area(tmp_path: Path) -> None:
    folder = bank_dir(tmp_path, a="items:\n" + GOOD_CONCEPT.replace("area: crm", "area: marketing"))
    [problem] = problems(folder)
    assert problem.startswith("a.yaml:4: item 'crm-test-card': unknown topic area 'marketing'")


def test_unknown_awarding_body(tmp_path: Path) -> None:
    folder = bank_dir(tmp_path, a="items:\n" + GOOD_CONCEPT.replace("[all]", "[pearson, aqa]"))
    [problem] = problems(folder)
    assert problem.startswith("a.yaml:5: item 'crm-test-card': unknown awarding body 'aqa'")


def test_unknown_source(tmp_path: Path) -> None:
    folder = bank_dir(tmp_path, a="items:\n" + GOOD_CONCEPT.replace('["000"]', '["009"]'))
    [problem] = problems(folder)
    assert problem.startswith("a.yaml:6: item 'crm-test-card': unknown source '009'")


def test_missing_explanation(tmp_path: Path) -> None:
    text = GOOD_CONCEPT.replace("    explanation: Because it joins people, processes and technology.\n", "")
    [problem] = problems(bank_dir(tmp_path, a="items:\n" + text))
    assert problem == (
        "a.yaml:2: item 'crm-test-card': 'explanation' is missing: every answer must teach why, "
        "in one or two sentences"
    )


def test_empty_explanation(tmp_path: Path) -> None:
    text = GOOD_CONCEPT.replace("Because it joins people, processes and technology.", '"  "')
    [problem] = problems(bank_dir(tmp_path, a="items:\n" + text))
    assert problem.startswith("a.yaml:9: item 'crm-test-card': 'explanation' is empty")


def test_text_over_telegram_message_limit(tmp_path: Path) -> None:
    text = GOOD_CONCEPT.replace("answer: A strategy.", "answer: " + "long " * 900)
    [problem] = problems(bank_dir(tmp_path, a="items:\n" + text))
    assert problem.startswith("a.yaml:2: item 'crm-test-card': question, answer and explanation come to")
    assert "MessageLimit.MAX_TEXT_LENGTH" in problem


def test_challenge_over_quiz_poll_limits(tmp_path: Path) -> None:
    text = GOOD_CHALLENGE.replace("CRM is only software.", "x" * 301).replace(
        "It is a strategy as well as a tool.", "y" * 201
    )
    found = problems(bank_dir(tmp_path, a="items:\n" + GOOD_CONCEPT + text))
    assert found == [
        "a.yaml:15: item 'tf-test': statement is 301 characters; a quiz poll question allows 300",
        "a.yaml:17: item 'tf-test': explanation is 201 characters; a quiz poll explanation allows 200",
    ]


def test_unknown_field_and_unknown_kind(tmp_path: Path) -> None:
    text = GOOD_CONCEPT.replace(
        "kind: concept", "kind: concept\n    hint: spelled wrong"
    ) + GOOD_CHALLENGE.replace("kind: truefalse", "kind: essay").replace("tf-test", "tf-other")
    found = problems(bank_dir(tmp_path, a="items:\n" + text))
    assert found == [
        "a.yaml:4: item 'crm-test-card': unknown field 'hint' (check its spelling)",
        "a.yaml:11: item 'tf-other': unknown kind: use one of "
        "'concept', 'truefalse', 'mcq', 'drill', 'tip', 'exam'",
    ]


def test_challenge_testing_a_missing_concept(tmp_path: Path) -> None:
    [problem] = problems(bank_dir(tmp_path, a="items:\n" + GOOD_CHALLENGE))
    assert (
        problem == "a.yaml:10: item 'tf-test': tests 'crm-test-card', which is not a concept card in the bank"
    )


def test_bad_id_and_wrong_answer_type(tmp_path: Path) -> None:
    text = GOOD_CHALLENGE.replace("id: tf-test", "id: TF Test").replace("answer: false", "answer: maybe")
    found = problems(bank_dir(tmp_path, a="items:\n" + GOOD_CONCEPT + text))
    assert found[0].startswith("a.yaml:10: item 'TF Test': 'id' must be lowercase letters")
    assert found[1].startswith("a.yaml:16: item 'TF Test': 'answer':")


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    folder = bank_dir(
        tmp_path,
        a="items:\n" + GOOD_CONCEPT.replace("area: crm", "area: nowhere"),
        b="items: [\n",
    )
    assert len(problems(folder)) == 2


def test_checker_command_reports_counts_and_exit_status(tmp_path: Path) -> None:
    # Its exit status on the shipped bank, and the tables after the counts: tests/test_content_check.py.
    good = subprocess.run(
        [sys.executable, "-m", "content", "check"], capture_output=True, text=True, check=False
    )
    assert "is sound" in good.stdout and "by kind: concept" in good.stdout
    assert "by area:" in good.stdout and "by awarding body" in good.stdout

    broken = bank_dir(tmp_path, a="items:\n" + GOOD_CONCEPT.replace("area: crm", "area: nowhere"))
    bad = subprocess.run(
        [sys.executable, "-m", "content", "check", "--draft", str(broken)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 1
    assert "a.yaml:4: item 'crm-test-card': unknown topic area 'nowhere'" in bad.stderr
    assert "1 problem in the content bank." in bad.stderr
