"""Set texts: the recap at the end of a set, and what "done for now" says."""

from __future__ import annotations

from datetime import datetime
from html import escape

from bot.codec import Action, Callback
from bot.tutor.results import ReminderSettings, SetRecap
from bot.ui import Keyboard, keyboard
from bot.views.common import button, echo, when


def recap_text(recap: SetRecap) -> str:
    """ "Set done: 7/10 right · Customer retention needs work · 3 items back by tomorrow"."""
    done = "Homework done" if recap.homework is not None else "Set done"
    lines = [f"🏁 <b>{done}: {recap.right}/{recap.answered} right</b>"]
    skipped = recap.served - recap.answered
    if skipped:
        lines[0] += f" ({skipped} skipped)"
    if recap.weakest is not None:
        lines.append(f"📉 {escape(recap.weakest.name)} needs work.")
    else:
        lines.append("🌟 Nothing missed.")
    if recap.back_by_tomorrow:
        noun = "item comes" if recap.back_by_tomorrow == 1 else "items come"
        lines.append(f"🔁 {recap.back_by_tomorrow} {noun} back by tomorrow.")
    if recap.daily_goal:
        tick = " ✅" if recap.answered_today >= recap.daily_goal else ""
        lines.append(f"🎯 Today: {min(recap.answered_today, recap.daily_goal)} of {recap.daily_goal}{tick}")
    if recap.homework is not None:
        lines.append(f"📚 Handed in to {escape(recap.homework)}. Nice work!")
    lines.append("\nAnother set, or a break?")
    return "\n".join(lines)


def recap_keyboard(set_id: int) -> Keyboard:
    """Another set, or a break."""
    another, done = Callback(Action.NEW_SET, set_id), Callback(Action.BREAK, set_id)
    return keyboard([[button("Another set ▶", another), button("Done for now", done)]])


def break_text(settings: ReminderSettings | None, now: datetime) -> str:
    """ "Done for now": when Retain will next be in touch, or how to come back."""
    if settings is not None and settings.reminder is not None and settings.next_at is not None:
        return f"👋 Good work. Your next nudge: {when(settings.next_at, now, settings.zone)}."
    return "👋 Good work. Send /next whenever you'd like another set."


def size_usage(current: int | None, low: int, high: int) -> str:
    """/setsize without a number."""
    now = f"A set is <b>{current}</b> prompts." if current else ""
    return f"{now} Change it with <code>/setsize 15</code> ({low} to {high} prompts).".strip()


def size_invalid(text: str, low: int, high: int) -> str:
    """/setsize with something that is not a size."""
    return (
        f"“{echo(text)}” isn't a set size. Send a number of prompts from {low} to {high}, "
        "like <code>/setsize 15</code>."
    )


def size_set(size: int) -> str:
    """Confirms /setsize."""
    return f"Saved: your sets are <b>{size}</b> prompts, from the next set on."
