"""/define texts: a definition straight from the concept card, usage, and near matches."""

from __future__ import annotations

from html import escape

from bot.codec import Action, Callback
from bot.ui import Keyboard, keyboard
from bot.views.common import beyond_spec_note, button, echo
from content.schema import Bank, ConceptCard


def definition(bank: Bank, term: str, card: ConceptCard) -> str:
    """/define's answer, straight from the concept card that defines the term."""
    return (
        f"📖 <b>{escape(term)}</b> · {escape(bank.area(card.area).name)}{beyond_spec_note(card)}\n\n"
        f"{escape(card.answer)}\n\n<i>{escape(card.explanation)}</i>"
    )


def define_usage(acronyms: list[str]) -> str:
    """/define without a term."""
    known = ", ".join(acronyms[:24])
    return f"Send /define and a term, for example <code>/define NPS</code>.\n\nTerms I know include: {known}."


def not_in_glossary(term: str, has_suggestions: bool) -> str:
    """/define for an unknown term."""
    if has_suggestions:
        return f"“{echo(term)}” isn't in my glossary. Did you mean one of these?"
    return f"“{echo(term)}” isn't in my glossary. Send /define on its own to see the terms I know."


def suggestions_keyboard(suggestions: list[tuple[str, ConceptCard]]) -> Keyboard:
    """One button per suggested term."""
    return keyboard([[button(term, Callback(Action.DEFINE, value=card.id))] for term, card in suggestions])
