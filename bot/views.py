"""Every text and keyboard the learner sees (British English, HTML parse mode)."""

from __future__ import annotations

from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo

from telegram import BotCommand, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import MessageLimit

from bot.codec import Action, Callback, encode
from bot.tutor.class_quiz import ClassReport, PostedQuestion, RoundSummary
from bot.tutor.nudging import ReminderSettings
from bot.tutor.schedule import zone_label
from bot.tutor.selection import Item, Reason
from bot.tutor.service import TIP_EVERY, AnswerResult, ServedPrompt, option_order
from bot.tutor.stats import LearnerStats
from content.drills import format_number, render
from content.schema import (
    ALL_BODIES,
    Area,
    Bank,
    ConceptCard,
    ExamTip,
    ItemKind,
    MetricDrill,
    MultipleChoice,
    TrueFalse,
)
from storage.models import GroupSettings

REMINDER_CHOICES = ("07:30", "12:30", "18:00", "20:30")
CAPTION_LIMIT = MessageLimit.CAPTION_LENGTH

GROUP_COMMANDS = (
    BotCommand("quiz", "Start a class quiz round, e.g. /quiz 10 retention"),
    BotCommand("classreport", "Where the class is weak (admins)"),
    BotCommand("quizsettings", "Who can start rounds, time, length (admins)"),
)

COMMANDS = (
    BotCommand("next", "Next revision prompt"),
    BotCommand("stats", "Your progress by topic area"),
    BotCommand("focus", "Drill one topic area (or /focus off)"),
    BotCommand("define", "Look up a term, e.g. /define NPS"),
    BotCommand("goal", "Set a daily goal, e.g. /goal 10"),
    BotCommand("remind", "Daily nudge time, e.g. /remind 18:30"),
    BotCommand("timezone", "Your time zone, e.g. /timezone Europe/London"),
    BotCommand("pause", "Pause nudges, e.g. /pause 3"),
    BotCommand("quizname", "Show your name on class quiz boards: on or off"),
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
    """ "Europe/London" as "London", "Etc/GMT-2" as "UTC+2"."""
    return zone_label(timezone)


# --- prompts ----------------------------------------------------------------------------------


KIND_LABELS = {
    ItemKind.CONCEPT: "Concept",
    ItemKind.TRUE_FALSE: "True or false?",
    ItemKind.MCQ: "Multiple choice",
    ItemKind.DRILL: "Calculation",
}
LETTERS = "ABCDEFGHIJKL"


def _heading(bank: Bank, item: Item, reason: Reason | None = None) -> str:
    review = " · review" if reason is Reason.DUE else ""
    return f"<b>{KIND_LABELS[item.kind]}</b> · {escape(bank.area(item.area).name)}{review}"


def _options(item: MultipleChoice, prompt_id: int, marks: dict[int, str] | None = None) -> str:
    lines = []
    for letter, index in zip(LETTERS, option_order(item, prompt_id), strict=False):
        mark = (marks or {}).get(index, "")
        lines.append(f"{mark}<b>{letter}.</b> {escape(item.options[index])}")
    return "\n".join(lines)


def _number(drill: MetricDrill, value: float) -> str:
    return format_number(value, drill.decimals, drill.unit)


def prompt_text(bank: Bank, served: ServedPrompt) -> str:
    """A prompt as first shown: the question, statement or calculation, without the answer."""
    item = served.item
    head = _heading(bank, item, served.reason)
    if isinstance(item, ConceptCard):
        return f"{head}\n\n{escape(item.question)}\n\n<i>Answer it in your head, then tap Reveal.</i>"
    if isinstance(item, TrueFalse):
        return f"{head}\n\n{escape(item.statement)}"
    if isinstance(item, MultipleChoice):
        return f"{head}\n\n{escape(item.question)}\n\n{_options(item, served.prompt_id)}"
    assert served.drill is not None
    example = "42.5" if item.decimals else "42"
    return (
        f"{head}\n\n{escape(render(item.question, item, served.drill))}\n\n"
        f"<i>Type your answer (like {example}) or tap one.</i>"
    )


def prompt_keyboard(served: ServedPrompt) -> InlineKeyboardMarkup:
    """The answer buttons for a prompt."""
    pid, item = served.prompt_id, served.item
    if isinstance(item, ConceptCard):
        return InlineKeyboardMarkup([[_button("Reveal", Callback(Action.REVEAL, pid))]])
    if isinstance(item, TrueFalse):
        return InlineKeyboardMarkup(
            [
                [
                    _button("True", Callback(Action.TRUE_FALSE, pid, "t")),
                    _button("False", Callback(Action.TRUE_FALSE, pid, "f")),
                ]
            ]
        )
    if isinstance(item, MultipleChoice):
        order = option_order(item, pid)
        row = [_button(LETTERS[n], Callback(Action.CHOICE, pid, str(i))) for n, i in enumerate(order)]
        return InlineKeyboardMarkup([row[:4], row[4:8], row[8:]])
    assert served.drill is not None
    buttons = [
        _button(_number(item, value), Callback(Action.DRILL, pid, str(n)))
        for n, value in enumerate(served.drill.options)
    ]
    return InlineKeyboardMarkup([buttons[:2], buttons[2:]])


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
    head = _heading(bank, item)
    if isinstance(item, ConceptCard):
        verdict = (
            "✅ Knew it. I'll bring it back in a few days to make it stick."
            if result.correct
            else "🔁 No problem: it will come back shortly."
        )
        return f"{_card_body(bank, item)}\n\n{verdict}"
    if isinstance(item, TrueFalse):
        truth = "true" if item.answer else "false"
        verdict = f"✅ Right: it's {truth}." if result.correct else f"❌ Not quite: it's {truth}."
        return f"{head}\n\n{escape(item.statement)}\n\n<b>{verdict}</b> {escape(item.explanation)}"
    if isinstance(item, MultipleChoice):
        marks = {0: "✅ "}
        if isinstance(result.choice, int) and not isinstance(result.choice, bool) and result.choice != 0:
            marks[result.choice] = "❌ "
        verdict = "✅ Right." if result.correct else f"❌ Not quite: the answer is {escape(item.answer)}."
        return (
            f"{head}\n\n{escape(item.question)}\n\n{_options(item, result.prompt_id, marks)}\n\n"
            f"<b>{verdict}</b> {escape(item.explanation)}"
        )
    drill = result.drill
    assert drill is not None
    answer = _number(item, drill.answer)
    given = None
    if result.typed is not None:
        given = format_number(
            result.typed, max(item.decimals, 0 if result.typed.is_integer() else 1), item.unit
        )
    elif isinstance(result.choice, int) and not isinstance(result.choice, bool):
        given = _number(item, drill.options[result.choice])
    if result.correct:
        verdict = f"✅ Right: {answer}."
    else:
        said = f"you said {given}; " if given else ""
        verdict = f"❌ Not quite: {said}the answer is {answer}."
    tolerance = ""
    if item.tolerance and result.typed is not None:
        tolerance = f" (answers within {format_number(item.tolerance, 2).rstrip('0').rstrip('.')} count)"
    return (
        f"{head}\n\n{escape(render(item.question, item, drill))}\n\n<b>{verdict}</b>{tolerance}\n\n"
        f"<b>Worked solution:</b> {escape(render(item.solution, item, drill))}\n\n"
        f"<i>{escape(item.explanation)}</i>"
    )


def unreadable_number(text: str, drill: MetricDrill) -> str:
    """A typed answer that is not a number: a hint, never a wrong mark."""
    example = "42.5" if drill.decimals else "42"
    unit = {"%": " (a % sign is fine)", "£": " (a £ sign is fine)"}.get(drill.unit, "")
    return (
        f"I couldn't read “{escape(text)}” as a number. Type just the number, like {example}{unit}, "
        "or tap one of the buttons under the question."
    )


def tip_text(tip: ExamTip, streak: bool = True) -> str:
    """An exam tip card; after a run of right answers it says so."""
    lead = f"🔥 {TIP_EVERY} right in a row! Here's an exam tip.\n\n" if streak else ""
    return f"{lead}💡 <b>{escape(tip.title)}</b>\n{escape(tip.text)}"


# --- glossary and focus -----------------------------------------------------------------------


def definition(bank: Bank, term: str, card: ConceptCard) -> str:
    """/define's answer, straight from the concept card that defines the term."""
    return (
        f"📖 <b>{escape(term)}</b> · {escape(bank.area(card.area).name)}\n\n"
        f"{escape(card.answer)}\n\n<i>{escape(card.explanation)}</i>"
    )


def define_usage(acronyms: list[str]) -> str:
    """/define without a term."""
    known = ", ".join(acronyms[:24])
    return f"Send /define and a term, for example <code>/define NPS</code>.\n\nTerms I know include: {known}."


def not_in_glossary(term: str, has_suggestions: bool) -> str:
    """/define for an unknown term."""
    if has_suggestions:
        return f"“{escape(term)}” isn't in my glossary. Did you mean one of these?"
    return f"“{escape(term)}” isn't in my glossary. Send /define on its own to see the terms I know."


def suggestions_keyboard(suggestions: list[tuple[str, ConceptCard]]) -> InlineKeyboardMarkup:
    """One button per suggested term."""
    return InlineKeyboardMarkup(
        [[_button(term, Callback(Action.DEFINE, value=card.id))] for term, card in suggestions]
    )


def focus_menu(bank: Bank, current: str | None) -> str:
    """/focus without an argument."""
    now = (
        f"You are drilling <b>{escape(bank.area(current).name)}</b>."
        if current
        else "You are on the adaptive mix."
    )
    return f"{now} Choose a topic area to drill, or go back to the mix:"


def focus_keyboard(bank: Bank) -> InlineKeyboardMarkup:
    """One button per topic area, and one for the mix."""
    rows = [[_button(area.name, Callback(Action.FOCUS, value=area.id))] for area in bank.areas]
    rows.append([_button("Back to the adaptive mix", Callback(Action.FOCUS, value="off"))])
    return InlineKeyboardMarkup(rows)


def focus_set(area: Area | None) -> str:
    """Confirms /focus."""
    if area is None:
        return "Back to the adaptive mix: I'll choose across all topic areas, weakest first."
    return (
        f"Focusing on <b>{escape(area.name)}</b>: {escape(area.description)}\n"
        "Send <code>/focus off</code> to go back to the adaptive mix."
    )


def focus_unknown(text: str, areas: list[Area]) -> str:
    """/focus with an area that does not exist."""
    names = "\n".join(f"• <code>{a.id}</code>: {escape(a.name)}" for a in areas)
    return (
        f"I don't have a topic area called “{escape(text)}”. Try one of these, or /focus for buttons:\n"
        + names
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


def _bar(mastery: float, width: int = 10) -> str:
    filled = round(mastery * width)
    return "▓" * filled + "░" * (width - filled)


def _item_label(item: Item, limit: int = 70) -> str:
    text = item.statement if isinstance(item, TrueFalse) else item.question
    if isinstance(item, MetricDrill):
        text = f"Calculation: {item.metric.replace('_', ' ')}"
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _summary_lines(stats: LearnerStats, now: datetime, timezone: str) -> list[str]:
    days = "day" if stats.streak_days == 1 else "days"
    streak = (
        f"🔥 {stats.streak_days} {days} in a row" if stats.streak_days else "No streak yet: answer one today"
    )
    today = f"{stats.answered_today} today"
    if stats.daily_goal:
        today = f"{stats.answered_today} of {stats.daily_goal} today" + (
            " ✅" if stats.answered_today >= stats.daily_goal else ""
        )
    lines = [f"{streak} · {today} · {stats.answered_this_week} this week"]
    if stats.due_now:
        noun = "item is" if stats.due_now == 1 else "items are"
        lines.append(f"{stats.due_now} {noun} due for review now: send /next.")
    elif stats.next_due_at is not None:
        lines.append(f"Nothing due right now. Next review: {_when(stats.next_due_at, now, timezone)}.")
    else:
        lines.append("Nothing to review yet: send /next to start.")
    if stats.next_up:
        lines.append("")
        lines.append("<b>Next to revise</b>")
        lines += [f"{n}. {escape(_item_label(item))}" for n, item in enumerate(stats.next_up, 1)]
    return lines


def stats_title(bank: Bank, body: str | None) -> str:
    """The chart's title."""
    return f"Mastery by topic area · {course_name(bank, body)}"


def stats_caption(bank: Bank, body: str | None, stats: LearnerStats, now: datetime, timezone: str) -> str:
    """The caption under the /stats chart: streak, counts, weakest area, what comes next."""
    lines = [f"<b>Your progress</b> · {stats.items_seen} of {stats.items_total} items met"]
    lines += _summary_lines(stats, now, timezone)
    weakest = stats.weakest
    if weakest is not None and stats.answers:
        lines.insert(1, f"Weakest area: <b>{escape(weakest.area.name)}</b> ({weakest.mastery:.0%})")
    text = "\n".join(lines)
    return text if len(text) <= CAPTION_LIMIT else text[: CAPTION_LIMIT - 1] + "…"


def stats_text(bank: Bank, body: str | None, stats: LearnerStats, now: datetime, timezone: str) -> str:
    """/stats as text (when no chart can be drawn): mastery and accuracy per area, and what is due."""
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
        lines.append(
            f"• <b>{escape(area.area.name)}</b>: {_bar(area.mastery)} {area.mastery:.0%} mastery · {detail}"
        )
    lines.append("")
    lines += _summary_lines(stats, now, timezone)
    return "\n".join(lines)


# --- daily goal --------------------------------------------------------------------------------


def goal_usage(current: int | None) -> str:
    """/goal without a number."""
    now = f"Your daily goal is <b>{current}</b> prompts." if current else "You have no daily goal yet."
    return f"{now} Set one with <code>/goal 10</code> (1 to 200 prompts a day), or <code>/goal off</code>."


def goal_set(goal: int | None) -> str:
    """Confirms /goal."""
    if goal is None:
        return "Daily goal off. Revise as much or as little as you like."
    return f"Daily goal: <b>{goal}</b> prompts a day. I'll tell you when you reach it."


def goal_invalid(text: str) -> str:
    """/goal with something that is not a goal."""
    return (
        f"“{escape(text)}” isn't a daily goal. Send a number of prompts from 1 to 200, "
        "like <code>/goal 10</code>, or <code>/goal off</code>."
    )


def goal_met(goal: int) -> str:
    """The moment the daily goal is reached."""
    return (
        f"🎯 Daily goal reached: {goal} prompts today. Well done! That's all I'll push today; "
        "tap Keep going if you'd like more."
    )


def keep_going_keyboard(prompt_id: int) -> InlineKeyboardMarkup:
    """The only way on once the goal is met: asking for more."""
    return InlineKeyboardMarkup([[_button("Keep going ▶", Callback(Action.NEXT, prompt_id))]])


def help_text() -> str:
    """/help."""
    return (
        "<b>Retain</b> is your revision partner for the unit <i>Understand customers and customer "
        "retention</i>.\n\n"
        "• <b>Concept cards</b>: answer in your head, tap Reveal, then say honestly whether you knew it.\n"
        "• <b>True or false?</b> challenges on common misconceptions, each with the reason why.\n"
        "• <b>Multiple choice</b> in the style of exam questions.\n"
        "• <b>Calculations</b> (NPS, CSAT, retention, churn, lifetime value...) with fresh numbers "
        "every time: type the answer or tap one, then see the worked solution.\n\n"
        "Every answer is remembered: what you miss comes back soon, what you know comes back later, "
        "and your weakest topic area gets the most practice.\n\n"
        "/next – the next prompt\n"
        "/stats – your progress by topic area\n"
        "/focus – drill one topic area; /focus off for the mix\n"
        "/define – look up a term, e.g. /define NPS\n"
        "/goal – set a daily goal, e.g. /goal 10\n"
        "/remind – your daily nudge time, e.g. /remind 18:30 (or off)\n"
        "/timezone – your time zone, e.g. /timezone Europe/London\n"
        "/pause – a break from nudges, e.g. /pause 3; /resume to restart\n"
        "/quizname – on or off: your name on class quiz leaderboards\n\n"
        "In a class group, /quiz runs a quiz round for everyone, and every answer there counts in your "
        "own practice too.\n"
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


# --- nudges and their settings -----------------------------------------------------------------


def _day(moment: datetime, timezone: str) -> str:
    local = moment.astimezone(ZoneInfo(timezone))
    return f"{local:%A} {local.day} {local:%B}"


def reminder_settings(settings: ReminderSettings, now: datetime) -> str:
    """A learner's nudge settings, in their own words."""
    zone = settings.zone
    if settings.reminder is None:
        lines = [f"Daily nudges are off. Your time zone is {escape(zone_label(zone))} ({escape(zone)})."]
    else:
        every = "Every other day" if settings.every_other_day else "Every day"
        lines = [f"{every} at <b>{settings.reminder}</b>, {escape(zone_label(zone))} time."]
        if settings.paused_until is not None and settings.paused_until > now:
            lines.append(f"Paused until {_day(settings.paused_until, zone)}: /resume to start sooner.")
        elif settings.next_at is not None:
            lines.append(f"Next nudge: {_when(settings.next_at, now, zone)}.")
    return "\n".join(lines)


def remind_menu(settings: ReminderSettings | None, now: datetime) -> str:
    """/remind without a time."""
    current = reminder_settings(settings, now) + "\n\n" if settings else ""
    return (
        f"{current}Choose a time for your daily nudge, or send one like <code>/remind 18:30</code>. "
        "<code>/remind off</code> stops them; <code>/timezone</code> sets your time zone."
    )


def remind_keyboard() -> InlineKeyboardMarkup:
    """Common nudge times and "off" (the same buttons as at set-up)."""
    times = [_button(t, Callback(Action.REMIND, value=t.replace(":", ""))) for t in REMINDER_CHOICES]
    return InlineKeyboardMarkup(
        [times[:2], times[2:], [_button("No nudges", Callback(Action.REMIND, value="off"))]]
    )


def invalid_time(text: str) -> str:
    """/remind with something that is not a time of day."""
    return (
        f"“{escape(text)}” isn't a time of day. Send a 24-hour time like <code>/remind 18:30</code> "
        "(or <code>/remind 6:30pm</code>), or <code>/remind off</code>."
    )


def timezone_usage(zone: str) -> str:
    """/timezone without a zone."""
    return (
        f"Your time zone is <b>{escape(zone_label(zone))}</b> ({escape(zone)}). Change it with a name like "
        "<code>/timezone Europe/London</code>, a city like <code>/timezone Paris</code>, or an offset from "
        "UTC like <code>/timezone +2</code>."
    )


def unknown_timezone(text: str, suggestions: list[str]) -> str:
    """/timezone with a zone that does not exist."""
    hint = ""
    if suggestions:
        hint = " Did you mean " + " or ".join(f"<code>{escape(s)}</code>" for s in suggestions) + "?"
    return (
        f"I don't know the time zone “{escape(text)}”.{hint} Send a name like <code>Europe/London</code>, "
        "a city like <code>Paris</code>, or a whole-hour offset like <code>+2</code>."
    )


def timezone_set(settings: ReminderSettings, now: datetime) -> str:
    """Confirms /timezone."""
    return (
        f"Time zone set: {escape(zone_label(settings.zone))} ({escape(settings.zone)}).\n"
        + reminder_settings(settings, now)
    )


def pause_usage() -> str:
    """/pause with no or a bad number of days."""
    return (
        "Send /pause and a number of days from 1 to 30, like <code>/pause 3</code>. "
        "/resume starts nudges again."
    )


def paused(settings: ReminderSettings) -> str:
    """Confirms /pause."""
    assert settings.paused_until is not None
    return (
        f"Nudges paused until {_day(settings.paused_until, settings.zone)}. "
        "Your progress is kept; /resume starts them again sooner."
    )


def resumed(settings: ReminderSettings, now: datetime) -> str:
    """Confirms /resume."""
    return "Nudges are back on. " + reminder_settings(settings, now)


def nudge_text(
    bank: Bank, served: ServedPrompt, streak: int, backoff_notice: bool, tip: ExamTip | None
) -> str:
    """A daily nudge: a prompt to answer right here, the streak, sometimes a tip."""
    days = "day" if streak == 1 else "days"
    head = "⏰ <b>Your daily revision</b>" + (f" · 🔥 {streak} {days} in a row" if streak else "")
    parts = [head, prompt_text(bank, served)]
    if tip is not None:
        parts.append(tip_text(tip, streak=False))
    if backoff_notice:
        parts.append(
            "<i>You've missed a few nudges, so I'll nudge you every other day for now; answer any prompt "
            "to go back to daily. /pause 3 takes a break, /remind off stops nudges.</i>"
        )
    return "\n\n".join(parts)


# --- class quiz --------------------------------------------------------------------------------

MEDALS = {1: "🥇", 2: "🥈", 3: "🥉"}


def quiz_description(bank: Bank, question: PostedQuestion) -> str:
    """The line under a quiz poll: where in the round it is, and the topic area."""
    return f"Question {question.position} of {question.total} · {bank.area(question.item.area).name}"


def quiz_buttons_text(bank: Bank, question: PostedQuestion) -> str:
    """A question as a message with buttons, for a group where polls are not allowed."""
    options = "\n".join(f"<b>{LETTERS[n]}.</b> {escape(o)}" for n, o in enumerate(question.options))
    return (
        f"<b>{escape(quiz_description(bank, question))}</b>\n\n{escape(question.text)}\n\n{options}\n\n"
        f"<i>{question.seconds} seconds.</i>"
    )


def quiz_buttons(question: PostedQuestion) -> InlineKeyboardMarkup:
    """One button per option letter."""
    row = [
        _button(LETTERS[n], Callback(Action.QUIZ, question.question_id, str(n)))
        for n in range(len(question.options))
    ]
    return InlineKeyboardMarkup([row[:4], row[4:8], row[8:]])


def quiz_buttons_closed(bank: Bank, question: PostedQuestion) -> str:
    """A buttons question once closed: the answer and why."""
    right = f"{LETTERS[question.correct_option]}. {question.options[question.correct_option]}"
    return (
        f"<b>{escape(quiz_description(bank, question))}</b>\n\n{escape(question.text)}\n\n"
        f"✅ <b>{escape(right)}</b>\n{escape(question.item.explanation)}"
    )


def quiz_started(question: PostedQuestion, area: str | None) -> str:
    """Announces a round."""
    topic = f" on <b>{escape(area)}</b>" if area else ""
    return (
        f"📝 A quiz round{topic}: {question.total} questions, {question.seconds} seconds each. "
        "Right answers score 100, plus up to 25 for speed. Answers also count in your own Retain practice."
    )


def quiz_running() -> str:
    """A second /quiz while a round runs."""
    return "A round is already running in this group. Finish it, or an admin can send /quiz stop."


def quiz_not_allowed() -> str:
    """/quiz from a member when only admins may start rounds."""
    return (
        "Only group admins can start or stop a quiz here. "
        "An admin can let anyone start with /quizsettings anyone on."
    )


def quiz_unknown_area(areas: list[Area]) -> str:
    """/quiz with an area that does not exist."""
    names = ", ".join(f"<code>{a.id}</code>" for a in areas)
    return f"I don't know that topic area. Try one of: {names}. For example <code>/quiz 10 retention</code>."


def quiz_usage() -> str:
    """/quiz with arguments it cannot read."""
    return (
        "Start a round with <code>/quiz</code>, <code>/quiz 5</code> or <code>/quiz 10 retention</code> "
        "(1 to 30 questions); <code>/quiz stop</code> ends one early."
    )


def quiz_nothing_running() -> str:
    """/quiz stop with no round."""
    return "There's no quiz round running in this group. Start one with /quiz."


def quiz_private_only() -> str:
    """/quiz sent in a private chat."""
    return (
        "Quiz rounds are for class groups: add me to your class group and send /quiz there. "
        "Here, /next is yours."
    )


def round_summary(summary: RoundSummary) -> str:
    """The leaderboard after a round: top ten (ties shared), the fastest right answer, the weakest area."""
    if summary.status == "stopped":
        head = (
            f"⏹ <b>Round stopped</b> after {summary.asked} of {summary.planned} questions: the scores so far."
        )
    elif summary.status == "closed":
        head = (
            f"⏹ <b>Round closed</b> after {summary.asked} of {summary.planned} questions: "
            "I was away too long to carry on. The scores so far:"
        )
    else:
        head = f"🏁 <b>Round over</b> · {summary.planned} questions"
    lines = [head, ""]
    if not summary.board:
        lines.append("Nobody answered this round.")
    for standing, name in summary.board:
        medal = MEDALS.get(standing.rank, "  ")
        right = f"{standing.right} right"
        lines.append(f"{medal} {standing.rank}. {escape(name)} · {standing.points} points ({right})")
    if summary.fastest is not None:
        lines.append("")
        lines.append(
            f"⚡ Fastest right answer: {escape(summary.fastest.name)}, {summary.fastest.seconds:.1f} s "
            f"on question {summary.fastest.position}."
        )
    if summary.weakest is not None and summary.weakest_accuracy is not None:
        lines.append(
            f"📉 The class's weakest area this round: <b>{escape(summary.weakest.name)}</b> "
            f"({summary.weakest_accuracy:.0%} right)."
        )
    if summary.closing_card is not None:
        card = summary.closing_card
        lines += ["", f"📖 <b>To close on:</b> {escape(card.question)}", f"{escape(card.answer)}"]
    return "\n".join(lines)


def quiz_settings_text(settings: GroupSettings) -> str:
    """/quizsettings: the group's settings and how to change them."""
    who = "anyone" if settings.anyone_can_start else "admins only"
    return (
        f"<b>Quiz settings</b>\nWho can start or stop rounds: {who}\nTime per question: "
        f"{settings.seconds_per_question} seconds\nQuestions per round: {settings.default_count}\n\n"
        "Change with <code>/quizsettings anyone on</code> (or off), <code>/quizsettings time 30</code> "
        "(10 to 300 seconds), <code>/quizsettings count 10</code> (1 to 30)."
    )


def quiz_admins_only() -> str:
    """A settings or report command from a member."""
    return "Only group admins can do that."


def quiz_answer_ack(recorded: bool) -> str:
    """The little notice after tapping a quiz button."""
    return "Answer saved." if recorded else "You've answered this one, or it has closed."


def class_report_sent_privately() -> str:
    """In the group, after /classreport went to the admin's private chat."""
    return "📊 I've sent the class report to you in a private chat."


def quiz_name_usage() -> str:
    """/quizname without on or off."""
    return "Send <code>/quizname off</code> to appear as “a classmate”, or <code>/quizname on</code>."


def quiz_name_set(named: bool) -> str:
    """/quizname on|off."""
    if named:
        return "Your first name will show on class quiz leaderboards."
    return (
        "You'll appear as “a classmate” on class quiz leaderboards. "
        "Your answers still count in your practice."
    )


def class_report(bank: Bank, report: ClassReport, group: str) -> str:
    """/classreport as text (it goes with a chart of accuracy per area)."""
    lines = [f"<b>Class report</b> · {escape(group)}"]
    if not report.answers:
        return lines[0] + "\n\nNo quiz answers yet: start a round with /quiz."
    lines.append(f"{report.rounds} rounds · {report.players} members took part · {report.answers} answers")
    lines += ["", "<b>Accuracy by topic area</b>"]
    for area in sorted(report.areas, key=lambda a: (a.answers == 0, a.accuracy)):
        detail = f"{area.accuracy:.0%} right ({area.answers} answers)" if area.answers else "not quizzed yet"
        lines.append(f"• {escape(area.area.name)}: {detail}")
    if report.most_missed:
        lines += ["", "<b>Most missed</b>"]
        for n, (item, wrong, asked) in enumerate(report.most_missed, 1):
            text = item.statement if isinstance(item, TrueFalse) else item.question
            lines.append(f"{n}. {escape(text[:90])} ({wrong} of {asked} wrong)")
    if report.trend:
        lines += ["", "<b>Recent rounds</b>"]
        for round_id, accuracy, players in report.trend:
            lines.append(f"Round {round_id}: {accuracy:.0%} right, {players} taking part")
    return "\n".join(lines)
