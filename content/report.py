"""The checker's second half: guessability and coverage tables, and the limits a sound bank must meet.

`python -m content check` prints these after the counts. Two kinds of finding come out:

- `failures`: a guessability figure over its limit (content/guessability.py), or a marking point
  with no teaching or no testing item for its body. A draft is told about them but not held to
  them: a small or half-written unit has noisy figures and gaps it has not reached yet.
- `errors`: `covers` that name a point no specification lists, or a point of a body whose learners
  never meet the item. These are mistakes in the files, so they fail a draft too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from content.coverage import PointCoverage, coverage
from content.drills import Undefined
from content.guessability import (
    BEST_WORD_LIMIT,
    CUE_RULE_LIMIT,
    DRILL_DRAWS,
    DRILL_RULE_LIMIT,
    DRILL_SEED,
    LONGEST_ANSWER_LIMIT,
    REUSED_DISTRACTOR_USES,
    DrillButtons,
    beats,
    drill_buttons,
    mcq_longest_share,
    mcq_reused_distractors,
    percent,
    truefalse_best_word,
    truefalse_cue_rule,
)
from content.schema import Bank, MetricDrill

# How each button rule reads in a failure: "tapping the largest button is right in...".
RULE_WORDS = {
    "largest": "the largest button",
    "smallest": "the smallest button",
    "nearest 100": "the button nearest 100",
}
IDS_SHOWN = 3  # item ids listed per marking point before "and N more"
POINT_TEXT = 72  # characters of a marking point's text shown beside its id


def plural(count: int, noun: str) -> str:
    """ "1 statement", "2 statements"."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


@dataclass(frozen=True)
class Report:
    """What the checker prints (`lines`) and what it fails the bank for."""

    lines: tuple[str, ...]
    failures: tuple[str, ...] = ()  # limits exceeded and coverage gaps (not enforced in a draft)
    errors: tuple[str, ...] = ()  # wrong `covers` (always enforced)

    def __add__(self, other: Report) -> Report:
        return Report(self.lines + other.lines, self.failures + other.failures, self.errors + other.errors)

    @property
    def text(self) -> str:
        """The tables, one line each."""
        return "\n".join(self.lines)


def _truefalse(bank: Bank) -> Report:
    rule = truefalse_cue_rule(bank)
    total = rule.statements
    if not total:
        return Report(("true/false: no statements",))
    best = truefalse_best_word(bank)
    present, absent = ("true", "false") if best.answer_if_present else ("false", "true")
    figures = [
        (
            "cue-word rule",
            "an absolute or sufficiency word means false, anything else true",
            rule.right,
            CUE_RULE_LIMIT,
        ),
        (
            "hedging variant",
            "a cue word means false, a hedge true, neither the majority answer",
            rule.hedging_right,
            CUE_RULE_LIMIT,
        ),
        (
            f"best single word, '{best.word}'",
            f"in {plural(best.present, 'statement')}: {present} if present, else {absent}",
            best.right,
            BEST_WORD_LIMIT,
        ),
    ]
    lines = [f"true/false ({plural(total, 'statement')}, {rule.true_count} true):"]
    failures = []
    for name, how, right, limit in figures:
        lines.append(f"  {name}: {right}/{total} right ({percent(right, total)}), limit {limit} %")
        lines.append(f"      ({how})")
        if beats(right, total, limit):
            failures.append(
                f"true/false: the {name} gets {right}/{total} right ({percent(right, total)}); "
                f"the limit is {limit} %"
            )
    return Report(tuple(lines), tuple(failures))


def _mcq(bank: Bank) -> Report:
    found = mcq_longest_share(bank)
    items, longest = found.mcqs, len(found.longest)
    if not items:
        return Report(("multiple choice: no items",))
    share = percent(longest, items)
    lines = [
        f"multiple choice ({plural(items, 'item')}):",
        f"  right answer strictly the longest option: {longest}/{items} ({share}), "
        f"limit {LONGEST_ANSWER_LIMIT} %",
    ]
    failures = []
    if beats(longest, items, LONGEST_ANSWER_LIMIT):
        failures.append(
            f"multiple choice: the right answer is strictly the longest option in {longest}/{items} "
            f"items ({share}); the limit is {LONGEST_ANSWER_LIMIT} %"
        )
    reused = mcq_reused_distractors(bank)
    heading = f"  wrong options used {REUSED_DISTRACTOR_USES}+ times and never right"
    lines.append(f"{heading}: {len(reused) or 'none'}, limit none")
    for distractor in reused:
        lines.append(f"    '{distractor.text}': {distractor.uses} uses ({', '.join(distractor.items)})")
        failures.append(
            f"multiple choice: the wrong option '{distractor.text}' is used {distractor.uses} times "
            f"({', '.join(distractor.items)}) and is never right; the limit is none"
        )
    return Report(tuple(lines), tuple(failures))


def _drills(bank: Bank, draws: int, seed: int) -> Report:
    drills = [item for item in bank.items.values() if isinstance(item, MetricDrill)]
    if not drills:
        return Report(("drills: no items",))
    measured: list[DrillButtons] = []
    failures = []
    for drill in drills:
        try:
            measured.append(drill_buttons(drill, draws, seed))
        except Undefined as exc:
            failures.append(f"drills: {drill.id} cannot be measured: {exc}")
    width = max(len(drill.id) for drill in drills)
    lines = [
        f"drills (share of {draws:,} draws in which a rule taps the right button; "
        f"limit {DRILL_RULE_LIMIT} % each):",
        f"  {'item':<{width}}  {'largest':>8}   {'smallest':>8}   {'nearest 100':>11} ",
    ]
    over = False
    for found in measured:
        cells = []
        for score in found.rules:
            exceeded = beats(score.right, score.draws, DRILL_RULE_LIMIT)
            over = over or exceeded
            share = percent(score.right, score.draws)
            cells.append(share + ("!" if exceeded else " "))
            if exceeded:
                failures.append(
                    f"drills: tapping {RULE_WORDS.get(score.rule, score.rule)} is right in "
                    f"{score.right}/{score.draws} draws of {found.item} ({share}); "
                    f"the limit is {DRILL_RULE_LIMIT} %"
                )
        lines.append(f"  {found.item:<{width}}  {cells[0]:>9}  {cells[1]:>9}  {cells[2]:>12}")
    if over:
        lines.append("  (! over the limit)")
    return Report(tuple(lines), tuple(failures))


def guessability_report(bank: Bank, draws: int = DRILL_DRAWS, seed: int = DRILL_SEED) -> Report:
    """True/false, multiple-choice and drill figures, each against its limit."""
    title = Report(("", "Guessability: what rules that need no knowledge of the unit score"))
    return title + _truefalse(bank) + _mcq(bank) + _drills(bank, draws, seed)


def _ids(ids: Sequence[str]) -> str:
    shown = ", ".join(ids[:IDS_SHOWN])
    more = f" and {len(ids) - IDS_SHOWN} more" if len(ids) > IDS_SHOWN else ""
    return f"{len(ids)}: {shown}{more}" if ids else "0: none (a gap)"


def _shorten(text: str) -> str:
    return text if len(text) <= POINT_TEXT else text[: POINT_TEXT - 1].rstrip() + "…"


def _point_lines(point: PointCoverage) -> list[str]:
    return [
        f"    {point.point}: {_shorten(point.text)}",
        f"      teach {_ids(point.teaching)}",
        f"      test  {_ids(point.testing)}",
    ]


def coverage_report(bank: Bank) -> Report:
    """Per awarding body, each learning outcome and marking point with its teaching and testing
    items; every gap and every wrong `covers`."""
    found = coverage(bank)
    lines = ["", "Coverage: the items that teach and test each marking point, for that body's learners"]
    if not found.bodies:
        lines.append("  the catalogue lists no specifications: nothing to cover")
    for body in found.bodies:
        lines.append(f"{bank.body_name(body.body)} ({body.body}):")
        for outcome in body.outcomes:
            lines.append(f"  {outcome.outcome}: {outcome.title}")
            for point in outcome.points:
                lines += _point_lines(point)
    outcome_of = {
        (body.body, point.point): outcome.outcome
        for body in found.bodies
        for outcome in body.outcomes
        for point in outcome.points
    }
    failures = []
    for gap in found.gaps:
        kind = "a concept card or exam tip" if gap.missing == "teaching" else "a question or drill"
        failures.append(
            f"coverage: {gap.body} · {outcome_of.get((gap.body, gap.point), '?')} · {gap.point} "
            f"has no {gap.missing} item ({kind} that covers it and that {gap.body} learners meet)"
        )
    lines.append(f"gaps: {len(found.gaps) or 'none'}")
    lines += [f"  {failure.removeprefix('coverage: ')}" for failure in failures]
    errors = [f"coverage: {problem}" for problem in found.problems]
    if errors:
        lines.append(f"wrong covers: {len(errors)}")
        lines += [f"  {problem}" for problem in found.problems]
    return Report(tuple(lines), tuple(failures), tuple(errors))
