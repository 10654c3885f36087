"""Load the YAML bank, checking everything and reporting each problem with its file and line."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from telegram.constants import MessageLimit, PollLimit

from content.schema import (
    ALL_BODIES,
    ITEM_ADAPTER,
    Bank,
    Catalogue,
    ConceptCard,
    ItemKind,
    TrueFalse,
)

CATALOGUE_FILE = "catalogue.yaml"
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


def _limit_problems(item: ConceptCard | TrueFalse, file: str, node: _Node) -> list[Problem]:
    """Hold an item to the Telegram limits of every way it can be sent."""
    problems = []
    where = _describe(node)
    if isinstance(item, ConceptCard):
        size = len(item.question) + len(item.answer) + len(item.explanation)
        if size > MESSAGE_BUDGET:
            problems.append(
                Problem(
                    file,
                    node.line,
                    f"{where}question, answer and explanation come to {size} characters; "
                    f"a message allows {MESSAGE_BUDGET} after headings (MessageLimit.MAX_TEXT_LENGTH)",
                )
            )
    else:
        if len(item.statement) > PollLimit.MAX_QUESTION_LENGTH:
            problems.append(
                Problem(
                    file,
                    node.line_of("statement"),
                    f"{where}statement is {len(item.statement)} characters; "
                    f"a quiz poll question allows {PollLimit.MAX_QUESTION_LENGTH}",
                )
            )
        if len(item.explanation) > PollLimit.MAX_EXPLANATION_LENGTH:
            problems.append(
                Problem(
                    file,
                    node.line_of("explanation"),
                    f"{where}explanation is {len(item.explanation)} "
                    f"characters; a quiz poll explanation allows {PollLimit.MAX_EXPLANATION_LENGTH}",
                )
            )
        if item.explanation.count("\n") > PollLimit.MAX_EXPLANATION_LINE_FEEDS:
            problems.append(
                Problem(
                    file,
                    node.line_of("explanation"),
                    f"{where}explanation has more than "
                    f"{PollLimit.MAX_EXPLANATION_LINE_FEEDS} line breaks (quiz poll limit)",
                )
            )
    return problems


def _reference_problems(
    item: ConceptCard | TrueFalse, file: str, node: _Node, catalogue: Catalogue
) -> list[Problem]:
    problems = []
    where = _describe(node)
    areas = {a.id for a in catalogue.areas}
    bodies = {b.id for b in catalogue.awarding_bodies}
    sources = {s.id for s in catalogue.sources}
    if item.area not in areas:
        problems.append(
            Problem(
                file,
                node.line_of("area"),
                f"{where}unknown topic area '{item.area}' (known: {', '.join(sorted(areas))})",
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


def load_bank(directory: Path) -> Bank:
    """Load and check every YAML file in `directory`.

    Raises:
        ContentError: listing every problem found, each with file and line.
    """
    problems: list[Problem] = []
    catalogue = _load_catalogue(directory, problems)
    items: dict[str, ConceptCard | TrueFalse] = {}
    located: dict[str, tuple[str, _Node]] = {}
    for path in sorted(directory.glob("*.y*ml")):
        if path.name == CATALOGUE_FILE:
            continue
        doc = _parse(path, path.name, problems)
        if doc is None:
            continue
        extra = set(doc.data) - {"items"}
        if extra:
            problems.append(
                Problem(
                    path.name,
                    doc.top_lines[sorted(extra)[0]],
                    f"unknown top-level key '{sorted(extra)[0]}': a content file holds `items:`",
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
            problems.extend(_limit_problems(item, path.name, node))
            if catalogue is not None:
                problems.extend(_reference_problems(item, path.name, node, catalogue))
    for item in items.values():
        if isinstance(item, TrueFalse):
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
    if catalogue is not None and not items and not problems:
        problems.append(Problem(CATALOGUE_FILE, 1, "the bank has no items"))
    if problems or catalogue is None:
        raise ContentError(problems)
    return Bank(catalogue=catalogue, items=items)


def summary(bank: Bank) -> str:
    """Counts per kind, per area and per awarding body, as the checker prints them."""
    lines = [f"{len(bank.items)} items"]
    kinds = Counter(item.kind.value for item in bank.items.values())
    lines.append("by kind: " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())))
    truths = [item.answer for item in bank.items.values() if isinstance(item, TrueFalse)]
    if truths:
        share = 100 * sum(truths) / len(truths)
        lines.append(f"true/false: {sum(truths)} true, {len(truths) - sum(truths)} false ({share:.0f}% true)")
    areas = Counter(item.area for item in bank.items.values())
    lines.append("by area: " + ", ".join(f"{a.id} {areas[a.id]}" for a in bank.areas))
    bodies = [f"{b.id} {len(bank.for_body(b.id))}" for b in bank.catalogue.awarding_bodies]
    lines.append("items each awarding body's learners meet: " + ", ".join(bodies))
    return "\n".join(lines)
