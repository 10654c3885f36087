"""What every feature's texts share: buttons, course and place names, headings, times, short replies."""

from __future__ import annotations

from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo

from bot.codec import Action, Callback, encode
from bot.tutor.schedule import zone_label
from bot.tutor.selection import Reason
from bot.ui import Button, Keyboard, keyboard
from content import limits
from content.schema import ALL_BODIES, Answerable, AnyItem, Bank, ItemKind

REMINDER_CHOICES = ("07:30", "12:30", "18:00", "20:30")
CAPTION_LIMIT = limits.MAX_CAPTION_LENGTH


def button(label: str, callback: Callback) -> Button:
    """A button carrying `callback`, encoded."""
    return Button(label, encode(callback))


def course_name(bank: Bank, body: str | None) -> str:
    """A learner-facing name for the chosen course."""
    return "all awarding bodies" if body in (None, ALL_BODIES) else bank.body_name(body)


def place(timezone: str) -> str:
    """ "Europe/London" as "London", "Etc/GMT-2" as "UTC+2"."""
    return zone_label(timezone)


KIND_LABELS = {
    ItemKind.CONCEPT: "Concept",
    ItemKind.TRUE_FALSE: "True or false?",
    ItemKind.MCQ: "Multiple choice",
    ItemKind.DRILL: "Calculation",
    ItemKind.EXAM: "Exam question",
}
LETTERS = "ABCDEFGHIJKL"


BEYOND_SPEC = "Beyond your specification: useful context"


def beyond_spec_note(item: AnyItem) -> str:
    """A line telling the learner the item is context beyond every specification (else nothing).

    Every text that shows an item under a heading, or a concept card as a definition, carries it.
    """
    return f"\n🔭 <i>{BEYOND_SPEC}</i>" if item.beyond_spec else ""


def heading(bank: Bank, item: Answerable, reason: Reason | None = None) -> str:
    """A prompt's first line: its kind and topic area (and "review" when it is due again); for an
    item beyond the specifications, a second line that says so."""
    review = " · review" if reason is Reason.DUE else ""
    first = f"<b>{KIND_LABELS[item.kind]}</b> · {escape(bank.area(item.area).name)}{review}"
    return first + beyond_spec_note(item)


def when(moment: datetime, now: datetime, timezone: str) -> str:
    """A moment as the learner says it: "in 5 min", "today at 18:30", "tomorrow at 18:30",
    "Tue 03 Mar at 18:30"."""
    local = moment.astimezone(ZoneInfo(timezone))
    minutes = int((moment - now).total_seconds() // 60)
    if minutes < 60:
        return f"in {max(minutes, 1)} min"
    today = now.astimezone(ZoneInfo(timezone)).date()
    if local.date() == today:
        return f"today at {local:%H:%M}"
    if (local.date() - today).days == 1:
        return f"tomorrow at {local:%H:%M}"
    return f"{local:%a %d %b} at {local:%H:%M}"


def day(moment: datetime, timezone: str) -> str:
    """A moment's local day: "Tuesday 3 March"."""
    local = moment.astimezone(ZoneInfo(timezone))
    return f"{local:%A} {local.day} {local:%B}"


def next_keyboard(prompt_id: int) -> Keyboard:
    """The button to carry on."""
    return keyboard([[button("Next ▶", Callback(Action.NEXT, prompt_id))]])


def not_started() -> str:
    """For a learner who has not chosen a course yet."""
    return "Let's get you set up first: send /start."


def nothing_to_serve() -> str:
    """When the bank holds nothing for the learner's course."""
    return "There are no prompts for your course yet. Send /start to choose another awarding body."


def stale_button() -> str:
    """The answer to a button that no longer does anything (or never could)."""
    return "That button has expired. Send /next for a fresh prompt."


def message_gone() -> str:
    """A tap under a message Telegram no longer shows the bot (deleted, or too old)."""
    return "That message is no longer available. Send /next for a fresh prompt."


def button_elsewhere() -> str:
    """A tap under a message that is not in a chat with Retain (an inline message)."""
    return "That button only works in your chat with Retain. Send /next there for a prompt."


def choose_from_buttons() -> str:
    """For a settings button whose choice is not on offer."""
    return "That choice isn't available. Send /start to pick again."


def something_went_wrong() -> str:
    """When handling a message failed on our side."""
    return "Sorry, something went wrong on my side. Your progress is safe: please try again."


def shorten(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters at a word boundary, with an ellipsis when cut.

    A text with no boundary in its second half (one very long word) is cut mid-word.
    """
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    boundary = max(cut.rfind(" "), cut.rfind("\n"))
    if boundary >= limit // 2:
        cut = cut[:boundary]
    return cut.rstrip(" \n,;:.-–") + "…"


ECHO_LIMIT = 64  # characters of what someone typed that a reply quotes back


def echo(text: str, limit: int = ECHO_LIMIT) -> str:
    """What someone typed, safe to quote back in a reply: cut to `limit` characters, HTML-escaped.

    Telegram refuses a message over 4,096 characters, so a reply must never grow with its input.
    """
    return escape(shorten(text.strip(), limit))
