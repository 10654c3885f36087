"""The command menus, /help, and the replies to commands and text Retain does not expect."""

from __future__ import annotations

from html import escape
from urllib.parse import quote

from bot.views.common import echo

# (command, description) for Telegram's command menus; the group's /help lists them too.
GROUP_COMMANDS: tuple[tuple[str, str], ...] = (
    ("quiz", "Start a class quiz round, e.g. /quiz 10 retention; /quiz stop ends it"),
    ("classreport", "Where the class is weak (admins)"),
    ("quizsettings", "Course, time per question, questions per round, who starts rounds (admins)"),
    ("homework", "Set homework, e.g. /homework 10 until Friday (admins)"),
    ("mock", "Run a class mock exam: answers and results at the end (admins)"),
    ("help", "What Retain does here, and who can use each command"),
)


COMMANDS: tuple[tuple[str, str], ...] = (
    ("next", "Next revision prompt"),
    ("write", "An exam question to answer in writing, marked"),
    ("stats", "Your progress by topic area"),
    ("focus", "Drill one topic area (or /focus off)"),
    ("define", "Look up a term, e.g. /define NPS"),
    ("goal", "Set a daily goal, e.g. /goal 10"),
    ("setsize", "Prompts per set, e.g. /setsize 15"),
    ("remind", "Daily nudge time, e.g. /remind 18:30"),
    ("timezone", "Your time zone, e.g. /timezone Europe/London"),
    ("pause", "Pause nudges, e.g. /pause 3"),
    ("exam", "Your exam date, e.g. /exam 12 March (or off)"),
    ("quizname", "Show your name on class quiz boards: on or off"),
    ("homework", "Carry on with your homework"),
    ("mock", "A timed mock exam: your score and the answers at the end"),
    ("privacy", "What Retain keeps about you; export or erase it"),
    ("start", "Set up, or change your course"),
    ("help", "How Retain works"),
)


def help_text() -> str:
    """/help."""
    return (
        "<b>Retain</b> is your revision partner for the unit <i>Understand customers and customer "
        "retention</i>.\n\n"
        "• <b>Concept cards</b>: answer in your head, tap Reveal, then say honestly whether you knew it.\n"
        "• <b>True or false?</b> challenges on common misconceptions, each with the reason why.\n"
        "• <b>Multiple choice</b> in the style of exam questions.\n"
        "• <b>Calculations</b> (NPS, CSAT, retention, churn, lifetime value...) with fresh numbers "
        "every time: type the answer or tap one, then see the worked solution.\n"
        "• <b>Exam questions</b> answered in writing, as in the exam: send your answer (one message "
        "or several), then <b>done</b>. I show which of the examiner's marking points I found, quoting "
        "your sentences, and the model answer; you confirm or correct each point, and the points you "
        "miss come back.\n\n"
        "You revise in sets of 10 (or your own /setsize): one tap per answer, and the next prompt "
        "follows. Anything you miss comes back before the set ends; each set ends with a recap.\n\n"
        "Every answer is remembered: what you know comes back later, and your weakest topic area "
        "gets the most practice.\n\n"
        "/next – the next prompt of your set\n"
        "/write – an exam question to answer in writing now\n"
        "/stats – your progress by topic area\n"
        "/focus – drill one topic area; /focus off for the mix\n"
        "/define – look up a term, e.g. /define NPS\n"
        "/goal – set a daily goal, e.g. /goal 10\n"
        "/setsize – prompts per set, e.g. /setsize 15\n"
        "/remind – your daily nudge time, e.g. /remind 18:30 (or off)\n"
        "/timezone – your time zone, e.g. /timezone Europe/London\n"
        "/pause – a break from nudges, e.g. /pause 3; /resume to restart\n"
        "/mock – a timed mock exam in exam proportions; your score and the answers at the end\n"
        "/exam – your exam date, e.g. /exam 12 March: revision planned towards it (or off)\n"
        "/quizname – on or off: your name on class quiz leaderboards\n"
        "/privacy – what Retain keeps about you; /export or /forget it\n\n"
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
    return f"Sorry, I don't know {echo(command)}. Try /next, /stats or /help."


def bot_link(bot_username: str | None, payload: str | None = None) -> str:
    """The link that opens Retain's private chat (with a /start payload)."""
    if not bot_username:
        return ""
    start = f"?start={quote(payload)}" if payload else ""
    return f"https://t.me/{quote(bot_username)}{start}"


def group_help(anyone_can_start: bool, bot_username: str | None) -> str:
    """/help (and /start) in a class group: the group's commands, what each does and who may use it."""
    lines = ["<b>Retain in this group</b>: quick quiz rounds and homework for the whole class."]
    for name, description in GROUP_COMMANDS:
        who = ""
        if name == "quiz":
            who = " (anyone here)" if anyone_can_start else " (admins)"
        lines.append(f"/{name} – {escape(description)}{who}")
    link = bot_link(bot_username)
    if link:
        lines.append(f'Revise on your own in our private chat: <a href="{link}">open Retain</a>.')
    return "\n".join(lines)


def private_only_in_group(command: str, bot_username: str | None) -> str:
    """One of Retain's private commands (/next, /stats...) sent in a group."""
    link = bot_link(bot_username)
    where = f'<a href="{link}">our private chat</a>' if link else "our private chat"
    return f"{echo(command)} is for {where}, so your own revision stays yours."
