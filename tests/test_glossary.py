"""/define finds the card that defines a term: its headword first, then whole words, then near spellings.

The bug this guards against: "churn" was listed by the lifetime-value card as well, and a term's
card was chosen by whether the card's id named it before whether the term was the card's headword,
so /define churn answered with the lifetime-value card.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

import pytest

from bot.tutor.glossary import Glossary
from content.loader import load_bank
from content.schema import ConceptCard
from tests.banks import write_bank
from tests.fake_telegram import FakeUser
from tests.harness import Harness

ANNA = FakeUser(401, "Anna")


def _card(card_id: str, terms: str, answer: str = "An answer.") -> str:
    return f"""\
  - id: {card_id}
    kind: concept
    area: retention
    bodies: [all]
    sources: ["000"]
    question: What is it?
    answer: {answer}
    explanation: Because.
    terms: [{terms}]
"""


def _glossary(tmp_path: Path, *cards: str) -> Glossary:
    return Glossary(load_bank(write_bank(tmp_path / "bank", "items:\n" + "".join(cards)), floors=False))


def _defines(glossary: Glossary, text: str) -> str | None:
    """The id of the card /define shows for `text` (None: suggestions instead)."""
    card = glossary.lookup(text).card
    return card.id if card else None


def test_a_term_belongs_to_the_card_whose_headword_it_is(tmp_path: Path) -> None:
    glossary = _glossary(
        tmp_path,
        # Listed first in the bank, named "churn" in its id, and listing churn among its terms...
        _card("retention-lifetime-value-churn", "customer lifetime value, CLV, churn"),
        # ...but this card's headword is churn: it defines it.
        _card("retention-leaving", "churn, churn rate"),
    )
    assert _defines(glossary, "churn") == "retention-leaving"
    assert glossary.lookup("Churn.").term == "churn"  # case and punctuation ignored
    assert _defines(glossary, "CLV") == "retention-lifetime-value-churn"


def test_then_the_card_named_after_it_then_the_earlier_listing(tmp_path: Path) -> None:
    glossary = _glossary(
        tmp_path,
        _card("retention-strategies", "personalisation, loyalty programme"),
        _card("crm-personalisation", "personalisation"),  # a headword of both: the id names it
        _card("performance-kpis", "KPI, FCR, first contact resolution"),
        _card("performance-fcr", "FCR, first contact resolution"),  # headword; listed earlier
    )
    assert _defines(glossary, "personalisation") == "crm-personalisation"
    assert _defines(glossary, "FCR") == "performance-fcr"
    assert _defines(glossary, "first contact resolution") == "performance-fcr"


def test_a_word_of_one_cards_terms_or_of_one_headword_finds_that_card(tmp_path: Path) -> None:
    glossary = _glossary(
        tmp_path,
        _card("retention-what-it-is", "customer retention, customer acquisition"),
        _card("retention-lifecycle", "onboarding, win-back, retention lifecycle"),
        _card("legislation-equality", "Equality Act 2010, accessibility"),
        _card("crm-data", "data minimisation"),
        _card("crm-law", "GDPR, data protection"),
    )
    # One card holds "equality act" in its terms.
    assert glossary.lookup("equality act").term == "Equality Act 2010"
    # Two cards hold "retention"; one headword is a kind of retention: customer retention.
    assert _defines(glossary, "retention") == "retention-what-it-is"
    assert glossary.lookup("retention").term == "customer retention"
    # "data" qualifies both, names neither: near terms to choose from, no guess.
    data = glossary.lookup("data")
    assert data.card is None
    assert {card.id for _, card in data.suggestions} == {"crm-data", "crm-law"}


# --- /define end to end on the shipped bank ------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "card_id", "shown"),
    [
        ("churn", "retention-churn-rate", "churn"),
        ("churn rate", "retention-churn-rate", "churn rate"),
        ("NPS", "satisfaction-nps", "NPS"),
        ("csat", "satisfaction-csat", "CSAT"),
        ("CRM", "crm-what-it-is", "CRM"),
        ("retention", "retention-what-it-is", "customer retention"),
        ("CLV", "retention-lifetime-value-churn", "CLV"),
        ("first contact resolution", "performance-fcr", "first contact resolution"),
        ("personalisation", "crm-personalisation", "personalisation"),
    ],
)
async def test_define_answers_with_the_card_that_defines_the_term(
    bot: Harness, query: str, card_id: str, shown: str
) -> None:
    cards = {item.id: item for item in bot.bank.items.values() if isinstance(item, ConceptCard)}
    [reply] = await bot.send(ANNA, f"/define {query}")
    assert reply.text.startswith(f"📖 <b>{escape(shown)}</b> · "), reply.text
    shows = [other for other, card in cards.items() if escape(card.answer) in reply.text]
    assert shows == [card_id], reply.text
