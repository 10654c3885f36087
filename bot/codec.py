"""Callback data: the one place that encodes, decodes and validates what buttons carry.

Format: `<action>` or `<action>:<arg>` or `<action>:<ref>:<value>` (ref: a prompt id, or a class
quiz question id for QUIZ), always within
Telegram's 64 bytes. Anything else is rejected with `BadCallback`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from content import limits
from content.schema import ItemKind

MAX_REF = 2**53  # comfortably above any row id we will reach; rejects absurd forgeries
# Whole-string patterns (fullmatch: `$` would let a trailing newline through) over ASCII only: `\d`
# and `str.isdigit()` accept digits such as "٣" or "²" that no button of ours carries.
_BODY = re.compile(r"[a-z0-9-]{1,48}")
_TIME = re.compile(r"([01][0-9]|2[0-3])([0-5][0-9])")
_REF = re.compile(r"[1-9][0-9]{0,17}")  # no leading zero


class BadCallback(ValueError):
    """Callback data that no button of ours could have sent."""


class Action(StrEnum):
    """What a button asks for."""

    BODY = "b"  # arg: awarding body id or "all"
    REMIND = "r"  # arg: HHMM local time or "off"
    CHANGE_COURSE = "c"
    REVEAL = "v"  # prompt id
    KNEW = "k"  # prompt id, value "1" knew it / "0" not yet
    TRUE_FALSE = "t"  # prompt id, value "t" / "f"
    NEXT = "n"  # prompt id the "Next" follows
    CHOICE = "m"  # prompt id, value: the option's index into the item's options (0 is right)
    DRILL = "d"  # prompt id, value: the index of the tapped answer button
    DEFINE = "g"  # arg: a concept card id (a glossary suggestion)
    FOCUS = "f"  # arg: a topic area id or "off"
    QUIZ = "q"  # class quiz question id (buttons when polls are not allowed), value: option index
    NEW_SET = "s"  # the set just finished: start another
    BREAK = "z"  # the set just finished: done for now
    PRIVACY = "p"  # arg: what to do with the learner's data (export, erase, keep, link, unlink)
    CLASS_COURSE = "o"  # arg: a class group's awarding body id or "all" (admins' taps only)
    HOMEWORK = "h"  # homework id: carry on with it (under its reminder)
    MOCK = "a"  # a mock exam question's prompt id, value: "v" reveal, "1"/"0", "t"/"f", an option index
    MOCK_EXAM = "e"  # arg: what to do with a mock exam (start, cancel, on, abandon)
    MARK = "w"  # prompt id of an exam question: mark what the learner has written
    POINT = "x"  # prompt id of a marked exam question, value: the marking point's place (1-6) to flip
    CONFIRM = "y"  # prompt id of a marked exam question: the marks stand, record them and go on


_REF_ACTIONS = {
    Action.REVEAL,
    Action.KNEW,
    Action.TRUE_FALSE,
    Action.NEXT,
    Action.CHOICE,
    Action.DRILL,
    Action.QUIZ,
    Action.NEW_SET,
    Action.BREAK,
    Action.HOMEWORK,
    Action.MOCK,
    Action.MARK,
    Action.POINT,
    Action.CONFIRM,
}
_INDEXES = {str(i) for i in range(limits.POLL_MAX_OPTIONS)}
_VALUES = {
    Action.KNEW: {"1", "0"},
    Action.TRUE_FALSE: {"t", "f"},
    Action.CHOICE: _INDEXES,
    Action.DRILL: _INDEXES,
    Action.QUIZ: _INDEXES,
    Action.MOCK: _INDEXES | {"v", "t", "f"},
    Action.POINT: {str(i) for i in range(1, 7)},
}
_ID_ARG = {Action.BODY, Action.DEFINE, Action.FOCUS, Action.PRIVACY, Action.CLASS_COURSE, Action.MOCK_EXAM}


@dataclass(frozen=True)
class Callback:
    """Decoded callback data: an action, the row it is about (`ref`), and a value."""

    action: Action
    ref: int | None = None  # a prompt id; for QUIZ, a class quiz question id
    value: str | None = None

    @property
    def prompt_id(self) -> int:
        """The prompt a prompt button is about (0 for any other button)."""
        return self.ref if self.ref is not None and self.action is not Action.QUIZ else 0

    @property
    def question_id(self) -> int:
        """The class quiz question a QUIZ button answers (0 for any other button)."""
        return self.ref if self.ref is not None and self.action is Action.QUIZ else 0

    @property
    def flag(self) -> bool:
        """The boolean a KNEW or TRUE_FALSE button carries."""
        return self.value in ("1", "t")

    @property
    def index(self) -> int:
        """The option index a CHOICE or DRILL button carries."""
        return int(self.value or 0)

    @property
    def reminder_time(self) -> str | None:
        """A REMIND button's time as "HH:MM", or None for "not now"."""
        if self.value is None or self.value == "off":
            return None
        return f"{self.value[:2]}:{self.value[2:]}"


def encode(callback: Callback) -> str:
    """The callback data string for `callback` (validated by a round trip)."""
    parts = [callback.action.value]
    if callback.ref is not None:
        parts.append(str(callback.ref))
    if callback.value is not None:
        parts.append(callback.value)
    data = ":".join(parts)
    if decode(data) != callback:
        raise BadCallback(f"cannot encode {callback!r}")
    return data


def decode(data: str | None) -> Callback:
    """Parse and validate callback data.

    Raises:
        BadCallback: when the data is not something our buttons send.
    """
    if not data or len(data.encode()) > limits.MAX_CALLBACK_DATA:
        raise BadCallback("empty or too long")
    head, _, rest = data.partition(":")
    try:
        action = Action(head)
    except ValueError as exc:
        raise BadCallback(f"unknown action {head!r}") from exc
    if action is Action.CHANGE_COURSE:
        if rest:
            raise BadCallback("unexpected argument")
        return Callback(action)
    if action in _ID_ARG:
        if not _BODY.fullmatch(rest):
            raise BadCallback("bad id")
        return Callback(action, value=rest)
    if action is Action.REMIND:
        if rest != "off" and not _TIME.fullmatch(rest):
            raise BadCallback("bad time")
        return Callback(action, value=rest)
    id_text, _, value = rest.partition(":")
    if not _REF.fullmatch(id_text) or not 0 < int(id_text) < MAX_REF:
        raise BadCallback("bad id")
    allowed = _VALUES.get(action)
    if allowed is None:
        if value:
            raise BadCallback("unexpected value")
        return Callback(action, int(id_text))
    if value not in allowed:
        raise BadCallback("bad value")
    return Callback(action, int(id_text), value)


ANSWER_KINDS = {
    Action.KNEW: ItemKind.CONCEPT,
    Action.TRUE_FALSE: ItemKind.TRUE_FALSE,
    Action.CHOICE: ItemKind.MCQ,
    Action.DRILL: ItemKind.DRILL,
}


def answer_of(callback: Callback) -> tuple[ItemKind, bool | int]:
    """The kind of item an answer button answers, and the choice it carries."""
    kind = ANSWER_KINDS[callback.action]
    return kind, callback.flag if kind in (ItemKind.CONCEPT, ItemKind.TRUE_FALSE) else callback.index


def matches(*actions: Action) -> Callable[[object], bool]:
    """A CallbackQueryHandler pattern accepting valid data for one of `actions`."""
    wanted = set(actions)

    def pattern(data: object) -> bool:
        if not isinstance(data, str):
            return False
        try:
            return decode(data).action in wanted
        except BadCallback:
            return False

    return pattern


if _REF_ACTIONS | _ID_ARG | {Action.REMIND, Action.CHANGE_COURSE} != set(Action):
    raise RuntimeError("every action needs a rule in decode()")
