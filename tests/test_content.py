"""The content loader and checker: the real bank loads; each mistake is reported with file and line."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from bot.config import CONTENT_DIR
from content.loader import ContentError, load_bank
from content.schema import ConceptCard, TrueFalse

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
    """A bank folder with the real catalogue and the given item files."""
    folder = tmp_path / "bank"
    folder.mkdir()
    shutil.copy(CONTENT_DIR / "catalogue.yaml", folder / "catalogue.yaml")
    for name, text in files.items():
        (folder / f"{name}.yaml").write_text(textwrap.dedent(text))
    return folder


def problems(folder: Path) -> list[str]:
    with pytest.raises(ContentError) as caught:
        load_bank(folder)
    return [str(p) for p in caught.value.problems]


def test_the_real_bank_loads_and_holds_the_first_slice() -> None:
    bank = load_bank(CONTENT_DIR)
    concepts = [i for i in bank.items.values() if isinstance(i, ConceptCard)]
    challenges = [i for i in bank.items.values() if isinstance(i, TrueFalse)]
    assert len(concepts) >= 12 and len(challenges) >= 24
    true_share = sum(c.answer for c in challenges) / len(challenges)
    assert 0.4 <= true_share <= 0.6
    assert {i.area for i in bank.items.values()} == {"crm", "retention", "satisfaction"}


def test_items_for_one_body_include_those_common_to_all(tmp_path: Path) -> None:
    bank = load_bank(bank_dir(tmp_path, items="items:\n" + GOOD_CONCEPT + GOOD_CHALLENGE))
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
        "a.yaml:11: item 'tf-other': unknown kind: use one of 'concept', 'truefalse', 'mcq', 'drill', 'tip'",
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
    good = subprocess.run(
        [sys.executable, "-m", "content", "check"], capture_output=True, text=True, check=False
    )
    assert good.returncode == 0
    assert "by kind: concept" in good.stdout and "by area: crm" in good.stdout

    broken = bank_dir(tmp_path, a="items:\n" + GOOD_CONCEPT.replace("area: crm", "area: nowhere"))
    bad = subprocess.run(
        [sys.executable, "-m", "content", "check", str(broken)], capture_output=True, text=True, check=False
    )
    assert bad.returncode == 1
    assert "a.yaml:4: item 'crm-test-card': unknown topic area 'nowhere'" in bad.stderr
    assert "1 problem in the content bank." in bad.stderr
