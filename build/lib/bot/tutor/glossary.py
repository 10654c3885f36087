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
        # When several cards list a term, the card named after it wins (quality-pdca for PDCA),
        # then the card that lists it first, then bank order.
        ranked: dict[str, tuple[tuple[bool, int, int], str, ConceptCard]] = {}
        cards = [item for item in bank.items.values() if isinstance(item, ConceptCard)]
        for order, card in enumerate(cards):
            for position, term in enumerate(card.terms):
                key = _key(term)
                rank = (key.replace(" ", "-") not in card.id, position, order)
                if key not in ranked or rank < ranked[key][0]:
                    ranked[key] = (rank, term, card)
        self.terms: dict[str, tuple[str, ConceptCard]] = {k: (t, c) for k, (_, t, c) in ranked.items()}
        self._cards = {card.id: card for card in cards}

    def card(self, card_id: str) -> ConceptCard | None:
        """A concept card by id (a suggested term's button carries it)."""
        return self._cards.get(card_id)

    def acronyms(self) -> list[str]:
        """The short upper-case terms (NPS, CSAT...), sorted: good examples to offer."""
        return sorted({term for term, _ in self.terms.values() if term.isupper() and len(term) <= 6})

    def lookup(self, text: str) -> Lookup:
        """Find `text` exactly (ignoring case and punctuation), else suggest the nearest terms."""
        key = _key(text)
        if key in self.terms:
            term, card = self.terms[key]
            return Lookup(term, card, [])
        # A shortened term that fits one entry only ("Equality Act") is that entry.
        wider = {
            self.terms[k][1].id: k
            for k in self.terms
            if len(key) >= 3 and re.search(rf"\b{re.escape(key)}\b", k)
        }
        if len(wider) == 1:
            term, card = self.terms[next(iter(wider.values()))]
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
