"""Published ids are for ever: learners' history refers to them, so none may vanish unless retired."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from content.checks import CATALOGUE_FILE
from content.problems import Problem
from content.schema import Catalogue

PUBLISHED_FILE = "published.txt"
PUBLISHED_HEADER = (
    "# Every item id ever published, one a line. Written by `python -m content publish`;\n"
    "# never edit by hand: an id listed here must stay in the bank or be retired in catalogue.yaml."
)


def read_published(directory: Path) -> list[str]:
    """The ids published so far (learners' answers may refer to them)."""
    path = directory / PUBLISHED_FILE
    if not path.exists():
        return []
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]


def published_problems(directory: Path, item_ids: Collection[str], catalogue: Catalogue) -> list[Problem]:
    """A published id missing from the bank (and not retired), or a retired id still in it."""
    retired = {r.id for r in catalogue.retired}
    problems = []
    for line_number, item_id in enumerate(read_published(directory), start=1):
        if not item_id or item_id.startswith("#"):
            continue
        if item_id not in item_ids and item_id not in retired:
            problems.append(
                Problem(
                    PUBLISHED_FILE,
                    line_number,
                    f"published id '{item_id}' is gone: learners' history refers to it. Restore the item "
                    "(same id), or retire it in catalogue.yaml under `retired:` with a reason",
                )
            )
    for item_id in sorted(retired & set(item_ids)):
        problems.append(
            Problem(
                CATALOGUE_FILE, 1, f"'{item_id}' is retired but still in the bank: remove one or the other"
            )
        )
    return problems


def publish(directory: Path, item_ids: Collection[str]) -> list[str]:
    """Add the ids of a checked bank that are not yet published to the list; returns the ids added."""
    published = read_published(directory)
    new = sorted(set(item_ids) - set(published))
    if new:
        path = directory / PUBLISHED_FILE
        header = [] if published else [PUBLISHED_HEADER]
        path.write_text("\n".join([*header, *published, *new]).strip() + "\n", encoding="utf-8")
    return new
