"""Marking-scheme phrasings: how an author writes the ways a learner may express a marking point.

A phrasing is groups joined by " + ": every group must be found in one sentence, in any order. A
group is alternatives joined by "|". An alternative is one word or several (found as consecutive
words); a trailing "*" on its last word matches any ending ("personalis*" finds personalise,
personalised, personalisation). Words are compared lowercased; the marker (`bot.tutor.marking`)
also folds spelling variants, plural and tense endings, and small misspellings.

    store*|record*|hold*|keep* + customer|client + history|details|data|information
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_WORD = re.compile(r"^[a-z0-9][a-z0-9'-]*\*?$")


class PhrasingError(ValueError):
    """A phrasing an author wrote that cannot be read."""


@dataclass(frozen=True)
class Alternative:
    """One way of saying a group's idea: its words in order; `prefix` when the last ends in '*'."""

    words: tuple[str, ...]
    prefix: bool


@dataclass(frozen=True)
class Phrasing:
    """Groups that must all appear in one sentence."""

    groups: tuple[tuple[Alternative, ...], ...]
    source: str


def parse(text: str) -> Phrasing:
    """Read one phrasing; raises PhrasingError saying what is wrong."""
    groups = []
    for raw_group in text.split(" + "):
        alternatives = []
        for raw in raw_group.split("|"):
            words = raw.strip().lower().split()
            if not words:
                raise PhrasingError(f"empty alternative in {text!r} (check for '||', or '|' at an end)")
            for index, word in enumerate(words):
                if not _WORD.match(word) or (word.endswith("*") and index < len(words) - 1):
                    raise PhrasingError(
                        f"{word!r} in {text!r}: write lowercase words, digits, hyphens or apostrophes; "
                        "'*' only at the end of an alternative's last word"
                    )
            last = words[-1]
            prefix = last.endswith("*")
            if prefix:
                if len(last) < 4:
                    raise PhrasingError(f"{last!r} in {text!r}: a '*' needs at least three letters before it")
                words[-1] = last[:-1]
            alternatives.append(Alternative(tuple(words), prefix))
        groups.append(tuple(alternatives))
    if "+" in text.replace(" + ", ""):
        raise PhrasingError(f"{text!r}: join groups with ' + ' (a space each side)")
    return Phrasing(tuple(groups), text)
