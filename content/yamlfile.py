"""Reading YAML while keeping the line of every mapping and key, so problems can name them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from content.problems import Problem

# libyaml's loader where it is installed (several times faster); it keeps the same line marks.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class Node:
    """A parsed YAML mapping with the line of itself and of each key's value (1-based)."""

    data: Any
    line: int
    key_lines: dict[str, int] = field(default_factory=dict)

    def line_of(self, key: object) -> int:
        """The line of `key`'s value, or of the mapping itself when the key is absent."""
        return self.key_lines.get(str(key), self.line)


@dataclass
class Document:
    """One YAML file: its data, the entries of each top-level list, and the line of each top key."""

    file: str
    data: Any
    top_lines: dict[str, int]
    sections: dict[str, list[Node]]

    @property
    def items(self) -> list[Node]:
        """The entries of the `items:` list."""
        return self.sections.get("items", [])


def _mapping_lines(node: yaml.Node) -> dict[str, int]:
    lines: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            lines[str(key.value)] = value.start_mark.line + 1
    return lines


def parse(path: Path, label: str, problems: list[Problem]) -> Document | None:
    """Parse one YAML file whose top level is a mapping; append any problem and return None."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(Problem(label, 1, f"cannot read the file: {exc}"))
        return None
    loader = _Loader(text)
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
    sections: dict[str, list[Node]] = {}
    for key, value in root.value:
        if isinstance(value, yaml.SequenceNode):
            entries = data.get(key.value)
            sections[str(key.value)] = [
                Node(entry, child.start_mark.line + 1, _mapping_lines(child))
                for entry, child in zip(entries or [], value.value, strict=False)
            ]
    return Document(label, data, _mapping_lines(root), sections)
