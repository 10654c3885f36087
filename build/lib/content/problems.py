"""What the checker reports: problems located by file and line, and the error that carries them."""

from __future__ import annotations

from dataclasses import dataclass


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


class ContentError(Exception):
    """The bank has problems; `problems` lists every one."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__(format_problems(problems))
