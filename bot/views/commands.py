"""The command menus, /help, and the replies to commands and text Retain does not expect."""

from __future__ import annotations

from bot.views.common import echo

# (command, description) for Telegram's command menus.
GROUP_COMMANDS: tuple[tuple[str, str], ...] = (
    ("quiz", "Start a class quiz round, e.g. /quiz 10 retention"),
    ("classreport", "Where the class is weak (admins)"),
    ("quizsettings", "Who can start rounds, time, length (admins)"),
    ("homework", "Set homework, e.g. /homework 10 until Friday (admins)"),
)


COMMANDS: tuple[tuple[str, str], ...] = (
    ("next", "Next revision prompt"),
    ("stats", "Your progress by topic area"),
    ("focus", "Drill one topic area (or /focus off)"),
    ("define", "Look up a term, e.g. /define NPS"),
    ("goal", "Set a daily goal, e.g. /goal 10"),
    ("setsize", "Prompts per set, e.g. /setsize 15"),
    ("remind", "Daily nudge time, e.g. /remind 18:30"),
    ("timezone", "Your time zone, e.g. /timezone Europe/London"),
    ("pause", "Pause nudges, e.g. /pause 3"),
    ("quizname", "Show your name on class quiz boards: on or off"),
    ("homework", "Carry on with your homework"),
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
        "every time: type the answer or tap one, then see the worked solution.\n\n"
        "You revise in sets of 10 (or your own /setsize): one tap per answer, and the next prompt "
        "follows. Anything you miss comes back before the set ends; each set ends with a recap.\n\n"
        "Every answer is remembered: what you know comes back later, and your weakest topic area "
        "gets the most practice.\n\n"
        "/next – the next prompt of your set\n"
        "/stats – your progress by topic area\n"
        "/focus – drill one topic area; /focus off for the mix\n"
        "/define – look up a term, e.g. /define NPS\n"
        "/goal – set a daily goal, e.g. /goal 10\n"
        "/setsize – prompts per set, e.g. /setsize 15\n"
        "/remind – your daily nudge time, e.g. /remind 18:30 (or off)\n"
        "/timezone – your time zone, e.g. /timezone Europe/London\n"
        "/pause – a break from nudges, e.g. /pause 3; /resume to restart\n"
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
