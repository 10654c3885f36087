"""`python -m bot preview`: the tutor loop in a terminal, for a teacher trying a content file."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from bot.views.common import BEYOND_SPEC
from tests.banks import write_bank

REPO = Path(__file__).resolve().parent.parent


def preview(*args: str, stdin: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")}  # no token needed
    env["PYTHONPATH"] = str(REPO)
    return subprocess.run(
        [sys.executable, "-m", "bot", "preview", *args],
        input=stdin,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_teacher_tries_a_new_content_file_in_the_terminal(tmp_path: Path) -> None:
    bank = write_bank(tmp_path / "my-unit")
    # NPS card (reveal, knew it), the MCQ (A), the drill (40, then Next after its worked solution),
    # the CSAT card (reveal, not yet), then commands. One tap per answer: the next prompt follows.
    steps = ["1", "1", "A", "40", "1", "1", "2", "/define csat", "/stats", "/quit"]
    result = preview("--content", str(bank), stdin="\n".join(steps) + "\n", cwd=tmp_path)
    out = result.stdout
    assert result.returncode == 0, result.stderr
    assert "Retain preview · 5 items" in out
    assert "How is NPS worked out?" in out and "[1] Reveal" in out
    assert "Answer: Percentage of promoters minus percentage of detractors." in out
    assert "[1] Knew it   [2] Not yet" in out
    assert "✅ Knew it." in out and "[1] Next ▶" in out
    assert "What is CSAT?" in out and "🔁 Not yet: no problem." in out  # on the second card
    assert "📖 CSAT" in out
    assert "met 4 of 4" in out
    assert "<b>" not in out  # HTML is turned into plain text
    assert out.rstrip().endswith("Bye.")


def test_typed_numbers_answer_a_calculation_in_the_preview(tmp_path: Path) -> None:
    bank = write_bank(tmp_path / "my-unit")
    steps = ["1", "1", "A", "forty", "40"]  # the NPS card, the MCQ, then the drill
    result = preview("--content", str(bank), stdin="\n".join(steps) + "\n", cwd=tmp_path)
    out = result.stdout
    assert "Which method is qualitative?" in out
    assert "couldn't read “forty” as a number" in out
    assert "Right: 40." in out and "Worked solution: 60% - 20% = 40." in out


def test_a_broken_content_file_is_reported_with_file_and_line(tmp_path: Path) -> None:
    bank = write_bank(tmp_path / "my-unit", "items:\n  - id: x\n    kind: concept\n    area: crm\n")
    result = preview("--content", str(bank), stdin="", cwd=tmp_path)
    assert result.returncode == 1
    assert "items.yaml:2: item 'x': 'bodies' is missing" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unknown_awarding_body_is_refused(tmp_path: Path) -> None:
    result = preview("--body", "aqa", stdin="", cwd=tmp_path)
    assert result.returncode == 2 and "Unknown awarding body 'aqa'" in result.stderr


def test_the_preview_labels_an_item_beyond_the_specifications(tmp_path: Path) -> None:
    bank = write_bank(tmp_path / "my-unit", BEYOND_SPEC_BANK)
    steps = ["1", "1", "1", "/quit"]  # the CES card (reveal, knew it), then the CSAT card (reveal)
    result = preview("--content", str(bank), stdin="\n".join(steps) + "\n", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    # Each message the learner sees starts with its heading ("1/10 · Concept · ..." as first asked).
    messages = re.split(r"\n(?=(?:\d+/\d+ · )?Concept · )", result.stdout)[1:]
    ces = [message for message in messages if "Customer Effort Score" in message]
    csat = [message for message in messages if "What is CSAT?" in message]
    assert len(ces) == 3 and len(csat) == 2  # asked, revealed and answered; asked and revealed
    # The heading and, under it, the label; the CSAT card (cited) carries none.
    assert all(message.split("\n")[1] == f"🔭 {BEYOND_SPEC}" for message in ces), ces
    assert not any(BEYOND_SPEC in block for block in csat), csat


BEYOND_SPEC_BANK = """\
items:
  - id: satisfaction-ces
    kind: concept
    area: satisfaction
    bodies: []
    sources: []
    beyond_spec: true
    question: What does the Customer Effort Score measure?
    answer: How easy it was for the customer to get what they needed.
    explanation: Effort predicts loyalty better than delight does.
  - id: sat-csat
    kind: concept
    area: satisfaction
    bodies: [all]
    sources: ["000"]
    question: What is CSAT?
    answer: The share of satisfied responses.
    explanation: It rates a single interaction.
"""
