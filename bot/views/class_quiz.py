"""Class quiz texts: questions, the board, settings, quiz names (the report's are in class_report.py)."""

from __future__ import annotations

from html import escape

from bot.codec import Action, Callback
from bot.tutor.class_quiz.results import (
    Question,
    QuizSettings,
    QuizStatus,
    RoundSummary,
    Setting,
    SettingsResult,
    SettingsStatus,
)
from bot.tutor.class_quiz.rules import (
    MAX_QUESTIONS,
    MAX_SECONDS,
    MIN_QUESTIONS,
    MIN_SECONDS,
    POINTS_RIGHT,
    SPEED_BONUS_MAX,
)
from bot.ui import Keyboard, keyboard
from bot.views.commands import bot_link
from bot.views.common import LETTERS, button, course_name
from content.schema import ALL_BODIES, Area, Bank

MEDALS = {1: "🥇", 2: "🥈", 3: "🥉"}
CLASS_LINK = "class"  # /start's payload in the link a round's announcement carries
PRIVACY_LINK = "privacy"  # /start's payload that shows what Retain keeps (from the group's greeting)
COURSE_HINT = "Rounds then ask only its questions."


def _questions(count: int) -> str:
    return "1 question" if count == 1 else f"{count} questions"


def consent_line(bot_username: str | None) -> str:
    """The line that lets a pupil's class answers count in their own practice (empty without a link)."""
    link = bot_link(bot_username, CLASS_LINK)
    if not link:
        return ""
    return (
        "Want your class answers to count in your own Retain practice? "
        f'<a href="{link}">Open Retain</a> and say yes.'
    )


def class_course(bank: Bank, course: str | None) -> str:
    """The class's course as teachers read it."""
    return "all courses" if course is None else course_name(bank, course)


def group_greeting(bot_username: str | None) -> str:
    """Posted when Retain is added to a group: what it does, how to run a round, what it keeps."""
    privacy = bot_link(bot_username, PRIVACY_LINK)
    what_i_keep = f' <a href="{privacy}">What I keep</a>' if privacy else ""
    lines = [
        "👋 <b>Hi, I'm Retain!</b> I run quick quiz rounds for the whole class on <i>Understand "
        "customers and customer retention</i>.",
        "An admin chooses the class's course below, then starts a round with /quiz (or /quiz 10 "
        "retention). /help lists every command.",
        "Pupils' first names show on a round's board while it runs; after it, their answers keep no name "
        f"or Telegram id, unless a pupil chooses to count them in their own practice.{what_i_keep}",
    ]
    consent = consent_line(bot_username)
    if consent:
        lines.append(consent)
    lines += ["", f"<b>Admins: which course is this class on?</b> {COURSE_HINT}"]
    return "\n".join(lines)


def course_keyboard(bank: Bank) -> Keyboard:
    """One button per awarding body, and one for every course."""
    bodies = [
        button(body.name, Callback(Action.CLASS_COURSE, value=body.id))
        for body in bank.catalogue.awarding_bodies
    ]
    rows = [bodies[n : n + 2] for n in range(0, len(bodies), 2)]
    rows.append([button("All courses", Callback(Action.CLASS_COURSE, value=ALL_BODIES))])
    return keyboard(rows)


def course_question(bank: Bank, settings: QuizSettings) -> str:
    """/quizsettings course: the class's course now, and the buttons to change it."""
    return (
        f"This class's course: <b>{escape(class_course(bank, settings.course))}</b>. "
        f"Which course is it on? {COURSE_HINT}"
    )


def course_admins_only() -> str:
    """The toast when a member who is not an admin taps a course button."""
    return "Only group admins can choose the class's course."


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


def quiz_started(question: Question, area: str | None, course: str, bot_username: str | None) -> str:
    """Announces a round (its course, and area if asked), with the link that lets a pupil's answers
    count in their own practice."""
    topic = f" on <b>{escape(area)}</b>" if area else ""
    text = (
        f"📝 A quiz round{topic} for <b>{escape(course)}</b>: {_questions(question.total)}, "
        f"{question.seconds} seconds each. "
        f"Right answers score {POINTS_RIGHT}, plus up to {SPEED_BONUS_MAX} for speed."
    )
    consent = consent_line(bot_username)
    return f"{text}\n{consent}" if consent else text


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
    """/quiz with an area that does not exist (or that the class's course does not have)."""
    names = ", ".join(f"<code>{a.id}</code>" for a in areas)
    return (
        f"I don't know that topic area for this class's course. Try one of: {names}. "
        "For example <code>/quiz 10 retention</code>."
    )


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


def round_summary(summary: RoundSummary, bot_username: str | None = None) -> str:
    """The board after a round: the top ten with a right answer (ties shared), how many others took
    part (never named), the fastest right answer, the weakest area and a card to close on."""
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
        head = f"🏁 <b>Round over</b> · {_questions(summary.planned)}"
    lines = [head, ""]
    if not summary.players:
        lines.append("Nobody answered this round.")
    elif not summary.board:
        took_part = "1 of you" if summary.players == 1 else f"{summary.players} of you"
        lines.append(f"{took_part} took part. No right answers this time: the card below is a good start.")
    for standing, name in summary.board:
        medal = MEDALS.get(standing.rank, "  ")
        right = f"{standing.right} right"
        lines.append(f"{medal} {standing.rank}. {escape(name)} · {standing.points} points ({right})")
    if summary.board and summary.others:
        others = "1 other" if summary.others == 1 else f"{summary.others} others"
        lines.append(f"…and {others} took part. Thanks for playing!")
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
    consent = consent_line(bot_username)
    if consent and summary.players:
        lines += ["", consent]
    return "\n".join(lines)


def quiz_settings_text(bank: Bank, settings: QuizSettings) -> str:
    """/quizsettings: the group's settings and how to change them."""
    who = "anyone" if settings.anyone_can_start else "admins only"
    return (
        f"<b>Quiz settings</b>\nCourse: {escape(class_course(bank, settings.course))}\n"
        f"Who can start or stop rounds: {who}\nTime per question: "
        f"{settings.seconds_per_question} seconds\nQuestions per round: {settings.default_count}\n\n"
        "Change with <code>/quizsettings course pearson</code> (or <code>all</code>; "
        "<code>/quizsettings course</code> shows buttons), <code>/quizsettings anyone on</code> (or off), "
        f"<code>/quizsettings time 30</code> ({MIN_SECONDS} to {MAX_SECONDS} seconds), "
        f"<code>/quizsettings count 10</code> ({MIN_QUESTIONS} to {MAX_QUESTIONS})."
    )


def settings_changed(bank: Bank, result: SettingsResult) -> str:
    """One line confirming a changed setting, in its new value."""
    settings = result.settings
    if result.setting is Setting.TIME:
        return f"✅ Time per question is now {settings.seconds_per_question} seconds."
    if result.setting is Setting.COUNT:
        return f"✅ Rounds now have {_questions(settings.default_count)} (unless /quiz asks for a number)."
    if result.setting is Setting.ANYONE:
        if settings.anyone_can_start:
            return "✅ Anyone in the group can now start and stop quiz rounds."
        return "✅ Only admins can now start and stop quiz rounds."
    if settings.course is None:
        return "✅ This class is now on all courses: rounds ask questions from every awarding body."
    name = escape(class_course(bank, settings.course))
    return f"✅ This class's course is now <b>{name}</b>: rounds ask only its questions."


def settings_refused(bank: Bank, result: SettingsResult) -> str:
    """Why a setting was not changed, with what it accepts (and what it stays at)."""
    settings = result.settings
    if result.setting is Setting.TIME:
        return (
            f"Time per question stays at {settings.seconds_per_question} seconds: send a whole number "
            f"from {MIN_SECONDS} to {MAX_SECONDS}, e.g. <code>/quizsettings time 20</code>."
        )
    if result.setting is Setting.COUNT:
        return (
            f"Rounds stay at {_questions(settings.default_count)}: send a whole number from {MIN_QUESTIONS} "
            f"to {MAX_QUESTIONS}, e.g. <code>/quizsettings count 10</code>."
        )
    if result.setting is Setting.ANYONE:
        return "Nothing changed: send <code>/quizsettings anyone on</code> or <code>anyone off</code>."
    ids = ", ".join(f"<code>{body.id}</code>" for body in bank.catalogue.awarding_bodies)
    return (
        f"I don't know that course, so the class stays on {escape(class_course(bank, settings.course))}. "
        f"Try {ids} or <code>all</code>, or tap one below."
    )


def settings_reply(bank: Bank, result: SettingsResult) -> tuple[str, Keyboard | None]:
    """The reply to /quizsettings: the settings, a confirmation, a refusal, or the course question."""
    status = result.status
    if status is SettingsStatus.CHANGED:
        return settings_changed(bank, result), None
    if status is SettingsStatus.CHOOSE_COURSE:
        return course_question(bank, result.settings), course_keyboard(bank)
    if status is SettingsStatus.REFUSED:
        course = result.setting is Setting.COURSE
        return settings_refused(bank, result), course_keyboard(bank) if course else None
    text = quiz_settings_text(bank, result.settings)
    if status is SettingsStatus.UNKNOWN:
        text = "I can't change that setting; nothing changed.\n\n" + text
    return text, None


def quiz_admins_only() -> str:
    """A settings or report command from a member."""
    return "Only group admins can do that."


def quizsettings_admins_only() -> str:
    """/quizsettings from a member."""
    return "Only group admins can change the quiz settings. Ask your teacher if something needs changing."


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
