"""Class quiz texts: questions, the board, settings, quiz names (the report's are in class_report.py)."""

from __future__ import annotations

from html import escape
from urllib.parse import quote

from bot.codec import Action, Callback
from bot.tutor.class_quiz.results import Question, QuizSettings, QuizStatus, RoundSummary
from bot.tutor.class_quiz.rules import (
    MAX_QUESTIONS,
    MAX_SECONDS,
    MIN_QUESTIONS,
    MIN_SECONDS,
    POINTS_RIGHT,
    SPEED_BONUS_MAX,
)
from bot.ui import Keyboard, keyboard
from bot.views.common import LETTERS, button
from content.schema import Area, Bank

MEDALS = {1: "🥇", 2: "🥈", 3: "🥉"}
CLASS_LINK = "class"  # /start's payload in the link a round's announcement carries


def quiz_description(bank: Bank, question: Question) -> str:
    """The line under a quiz poll: where in the round it is, the topic area, and whether the
    question is context beyond every specification."""
    beyond = " · 🔭 beyond the specification: useful context" if question.item.beyond_spec else ""
    return f"Question {question.position} of {question.total} · {bank.area(question.item.area).name}{beyond}"


def quiz_buttons_text(bank: Bank, question: Question) -> str:
    """A question as a message with buttons, for a group where polls are not allowed."""
    options = "\n".join(f"<b>{LETTERS[n]}.</b> {escape(o)}" for n, o in enumerate(question.options))
    return (
        f"<b>{escape(quiz_description(bank, question))}</b>\n\n{escape(question.text)}\n\n{options}\n\n"
        f"<i>{question.seconds} seconds.</i>"
    )


def quiz_buttons(question: Question) -> Keyboard:
    """One button per option letter."""
    row = [
        button(LETTERS[n], Callback(Action.QUIZ, question.question_id, str(n)))
        for n in range(len(question.options))
    ]
    return keyboard([row[:4], row[4:8], row[8:]])


def quiz_buttons_closed(bank: Bank, question: Question) -> str:
    """A buttons question once closed: the answer and why."""
    right = f"{LETTERS[question.correct_option]}. {question.options[question.correct_option]}"
    return (
        f"<b>{escape(quiz_description(bank, question))}</b>\n\n{escape(question.text)}\n\n"
        f"✅ <b>{escape(right)}</b>\n{escape(question.item.explanation)}"
    )


def quiz_started(question: Question, area: str | None, bot_username: str | None) -> str:
    """Announces a round, with the link that lets a pupil's answers count in their own practice."""
    topic = f" on <b>{escape(area)}</b>" if area else ""
    text = (
        f"📝 A quiz round{topic}: {question.total} questions, {question.seconds} seconds each. "
        f"Right answers score {POINTS_RIGHT}, plus up to {SPEED_BONUS_MAX} for speed."
    )
    if bot_username:
        link = f"https://t.me/{quote(bot_username)}?start={CLASS_LINK}"
        text += (
            "\nWant your class answers to count in your own Retain practice? "
            f'<a href="{link}">Open Retain</a> and say yes.'
        )
    return text


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
        f"({MIN_QUESTIONS} to {MAX_QUESTIONS} questions); <code>/quiz stop</code> ends one early."
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
    if summary.status is QuizStatus.STOPPED:
        head = (
            f"⏹ <b>Round stopped</b> after {summary.asked} of {summary.planned} questions: the scores so far."
        )
    elif summary.status is QuizStatus.CLOSED:
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


def quiz_settings_text(settings: QuizSettings) -> str:
    """/quizsettings: the group's settings and how to change them."""
    who = "anyone" if settings.anyone_can_start else "admins only"
    return (
        f"<b>Quiz settings</b>\nWho can start or stop rounds: {who}\nTime per question: "
        f"{settings.seconds_per_question} seconds\nQuestions per round: {settings.default_count}\n\n"
        "Change with <code>/quizsettings anyone on</code> (or off), <code>/quizsettings time 30</code> "
        f"({MIN_SECONDS} to {MAX_SECONDS} seconds), <code>/quizsettings count 10</code> "
        f"({MIN_QUESTIONS} to {MAX_QUESTIONS})."
    )


def quiz_admins_only() -> str:
    """A settings or report command from a member."""
    return "Only group admins can do that."


def quiz_answer_ack(recorded: bool) -> str:
    """The little notice after tapping a quiz button."""
    return "Answer saved." if recorded else "You've answered this one, or it has closed."


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
