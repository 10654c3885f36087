"""The checks every item must pass: fields, Telegram's limits for each way it is sent, references, floors."""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

from pydantic import ValidationError

from content import limits
from content.drills import METRICS, Undefined, generate, instance, placeholders, render, render_question
from content.phrasing import PhrasingError, parse
from content.problems import Problem
from content.schema import (
    ALL_BODIES,
    ANY_AREA,
    JUDGING_COMMANDS,
    AnyItem,
    Catalogue,
    ConceptCard,
    ExamQuestion,
    ExamTip,
    ItemKind,
    MetricDrill,
    MultipleChoice,
    Needs,
    TrueFalse,
)
from content.yamlfile import Node

CATALOGUE_FILE = "catalogue.yaml"
TIP_TITLE_LIMIT = 60
TIP_TEXT_LIMIT = 400
# Room kept in a message for headings, labels and the verdict line around an item's own text.
MESSAGE_OVERHEAD = 200
MESSAGE_BUDGET = limits.MAX_MESSAGE_LENGTH - MESSAGE_OVERHEAD
QUOTE_ROOM = 210  # under each point of a marked answer: the learner's sentence, quoted (at most 200)

FIELD_HINTS = {
    "explanation": "every answer must teach why, in one or two sentences",
    "bodies": "list the awarding body ids, or [all] when every specification covers it",
    "sources": 'list the seed ids the fact comes from, quoted, e.g. ["000"]',
    "area": "name one of the topic areas in catalogue.yaml",
}


def field_message(loc: tuple[int | str, ...], error: dict[str, Any]) -> str:
    """A pydantic error on field `loc`, said as an author would fix it."""
    name = ".".join(str(part) for part in loc) or "item"
    kind = error.get("type", "")
    if kind == "missing":
        hint = FIELD_HINTS.get(str(loc[0]) if loc else "", "")
        return f"'{name}' is missing" + (f": {hint}" if hint else "")
    if kind == "extra_forbidden":
        return f"unknown field '{name}' (check its spelling)"
    if kind == "union_tag_invalid":
        return "unknown kind: use one of " + ", ".join(repr(k.value) for k in ItemKind)
    if kind == "union_tag_not_found":
        return "'kind' is missing: use one of " + ", ".join(repr(k.value) for k in ItemKind)
    if kind == "string_pattern_mismatch":
        return f"'{name}' must be lowercase letters, digits and hyphens (at most 48)"
    if kind == "string_too_short":
        hint = FIELD_HINTS.get(name, "")
        return f"'{name}' is empty" + (f": {hint}" if hint else "")
    return f"'{name}': {error.get('msg', 'invalid')}"


def validation_problems(file: str, node: Node, exc: ValidationError, skip: int) -> list[Problem]:
    """Every schema error of one item, each at the line of its field (`skip` drops the kind from locs)."""
    problems = []
    for error in exc.errors():
        loc = tuple(error["loc"])[skip:]
        line = node.line_of(loc[0]) if loc else node.line
        problems.append(Problem(file, line, describe(node) + field_message(loc, dict(error))))
    return problems


def describe(node: Node) -> str:
    """How a problem names its item: "item 'the-id': "."""
    item_id = node.data.get("id") if isinstance(node.data, dict) else None
    return f"item '{item_id}': " if item_id else "item: "


def _poll_problems(
    where: str, question: str, explanation: str, file: str, node: Node, key: str
) -> list[Problem]:
    """Quiz poll limits for an item that may be sent as a native quiz in a group."""
    problems = []
    if len(question) > limits.POLL_MAX_QUESTION:
        problems.append(
            Problem(
                file,
                node.line_of(key),
                f"{where}{key} is {len(question)} characters; "
                f"a quiz poll question allows {limits.POLL_MAX_QUESTION}",
            )
        )
    if len(explanation) > limits.POLL_MAX_EXPLANATION:
        problems.append(
            Problem(
                file,
                node.line_of("explanation"),
                f"{where}explanation is {len(explanation)} "
                f"characters; a quiz poll explanation allows {limits.POLL_MAX_EXPLANATION}",
            )
        )
    if explanation.count("\n") > limits.POLL_MAX_EXPLANATION_LINE_FEEDS:
        problems.append(
            Problem(
                file,
                node.line_of("explanation"),
                f"{where}explanation has more than "
                f"{limits.POLL_MAX_EXPLANATION_LINE_FEEDS} line breaks (quiz poll limit)",
            )
        )
    return problems


def _message_problem(where: str, size: int, file: str, line: int, what: str) -> list[Problem]:
    if size <= MESSAGE_BUDGET:
        return []
    return [
        Problem(
            file,
            line,
            f"{where}{what} come to {size} characters; a message allows {MESSAGE_BUDGET} "
            "after headings (MessageLimit.MAX_TEXT_LENGTH)",
        )
    ]


def _mcq_problems(item: MultipleChoice, where: str, file: str, node: Node) -> list[Problem]:
    problems = _poll_problems(where, item.question, item.explanation, file, node, "question")
    options = item.options
    if len(options) > limits.POLL_MAX_OPTIONS:
        problems.append(
            Problem(
                file,
                node.line_of("wrong"),
                f"{where}{len(options)} options; a quiz poll allows {limits.POLL_MAX_OPTIONS}",
            )
        )
    for option in options:
        if len(option) > limits.POLL_MAX_OPTION:
            key = "answer" if option == item.answer else "wrong"
            problems.append(
                Problem(
                    file,
                    node.line_of(key),
                    f"{where}option '{option[:30]}...' is {len(option)} characters; "
                    f"a quiz poll option allows {limits.POLL_MAX_OPTION}",
                )
            )
    if len({o.casefold() for o in options}) < len(options):
        problems.append(Problem(file, node.line_of("wrong"), f"{where}two options are the same"))
    size = len(item.question) + sum(len(o) + 6 for o in options) + len(item.explanation)
    problems += _message_problem(where, size, file, node.line, "question, options and explanation")
    return problems


def _drill_problems(item: MetricDrill, where: str, file: str, node: Node) -> list[Problem]:
    metric = METRICS.get(item.metric)
    if metric is None:
        names = ", ".join(sorted(METRICS))
        return [
            Problem(file, node.line_of("metric"), f"{where}unknown metric '{item.metric}' (known: {names})")
        ]
    problems = []
    if item.unit != metric.unit:
        want = f"'{metric.unit}'" if metric.unit else "no unit"
        problems.append(
            Problem(
                file,
                node.line_of("unit"),
                f"{where}metric '{item.metric}' is {metric.nature.value}: its unit is {want}",
            )
        )
    if set(item.params) != set(metric.params):
        problems.append(
            Problem(
                file,
                node.line_of("params"),
                f"{where}metric '{item.metric}' takes the parameters {', '.join(metric.params)}",
            )
        )
        return problems
    for name, (low, high) in item.params.items():
        if low > high or low < 0:
            problems.append(
                Problem(file, node.line_of("params"), f"{where}parameter '{name}' needs 0 <= low <= high")
            )
    if problems:
        return problems
    rng = random.Random(0)
    try:
        drawn = generate(item, rng, seed=0)
    except Undefined as exc:
        return [Problem(file, node.line_of("params"), f"{where}{exc}")]
    known = set(drawn.params) | set(drawn.values)
    for key in ("question", "solution"):
        template = getattr(item, key)
        try:
            used = placeholders(template)
        except ValueError as exc:
            problems.append(Problem(file, node.line_of(key), f"{where}{key} template: {exc}"))
            continue
        unknown = sorted(used - known)
        if unknown:
            problems.append(
                Problem(
                    file,
                    node.line_of(key),
                    f"{where}{key} uses {{{unknown[0]}}}, which the metric does not provide "
                    f"(it provides: {', '.join(sorted(known))})",
                )
            )
    if not problems:
        widest = {name: high for name, (_low, high) in item.params.items()}
        try:
            sample = instance(item, widest, seed=0)
        except Undefined:
            sample = drawn
        size = len(render_question(item, sample)) + len(render(item.solution, item, sample))
        problems += _message_problem(
            where, size + len(item.explanation), file, node.line, "question and solution"
        )
    return problems


def _exam_problems(item: ExamQuestion, where: str, file: str, node: Node) -> list[Problem]:
    """Readable phrasings, distinct point ids, a weighing point for a judging command, and a size
    that fits one message (the question with every point and the model answer)."""
    problems = []
    seen: set[str] = set()
    line = node.line_of("points")
    for point in item.points:
        if point.id in seen:
            problems.append(Problem(file, line, f"{where}marking point '{point.id}' appears twice"))
        seen.add(point.id)
        for phrasing in point.phrasings:
            try:
                parse(phrasing)
            except PhrasingError as exc:
                problems.append(Problem(file, line, f"{where}point '{point.id}': {exc}"))
    if item.command in JUDGING_COMMANDS and not any(p.needs is Needs.JUDGEMENT for p in item.points):
        problems.append(
            Problem(
                file,
                node.line_of("points"),
                f"{where}an '{item.command.value}' question needs a judgement, not a list: "
                "give one point `needs: judgement`",
            )
        )
    size = (
        len(item.question)
        + len(item.model_answer)
        + len(item.explanation)
        + sum(len(point.text) + QUOTE_ROOM for point in item.points)  # each point with a quoted sentence
    )
    problems += _message_problem(where, size, file, node.line, "question, points and model answer")
    return problems


def kind_problems(item: AnyItem, file: str, node: Node) -> list[Problem]:
    """Hold an item to the Telegram limits of every way it can be sent."""
    where = describe(node)
    if isinstance(item, ConceptCard):
        size = len(item.question) + len(item.answer) + len(item.explanation)
        return _message_problem(where, size, file, node.line, "question, answer and explanation")
    if isinstance(item, TrueFalse):
        return _poll_problems(where, item.statement, item.explanation, file, node, "statement")
    if isinstance(item, MultipleChoice):
        return _mcq_problems(item, where, file, node)
    if isinstance(item, MetricDrill):
        return _drill_problems(item, where, file, node)
    if isinstance(item, ExamQuestion):
        return _exam_problems(item, where, file, node)
    problems = []
    if len(item.title) > TIP_TITLE_LIMIT:
        problems.append(
            Problem(
                file,
                node.line_of("title"),
                f"{where}title is {len(item.title)} characters; a tip's title allows {TIP_TITLE_LIMIT}",
            )
        )
    if len(item.text) > TIP_TEXT_LIMIT:
        problems.append(
            Problem(
                file,
                node.line_of("text"),
                f"{where}text is {len(item.text)} characters; "
                f"a tip is a short card of at most {TIP_TEXT_LIMIT}",
            )
        )
    return problems


def reference_problems(item: AnyItem, file: str, node: Node, catalogue: Catalogue) -> list[Problem]:
    """Areas, awarding bodies and sources the item names must be in the catalogue."""
    problems = []
    where = describe(node)
    areas = {a.id for a in catalogue.areas}
    bodies = {b.id for b in catalogue.awarding_bodies}
    sources = {s.id for s in catalogue.sources}
    if item.area not in areas and not (isinstance(item, ExamTip) and item.area == ANY_AREA):
        extra = f", or {ANY_AREA} for a tip" if isinstance(item, ExamTip) else ""
        problems.append(
            Problem(
                file,
                node.line_of("area"),
                f"{where}unknown topic area '{item.area}' (known: {', '.join(sorted(areas))}{extra})",
            )
        )
    for body in item.bodies:
        if body != ALL_BODIES and body not in bodies:
            problems.append(
                Problem(
                    file,
                    node.line_of("bodies"),
                    f"{where}unknown awarding body '{body}' (known: {', '.join(sorted(bodies))}, or all)",
                )
            )
    if ALL_BODIES in item.bodies and len(item.bodies) > 1:
        problems.append(
            Problem(file, node.line_of("bodies"), f"{where}'all' cannot be mixed with named bodies")
        )
    for source in item.sources:
        if source not in sources:
            problems.append(
                Problem(
                    file,
                    node.line_of("sources"),
                    f"{where}unknown source '{source}' (known: {', '.join(sorted(sources))})",
                )
            )
    return problems


def floor_problems(items: dict[str, AnyItem], catalogue: Catalogue) -> list[Problem]:
    """The least the catalogue asks the bank to hold: per kind, per area, and a true/false balance."""
    floors = catalogue.floors
    problems = []
    kinds = Counter(item.kind.value for item in items.values())
    for kind in ItemKind:
        wanted = getattr(floors, kind.value)
        if kinds[kind.value] < wanted:
            problems.append(
                Problem(
                    CATALOGUE_FILE,
                    1,
                    f"the bank has {kinds[kind.value]} {kind.value} items; the floor is {wanted}",
                )
            )
    areas = Counter(item.area for item in items.values())
    for area in catalogue.areas:
        if areas[area.id] < floors.per_area:
            problems.append(
                Problem(
                    CATALOGUE_FILE,
                    1,
                    f"topic area '{area.id}' has {areas[area.id]} items; every area needs {floors.per_area}",
                )
            )
    if floors.exam_per_outcome:
        exams = [item for item in items.values() if isinstance(item, ExamQuestion)]
        for spec in catalogue.specifications:
            for outcome in spec.outcomes:
                count = sum(
                    1
                    for item in exams
                    if item.outcome == outcome.id and (ALL_BODIES in item.bodies or spec.body in item.bodies)
                )
                if count < floors.exam_per_outcome:
                    problems.append(
                        Problem(
                            CATALOGUE_FILE,
                            1,
                            f"awarding body '{spec.body}' has {count} exam questions on outcome "
                            f"'{outcome.id}'; every outcome needs {floors.exam_per_outcome} per body",
                        )
                    )
    truths = [item.answer for item in items.values() if isinstance(item, TrueFalse)]
    if truths:
        share = 100 * sum(truths) / len(truths)
        low, high = floors.true_share
        if not low <= share <= high:
            problems.append(
                Problem(
                    CATALOGUE_FILE,
                    1,
                    f"{share:.0f}% of true/false items are true; keep it between {low}% and {high}% "
                    "so that guessing one answer does not pay",
                )
            )
    return problems


def tests_problems(items: dict[str, AnyItem], located: dict[str, tuple[str, Node]]) -> list[Problem]:
    """Every `tests:` entry must name a concept card of the bank."""
    problems = []
    for item in items.values():
        if isinstance(item, ExamTip):
            continue
        file, node = located[item.id]
        for ref in item.tests:
            if not isinstance(items.get(ref), ConceptCard):
                problems.append(
                    Problem(
                        file,
                        node.line_of("tests"),
                        f"item '{item.id}': tests '{ref}', which is not a concept card in the bank",
                    )
                )
    return problems
