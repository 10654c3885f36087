"""Every text and keyboard the learner sees (British English, HTML parse mode)."""

from __future__ import annotations

from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo

from telegram import BotCommand, InlineKeyboardButton, InlineKeyboardMarkup

from bot.codec import Action, Callback, encode
from bot.tutor.selection import Item, Reason
from bot.tutor.service import AnswerResult, ServedPrompt
from bot.tutor.stats import LearnerStats
from content.schema import ALL_BODIES, Bank, ConceptCard

REMINDER_CHOICES = ("07:30", "12:30", "18:00", "20:30")

COMMANDS = (
    BotCommand("next", "Next revision prompt"),
    BotCommand("stats", "Your progress by topic area"),
    BotCommand("start", "Set up, or change your course"),
    BotCommand("help", "How Retain works"),
)


def _button(label: str, callback: Callback) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=encode(callback))


# --- onboarding -----------------------------------------------------------------------------


def welcome() -> str:
    """The first message a new learner sees."""
    return (
        "<b>Welcome to Retain!</b>\n\n"
        "I help you revise <i>Understand customers and customer retention</i>: CRM, keeping "
        "customers, and measuring satisfaction. A few minutes a day of short prompts and "
        "true-or-false challenges, and I bring back what you find hard.\n\n"
        "First, which awarding body is your diploma with?"
    )


def body_keyboard(bank: Bank) -> InlineKeyboardMarkup:
    """One button per awarding body, and one for all of them."""
    rows = [
        [_button(body.name, Callback(Action.BODY, value=body.id))] for body in bank.catalogue.awarding_bodies
    ]
    rows.append([_button("Not sure: all of them", Callback(Action.BODY, value=ALL_BODIES))])
    return InlineKeyboardMarkup(rows)


def reminder_question(bank: Bank, body: str, timezone: str) -> str:
    """Confirms the course and asks for a reminder time."""
    return (
        f"Got it: <b>{escape(course_name(bank, body))}</b>.\n\n"
        "Would you like a daily reminder with a question to answer? "
        f"Times are {escape(place(timezone))} time."
    )


def reminder_keyboard() -> InlineKeyboardMarkup:
    """Common reminder times and "not now"."""
    times = [_button(t, Callback(Action.REMIND, value=t.replace(":", ""))) for t in REMINDER_CHOICES]
    return InlineKeyboardMarkup(
        [times[:2], times[2:], [_button("Not now", Callback(Action.REMIND, value="off"))]]
    )


def reminder_saved(local_time: str | None, timezone: str) -> str:
    """Confirms the reminder choice in the learner's own words."""
    if local_time is None:
        return "No daily reminder for now. Here is your first prompt."
    return (
        f"Saved: a daily reminder at <b>{local_time}</b>, {escape(place(timezone))} time. "
        "Here is your first prompt."
    )


def welcome_back(bank: Bank, body: str | None) -> str:
    """What /start says to a learner who has already set up."""
    return (
        f"Welcome back! You are revising for <b>{escape(course_name(bank, body))}</b>. "
        "Here is your next prompt."
    )


def change_course_keyboard() -> InlineKeyboardMarkup:
    """Lets a returning learner pick another awarding body."""
    return InlineKeyboardMarkup([[_button("Change course", Callback(Action.CHANGE_COURSE))]])


def choose_course() -> str:
    """Asks a returning learner for their awarding body."""
    return "Which awarding body is your diploma with? Your progress so far is kept."


def course_changed(bank: Bank, body: str) -> str:
    """Confirms a changed course."""
    return f"Done: you are now revising for <b>{escape(course_name(bank, body))}</b>."


def course_name(bank: Bank, body: str | None) -> str:
    """A learner-facing name for the chosen course."""
    return "all awarding bodies" if body in (None, ALL_BODIES) else bank.body_name(body)


def place(timezone: str) -> str:
    """ "Europe/London" as "London"."""
    return timezone.rsplit("/", 1)[-1].replace("_", " ")


# --- prompts ----------------------------------------------------------------------------------


def _heading(bank: Bank, item: Item, reason: Reason | None = None) -> str:
    kind = "Concept" if isinstance(item, ConceptCard) else "True or false?"
    review = " · review" if reason is Reason.DUE else ""
    return f"<b>{kind}</b> · {escape(bank.area(item.area).name)}{review}"


def prompt_text(bank: Bank, served: ServedPrompt) -> str:
    """A prompt as first shown: a card's question, or a challenge's statement."""
    item = served.item
    head = _heading(bank, item, served.reason)
    if isinstance(item, ConceptCard):
        return f"{head}\n\n{escape(item.question)}\n\n<i>Answer it in your head, then tap Reveal.</i>"
    return f"{head}\n\n{escape(item.statement)}"


def prompt_keyboard(served: ServedPrompt) -> InlineKeyboardMarkup:
    """Reveal for a card; True / False for a challenge."""
    pid = served.prompt_id
    if isinstance(served.item, ConceptCard):
        return InlineKeyboardMarkup([[_button("Reveal", Callback(Action.REVEAL, pid))]])
    return InlineKeyboardMarkup(
        [
            [
                _button("True", Callback(Action.TRUE_FALSE, pid, "t")),
                _button("False", Callback(Action.TRUE_FALSE, pid, "f")),
            ]
        ]
    )


def _card_body(bank: Bank, card: ConceptCard) -> str:
    return (
        f"{_heading(bank, card)}\n\n{escape(card.question)}\n\n"
        f"<b>Answer:</b> {escape(card.answer)}\n\n<i>{escape(card.explanation)}</i>"
    )


def revealed_text(bank: Bank, card: ConceptCard) -> str:
    """A card with its answer shown, asking whether the learner knew it."""
    return f"{_card_body(bank, card)}\n\nDid you know it?"


def knew_keyboard(prompt_id: int) -> InlineKeyboardMarkup:
    """Knew it / Not yet."""
    return InlineKeyboardMarkup(
        [
            [
                _button("Knew it", Callback(Action.KNEW, prompt_id, "1")),
                _button("Not yet", Callback(Action.KNEW, prompt_id, "0")),
            ]
        ]
    )


def answered_text(bank: Bank, result: AnswerResult) -> str:
    """The prompt after its answer: right or wrong, and why."""
    item = result.item
    assert item is not None
    if isinstance(item, ConceptCard):
        verdict = (
            "✅ Knew it. I'll bring it back in a few days to make it stick."
            if result.correct
            else "🔁 No problem: it will come back shortly."
        )
        return f"{_card_body(bank, item)}\n\n{verdict}"
    truth = "true" if item.answer else "false"
    verdict = f"✅ Right: it's {truth}." if result.correct else f"❌ Not quite: it's {truth}."
    return (
        f"{_heading(bank, item)}\n\n{escape(item.statement)}\n\n<b>{verdict}</b> {escape(item.explanation)}"
    )


def next_keyboard(prompt_id: int) -> InlineKeyboardMarkup:
    """The button to carry on."""
    return InlineKeyboardMarkup([[_button("Next ▶", Callback(Action.NEXT, prompt_id))]])


# --- stats, help and hints --------------------------------------------------------------------


def _when(moment: datetime, now: datetime, timezone: str) -> str:
    local = moment.astimezone(ZoneInfo(timezone))
    minutes = int((moment - now).total_seconds() // 60)
    if minutes < 60:
        return f"in {max(minutes, 1)} min"
    if local.date() == now.astimezone(ZoneInfo(timezone)).date():
        return f"today at {local:%H:%M}"
    return f"{local:%a %d %b} at {local:%H:%M}"


def stats_text(bank: Bank, body: str | None, stats: LearnerStats, now: datetime, timezone: str) -> str:
    """/stats as text: items seen, accuracy per topic area, and what is due."""
    lines = [
        f"<b>Your progress</b> · {escape(course_name(bank, body))}",
        f"Items met: {stats.items_seen} of {stats.items_total} · answers: {stats.answers}",
        "",
    ]
    for area in stats.areas:
        if area.accuracy is None:
            detail = "not started yet"
        else:
            detail = f"{area.items_seen} of {area.items_total} met · {area.accuracy:.0%} right"
        lines.append(f"• <b>{escape(area.area.name)}</b>: {detail}")
    lines.append("")
    if stats.due_now:
        noun = "item is" if stats.due_now == 1 else "items are"
        lines.append(f"{stats.due_now} {noun} due for review now: send /next.")
    elif stats.next_due_at is not None:
        lines.append(f"Nothing due right now. Next review: {_when(stats.next_due_at, now, timezone)}.")
    else:
        lines.append("Nothing to review yet: send /next to start.")
    return "\n".join(lines)


def help_text() -> str:
    """/help."""
    return (
        "<b>Retain</b> is your revision partner for the unit <i>Understand customers and customer "
        "retention</i>.\n\n"
        "• <b>Concept cards</b>: answer in your head, tap Reveal, then say honestly whether you knew it.\n"
        "• <b>True or false?</b> challenges on common misconceptions, each with the reason why.\n\n"
        "Every answer is remembered: what you miss comes back soon, what you know comes back later, "
        "and your weakest topic area gets the most practice.\n\n"
        "/next – the next prompt\n"
        "/stats – your progress by topic area\n"
        "/start – set up, or change your course\n"
        "/help – this message"
    )


def free_text_hint(awaiting_answer: bool) -> str:
    """The reply to a message that is not a command."""
    if awaiting_answer:
        return (
            "To answer, tap one of the buttons under the question above. Or send /next for a different one."
        )
    return "I work with buttons: send /next for a revision prompt, /stats for your progress or /help."


def unknown_command(command: str) -> str:
    """The reply to a command Retain does not have."""
    return f"Sorry, I don't know {escape(command)}. Try /next, /stats or /help."


def not_started() -> str:
    """For a learner who has not chosen a course yet."""
    return "Let's get you set up first: send /start."


def nothing_to_serve() -> str:
    """When the bank holds nothing for the learner's course."""
    return "There are no prompts for your course yet. Send /start to choose another awarding body."


def stale_button() -> str:
    """The answer to a button that no longer does anything (or never could)."""
    return "That button has expired. Send /next for a fresh prompt."


def choose_from_buttons() -> str:
    """For a settings button whose choice is not on offer."""
    return "That choice isn't available. Send /start to pick again."


def something_went_wrong() -> str:
    """When handling a message failed on our side."""
    return "Sorry, something went wrong on my side. Your progress is safe: please try again."
