"""Privacy texts: what Retain keeps and why, exporting, erasing, and class answers' consent."""

from __future__ import annotations

from bot.codec import Action, Callback
from bot.ui import Keyboard, keyboard
from bot.views.common import button

PRIVACY_DOC = "docs/privacy.md in Retain's repository"


def summary(started: bool, linked: bool, keep_months: int) -> str:
    """/privacy: what is stored, why, for how long, and the learner's rights, in a screenful."""
    link = (
        "Your class quiz answers <b>count</b> in your own practice."
        if linked
        else "Your class quiz answers do <b>not</b> count in your own practice (only on the round's board)."
    )
    lines = [
        "🔒 <b>Your data</b>",
        "Retain keeps what the tutor needs: your Telegram id, your choices (course, reminder, time zone, "
        "goal), which prompts you were sent and how you answered, and your memory of each item. What you "
        "type is kept only while you write an answer to an exam question: once it is marked, only which "
        "marking points you earned is kept, and an answer left unmarked is deleted after 48 hours.",
        "In a class group, the first name Telegram shows is used for that round's board.",
        f"If you don't use Retain for {keep_months} months, everything about you is deleted.",
        "",
        link
        if started
        else "Send /start to begin. Until you do, Retain keeps no record of you: in a class quiz, your "
        "Telegram id and first name are kept only while the round runs; then your answers stay on your "
        "class's report with neither.",
        "",
        "/export sends you a file of everything stored about you; /forget erases it all.",
        f"More: {PRIVACY_DOC}.",
    ]
    return "\n".join(lines)


def summary_keyboard(started: bool, linked: bool, held: bool) -> Keyboard | None:
    """Export and erase (when anything is held), and the class answers' switch (for a learner)."""
    if not held:
        return None
    rows = [[button("Export my data", Callback(Action.PRIVACY, value="export"))]]
    if started:
        switch = ("Stop counting class answers", "unlink") if linked else ("Count my class answers", "link")
        rows.append([button(switch[0], Callback(Action.PRIVACY, value=switch[1]))])
    rows.append([button("Erase my data…", Callback(Action.PRIVACY, value="forget"))])
    return keyboard(rows)


def export_caption(rows: int) -> str:
    """The caption of the export file."""
    return f"📦 Everything Retain stores about you: {rows} records, as JSON (times in UTC)."


def nothing_stored() -> str:
    """/export or /forget for someone Retain knows nothing about."""
    return "Retain stores nothing about you: there is nothing to export or erase."


def forget_question() -> str:
    """/forget: the confirmation."""
    return (
        "⚠️ Erase everything Retain stores about you: your settings, every answer, your progress? "
        "This cannot be undone. Class quiz boards keep their totals, with no name or id."
    )


def forget_keyboard() -> Keyboard:
    """Erase, or keep."""
    erase, keep = Callback(Action.PRIVACY, value="erase"), Callback(Action.PRIVACY, value="keep")
    return keyboard([[button("Yes, erase everything", erase), button("No, keep it", keep)]])


def forgotten() -> str:
    """After erasing."""
    return "Done: everything Retain stored about you is erased. Send /start if you ever want to begin again."


def kept() -> str:
    """The learner decided to keep their data."""
    return "Nothing erased: your data is as it was."


def consent_question() -> str:
    """From a class group's link: may class answers count in the pupil's own practice?"""
    return (
        "👥 <b>Class quiz answers</b>\n"
        "Should your answers in class quiz rounds count in your own practice here, so what you miss in "
        "class comes back to you? Only whether each answer was right is kept. Your teacher's class "
        "report then shows your name and how you did by topic. You can change this any time in /privacy."
    )


def consent_keyboard() -> Keyboard:
    """Yes, or no."""
    yes, no = Callback(Action.PRIVACY, value="link"), Callback(Action.PRIVACY, value="unlink")
    return keyboard([[button("Yes, count them", yes), button("No", no)]])


def consent_set(linked: bool) -> str:
    """Confirms the class answers' choice."""
    if linked:
        return "✅ Saved: your class quiz answers now count in your own practice."
    return "Saved: your class quiz answers stay on the round's board only."
