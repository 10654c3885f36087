"""The glossary: every term and acronym the bank's concept cards define, and the nearest matches."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from content.schema import Bank, ConceptCard

MAX_SUGGESTIONS = 4


def _key(term: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", term.casefold()).strip()


@dataclass(frozen=True)
class Lookup:
    """What /define found: the card that defines the term (and the term as the bank spells it),
    or the nearest terms."""

    term: str
    card: ConceptCard | None
    suggestions: list[tuple[str, ConceptCard]]


class Glossary:
    """An index from each defined term (case and punctuation ignored) to the card defining it."""

    def __init__(self, bank: Bank) -> None:
        self.terms: dict[str, tuple[str, ConceptCard]] = {}
        for item in bank.items.values():
            if isinstance(item, ConceptCard):
                for term in item.terms:
                    self.terms.setdefault(_key(term), (term, item))

    def acronyms(self) -> list[str]:
        """The short upper-case terms (NPS, CSAT...), sorted: good examples to offer."""
        return sorted({term for term, _ in self.terms.values() if term.isupper() and len(term) <= 6})

    def lookup(self, text: str) -> Lookup:
        """Find `text` exactly (ignoring case and punctuation), else suggest the nearest terms."""
        key = _key(text)
        if key in self.terms:
            term, card = self.terms[key]
            return Lookup(term, card, [])
        candidates = difflib.get_close_matches(key, list(self.terms), n=MAX_SUGGESTIONS * 2, cutoff=0.6)
        contains = [k for k in self.terms if key and len(key) >= 3 and (key in k or k in key)]
        suggestions: list[tuple[str, ConceptCard]] = []
        seen: set[str] = set()
        for match in [*candidates, *contains]:
            term, card = self.terms[match]
            if card.id not in seen:
                seen.add(card.id)
                suggestions.append((term, card))
        return Lookup(text, None, suggestions[:MAX_SUGGESTIONS])
