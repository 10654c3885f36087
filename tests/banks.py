"""Small banks written to a temporary folder, for tests that need an exact sequence of prompts."""

from __future__ import annotations

import functools
import shutil
import textwrap
from pathlib import Path

from bot.config import CONTENT_DIR
from content.loader import load_bank
from content.schema import Bank

NPS_DRILL = """\
  - id: drill-sat-nps
    kind: drill
    area: satisfaction
    bodies: [all]
    sources: ["000"]
    metric: nps
    question: "{promoters} promoters, {passives} passives, {detractors} detractors. NPS?"
    params:
      promoters: [60, 60]
      passives: [20, 20]
      detractors: [20, 20]
    solution: "{promoters_pct}% - {detractors_pct}% = {answer}."
    explanation: Passives count only in the total.
"""  # a calculation with one answer (NPS 40), for tests that need an exact sequence of prompts

TINY = (
    """\
items:
  - id: sat-nps
    kind: concept
    area: satisfaction
    bodies: [all]
    sources: ["000"]
    question: How is NPS worked out?
    answer: Percentage of promoters minus percentage of detractors.
    explanation: Passives count in the total only.
    terms: [NPS, Net Promoter Score]
  - id: sat-csat
    kind: concept
    area: satisfaction
    bodies: [all]
    sources: ["000"]
    question: What is CSAT?
    answer: The share of satisfied responses.
    explanation: It rates a single interaction.
    terms: [CSAT]
  - id: mcq-sat-qualitative
    kind: mcq
    area: satisfaction
    bodies: [all]
    sources: ["004"]
    question: Which method is qualitative?
    answer: Focus group
    wrong: [Net Promoter Score, CSAT survey, Repeat purchase rate]
    explanation: A focus group explores why customers feel as they do.
    tests: [sat-nps]
"""
    + NPS_DRILL
    + """\
    tests: [sat-nps]
  - id: tip-one
    kind: tip
    area: any
    bodies: [all]
    sources: ["000"]
    title: Define, explain, give an example
    text: Structure each answer in three steps.
"""
)


@functools.cache
def shipped_bank() -> Bank:
    """The shipped bank, loaded once per test session (it is read-only)."""
    return load_bank(CONTENT_DIR)


def write_bank(folder: Path, items: str = TINY, specifications: str | None = None) -> Path:
    """A bank folder with the real catalogue (floors off) and `items` as its only item file.

    `specifications`, when given, replaces the catalogue's `specifications:` section ("" leaves
    none, so coverage has nothing to check).
    """
    folder.mkdir(parents=True, exist_ok=True)
    catalogue = (CONTENT_DIR / "catalogue.yaml").read_text()
    start = catalogue.index("floors:")
    end = catalogue.index("# Published items")
    catalogue = catalogue[:start] + catalogue[end:]
    if specifications is not None:
        catalogue = catalogue[: catalogue.index("specifications:")] + textwrap.dedent(specifications)
    (folder / "catalogue.yaml").write_text(catalogue)
    (folder / "items.yaml").write_text(textwrap.dedent(items))
    return folder


def tiny_bank(folder: Path) -> Bank:
    """The tiny bank above, loaded."""
    return load_bank(write_bank(folder))


def copy_real_bank(folder: Path) -> Path:
    """A copy of the shipped bank, to break on purpose."""
    shutil.copytree(CONTENT_DIR, folder)
    return folder
