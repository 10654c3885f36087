"""/help, /stats, /define, /quizname, and the replies to what Retain does not expect."""

from __future__ import annotations

from bot.tutor.tutor import Tutor
from bot.ui import Chart, Reply, Send, Toast
from bot.views import class_quiz, commands, common, glossary, progress


def help_reply() -> Reply:
    """/help: what Retain does and its commands."""
    return [Send(commands.help_text())]


async def stats(tutor: Tutor, user_id: int) -> Reply:
    """/stats: a chart of mastery per area with streak, counts and what to revise (text if no chart)."""
    found = await tutor.progress.stats(user_id)
    if found is None:
        return [Send(common.not_started())]
    bank, body, data = tutor.bank, found.awarding_body, found.stats
    if not data.answers:
        return [Send(progress.nothing_yet())]
    return [
        Chart(
            progress.bars(data, found.readiness),
            progress.title(bank, body),
            progress.AXIS,
            caption=progress.caption(data, found.now, found.timezone, found.readiness, found.exam),
            fallback=progress.text(bank, body, data, found.now, found.timezone, found.readiness, found.exam),
        )
    ]


def define(tutor: Tutor, text: str) -> Reply:
    """/define <term>: the bank's definition, or the nearest terms."""
    lookup = tutor.glossary
    if not text:
        return [Send(glossary.define_usage(lookup.acronyms()))]
    found = lookup.lookup(text)
    if found.card is not None:
        return [Send(glossary.definition(tutor.bank, found.term, found.card))]
    if found.suggestions:
        return [Send(glossary.not_in_glossary(text, True), glossary.suggestions_keyboard(found.suggestions))]
    return [Send(glossary.not_in_glossary(text, False))]


def define_button(tutor: Tutor, card_id: str) -> Reply:
    """A suggested term's button."""
    card = tutor.glossary.card(card_id)
    if card is None:
        return [Send(common.stale_button())]
    term = card.terms[0] if card.terms else card.id
    return [Send(glossary.definition(tutor.bank, term, card))]


async def quiz_name(tutor: Tutor, user_id: int, text: str) -> Reply:
    """/quizname off: appear as "a classmate" on boards; /quizname on: by first name."""
    choice = text.strip().casefold()
    if choice not in ("on", "off"):
        return [Send(class_quiz.quiz_name_usage())]
    await tutor.profiles.set_quiz_named(user_id, choice == "on")
    return [Send(class_quiz.quiz_name_set(choice == "on"))]


def unknown_command(command: str) -> Reply:
    """Any command Retain does not have."""
    return [Send(commands.unknown_command(command))]


def expired_button() -> Reply:
    """Callback data no button of ours carries now: forged, or from a retired version of the bot."""
    return [Toast(common.stale_button())]
