"""How honestly does the automatic marker mark? Per-point precision and recall against labels.

Every labelled answer under tests/data/marking/ (format: the comment at the top of
tests/data/marking/answers.yaml) is marked by `bot.tutor.marking.mark`, and each marking point is
compared with the examiner's label: a point the marker gave and the label gives is a true
positive, one it gave that the label does not a false positive, one the label gives that it missed
a false negative. Precision = TP / (TP + FP), recall = TP / (TP + FN), over points.

Files named heldout*.yaml are a held-out set written without sight of the phrasings: they are
reported apart from the tuning files and together with them. The figures are also broken down by
category (good, partial, negated, keyword-stuffed...) and by awarding body (an answer counts for
every body of its question) and by file, and every exam question's model answer is marked (it should earn
every point). `stuffed_max_points` is the most points any keyword-stuffed answer earned.

Run: .venv/bin/python bench/marking.py [--data DIR] [--content DIR] [--show-errors] [--only GLOB]
The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.config import CONTENT_DIR
from bot.tutor.marking import Marking, mark
from content.loader import load_bank
from content.schema import Bank, ExamQuestion

DATA_DIR = Path(__file__).resolve().parent.parent / "tests" / "data" / "marking"
HELDOUT_PREFIX = "heldout"
STUFFED = "keyword-stuffed"
TARGETS = {"precision": 0.9, "recall": 0.75, "stuffed_max_points": 1}


@dataclass(frozen=True)
class Labelled:
    """One labelled answer: which points a fair examiner awards it."""

    file: str
    index: int
    question: str
    category: str
    text: str
    award: frozenset[str]

    @property
    def held_out(self) -> bool:
        """Whether it comes from a held-out file."""
        return self.file.startswith(HELDOUT_PREFIX)

    @property
    def where(self) -> str:
        """File and position, for messages."""
        return f"{self.file} answer {self.index + 1}"


@dataclass
class Tally:
    """Point counts over a group of answers."""

    answers: int = 0
    labelled: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, award: frozenset[str], given: frozenset[str]) -> None:
        """Count one marked answer."""
        self.answers += 1
        self.labelled += len(award)
        self.tp += len(award & given)
        self.fp += len(given - award)
        self.fn += len(award - given)

    @property
    def precision(self) -> float:
        """TP / (TP + FP); 1.0 when the marker gave nothing."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        """TP / (TP + FN); 1.0 when nothing was labelled."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def figures(self) -> dict[str, Any]:
        """The counts and ratios, for the JSON line."""
        return {
            "answers": self.answers,
            "labelled": self.labelled,
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": round(self.precision, 3),
            "recall": round(self.recall, 3),
        }


@dataclass
class Result:
    """Everything the benchmark measured."""

    sets: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    categories: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    bodies: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    files: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    total: Tally = field(default_factory=Tally)
    stuffed_max_points: int = 0
    errors: list[str] = field(default_factory=list)  # each wrong point, for --show-errors
    model_short: list[str] = field(default_factory=list)  # model answers missing a point
    model_answers: int = 0
    ms_per_answer: float = 0.0


def load_answers(directory: Path = DATA_DIR) -> list[Labelled]:
    """Every labelled answer of every YAML file in `directory`, tuning files first."""
    found: list[Labelled] = []
    for path in sorted(directory.glob("*.yaml"), key=lambda p: (p.name.startswith(HELDOUT_PREFIX), p.name)):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for index, entry in enumerate(document.get("answers") or []):
            found.append(
                Labelled(
                    file=path.name,
                    index=index,
                    question=str(entry["question"]),
                    category=str(entry["category"]),
                    text=str(entry["text"]),
                    award=frozenset(str(point) for point in entry.get("award") or []),
                )
            )
    return found


def check_labels(answers: Iterable[Labelled], questions: dict[str, ExamQuestion]) -> list[str]:
    """Labels that name a question or a point the bank does not have."""
    problems = []
    for answer in answers:
        question = questions.get(answer.question)
        if question is None:
            problems.append(f"{answer.where}: no exam question '{answer.question}'")
            continue
        unknown = answer.award - {point.id for point in question.points}
        if unknown:
            problems.append(f"{answer.where}: '{answer.question}' has no point {sorted(unknown)}")
    return problems


def exam_questions(bank: Bank) -> dict[str, ExamQuestion]:
    """The bank's exam questions by id."""
    return {item.id: item for item in bank.items.values() if isinstance(item, ExamQuestion)}


def evaluate(answers: list[Labelled], questions: dict[str, ExamQuestion]) -> Result:
    """Mark every answer and every model answer and tally the points against the labels."""
    result = Result()
    if answers:  # the first call reads the word list once: not what an answer costs
        mark(questions[answers[0].question], answers[0].text)
    started = time.perf_counter()
    markings: list[Marking] = [mark(questions[answer.question], answer.text) for answer in answers]
    elapsed = time.perf_counter() - started
    result.ms_per_answer = 1000 * elapsed / max(1, len(answers))
    for answer, marking in zip(answers, markings, strict=True):
        given = frozenset(point.point_id for point in marking.points if point.earned)
        question = questions[answer.question]
        result.total.add(answer.award, given)
        result.sets["heldout" if answer.held_out else "tuning"].add(answer.award, given)
        result.categories[answer.category].add(answer.award, given)
        result.files[answer.file].add(answer.award, given)
        for body in question.bodies:
            result.bodies[body].add(answer.award, given)
        if answer.category == STUFFED:
            result.stuffed_max_points = max(result.stuffed_max_points, len(given))
        for point in marking.points:
            if point.earned != (point.point_id in answer.award):
                verdict = "FP" if point.earned else "FN"
                detail = f"quote: {point.quote!r}" if point.earned else f"withheld: {point.why_not}"
                where = f"{answer.where} [{answer.category}] {answer.question}#{point.point_id}"
                result.errors.append(f"{verdict} {where} {detail}")
    for question in questions.values():
        result.model_answers += 1
        marking = mark(question, question.model_answer)
        missing = [point.point_id for point in marking.points if not point.earned]
        if missing:
            result.model_short.append(f"{question.id}: model answer misses {', '.join(missing)}")
    return result


def _table(title: str, rows: dict[str, Tally]) -> list[str]:
    head = f"{'answers':>7} {'points':>6} {'TP':>4} {'FP':>4} {'FN':>4} {'precision':>9} {'recall':>6}"
    lines = ["", f"{title:<22} {head}"]
    for name, tally in rows.items():
        lines.append(
            f"{name:<22} {tally.answers:>7} {tally.labelled:>6} {tally.tp:>4} {tally.fp:>4} {tally.fn:>4}"
            f" {tally.precision:>9.3f} {tally.recall:>6.3f}"
        )
    return lines


def figures(result: Result) -> dict[str, Any]:
    """The JSON line: overall figures first, then by set, category and body."""
    overall = result.total
    return {
        "answers": overall.answers,
        "precision": round(overall.precision, 3),
        "recall": round(overall.recall, 3),
        "stuffed_max_points": result.stuffed_max_points,
        "tp": overall.tp,
        "fp": overall.fp,
        "fn": overall.fn,
        "ms_per_answer": round(result.ms_per_answer, 2),
        "targets_met": {
            "precision": overall.precision >= TARGETS["precision"],
            "recall": overall.recall >= TARGETS["recall"],
            "stuffed_max_points": result.stuffed_max_points <= TARGETS["stuffed_max_points"],
        },
        "model_answers": result.model_answers,
        "model_answers_short": len(result.model_short),
        "sets": {name: tally.figures() for name, tally in sorted(result.sets.items())},
        "categories": {name: tally.figures() for name, tally in sorted(result.categories.items())},
        "bodies": {name: tally.figures() for name, tally in sorted(result.bodies.items())},
        "files": {name: tally.figures() for name, tally in sorted(result.files.items())},
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its table and JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--data", type=Path, default=DATA_DIR, help="folder of labelled answer files")
    parser.add_argument("--content", type=Path, default=CONTENT_DIR, help="the content bank folder")
    parser.add_argument("--show-errors", action="store_true", help="list every point marked wrongly")
    parser.add_argument("--only", metavar="GLOB", help="mark only the labelled files matching GLOB")
    args = parser.parse_args(argv)
    questions = exam_questions(load_bank(args.content, floors=False))
    answers = load_answers(args.data)
    if args.only:
        answers = [answer for answer in answers if fnmatch(answer.file, args.only)]
    problems = check_labels(answers, questions)
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    result = evaluate(answers, questions)
    lines = [f"{len(answers)} labelled answers on {len({a.question for a in answers})} exam questions"]
    rows = dict(sorted(result.sets.items())) | {"all": result.total}
    lines += _table("set", rows)
    lines += _table("category", dict(sorted(result.categories.items())))
    lines += _table("awarding body", dict(sorted(result.bodies.items())))
    lines += _table("file", dict(sorted(result.files.items())))
    lines.append("")
    lines.append(
        f"model answers: {result.model_answers - len(result.model_short)} of {result.model_answers} "
        "earn every point"
    )
    lines += [f"  {line}" for line in result.model_short]
    lines.append(
        f"keyword-stuffed answers earned at most {result.stuffed_max_points} point(s); "
        f"{result.ms_per_answer:.2f} ms per answer"
    )
    if args.show_errors:
        lines.append("")
        lines += result.errors
    print("\n".join(lines))
    print(json.dumps(figures(result)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
