"""A small bank for mock exam tests: every kind in three areas, and one written exam question."""

from __future__ import annotations

from pathlib import Path

from content.loader import load_bank
from content.schema import Bank
from tests.banks import NPS_DRILL, write_bank

AREAS = ("crm", "retention", "satisfaction")


def _items(area: str) -> str:
    out = []
    for n in range(3):
        out.append(f"""
  - id: {area}-card-{n}
    kind: concept
    area: {area}
    bodies: [all]
    sources: ["000"]
    question: "Card {n} of {area}: what is it?"
    answer: "Answer {n} of {area}."
    explanation: "Why {n} of {area}."
  - id: {area}-tf-{n}
    kind: truefalse
    area: {area}
    bodies: [all]
    sources: ["000"]
    statement: "Statement {n} about {area}."
    answer: {"true" if n % 2 == 0 else "false"}
    explanation: "Because {n} of {area}."
  - id: {area}-mcq-{n}
    kind: mcq
    area: {area}
    bodies: [all]
    sources: ["000"]
    question: "Which one, {n} of {area}?"
    answer: "Right {n} {area}"
    wrong: ["Wrong a {n} {area}", "Wrong b {n} {area}", "Wrong c {n} {area}"]
    explanation: "The right one, {n} of {area}."
""")
    return "".join(out)


EXAM = """
  - id: exam-crm-explain
    kind: exam
    area: crm
    bodies: [all]
    sources: ["000"]
    command: explain
    outcome: crm
    question: Explain how CRM supports customer retention.
    points:
      - id: data
        text: CRM stores customer data and history
        phrasings: ["store*|record*|hold*|keep* + customer|client + history|details|data"]
      - id: personalise
        text: the data lets staff personalise service
        phrasings: ["personalis*|tailor*"]
      - id: loyal
        text: personal service makes customers more loyal, so they stay
        phrasings: ["loyal*|stay*|return*|retain*"]
    model_answer: CRM records each customer's history, so staff can tailor service, which builds loyalty.
    explanation: Define CRM, then link it to retention.
"""


def mock_bank(folder: Path, exam: bool = True) -> Bank:
    """Three areas of cards, true-or-false and multiple choice, a calculation, and (`exam`) one
    written question."""
    items = "items:" + "".join(_items(area) for area in AREAS) + NPS_DRILL + (EXAM if exam else "")
    return load_bank(write_bank(folder, items, specifications=""))
