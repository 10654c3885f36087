"""Load the YAML bank: read every file, run every check, and return the bank or every problem at once."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from pydantic import ValidationError

from content.checks import (
    CATALOGUE_FILE,
    field_message,
    floor_problems,
    kind_problems,
    reference_problems,
    tests_problems,
    validation_problems,
)
from content.problems import ContentError, Problem
from content.published import published_problems
from content.schema import ITEM_ADAPTER, AnyItem, Bank, Catalogue, ItemKind
from content.yamlfile import Document, Node, parse

__all__ = ["ContentError", "Problem", "load_bank"]


def _catalogue_problems(doc: Document, exc: ValidationError) -> list[Problem]:
    problems = []
    for error in exc.errors():
        loc = tuple(error["loc"])
        line = doc.top_lines.get(str(loc[0]), 1) if loc else 1
        if len(loc) >= 2 and isinstance(loc[1], int) and str(loc[0]) in doc.sections:
            entries = doc.sections[str(loc[0])]
            if loc[1] < len(entries):
                entry = entries[loc[1]]
                line = entry.line_of(loc[2]) if len(loc) > 2 else entry.line
        problems.append(Problem(CATALOGUE_FILE, line, field_message(loc, dict(error))))
    return problems


def load_catalogue(directory: Path, problems: list[Problem]) -> Catalogue | None:
    """Read and check `catalogue.yaml`; append its problems and return None when it is unusable."""
    path = directory / CATALOGUE_FILE
    if not path.exists():
        problems.append(Problem(CATALOGUE_FILE, 1, "the catalogue file is missing"))
        return None
    doc = parse(path, CATALOGUE_FILE, problems)
    if doc is None:
        return None
    try:
        catalogue = Catalogue.model_validate(doc.data)
    except ValidationError as exc:
        problems.extend(_catalogue_problems(doc, exc))
        return None
    for section, values in (
        ("awarding_bodies", [b.id for b in catalogue.awarding_bodies]),
        ("sources", [s.id for s in catalogue.sources]),
        ("areas", [a.id for a in catalogue.areas]),
    ):
        for value, count in Counter(values).items():
            if count > 1:
                line = doc.top_lines.get(section, 1)
                problems.append(Problem(CATALOGUE_FILE, line, f"duplicate {section} id '{value}'"))
    body_ids = {b.id for b in catalogue.awarding_bodies}
    for index, source in enumerate(catalogue.sources):
        if source.body not in body_ids:
            line = doc.sections["sources"][index].line_of("body")
            problems.append(
                Problem(CATALOGUE_FILE, line, f"source '{source.id}': unknown awarding body '{source.body}'")
            )
    return catalogue


def _item_file(doc: Document, problems: list[Problem]) -> list[Node]:
    """The item entries of one content file (none when its shape is wrong)."""
    extra = sorted(set(doc.data) - {"items"})
    if extra:
        problems.append(
            Problem(
                doc.file,
                doc.top_lines[extra[0]],
                f"unknown top-level key '{extra[0]}': a content file holds `items:`",
            )
        )
    if not isinstance(doc.data.get("items"), list):
        problems.append(Problem(doc.file, doc.top_lines.get("items", 1), "`items:` must be a list of items"))
        return []
    return doc.items


def _read_item(file: str, node: Node, problems: list[Problem]) -> AnyItem | None:
    if not isinstance(node.data, dict):
        problems.append(Problem(file, node.line, "each item must be a mapping of fields"))
        return None
    try:
        return ITEM_ADAPTER.validate_python(node.data)
    except ValidationError as exc:
        # Errors inside a discriminated union carry the kind as the first loc part.
        skip = 1 if node.data.get("kind") in {k.value for k in ItemKind} else 0
        problems.extend(validation_problems(file, node, exc, skip))
        return None


def load_bank(directory: Path, *, floors: bool = True) -> Bank:
    """Load and check every YAML file in `directory`.

    Args:
        directory: the bank folder (catalogue.yaml, item files, published.txt).
        floors: whether to hold the bank to the catalogue's floors (off for a draft).

    Raises:
        ContentError: listing every problem found, each with file and line.
    """
    problems: list[Problem] = []
    catalogue = load_catalogue(directory, problems)
    items: dict[str, AnyItem] = {}
    located: dict[str, tuple[str, Node]] = {}
    for path in sorted(directory.glob("*.y*ml")):
        if path.name == CATALOGUE_FILE:
            continue
        doc = parse(path, path.name, problems)
        if doc is None:
            continue
        for node in _item_file(doc, problems):
            item = _read_item(path.name, node, problems)
            if item is None:
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
            problems.extend(kind_problems(item, path.name, node))
            if catalogue is not None:
                problems.extend(reference_problems(item, path.name, node, catalogue))
    problems.extend(tests_problems(items, located))
    if catalogue is not None:
        if not items and not problems:
            problems.append(Problem(CATALOGUE_FILE, 1, "the bank has no items"))
        if floors:
            problems.extend(floor_problems(items, catalogue))
        problems.extend(published_problems(directory, items.keys(), catalogue))
    if problems or catalogue is None:
        raise ContentError(problems)
    # Bank order follows the catalogue's areas (then file order), so selection ties and listings
    # go crm, retention, satisfaction... whatever the file names.
    rank = {area.id: n for n, area in enumerate(catalogue.areas)}
    ordered = sorted(items.values(), key=lambda item: rank.get(item.area, len(rank)))
    return Bank(catalogue=catalogue, items={item.id: item for item in ordered})
