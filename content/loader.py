"""Load the YAML bank, checking everything and reporting each problem with its file and line."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from telegram.constants import MessageLimit, PollLimit

from content.drills import METRICS, Undefined, generate, instance, placeholders, render
from content.schema import (
    ALL_BODIES,
    ANY_AREA,
    ITEM_ADAPTER,
    AnyItem,
    Bank,
    Catalogue,
    ConceptCard,
    ExamTip,
    ItemKind,
    MetricDrill,
    MultipleChoice,
    TrueFalse,
)

CATALOGUE_FILE = "catalogue.yaml"
PUBLISHED_FILE = "published.txt"
PUBLISHED_HEADER = (
    "# Every item id ever published, one a line. Written by `python -m content publish`;\n"
    "# never edit by hand: an id listed here must stay in the bank or be retired in catalogue.yaml."
)
TIP_TITLE_LIMIT = 60
TIP_TEXT_LIMIT = 400
# Room kept in a message for headings, labels and the verdict line around an item's own text.
MESSAGE_OVERHEAD = 200
MESSAGE_BUDGET = MessageLimit.MAX_TEXT_LENGTH - MESSAGE_OVERHEAD

FIELD_HINTS = {
    "explanation": "every answer must teach why, in one or two sentences",
    "bodies": "list the awarding body ids, or [all] when every specification covers it",
    "sources": 'list the seed ids the fact comes from, quoted, e.g. ["000"]',
    "area": "name one of the topic areas in catalogue.yaml",
}


class ContentError(Exception):
    """The bank has problems; `problems` lists every one."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__(format_problems(problems))


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the bank, located in a file."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


def format_problems(problems: list[Problem]) -> str:
    """The checker's report: one line per problem, then a count."""
    lines = [str(p) for p in sorted(problems)]
    noun = "problem" if len(problems) == 1 else "problems"
    lines.append(f"{len(problems)} {noun} in the content bank.")
    return "\n".join(lines)


@dataclass
class _Node:
    """A parsed YAML mapping with the line of itself and of each key's value (1-based)."""

    data: Any
    line: int
    key_lines: dict[str, int] = field(default_factory=dict)

    def line_of(self, key: object) -> int:
        return self.key_lines.get(str(key), self.line)


@dataclass
class _Document:
    file: str
    data: Any
    items: list[_Node]
    top_lines: dict[str, int]
    section_nodes: dict[str, list[_Node]]


def _mapping_lines(node: yaml.Node) -> dict[str, int]:
    lines: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            lines[str(key.value)] = value.start_mark.line + 1
    return lines


def _parse(path: Path, label: str, problems: list[Problem]) -> _Document | None:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(Problem(label, 1, f"cannot read the file: {exc}"))
        return None
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        what = exc.problem or "could not be parsed"
        problems.append(Problem(label, line, f"malformed YAML: {what}"))
        return None
    except yaml.YAMLError as exc:
        problems.append(Problem(label, 1, f"malformed YAML: {exc}"))
        return None
    finally:
        loader.dispose()
    if not isinstance(data, dict) or root is None:
        problems.append(Problem(label, 1, "the file must be a mapping (e.g. `items:` with a list)"))
        return None
    sections: dict[str, list[_Node]] = {}
    for key, value in root.value:
        if isinstance(value, yaml.SequenceNode):
            entries = data.get(key.value)
            sections[str(key.value)] = [
                _Node(entry, child.start_mark.line + 1, _mapping_lines(child))
                for entry, child in zip(entries or [], value.value, strict=False)
            ]
    return _Document(label, data, sections.get("items", []), _mapping_lines(root), sections)


def _field_message(loc: tuple[int | str, ...], error: dict[str, Any]) -> str:
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


def _validation_problems(file: str, node: _Node, exc: ValidationError, skip: int) -> list[Problem]:
    problems = []
    for error in exc.errors():
        loc = tuple(error["loc"])[skip:]
        line = node.line_of(loc[0]) if loc else node.line
        problems.append(Problem(file, line, _describe(node) + _field_message(loc, dict(error))))
    return problems


def _describe(node: _Node) -> str:
    item_id = node.data.get("id") if isinstance(node.data, dict) else None
    return f"item '{item_id}': " if item_id else "item: "


def _load_catalogue(directory: Path, problems: list[Problem]) -> Catalogue | None:
    path = directory / CATALOGUE_FILE
    if not path.exists():
        problems.append(Problem(CATALOGUE_FILE, 1, "the catalogue file is missing"))
        return None
    doc = _parse(path, CATALOGUE_FILE, problems)
    if doc is None:
        return None
    try:
        catalogue = Catalogue.model_validate(doc.data)
    except ValidationError as exc:
        for error in exc.errors():
            loc = tuple(error["loc"])
            line = doc.top_lines.get(str(loc[0]), 1) if loc else 1
            if len(loc) >= 2 and isinstance(loc[1], int) and str(loc[0]) in doc.section_nodes:
                entries = doc.section_nodes[str(loc[0])]
                if loc[1] < len(entries):
                    entry = entries[loc[1]]
                    line = entry.line_of(loc[2]) if len(loc) > 2 else entry.line
            problems.append(Problem(CATALOGUE_FILE, line, _field_message(loc, dict(error))))
        return None
    for section, values in (
        ("awarding_bodies", [b.id for b in catalogue.awarding_bodies]),
        ("sources", [s.id for s in catalogue.sources]),
        ("areas", [a.id for a in catalogue.areas]),
    ):
        for value, count in Counter(values).items():
            if count > 1:
                problems.append(
                    Problem(
                        CATALOGUE_FILE, doc.top_lines.get(section, 1), f"duplicate {section} id '{value}'"
                    )
                )
    body_ids = {b.id for b in catalogue.awarding_bodies}
    for index, source in enumerate(catalogue.sources):
        if source.body not in body_ids:
            line = doc.section_nodes["sources"][index].line_of("body")
            problems.append(
                Problem(CATALOGUE_FILE, line, f"source '{source.id}': unknown awarding body '{source.body}'")
            )
    return catalogue


def _poll_problems(
    where: str, question: str, explanation: str, file: str, node: _Node, key: str
) -> list[Problem]:
    """Quiz poll limits for an item that may be sent as a native quiz in a group."""
    problems = []
    if len(question) > PollLimit.MAX_QUESTION_LENGTH:
        problems.append(
            Problem(
                file,
                node.line_of(key),
                f"{where}{key} is {len(question)} characters; "
                f"a quiz poll question allows {PollLimit.MAX_QUESTION_LENGTH}",
            )
        )
    if len(explanation) > PollLimit.MAX_EXPLANATION_LENGTH:
        problems.append(
            Problem(
                file,
                node.line_of("explanation"),
                f"{where}explanation is {len(explanation)} "
                f"characters; a quiz poll explanation allows {PollLimit.MAX_EXPLANATION_LENGTH}",
            )
        )
    if explanation.count("\n") > PollLimit.MAX_EXPLANATION_LINE_FEEDS:
        problems.append(
            Problem(
                file,
                node.line_of("explanation"),
                f"{where}explanation has more than "
                f"{PollLimit.MAX_EXPLANATION_LINE_FEEDS} line breaks (quiz poll limit)",
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


def _mcq_problems(item: MultipleChoice, where: str, file: str, node: _Node) -> list[Problem]:
    problems = _poll_problems(where, item.question, item.explanation, file, node, "question")
    options = item.options
    if len(options) > PollLimit.MAX_OPTION_NUMBER:
        problems.append(
            Problem(
                file,
                node.line_of("wrong"),
                f"{where}{len(options)} options; a quiz poll allows {PollLimit.MAX_OPTION_NUMBER}",
            )
        )
    for option in options:
        if len(option) > PollLimit.MAX_OPTION_LENGTH:
            key = "answer" if option == item.answer else "wrong"
            problems.append(
                Problem(
                    file,
                    node.line_of(key),
                    f"{where}option '{option[:30]}...' is {len(option)} characters; "
                    f"a quiz poll option allows {PollLimit.MAX_OPTION_LENGTH}",
                )
            )
    if len({o.casefold() for o in options}) < len(options):
        problems.append(Problem(file, node.line_of("wrong"), f"{where}two options are the same"))
    size = len(item.question) + sum(len(o) + 6 for o in options) + len(item.explanation)
    problems += _message_problem(where, size, file, node.line, "question, options and explanation")
    return problems


def _drill_problems(item: MetricDrill, where: str, file: str, node: _Node) -> list[Problem]:
    metric = METRICS.get(item.metric)
    if metric is None:
        names = ", ".join(sorted(METRICS))
        return [
            Problem(file, node.line_of("metric"), f"{where}unknown metric '{item.metric}' (known: {names})")
        ]
    problems = []
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
        size = len(render(item.question, item, sample)) + len(render(item.solution, item, sample))
        problems += _message_problem(
            where, size + len(item.explanation), file, node.line, "question and solution"
        )
    return problems


def _kind_problems(item: AnyItem, file: str, node: _Node) -> list[Problem]:
    """Hold an item to the Telegram limits of every way it can be sent."""
    where = _describe(node)
    if isinstance(item, ConceptCard):
        size = len(item.question) + len(item.answer) + len(item.explanation)
        return _message_problem(where, size, file, node.line, "question, answer and explanation")
    if isinstance(item, TrueFalse):
        return _poll_problems(where, item.statement, item.explanation, file, node, "statement")
    if isinstance(item, MultipleChoice):
        return _mcq_problems(item, where, file, node)
    if isinstance(item, MetricDrill):
        return _drill_problems(item, where, file, node)
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


def _reference_problems(item: AnyItem, file: str, node: _Node, catalogue: Catalogue) -> list[Problem]:
    problems = []
    where = _describe(node)
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


def _floor_problems(items: dict[str, AnyItem], catalogue: Catalogue) -> list[Problem]:
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


def read_published(directory: Path) -> list[str]:
    """The ids published so far (learners' answers may refer to them)."""
    path = directory / PUBLISHED_FILE
    if not path.exists():
        return []
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]


def _published_problems(directory: Path, items: dict[str, AnyItem], catalogue: Catalogue) -> list[Problem]:
    retired = {r.id for r in catalogue.retired}
    problems = []
    for line_number, item_id in enumerate(read_published(directory), start=1):
        if not item_id or item_id.startswith("#"):
            continue
        if item_id not in items and item_id not in retired:
            problems.append(
                Problem(
                    PUBLISHED_FILE,
                    line_number,
                    f"published id '{item_id}' is gone: learners' history refers to it. Restore the item "
                    "(same id), or retire it in catalogue.yaml under `retired:` with a reason",
                )
            )
    for item_id in sorted(retired & set(items)):
        problems.append(
            Problem(
                CATALOGUE_FILE, 1, f"'{item_id}' is retired but still in the bank: remove one or the other"
            )
        )
    return problems


def publish(directory: Path) -> list[str]:
    """Add the bank's new ids to the published list; returns the ids added."""
    bank = load_bank(directory)
    published = read_published(directory)
    new = sorted(set(bank.items) - set(published))
    if new:
        path = directory / PUBLISHED_FILE
        header = [] if published else [PUBLISHED_HEADER]
        path.write_text("\n".join([*header, *published, *new]).strip() + "\n", encoding="utf-8")
    return new


def load_bank(directory: Path, *, floors: bool = True) -> Bank:
    """Load and check every YAML file in `directory`.

    Args:
        directory: the bank folder (catalogue.yaml, item files, published.txt).
        floors: whether to hold the bank to the catalogue's floors (off for a draft).

    Raises:
        ContentError: listing every problem found, each with file and line.
    """
    problems: list[Problem] = []
    catalogue = _load_catalogue(directory, problems)
    items: dict[str, AnyItem] = {}
    located: dict[str, tuple[str, _Node]] = {}
    for path in sorted(directory.glob("*.y*ml")):
        if path.name == CATALOGUE_FILE:
            continue
        doc = _parse(path, path.name, problems)
        if doc is None:
            continue
        extra = sorted(set(doc.data) - {"items"})
        if extra:
            problems.append(
                Problem(
                    path.name,
                    doc.top_lines[extra[0]],
                    f"unknown top-level key '{extra[0]}': a content file holds `items:`",
                )
            )
        if not isinstance(doc.data.get("items"), list):
            problems.append(
                Problem(path.name, doc.top_lines.get("items", 1), "`items:` must be a list of items")
            )
            continue
        for node in doc.items:
            if not isinstance(node.data, dict):
                problems.append(Problem(path.name, node.line, "each item must be a mapping of fields"))
                continue
            try:
                item = ITEM_ADAPTER.validate_python(node.data)
            except ValidationError as exc:
                # Errors inside a discriminated union carry the kind as the first loc part.
                kind = node.data.get("kind")
                skip = 1 if kind in {k.value for k in ItemKind} else 0
                problems.extend(_validation_problems(path.name, node, exc, skip))
                continue
            if item.id in located:
                first_file, first_node = located[item.id]
                problems.append(
                    Problem(
                        path.name,
                        node.line_of("id"),
                        f"duplicate id '{item.id}' (first defined at {first_file}:{first_node.line})",
                    )
                )
                continue
            located[item.id] = (path.name, node)
            items[item.id] = item
            problems.extend(_kind_problems(item, path.name, node))
            if catalogue is not None:
                problems.extend(_reference_problems(item, path.name, node, catalogue))
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
    if catalogue is not None:
        if not items and not problems:
            problems.append(Problem(CATALOGUE_FILE, 1, "the bank has no items"))
        if floors:
            problems.extend(_floor_problems(items, catalogue))
        problems.extend(_published_problems(directory, items, catalogue))
    if problems or catalogue is None:
        raise ContentError(problems)
    # Bank order follows the catalogue's areas (then file order), so selection ties and listings
    # go crm, retention, satisfaction... whatever the file names.
    rank = {area.id: n for n, area in enumerate(catalogue.areas)}
    ordered = sorted(items.values(), key=lambda item: rank.get(item.area, len(rank)))
    return Bank(catalogue=catalogue, items={item.id: item for item in ordered})


def summary(bank: Bank) -> str:
    """Counts per kind, per area and per awarding body, as the checker prints them."""
    items = list(bank.items.values())
    kinds = Counter(item.kind.value for item in items)
    lines = [f"{len(items)} items"]
    lines.append("by kind: " + ", ".join(f"{k.value} {kinds[k.value]}" for k in ItemKind))
    truths = [item.answer for item in items if isinstance(item, TrueFalse)]
    if truths:
        share = 100 * sum(truths) / len(truths)
        lines.append(f"true/false: {sum(truths)} true, {len(truths) - sum(truths)} false ({share:.0f}% true)")
    lines.append("by area:")
    for area in bank.areas:
        in_area = Counter(item.kind.value for item in items if item.area == area.id)
        detail = ", ".join(f"{k.value} {in_area[k.value]}" for k in ItemKind if in_area[k.value])
        lines.append(f"  {area.id:<13} {sum(in_area.values()):>4}  ({detail})")
    general = sum(1 for item in items if item.area == ANY_AREA)
    if general:
        lines.append(f"  {ANY_AREA:<13} {general:>4}  (tips for every area)")
    lines.append("by awarding body (items its learners meet, including those common to all):")
    for body in bank.catalogue.awarding_bodies:
        own = sum(1 for item in items if body.id in item.bodies)
        met = sum(1 for item in items if item.applies_to(body.id))
        lines.append(f"  {body.id:<13} {met:>4}  ({own} specific to it)")
    return "\n".join(lines)
