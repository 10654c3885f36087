"""Automatic marking of a written answer against an exam question's marking scheme.

A plain function of the question and the learner's text: no network, no state. For each marking
point it says whether the answer earns it and quotes the learner's sentence that does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from content.phrasing import Phrasing, parse
from content.schema import ExamQuestion

_SENTENCE = re.compile(r"(?<=[.!?;])\s+|\n+")
_TOKEN = re.compile(r"[a-z0-9']+")


@dataclass(frozen=True)
class PointMark:
    """One marking point: earned or not, and the learner's sentence that earned it."""

    point_id: str
    earned: bool
    quote: str | None = None


@dataclass(frozen=True)
class Marking:
    """The automatic marking of one answer, point by point in scheme order."""

    points: tuple[PointMark, ...]

    @property
    def earned(self) -> int:
        """Points earned."""
        return sum(point.earned for point in self.points)


def sentences(text: str) -> list[str]:
    """The answer's sentences, as the learner wrote them."""
    return [part.strip() for part in _SENTENCE.split(text) if part.strip()]


def _matches(phrasing: Phrasing, tokens: list[str]) -> bool:
    for group in phrasing.groups:
        found = False
        for alternative in group:
            size = len(alternative.words)
            for start in range(len(tokens) - size + 1):
                window = tokens[start : start + size]
                head, last, wanted = window[:-1], window[-1], alternative.words[-1]
                if list(alternative.words[:-1]) == head and (
                    last.startswith(wanted) if alternative.prefix else last == wanted
                ):
                    found = True
                    break
            if found:
                break
        if not found:
            return False
    return True


def mark(question: ExamQuestion, text: str) -> Marking:
    """Mark `text` against the question's scheme."""
    parts = sentences(text)
    tokenised = [_TOKEN.findall(part.lower()) for part in parts]
    marks = []
    for point in question.points:
        quote = None
        phrasings = [parse(p) for p in point.phrasings]
        for part, tokens in zip(parts, tokenised, strict=True):
            if any(_matches(phrasing, tokens) for phrasing in phrasings):
                quote = part
                break
        marks.append(PointMark(point.id, quote is not None, quote))
    return Marking(tuple(marks))
