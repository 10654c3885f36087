"""Homework texts: /homework in the group, the pupil's set and reminder, joining by link, the report
section. Written for a teacher and a 16-year-old on a phone: short, warm, and only what will happen."""

from __future__ import annotations

from datetime import datetime
from html import escape
from urllib.parse import quote
from zoneinfo import ZoneInfo

from bot.codec import Action, Callback
from bot.tutor.deadlines import DateProblem
from bot.tutor.homework import (
    HomeworkDelivery,
    HomeworkInfo,
    HomeworkReminder,
    HomeworkResults,
    JoinResult,
    JoinStatus,
    PupilResult,
)
from bot.ui import Keyboard, keyboard
from bot.views.common import button, echo
from bot.views.revise import prompt_text
from content.schema import Area, Bank

HOMEWORK_LINK = "hw"  # /start's payload in a homework's link: "hw" and the homework's id
EXAMPLE = "<code>/homework 10 until Friday</code>"


def homework_link(bot_username: str, homework_id: int) -> str:
    """The link pupils tap to get the homework in their private chat."""
    return f"https://t.me/{quote(bot_username)}?start={HOMEWORK_LINK}{homework_id}"


def due(moment: datetime, zone: str) -> str:
    """ "Friday 4 Dec, 23:59" in the zone the due date was set in."""
    local = moment.astimezone(ZoneInfo(zone))
    return f"{local:%A} {local.day} {local:%b}, {local:%H:%M}"


def _what(size: int, area: Area | None) -> str:
    topic = f" on {escape(area.name)}" if area is not None else ""
    return f"{size} prompts{topic}"


def _reminder_line(info: HomeworkInfo) -> str:
    if info.remind_at is None:
        return "It's due too soon for a reminder, so there won't be one."
    local = info.remind_at.astimezone(ZoneInfo(info.zone))
    return f"Anyone who hasn't finished gets a reminder {local:%A} at {local:%H:%M} (their time)."


def progress_line(info: HomeworkInfo) -> str:
    """Counts only (the group sees no one's result): "3 of 12 finished · 5 started · 1 not reached"."""
    parts = [f"{info.finished} of {info.pupils} finished"]
    if info.started:
        parts.append(f"{info.started} started")
    if info.unreached:
        parts.append(f"{info.unreached} couldn't be reached")
    return " · ".join(parts)


def _join_line(link: str) -> str:
    return (
        f'Not got it? <a href="{link}">Tap here</a>, start Retain and say yes to class answers, '
        "and it comes to you too."
    )


def homework_set(info: HomeworkInfo, link: str) -> str:
    """The group's confirmation of new homework."""
    pupils = "1 pupil" if info.pupils == 1 else f"{info.pupils} pupils"
    return "\n".join(
        [
            f"📚 <b>Homework: {_what(info.size, info.area)}</b>, due {due(info.due_at, info.zone)}.",
            f"It's on its way to {pupils} in their private chats with me. {_reminder_line(info)}",
            _join_line(link),
        ]
    )


def homework_status(info: HomeworkInfo | None, link: str | None) -> str:
    """/homework alone: how to set it, and the open homework with counts."""
    usage = (
        f"Set homework with {EXAMPLE}: a number of prompts, then a topic area and a due day if you "
        "like (default: a week today). <code>/homework cancel</code> cancels it."
    )
    if info is None or link is None:
        return f"No homework open here.\n{usage}"
    return "\n".join(
        [
            f"📚 <b>Open homework: {_what(info.size, info.area)}</b>, due {due(info.due_at, info.zone)}.",
            f"{progress_line(info)}.",
            _join_line(link),
            usage,
        ]
    )


def already_open(info: HomeworkInfo) -> str:
    """/homework N while homework is open."""
    return (
        f"There's homework open already ({_what(info.size, info.area)}, due {due(info.due_at, info.zone)}): "
        f"{progress_line(info)}. Send <code>/homework cancel</code> first to set new homework."
    )


def cancelled(info: HomeworkInfo) -> str:
    """/homework cancel."""
    return (
        f"Homework cancelled ({progress_line(info)}). Nobody else will get it and there'll be no "
        "reminders; anyone who already has the set can still finish it as practice."
    )


def none_open() -> str:
    """/homework cancel with nothing open."""
    return f"There's no homework open here. Set some with {EXAMPLE}."


def usage(text: str) -> str:
    """/homework with something that is not a number first."""
    return f"“{echo(text)}” isn't a number of prompts. Try {EXAMPLE}."


def bad_count(text: str, low: int, high: int) -> str:
    """/homework with a number out of range."""
    return f"Homework can be {low} to {high} prompts, not {echo(text)}. Try {EXAMPLE}."


def unknown_area(text: str, areas: list[Area]) -> str:
    """/homework with an area the class's course does not have."""
    names = ", ".join(f"<code>{a.id}</code>" for a in areas)
    example = f"<code>/homework 10 {areas[0].id} until Friday</code>" if areas else EXAMPLE
    return f"I don't know the topic area “{echo(text)}”. Try one of: {names}. For example {example}."


def bad_date(text: str, problem: DateProblem | None) -> str:
    """/homework with a due day that cannot be used."""
    examples = "<code>until Friday</code>, <code>until 12 March</code> or <code>until tomorrow</code>"
    if problem is DateProblem.PAST:
        return f"“{echo(text)}” has already passed. Pick a day from today on: {examples}."
    if problem is DateProblem.TOO_FAR:
        return f"“{echo(text)}” is more than three months away. Pick a closer day: {examples}."
    return f"I can't read “{echo(text)}” as a day. Try {examples}."


def empty() -> str:
    """Nothing in the class's course (and area) to set."""
    return "There's nothing in this class's course to set as homework yet."


def admins_only() -> str:
    """/homework from a member who is not an admin."""
    return "Only group admins can set homework."


def delivery_text(bank: Bank, delivery: HomeworkDelivery) -> str:
    """The first prompt of a pupil's homework, headed with what it is."""
    head = (
        f"📚 <b>Homework from {escape(delivery.group)}</b>: {delivery.size} prompts, "
        f"due {due(delivery.due_at, delivery.zone)}."
    )
    return f"{head}\n\n{prompt_text(bank, delivery.prompt)}"


def reminder_text(reminder: HomeworkReminder) -> str:
    """The evening-before reminder."""
    done = (
        f"You've done {reminder.answered} of {reminder.size}"
        if reminder.answered
        else "You haven't started yet"
    )
    return (
        f"⏰ <b>Homework from {escape(reminder.group)}</b> is due {due(reminder.due_at, reminder.zone)}. "
        f"{done}: tap below to carry on."
    )


def carry_on_keyboard(homework_id: int) -> Keyboard:
    """Carry on with the homework."""
    return keyboard([[button("Carry on ▶", Callback(Action.HOMEWORK, homework_id))]])


def carry_on_none() -> str:
    """/homework in private (or an old reminder's button) with no homework open."""
    return "You've no homework open right now. Send /next for a set of your own."


def carry_on_done(group: str) -> str:
    """Carry on, when it is finished already."""
    return f"You've already handed in the homework from {escape(group)}. Nice work! /next for more."


def not_in_class() -> str:
    """A homework link opened by someone who is not in the group it was set in."""
    return (
        "That homework is for the members of its class group, and I can't see you in it. "
        "Send /next to practise on your own."
    )


def join_text(result: JoinResult) -> str:
    """Opening a homework's link."""
    if result.status is JoinStatus.CLOSED or result.due_at is None:
        return "That homework has closed. Send /next to practise anyway."
    what = (
        f"Homework from {escape(result.group)}: {result.size} prompts, due {due(result.due_at, result.zone)}"
    )
    if result.status is JoinStatus.ALREADY:
        return f"📚 You've got this one already ({what}). Send /homework to carry on."
    if result.status is JoinStatus.WAITING:
        return f"📚 {what}. Tap <b>Yes, count them</b> below and it comes to you in a minute or so."
    return (
        f"📚 {what}. It's on its way: you'll get it in a minute or so (if you are writing an answer to "
        "an exam question, once you have finished it)."
    )


# --- the teacher's report --------------------------------------------------------------------------


def _pupil(result: PupilResult) -> str:
    name = escape(result.name)
    if result.status == "finished":
        return f"{name} {result.right}/{result.answered}"
    if result.status == "started":
        return f"{name} ({result.answered} done)"
    return name


def homework_section(results: list[HomeworkResults]) -> str:
    """The homework part of the teacher's private report: per homework, who finished and how they
    did, who hasn't, and who couldn't be reached. Empty when the group never set any."""
    if not results:
        return ""
    lines = ["📚 <b>Homework</b>"]
    for found in results:
        state = " (cancelled)" if found.cancelled else ""
        lines.append(f"\n<b>{_what(found.size, found.area)}</b>, due {due(found.due_at, found.zone)}{state}")
        total = len(found.finished) + len(found.unfinished) + len(found.unreached)
        if not total:
            lines.append("Nobody has it yet.")
            continue
        if found.finished:
            right = sum(p.right for p in found.finished)
            answered = sum(p.answered for p in found.finished)
            share = f", {round(100 * right / answered)}% right" if answered else ""
            lines.append(f"✅ Finished {len(found.finished)} of {total}{share}: ")
            lines[-1] += ", ".join(_pupil(p) for p in found.finished)
        if found.unfinished:
            lines.append("⏳ Not finished: " + ", ".join(_pupil(p) for p in found.unfinished))
        if found.unreached:
            lines.append("🚫 Couldn't reach: " + ", ".join(_pupil(p) for p in found.unreached))
    return "\n".join(lines)
