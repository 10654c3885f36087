"""The front ends' common language: messages, buttons, and what a reply does, with no Telegram types.

Presenters turn core results into a `Reply` (a list of operations); the Telegram handlers carry
it out with the Bot API, and the terminal preview prints it. One presenter layer, two front ends.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Button:
    """An inline button: its label and the callback data it carries (see `bot.codec`), or a link
    it opens instead (`url`, for a deep link into a private chat)."""

    label: str
    data: str
    url: str | None = None


Keyboard = tuple[tuple[Button, ...], ...]  # rows of buttons


def keyboard(rows: Iterable[Sequence[Button]]) -> Keyboard:
    """A keyboard from rows of buttons (empty rows are dropped)."""
    return tuple(tuple(row) for row in rows if row)


def buttons_of(markup: Keyboard | None) -> list[Button]:
    """Every button of a keyboard, row by row."""
    return [button for row in markup or () for button in row]


@dataclass(frozen=True)
class Send:
    """Send a new message to the chat; `receipt`: the prompt it shows (its message id is recorded)."""

    text: str
    keyboard: Keyboard | None = None
    receipt: int | None = None


@dataclass(frozen=True)
class Edit:
    """Replace the text and buttons of the message whose button was tapped."""

    text: str
    keyboard: Keyboard | None = None


@dataclass(frozen=True)
class ClearButtons:
    """Take the buttons off the message whose button was tapped."""


@dataclass(frozen=True)
class EditButtons:
    """Replace only the buttons of the message whose button was tapped (its text stays as sent)."""

    keyboard: Keyboard | None = None


@dataclass(frozen=True)
class StripButtons:
    """Take the buttons off earlier messages of the chat (prompts a newer one replaced)."""

    message_ids: tuple[int, ...]


@dataclass(frozen=True)
class Toast:
    """The answer to a tapped button: a short notice on the learner's screen (or none)."""

    text: str | None = None


@dataclass(frozen=True)
class Document:
    """Send a file (a learner's data export) with a caption."""

    filename: str
    content: bytes
    caption: str


@dataclass(frozen=True)
class Chart:
    """Bars of a share (0 to 1) per label, each with a line of detail, as an image with a caption;
    `fallback` is sent when no image can be drawn (and is what a text-only front end shows)."""

    bars: tuple[tuple[str, float, str], ...]
    title: str
    axis: str
    caption: str
    fallback: str


Op = Send | Edit | EditButtons | ClearButtons | StripButtons | Toast | Chart | Document
Reply = list[Op]
