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


def _names(card: ConceptCard, key: str) -> bool:
    """Whether the card's id names the term as whole words (crm-personalisation names "personalisation")."""
    return re.search(rf"(^|-){re.escape(key.replace(' ', '-'))}(-|$)", card.id) is not None


class Glossary:
    """An index from each defined term (case and punctuation ignored) to the card defining it.

    A card defines the terms it lists; its first term is its headword. When several cards list a
    term, the card that defines it is, in order: the one whose headword it is; the one whose id
    names it; the one that lists it earlier; the narrower one (fewer terms); the first in the bank.
    """

    def __init__(self, bank: Bank) -> None:
        ranked: dict[str, tuple[tuple[bool, bool, int, int, int], str, ConceptCard]] = {}
        cards = [item for item in bank.items.values() if isinstance(item, ConceptCard)]
        for order, card in enumerate(cards):
            for position, term in enumerate(card.terms):
                key = _key(term)
                rank = (position != 0, not _names(card, key), position, len(card.terms), order)
                if key not in ranked or rank < ranked[key][0]:
                    ranked[key] = (rank, term, card)
        self.terms: dict[str, tuple[str, ConceptCard]] = {k: (t, c) for k, (_, t, c) in ranked.items()}
        self._headwords = {_key(card.terms[0]) for card in cards if card.terms}
        self._cards = {card.id: card for card in cards}

    def card(self, card_id: str) -> ConceptCard | None:
        """A concept card by id (a suggested term's button carries it)."""
        return self._cards.get(card_id)

    def acronyms(self) -> list[str]:
        """The short upper-case terms (NPS, CSAT...), sorted: good examples to offer."""
        return sorted({term for term, _ in self.terms.values() if term.isupper() and len(term) <= 6})

    def _within(self, key: str) -> list[str]:
        """The terms that hold `key` as whole words ("retention" in "customer retention")."""
        if len(key) < 3:
            return []
        return [k for k in self.terms if k != key and re.search(rf"\b{re.escape(key)}\b", k)]

    def lookup(self, text: str) -> Lookup:
        """Find the card that defines `text`, else suggest the nearest terms.

        In order: the term itself (case and punctuation ignored); then the one card with a term
        that holds it as whole words ("Equality Act" for Equality Act 2010); then the one card
        whose headword is a kind of it ("retention": customer retention); then near spellings.
        """
        key = _key(text)
        if key in self.terms:
            term, card = self.terms[key]
            return Lookup(term, card, [])
        within = self._within(key)
        kinds = [k for k in within if k in self._headwords and k.endswith(f" {key}")]
        for candidates in (within, kinds):
            if len({self.terms[k][1].id for k in candidates}) == 1:
                term, card = self.terms[candidates[0]]
                return Lookup(term, card, [])
        close = difflib.get_close_matches(key, list(self.terms), n=MAX_SUGGESTIONS * 2, cutoff=0.6)
        contains = [k for k in self.terms if key and len(key) >= 3 and (key in k or k in key)]
        suggestions: list[tuple[str, ConceptCard]] = []
        seen: set[str] = set()
        for match in [*kinds, *close, *within, *contains]:
            term, card = self.terms[match]
            if card.id not in seen:
                seen.add(card.id)
                suggestions.append((term, card))
        return Lookup(text, None, suggestions[:MAX_SUGGESTIONS])
