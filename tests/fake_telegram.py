"""A fake Telegram Bot API server on 127.0.0.1, for end-to-end tests and benchmarks.

The bot under test is the real `telegram.ext.Application`, pointed here with `base_url`. The
server answers like Telegram and is as strict as Telegram about what it accepts:

- **Valid Bot API only.** Parameters must have their types (a `chat_id` is a number or an
  @username, a `reply_markup` an inline keyboard whose callback data is 1-64 bytes...), and texts
  their limits, counted as Telegram counts them, on the visible text after entities are parsed:
  4,096 characters for a message, 1,024 for a caption, 200 for a callback answer, and a quiz
  poll's question, options and explanation. `parse_mode=HTML` must be HTML Telegram can parse:
  the tags it supports, properly nested and closed, and only the entities `&lt; &gt; &amp;
  &quot;` and numeric ones. (Telegram itself shows a bare `&` literally; the Bot API documents
  that it must be escaped, and so does this fake.) A call that breaks these rules is rejected with
  Telegram's 400 and recorded as `invalid`.
- **Telegram's state.** An edit of a message that does not exist (or of an inline message this
  server never sent), an edit to the same content ("message is not modified"), an answer to a
  callback query that was already answered, is unknown or older than `query_lifetime` seconds
  ("query is too old..."), a send to a user who blocked the bot: rejected like Telegram, and
  recorded as `state`.
- **Only the updates the bot asked for.** `getUpdates` remembers `allowed_updates` as Telegram
  does and never delivers an update of another type (those are kept in `withheld`).
- **Webhooks.** After `setWebhook`, `getUpdates` is refused (409, as Telegram does) and pending
  updates are POSTed to the webhook with its `X-Telegram-Bot-Api-Secret-Token`, one at a time,
  each kept until it is answered 200. Unlike Telegram, which keeps one URL, every URL set is kept
  and updates go to them in turn, as a load-balancing proxy in front of several instances would
  (`push(update, to=url)` picks one); `post_update` posts anything, with any secret or none.
- **Faults on demand**, per method, for the next N calls or a share of calls: answer slowly
  (`slow`), fail with an error code and description (`fail`; the call is not carried out), or time
  out (`time_out`: the call is carried out, as by a Telegram that received it, but the answer is
  held past the client's read timeout). Injected failures are recorded as `injected`.

It feeds updates through `getUpdates` (well-formed ones from the helpers below, or any JSON
object with `push`), and records every request so tests can assert on what the bot sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import json
import random
import re
import socket
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import aiohttp
from aiohttp import web

GROUP_TITLE = "Class 3B"  # a group's name unless a test names it (`FakeTelegram.titles`)
BOT_USER = {"id": 999000, "is_bot": True, "first_name": "Retain", "username": "retain_test_bot"}

# Telegram's limits (the Bot API documentation; the bot's own copy is pinned by tests/test_content.py).
TEXT_LIMIT = 4096  # a message's visible text, after entities are parsed
CAPTION_LIMIT = 1024
TOAST_LIMIT = 200  # answerCallbackQuery's text
CALLBACK_DATA_LIMIT = 64  # bytes
POLL_QUESTION_LIMIT = 300
POLL_OPTION_LIMIT = 100
POLL_OPTIONS = (2, 12)
POLL_EXPLANATION_LIMIT = 200
POLL_EXPLANATION_LINE_FEEDS = 2
POLL_OPEN_PERIOD = (5, 600)
COMMAND_PATTERN = re.compile(r"[a-z0-9_]{1,32}")

QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
NOT_FOUND = "Bad Request: message to edit not found"

# Every kind of update; without `allowed_updates`, Telegram sends all but these three.
UPDATE_TYPES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "message_reaction",
        "message_reaction_count",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)
DEFAULT_UPDATES = UPDATE_TYPES - {"chat_member", "message_reaction", "message_reaction_count"}

Rejection = Literal["invalid", "state", "injected"]


@dataclass
class Request:
    """One call the bot made.

    `rejected` says why the call failed, if it did: `invalid` (not valid Bot API: a type, a limit,
    markup or HTML Telegram refuses), `state` (valid, but refused by Telegram's state: a message
    not found or not modified, a callback query already answered or too old, a user who blocked the
    bot) or `injected` (a fault the test asked for).
    """

    method: str
    params: dict[str, Any]
    index: int
    result: Any = None
    rejected: Rejection | None = None


@dataclass
class FakeUser:
    """A Telegram user the tests act as."""

    id: int
    first_name: str = "Learner"

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "is_bot": False, "first_name": self.first_name}


@dataclass
class SentMessage:
    """A message the bot sent, as it stands now (edits applied)."""

    chat_id: int
    message_id: int
    text: str
    reply_markup: dict[str, Any] | None = None
    photo: bool = False
    image: bytes = b""
    poll: dict[str, Any] | None = None
    document: bytes = b""
    filename: str = ""

    @property
    def buttons(self) -> list[tuple[str, str]]:
        """(label, callback_data) of every inline button, row by row."""
        if not self.reply_markup:
            return []
        return [
            (b["text"], b.get("callback_data", ""))
            for row in self.reply_markup.get("inline_keyboard", [])
            for b in row
        ]

    def button(self, label: str) -> str:
        """The callback data of the button with this label."""
        for text, data in self.buttons:
            if text == label:
                return data
        raise AssertionError(f"no button {label!r} in {self.buttons}")


@dataclass
class Fault:
    """What the server does to the next matching calls of `method`, instead of answering normally.

    With a `code`, the call fails with that code and `description` (and is not carried out);
    `timeout` carries the call out and holds the answer `delay` seconds (past the client's read
    timeout); otherwise the call is answered after `delay` seconds. `times` is how many calls are
    affected (None: no limit); `share` the chance that a matching call is; `chat_id` narrows the
    fault to calls about one chat.
    """

    method: str
    code: int = 0
    description: str = ""
    retry_after: int | None = None
    times: int | None = 1
    chat_id: int | None = None
    delay: float = 0.0
    timeout: bool = False
    share: float = 1.0
    hits: int = 0  # calls affected so far
    reached: asyncio.Event = field(default_factory=asyncio.Event)  # set when the first call is affected


Failure = Fault  # the name the first tests used: Failure("sendMessage", 502, "Bad Gateway", times=2)


@dataclass
class CallbackQuery:
    """A callback query a user's tap created, and whether it was answered."""

    id: str
    user_id: int
    created: float  # time.monotonic()
    answered: bool = False


class ApiError(Exception):
    """A refusal, as Telegram words it."""

    def __init__(self, code: int, description: str, kind: Rejection = "state") -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.kind = kind


def _invalid(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}", "invalid")


# --- Telegram's HTML -------------------------------------------------------------------------

_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a"}
_TAGS |= {"code", "pre", "blockquote"}
_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY = re.compile(r"&(?:([a-zA-Z]+)|#([0-9]{1,8})|#[xX]([0-9a-fA-F]{1,7}));")
_ATTRIBUTE = re.compile(r"""\s*([a-zA-Z][a-zA-Z0-9_-]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")
_TAG_NAME = re.compile(r"[a-zA-Z][a-zA-Z0-9-]*")


def _unparsable(reason: str) -> ApiError:
    return _invalid(f"can't parse entities: {reason}")


def _offset(html: str, index: int) -> int:
    return len(html[:index].encode())


def _unescape(text: str) -> str:
    """An attribute value's entities, decoded (checked as in text)."""
    return visible_text(text) if "&" in text else text


def visible_text(html: str) -> str:
    """The text Telegram shows for `html` sent with `parse_mode=HTML`.

    Raises:
        ApiError: a 400 worded like Telegram's for HTML it cannot parse.
    """
    out: list[str] = []
    open_tags: list[str] = []
    i, n = 0, len(html)
    while i < n:
        lt, amp = html.find("<", i), html.find("&", i)
        stops = [p for p in (lt, amp) if p >= 0]
        if not stops:
            out.append(html[i:])
            break
        stop = min(stops)
        out.append(html[i:stop])
        i = stop
        if html[i] == "&":
            match = _ENTITY.match(html, i)
            if match is None:
                raise _unparsable(f"unescaped '&' or unsupported entity at byte offset {_offset(html, i)}")
            name, decimal, hexadecimal = match.groups()
            if name is not None:
                if name not in _ENTITIES:
                    raise _unparsable(f'unsupported HTML entity "&{name};"')
                out.append(_ENTITIES[name])
            else:
                code = int(decimal) if decimal is not None else int(hexadecimal, 16)
                if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
                    raise _unparsable(f"invalid character reference at byte offset {_offset(html, i)}")
                out.append(chr(code))
            i = match.end()
            continue
        end = html.find(">", i + 1)
        if end < 0:
            raise _unparsable(f"unclosed start tag at byte offset {_offset(html, i)}")
        inside = html[i + 1 : end]
        if inside.startswith("/"):
            name = inside[1:].strip().lower()
            if not open_tags:
                raise _unparsable(f"unexpected end tag at byte offset {_offset(html, i)}")
            if name != open_tags[-1]:
                raise _unparsable(
                    f"unmatched end tag at byte offset {_offset(html, i)}, "
                    f'expected "</{open_tags[-1]}>", found "</{name}>"'
                )
            open_tags.pop()
        else:
            tag = _TAG_NAME.match(inside)
            if tag is None:
                raise _unparsable(f"empty tag name at byte offset {_offset(html, i)}")
            name = tag.group().lower()
            if name not in _TAGS:
                raise _unparsable(f'unsupported start tag "{name}" at byte offset {_offset(html, i)}')
            attributes: dict[str, str] = {}
            rest = inside[tag.end() :]
            while rest.strip():
                attribute = _ATTRIBUTE.match(rest)
                if attribute is None or attribute.end() == 0:
                    raise _unparsable(f'bad attribute in tag "{name}" at byte offset {_offset(html, i)}')
                value = next((v for v in attribute.groups()[1:] if v is not None), "")
                attributes[attribute.group(1).lower()] = _unescape(value)
                rest = rest[attribute.end() :]
            if name == "span" and attributes.get("class") != "tg-spoiler":
                raise _unparsable('tag "span" must have class "tg-spoiler"')
            if name == "a" and not attributes.get("href"):
                raise _unparsable('tag "a" must have an href')
            language = attributes.get("class")
            if (
                name == "code"
                and language is not None
                and (not language.startswith("language-") or open_tags[-1:] != ["pre"])
            ):
                raise _unparsable("a language can only be given to code inside pre")
            open_tags.append(name)
        i = end + 1
    if open_tags:
        raise _unparsable(f'can\'t find end tag corresponding to start tag "{open_tags[-1]}"')
    return "".join(out)


def shown(text: str, parse_mode: str | None) -> str:
    """What Telegram shows for a text sent with `parse_mode` (HTML is parsed; others are taken as is)."""
    if parse_mode is None or parse_mode == "":
        return text
    if parse_mode == "HTML":
        return visible_text(text)
    if parse_mode in ("MarkdownV2", "Markdown"):
        return text  # Retain never sends Markdown; its rules are not modelled
    raise _invalid(f"unsupported parse_mode {parse_mode!r}")


# --- parameter types -------------------------------------------------------------------------

Kind = Literal["int", "chat", "str", "bool", "json", "file"]
_COMMON: dict[str, Kind] = {
    "chat_id": "chat",
    "message_id": "int",
    "message_thread_id": "int",
    "business_connection_id": "str",
    "inline_message_id": "str",
    "parse_mode": "str",
    "reply_markup": "json",
    "disable_notification": "bool",
    "protect_content": "bool",
    "allow_paid_broadcast": "bool",
    "message_effect_id": "str",
    "reply_parameters": "json",
    "link_preview_options": "json",
    "entities": "json",
    "caption_entities": "json",
}
_METHODS: dict[str, tuple[dict[str, Kind], set[str]]] = {
    # method: (types of its parameters, the required ones)
    "getMe": ({}, set()),
    "close": ({}, set()),
    "logOut": ({}, set()),
    "deleteWebhook": ({"drop_pending_updates": "bool"}, set()),
    "setWebhook": (
        {
            "url": "str",
            "certificate": "file",
            "ip_address": "str",
            "max_connections": "int",
            "allowed_updates": "json",
            "drop_pending_updates": "bool",
            "secret_token": "str",
        },
        {"url"},
    ),
    "getWebhookInfo": ({}, set()),
    "getUpdates": (
        {"offset": "int", "limit": "int", "timeout": "int", "allowed_updates": "json"},
        set(),
    ),
    "setMyCommands": ({"commands": "json", "scope": "json", "language_code": "str"}, {"commands"}),
    "sendMessage": ({"text": "str"}, {"chat_id", "text"}),
    "sendPhoto": (
        {"photo": "file", "caption": "str", "show_caption_above_media": "bool", "has_spoiler": "bool"},
        {"chat_id", "photo"},
    ),
    "sendDocument": (
        {"document": "file", "caption": "str", "disable_content_type_detection": "bool"},
        {"chat_id", "document"},
    ),
    "sendPoll": (
        {
            "question": "str",
            "question_parse_mode": "str",
            "options": "json",
            "is_anonymous": "bool",
            "type": "str",
            "allows_multiple_answers": "bool",
            "correct_option_ids": "json",
            "correct_option_id": "int",
            "explanation": "str",
            "explanation_parse_mode": "str",
            "open_period": "int",
            "close_date": "int",
            "is_closed": "bool",
            "shuffle_options": "bool",
            "description": "str",
        },
        {"chat_id", "question", "options"},
    ),
    "stopPoll": ({}, {"chat_id", "message_id"}),
    "editMessageText": ({"text": "str"}, {"text"}),
    "editMessageReplyMarkup": ({}, set()),
    "deleteMessage": ({}, {"chat_id", "message_id"}),
    "answerCallbackQuery": (
        {"callback_query_id": "str", "text": "str", "show_alert": "bool", "url": "str", "cache_time": "int"},
        {"callback_query_id"},
    ),
    "getChatMember": ({"user_id": "int"}, {"chat_id", "user_id"}),
}
_INT = re.compile(r"-?[0-9]{1,19}")


def _coerce(name: str, kind: Kind, value: Any) -> Any:
    """A parameter as its Bot API type (form values arrive as strings); raises a 400 if it is not."""
    if kind == "file":
        return value
    if kind == "int" or kind == "chat":
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and _INT.fullmatch(value):
            return int(value)
        if kind == "chat" and isinstance(value, str) and re.fullmatch(r"@[A-Za-z][A-Za-z0-9_]{3,31}", value):
            return value
        raise _invalid(f"invalid {name}: {value!r} is not an integer")
    if kind == "bool":
        if isinstance(value, bool):
            return value
        if value in ("true", "false"):
            return value == "true"
        raise _invalid(f"invalid {name}: {value!r} is not a boolean")
    if kind == "json":
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError as exc:
                raise _invalid(f"can't parse {name} JSON object") from exc
        return value
    if not isinstance(value, str):
        raise _invalid(f"invalid {name}: not a string")
    return value


def _check_markup(markup: Any) -> None:
    """An inline keyboard as Telegram accepts it (other reply markups are only checked for shape)."""
    if markup is None:
        return
    if not isinstance(markup, dict):
        raise _invalid("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" not in markup:
        if not {"keyboard", "remove_keyboard", "force_reply"} & set(markup):
            raise _invalid("can't parse reply keyboard markup JSON object")
        return
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise _invalid('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays')
    for row in rows:
        for button in row:
            if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                raise _invalid("can't parse inline keyboard button: Text must be a String")
            if not button["text"].strip():
                raise _invalid("BUTTON_TEXT_EMPTY")
            actions = set(button) - {"text", "style", "icon_custom_emoji_id"}
            if len(actions) != 1:
                raise _invalid("can't parse inline keyboard button: exactly one action is needed")
            if "callback_data" in actions:
                data = button["callback_data"]
                if not isinstance(data, str) or not 1 <= len(data.encode()) <= CALLBACK_DATA_LIMIT:
                    raise _invalid("BUTTON_DATA_INVALID")


def _check_text(text: str, parse_mode: str | None, limit: int, what: str, *, required: bool) -> str:
    visible = shown(text, parse_mode)
    if required and not visible.strip():
        raise _invalid(f"{what} text is empty" if what == "message" else f"{what} is empty")
    if len(visible) > limit:
        raise _invalid("message is too long" if what == "message" else f"{what} is too long")
    return visible


def _check_poll(params: dict[str, Any]) -> None:
    _check_text(
        params["question"],
        params.get("question_parse_mode"),
        POLL_QUESTION_LIMIT,
        "poll question",
        required=True,
    )
    options = params["options"]
    if not isinstance(options, list) or not POLL_OPTIONS[0] <= len(options) <= POLL_OPTIONS[1]:
        raise _invalid(f"poll must have {POLL_OPTIONS[0]}-{POLL_OPTIONS[1]} options")
    for option in options:
        text = option.get("text") if isinstance(option, dict) else option
        if not isinstance(text, str) or not text.strip() or len(text) > POLL_OPTION_LIMIT:
            raise _invalid("POLL_OPTION_INVALID")
    kind = params.get("type", "regular")
    if kind not in ("regular", "quiz"):
        raise _invalid("POLL_TYPE_INVALID")
    correct = params.get("correct_option_ids")
    if kind == "quiz":
        if correct is None and "correct_option_id" in params:
            correct = [params["correct_option_id"]]
        if (
            not isinstance(correct, list)
            or not correct
            or not all(isinstance(c, int) and 0 <= c < len(options) for c in correct)
        ):
            raise _invalid("wrong correct option identifiers specified")
    explanation = params.get("explanation")
    if explanation is not None:
        seen = _check_text(
            explanation,
            params.get("explanation_parse_mode"),
            POLL_EXPLANATION_LIMIT,
            "explanation",
            required=False,
        )
        if seen.count("\n") > POLL_EXPLANATION_LINE_FEEDS:
            raise _invalid("explanation can't contain more than 2 line feeds")
    period = params.get("open_period")
    if period is not None and not POLL_OPEN_PERIOD[0] <= period <= POLL_OPEN_PERIOD[1]:
        raise _invalid("open_period must be from 5 to 600 seconds")


def _check_commands(commands: Any) -> None:
    if not isinstance(commands, list) or len(commands) > 100:
        raise _invalid("commands must be a list of at most 100 commands")
    for command in commands:
        if not isinstance(command, dict) or not COMMAND_PATTERN.fullmatch(str(command.get("command", ""))):
            raise _invalid("BOT_COMMAND_INVALID")
        if not 1 <= len(str(command.get("description", "")).strip()) <= 256:
            raise _invalid("BOT_COMMAND_DESCRIPTION_INVALID")


def validate(method: str, params: dict[str, Any]) -> dict[str, Any]:
    """`params` as typed values, checked against Telegram's rules for `method` (raises a 400)."""
    if method not in _METHODS:
        raise ApiError(404, "Not Found: method not found", "invalid")
    types, required = _METHODS[method]
    missing = sorted(required - set(params))
    if missing:
        raise _invalid(f"{missing[0]} is empty")
    typed: dict[str, Any] = {}
    for name, value in params.items():
        kind = types.get(name) or _COMMON.get(name)
        typed[name] = value if kind is None else _coerce(name, kind, value)
    edit = method in ("editMessageText", "editMessageReplyMarkup")
    if edit and "inline_message_id" not in typed and not {"chat_id", "message_id"} <= set(typed):
        raise _invalid("message identifier is not specified")
    if "reply_markup" in typed:
        _check_markup(typed["reply_markup"])
    parse_mode = typed.get("parse_mode")
    if method in ("sendMessage", "editMessageText"):
        _check_text(typed["text"], parse_mode, TEXT_LIMIT, "message", required=True)
    elif method in ("sendPhoto", "sendDocument") and "caption" in typed:
        _check_text(typed["caption"], parse_mode, CAPTION_LIMIT, "message caption", required=False)
    elif method == "sendPoll":
        _check_poll(typed)
    elif method == "answerCallbackQuery" and len(typed.get("text", "")) > TOAST_LIMIT:
        raise _invalid("MESSAGE_TOO_LONG")
    elif method == "setMyCommands":
        _check_commands(typed["commands"])
    elif method == "setWebhook":
        secret = typed.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise _invalid("secret token contains unallowed characters")
        if not 1 <= typed.get("max_connections", 40) <= 100:
            raise _invalid("max_connections must be from 1 to 100")
        if not re.fullmatch(r"https?://[^/\s]+(/\S*)?", typed["url"]):
            raise _invalid("bad webhook: invalid URL")  # Telegram wants https; a loopback test, http
    if method in ("getUpdates", "setWebhook"):
        allowed = typed.get("allowed_updates")
        if allowed is not None and (
            not isinstance(allowed, list) or not all(isinstance(a, str) for a in allowed)
        ):
            raise _invalid("allowed_updates must be a list of strings")
        if method == "getUpdates" and not 1 <= typed.get("limit", 100) <= 100:
            raise _invalid("limit must be from 1 to 100")
    return typed


@dataclass
class FakeTelegram:
    """The fake server's state and the test-facing helpers."""

    token: str = "123456:TEST-TOKEN"
    requests: list[Request] = field(default_factory=list)
    messages: dict[tuple[int, int], SentMessage] = field(default_factory=dict)
    blocked: set[int] = field(default_factory=set)
    # Users who never opened a private chat with the bot: Telegram refuses to message them (403)
    # until they send the bot something there.
    strangers: set[int] = field(default_factory=set)
    failures: list[Fault] = field(default_factory=list)  # faults in force, first match wins
    queries: dict[str, CallbackQuery] = field(default_factory=dict)
    query_lifetime: float = 15.0  # seconds a callback query can be answered in
    allowed_updates: frozenset[str] | None = None  # as the bot last asked (None: never asked)
    withheld: list[dict[str, Any]] = field(default_factory=list)  # updates of types not asked for
    rng: random.Random = field(default_factory=lambda: random.Random(0))  # for faults' `share`
    _updates: list[dict[str, Any]] = field(default_factory=list)
    _update_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _message_ids: dict[int, itertools.count[int]] = field(default_factory=dict)
    _callback_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _history: list[dict[str, Any]] = field(default_factory=list)
    _poll_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    admins: dict[int, set[int]] = field(default_factory=dict)  # group chat id -> admin user ids
    outsiders: dict[int, set[int]] = field(default_factory=dict)  # group chat id -> users not in it
    titles: dict[int, str] = field(default_factory=dict)  # group chat id -> its name (default "Class 3B")
    polls_barred: set[int] = field(default_factory=set)  # groups where the bot may not send polls
    # With each answer to a poll the bot sent, Telegram also sends the poll's new state, in no
    # promised order: "after" or "before" the answer (None: answers only).
    poll_state: Literal["after", "before"] | None = "after"
    last_poll: dict[str, Any] = field(default_factory=dict)  # the params of the latest getUpdates
    hold_polls: bool = True  # False: getUpdates answers at once (lets a stopping bot stop quickly)
    # Like Telegram's flood control: sends beyond this rate get a 429 (a token bucket: a second's
    # worth of sends may come in a burst, then they refill at this rate).
    rate_limit: float | None = None
    too_many: int = 0  # 429s answered because of rate_limit
    _tokens: float = -1.0
    _refilled_at: float = 0.0
    _changed: asyncio.Condition | None = None
    _runner: web.AppRunner | None = None
    port: int = 0
    webhooks: dict[str, str] = field(default_factory=dict)  # URL -> its secret token ("" for none)
    webhook_params: dict[str, Any] = field(default_factory=dict)  # the latest setWebhook's
    deliveries: list[tuple[int, str, int]] = field(default_factory=list)  # (update id, URL, HTTP status)
    _routes: dict[int, str] = field(default_factory=dict)  # update id -> the URL a test sent it to
    _turn: int = 0
    _deliverer: asyncio.Task[None] | None = None

    # --- server -------------------------------------------------------------------------------

    async def start(self) -> None:
        """Listen on a free port of 127.0.0.1."""
        self._changed = asyncio.Condition()
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()

    async def stop(self) -> None:
        """Stop listening (and delivering to webhooks)."""
        self.webhooks.clear()
        if self._deliverer is not None:
            self._deliverer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._deliverer
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        """What to pass to python-telegram-bot's `base_url`."""
        return f"http://127.0.0.1:{self.port}/bot"

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        method = request.match_info["method"]
        raw = await _params(request)
        record = Request(method, raw, len(self.requests))
        hold = 0.0
        try:
            try:
                record.params = validate(method, raw)
            except ApiError as exc:
                return self._refuse(record, exc)
            params = record.params
            if self.rate_limit is not None and method.startswith("send"):
                clock = time.monotonic()
                if self._tokens < 0:
                    self._tokens = self.rate_limit
                self._tokens = min(
                    self.rate_limit, self._tokens + (clock - self._refilled_at) * self.rate_limit
                )
                self._refilled_at = clock
                if self._tokens < 1:
                    self.too_many += 1
                    return _error(429, "Too Many Requests: retry after 1", {"retry_after": 1})
                self._tokens -= 1
            fault = self._fault(method, params)
            if fault is not None:
                if fault.code:
                    if fault.delay:
                        await asyncio.sleep(fault.delay)
                    extra = {"retry_after": fault.retry_after} if fault.retry_after is not None else None
                    record.result = ApiError(fault.code, fault.description, "injected")
                    record.rejected = "injected"
                    return _error(fault.code, fault.description, extra)
                if fault.timeout:
                    hold = fault.delay
                elif fault.delay:
                    await asyncio.sleep(fault.delay)
            handler = getattr(self, f"_api_{method}")
            try:
                record.result = await handler(params)
            except ApiError as exc:
                return self._refuse(record, exc)
            return web.json_response({"ok": True, "result": record.result})
        finally:
            # getUpdates polls are not interesting to tests and would flood the log.
            if method != "getUpdates" or record.rejected is not None:
                self.requests.append(record)
                await self._notify()
            if hold:  # carried out, like a Telegram that got the call; the client has given up
                await asyncio.sleep(hold)

    def _refuse(self, record: Request, exc: ApiError) -> web.Response:
        record.result = exc
        record.rejected = exc.kind
        return _error(exc.code, exc.description)

    def _fault(self, method: str, params: dict[str, Any]) -> Fault | None:
        for fault in self.failures:
            if fault.method != method or fault.times == 0:
                continue
            if fault.chat_id is not None and params.get("chat_id") != fault.chat_id:
                continue
            if fault.share < 1.0 and self.rng.random() >= fault.share:
                continue
            if fault.times is not None:
                fault.times -= 1
            fault.hits += 1
            fault.reached.set()
            return fault
        return None

    async def _notify(self) -> None:
        assert self._changed is not None
        async with self._changed:
            self._changed.notify_all()

    # --- faults on demand ---------------------------------------------------------------------

    def fail(
        self,
        method: str,
        code: int = 500,
        description: str = "Internal Server Error",
        *,
        times: int | None = 1,
        share: float = 1.0,
        chat_id: int | None = None,
        retry_after: int | None = None,
    ) -> Fault:
        """The next `times` calls of `method` (None: all; `share`: a share of them) fail, not carried out."""
        fault = Fault(method, code, description, retry_after, times, chat_id, share=share)
        self.failures.append(fault)
        return fault

    def slow(self, method: str, seconds: float, *, times: int | None = None, share: float = 1.0) -> Fault:
        """Calls of `method` are answered `seconds` late."""
        fault = Fault(method, times=times, delay=seconds, share=share)
        self.failures.append(fault)
        return fault

    def time_out(self, method: str, *, hold: float = 6.0, times: int | None = 1, share: float = 1.0) -> Fault:
        """Calls of `method` are carried out but answered only after `hold` seconds: past the
        client's read timeout (python-telegram-bot waits 5 s by default), so the client gives up
        on a call Telegram did make."""
        fault = Fault(method, times=times, delay=hold, timeout=True, share=share)
        self.failures.append(fault)
        return fault

    # --- what the bot's calls did -------------------------------------------------------------

    def rejected(self, kind: Rejection | None = None) -> list[Request]:
        """Calls refused (of one kind: `invalid`, `state` or `injected`; None: any)."""
        return [r for r in self.requests if r.rejected is not None and (kind is None or r.rejected == kind)]

    def answer_counts(self) -> Counter[str]:
        """How many times the bot called answerCallbackQuery for each callback query id."""
        return Counter(
            str(r.params.get("callback_query_id")) for r in self.requests if r.method == "answerCallbackQuery"
        )

    # --- Bot API methods ----------------------------------------------------------------------

    async def _api_getMe(self, _params: dict[str, Any]) -> Any:
        return BOT_USER

    async def _api_deleteWebhook(self, params: dict[str, Any]) -> Any:
        self.webhooks.clear()
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _api_setWebhook(self, params: dict[str, Any]) -> Any:
        self.webhook_params = params
        self.webhooks[params["url"]] = params.get("secret_token", "")
        allowed = params.get("allowed_updates")
        if allowed is not None:
            self.allowed_updates = frozenset(allowed) or DEFAULT_UPDATES
        if params.get("drop_pending_updates"):
            self._updates.clear()
        if self._deliverer is None or self._deliverer.done():
            self._deliverer = asyncio.get_running_loop().create_task(self._deliver())
        return True

    async def _api_getWebhookInfo(self, _params: dict[str, Any]) -> Any:
        info: dict[str, Any] = {
            "url": next(reversed(self.webhooks), ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self.webhooks:
            info["max_connections"] = self.webhook_params.get("max_connections", 40)
            if self.allowed_updates is not None:
                info["allowed_updates"] = sorted(self.allowed_updates)
        return info

    def forget_webhook(self, url: str) -> None:
        """Stop delivering to `url` (as a proxy takes a stopped instance out of its pool)."""
        self.webhooks.pop(url, None)

    async def post_update(self, url: str, body: dict[str, Any] | bytes, secret: str | None) -> int:
        """POST `body` (an update, or any bytes) to `url` with `secret` in the secret header (None:
        no header); returns the HTTP status."""
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        async with (
            aiohttp.ClientSession() as session,
            session.post(url, data=data, headers=headers) as answer,
        ):
            return answer.status

    async def _deliver(self) -> None:
        """POST pending updates to the webhooks, in order, each until one answers 200."""
        assert self._changed is not None
        while self.webhooks:
            pending = self._deliverable()
            if not pending:
                async with self._changed:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._changed.wait(), 0.5)
                continue
            update = pending[0]
            urls = list(self.webhooks)
            url = self._routes.get(update["update_id"])
            if url not in self.webhooks:
                url = urls[self._turn % len(urls)]
                self._turn += 1
            try:
                status = await self.post_update(url, update, self.webhooks[url] or None)
            except (TimeoutError, OSError):  # nobody listening there: another try later
                status = 0
            self.deliveries.append((update["update_id"], url, status))
            if status == 200:
                self._routes.pop(update["update_id"], None)
                self._updates = [u for u in self._updates if u is not update]
                await self._notify()
            else:
                self._routes.pop(update["update_id"], None)  # a proxy tries another instance
                await asyncio.sleep(0.05)

    async def _api_setMyCommands(self, _params: dict[str, Any]) -> Any:
        return True

    async def _api_close(self, _params: dict[str, Any]) -> Any:
        return True

    async def _api_logOut(self, _params: dict[str, Any]) -> Any:
        return True

    def _deliverable(self) -> list[dict[str, Any]]:
        """The pending updates the bot asked for (others are withheld, as Telegram never sends them)."""
        allowed = self.allowed_updates if self.allowed_updates is not None else DEFAULT_UPDATES
        kept = []
        for update in self._updates:
            kind = update_type(update)
            if kind is None or kind in allowed:
                kept.append(update)
            else:
                self.withheld.append(update)
        self._updates = kept
        return kept

    async def _api_getUpdates(self, params: dict[str, Any]) -> Any:
        if self.webhooks:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                           "use deleteWebhook to delete the webhook first")  # fmt: skip
        self.last_poll = params
        allowed = params.get("allowed_updates")
        if allowed is not None:  # as Telegram: not given, the previous setting stays
            self.allowed_updates = frozenset(allowed) or DEFAULT_UPDATES
        offset = int(params.get("offset") or 0)
        if offset:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        deadline = time.monotonic() + float(params.get("timeout") or 0)
        assert self._changed is not None
        while not self._deliverable() and self.hold_polls and time.monotonic() < deadline:
            async with self._changed:
                try:
                    await asyncio.wait_for(self._changed.wait(), deadline - time.monotonic())
                except TimeoutError:
                    break
        return list(self._updates[: int(params.get("limit") or 100)])

    def _new_message_id(self, chat_id: int) -> int:
        return next(self._message_ids.setdefault(chat_id, itertools.count(1)))

    def _sendable(self, params: dict[str, Any]) -> int:
        chat_id = params["chat_id"]
        if not isinstance(chat_id, int):
            raise ApiError(400, "Bad Request: chat not found")
        if chat_id in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if chat_id in self.strangers:
            raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        return chat_id

    async def _api_sendMessage(self, params: dict[str, Any]) -> Any:
        chat_id = self._sendable(params)
        sent = SentMessage(chat_id, self._new_message_id(chat_id), params["text"], params.get("reply_markup"))
        self.messages[(chat_id, sent.message_id)] = sent
        return self._message_json(sent)

    async def _api_sendPhoto(self, params: dict[str, Any]) -> Any:
        chat_id = self._sendable(params)
        photo = params.get("photo")
        if photo is None or not hasattr(photo, "file"):
            raise ApiError(400, "Bad Request: there is no photo in the request", "invalid")
        data = photo.file.read()
        if not data.startswith(b"\x89PNG"):
            raise ApiError(400, "Bad Request: IMAGE_PROCESS_FAILED", "invalid")
        sent = SentMessage(
            chat_id,
            self._new_message_id(chat_id),
            params.get("caption", ""),
            params.get("reply_markup"),
            photo=True,
        )
        sent.image = data
        self.messages[(chat_id, sent.message_id)] = sent
        return self._message_json(sent)

    async def _api_sendDocument(self, params: dict[str, Any]) -> Any:
        chat_id = self._sendable(params)
        document = params.get("document")
        if document is None or not hasattr(document, "file"):
            raise ApiError(400, "Bad Request: there is no document in the request", "invalid")
        sent = SentMessage(chat_id, self._new_message_id(chat_id), params.get("caption", ""), None)
        sent.document, sent.filename = document.file.read(), document.filename or ""
        self.messages[(chat_id, sent.message_id)] = sent
        return self._message_json(sent)

    async def _api_sendPoll(self, params: dict[str, Any]) -> Any:
        chat_id = params["chat_id"]
        if chat_id in self.polls_barred:
            raise ApiError(400, "Bad Request: not enough rights to send polls to the chat")
        if chat_id in self.blocked:
            raise ApiError(403, "Forbidden: bot was kicked from the group chat")
        options = [o["text"] if isinstance(o, dict) else str(o) for o in params["options"]]
        message_id = self._new_message_id(chat_id)
        poll_id = f"poll{next(self._poll_ids)}"
        sent = SentMessage(chat_id, message_id, params["question"], None)
        sent.poll = {
            "id": poll_id,
            "question": params["question"],
            "options": [
                {"text": text, "voter_count": 0, "persistent_id": f"{poll_id}-{n}"}
                for n, text in enumerate(options)
            ],
            "total_voter_count": 0,
            "is_closed": False,
            "is_anonymous": bool(params.get("is_anonymous", True)),
            "type": params.get("type", "regular"),
            "allows_multiple_answers": False,
            "allows_revoting": False,
            "members_only": False,
            "correct_option_ids": params.get("correct_option_ids"),
            "explanation": params.get("explanation"),
            "open_period": int(params.get("open_period") or 0) or None,
        }
        self.messages[(chat_id, message_id)] = sent
        return self._message_json(sent)

    async def _api_stopPoll(self, params: dict[str, Any]) -> Any:
        sent = self._existing(params)
        if sent.poll is None or sent.poll["is_closed"]:
            raise ApiError(400, "Bad Request: poll has already been closed")
        sent.poll["is_closed"] = True
        return sent.poll

    async def _api_getChatMember(self, params: dict[str, Any]) -> Any:
        user = {"id": params["user_id"], "is_bot": False, "first_name": "Member"}
        if params["user_id"] in self.admins.get(params["chat_id"], set()):
            return {"user": user, "status": "creator", "is_anonymous": False}
        if params["user_id"] in self.outsiders.get(params["chat_id"], set()):
            return {"user": user, "status": "left"}
        return {"user": user, "status": "member"}

    async def _api_editMessageText(self, params: dict[str, Any]) -> Any:
        sent = self._existing(params)
        if sent.photo:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        markup = params.get("reply_markup")
        if sent.text == params["text"] and sent.reply_markup == markup:
            raise ApiError(400, NOT_MODIFIED)
        sent.text, sent.reply_markup = params["text"], markup
        return self._message_json(sent)

    async def _api_editMessageReplyMarkup(self, params: dict[str, Any]) -> Any:
        sent = self._existing(params)
        markup = params.get("reply_markup")
        if sent.reply_markup == markup:
            raise ApiError(400, "Bad Request: message is not modified")
        sent.reply_markup = markup
        return self._message_json(sent)

    async def _api_deleteMessage(self, params: dict[str, Any]) -> Any:
        if self.messages.pop((params["chat_id"], params["message_id"]), None) is None:
            raise ApiError(400, "Bad Request: message to delete not found")
        return True

    async def _api_answerCallbackQuery(self, params: dict[str, Any]) -> Any:
        query = self.queries.get(params["callback_query_id"])
        if query is None or query.answered or time.monotonic() - query.created > self.query_lifetime:
            raise ApiError(400, QUERY_TOO_OLD)
        query.answered = True
        return True

    def _existing(self, params: dict[str, Any]) -> SentMessage:
        if "inline_message_id" in params:
            raise ApiError(400, "Bad Request: MESSAGE_ID_INVALID")  # this server sends no inline messages
        key = (params["chat_id"], params["message_id"])
        if key not in self.messages:
            raise ApiError(400, NOT_FOUND)
        return self.messages[key]

    def _message_json(self, sent: SentMessage) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": sent.message_id,
            "date": int(time.time()),
            "chat": _chat(sent.chat_id, title=self.titles.get(sent.chat_id, GROUP_TITLE)),
            "from": BOT_USER,
        }
        if sent.photo:
            message["photo"] = [{"file_id": "p1", "file_unique_id": "u1", "width": 640, "height": 480}]
            if sent.text:
                message["caption"] = sent.text
        elif sent.poll is not None:
            message["poll"] = sent.poll
        else:
            message["text"] = sent.text
        if sent.reply_markup:
            message["reply_markup"] = sent.reply_markup
        return message

    # --- what users do ------------------------------------------------------------------------

    def _push(self, update: dict[str, Any]) -> int:
        update_id = next(self._update_ids)
        update["update_id"] = update_id
        query = update.get("callback_query")
        if isinstance(query, dict) and isinstance(query.get("id"), str) and query["id"] not in self.queries:
            sender = query.get("from")
            user_id = sender.get("id", 0) if isinstance(sender, dict) else 0
            self.queries[query["id"]] = CallbackQuery(query["id"], user_id, time.monotonic())
        self._updates.append(update)
        self._history.append(update)
        return update_id

    async def push(self, update: dict[str, Any], to: str | None = None) -> int:
        """Deliver any update, well-formed or not (its `update_id` is assigned); returns the id.

        A callback query in it with a string id can be answered like one from a tap. `to`: the
        webhook URL to post it to (by default, the webhooks take turns).
        """
        update_id = self._push(update)
        if to is not None:
            self._routes[update_id] = to
        await self._notify()
        return update_id

    def new_query_id(self) -> str:
        """A fresh callback query id, as Telegram would make for a tap."""
        return f"cq{next(self._callback_ids)}"

    async def release_polls(self) -> None:
        """Answer waiting and future getUpdates at once until `hold_polls` is set again."""
        self.hold_polls = False
        await self._notify()

    async def send_text(self, user: FakeUser, text: str) -> int:
        """The user sends a message (a command when it starts with "/") in their private chat."""
        return await self.group_text(user, user.id, text)

    def text_message(self, user: FakeUser | None, chat_id: int, text: str | None) -> dict[str, Any]:
        """A message as Telegram delivers it (a command when it starts with "/"; no text: a sticker)."""
        message: dict[str, Any] = {
            "message_id": 10_000 + next(self._update_ids),
            "date": int(time.time()),
            "chat": _chat(
                chat_id, user.first_name if user else "Learner", self.titles.get(chat_id, GROUP_TITLE)
            ),
        }
        if user is not None:
            message["from"] = user.as_json()
        if text is None:
            message["sticker"] = {
                "file_id": "s1",
                "file_unique_id": "su1",
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
            }
            return message
        message["text"] = text
        if text.startswith("/") and text.split():
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": utf16_len(text.split()[0])}]
        return message

    async def group_text(self, user: FakeUser, chat_id: int, text: str) -> int:
        """The user sends `text` in a chat: their private chat (their id) or a group (negative)."""
        if chat_id == user.id:
            self.strangers.discard(user.id)
        return await self.push({"message": self.text_message(user, chat_id, text)})

    async def poll_answer(self, user: FakeUser, poll_id: str, option_ids: list[int]) -> None:
        """The user answers a (non-anonymous) poll the bot sent; the poll's new state comes too."""
        persistent = [f"{poll_id}-{n}" for n in option_ids]
        answer = {
            "poll_answer": {
                "poll_id": poll_id,
                "user": user.as_json(),
                "option_ids": option_ids,
                "option_persistent_ids": persistent,
            }
        }
        state = self._voted(poll_id, option_ids)
        if state is None or self.poll_state is None:
            updates = [answer]
        else:
            updates = [answer, state] if self.poll_state == "after" else [state, answer]
        for update in updates:
            self._push(update)
        await self._notify()

    def _voted(self, poll_id: str, option_ids: list[int]) -> dict[str, Any] | None:
        """Count a vote in a poll the bot sent; its new state as a `poll` update (None: not ours)."""
        poll = next((m.poll for m in self.messages.values() if m.poll and m.poll["id"] == poll_id), None)
        if poll is None:
            return None
        for option in option_ids:
            if 0 <= option < len(poll["options"]):
                poll["options"][option]["voter_count"] += 1
        poll["total_voter_count"] += 1 if option_ids else 0
        return {"poll": copy.deepcopy(poll)}

    async def bot_removed(self, chat_id: int, by: FakeUser) -> None:
        """Someone removes the bot from a group."""
        await self.push(
            {
                "my_chat_member": {
                    "chat": _chat(chat_id),
                    "from": by.as_json(),
                    "date": int(time.time()),
                    "old_chat_member": _member("member"),
                    "new_chat_member": _member("left"),
                }
            }
        )

    async def bot_added(self, chat_id: int, by: FakeUser, status: str = "member", old: str = "left") -> None:
        """Someone adds the bot to a group (`status` "administrator": as an admin), or changes its
        status there (`old` "member", say, for a promotion)."""
        new = _member(status)
        if status == "administrator":
            rights = ["manage_chat", "delete_messages", "manage_video_chats", "restrict_members",
                      "promote_members", "change_info", "invite_users", "post_stories", "edit_stories",
                      "delete_stories"]  # fmt: skip
            new.update({f"can_{right}": False for right in rights})
            new.update(can_be_edited=False, is_anonymous=False)
        await self.push(
            {
                "my_chat_member": {
                    "chat": _chat(chat_id),
                    "from": by.as_json(),
                    "date": int(time.time()),
                    "old_chat_member": _member(old),
                    "new_chat_member": new,
                }
            }
        )

    async def member_update(self, user: FakeUser, old: str, new: str) -> None:
        """The user blocks ("kicked") or unblocks ("member") the bot in their private chat."""
        await self.push(
            {
                "my_chat_member": {
                    "chat": {"id": user.id, "type": "private", "first_name": user.first_name},
                    "from": user.as_json(),
                    "date": int(time.time()),
                    "old_chat_member": _member(old),
                    "new_chat_member": _member(new),
                }
            }
        )

    def tap_update(
        self, user: FakeUser, sent: SentMessage | None, data: str | None, *, chat_id: int | None = None
    ) -> dict[str, Any]:
        """The callback query a tap makes: under `sent` (inaccessible once the message was deleted),
        or, with no message, under an inline message (which carries no chat)."""
        query: dict[str, Any] = {
            "id": self.new_query_id(),
            "from": user.as_json(),
            "chat_instance": f"ci{chat_id if chat_id is not None else user.id}",
        }
        if data is not None:
            query["data"] = data
        if sent is None:
            query["inline_message_id"] = f"inline{next(self._callback_ids)}"
        elif (sent.chat_id, sent.message_id) in self.messages:
            query["message"] = self._message_json(sent)
        else:  # deleted: Telegram sends an InaccessibleMessage (date 0)
            query["message"] = {"chat": _chat(sent.chat_id), "message_id": sent.message_id, "date": 0}
        return {"callback_query": query}

    async def tap(self, user: FakeUser, sent: SentMessage, data: str) -> str:
        """The user taps a button carrying `data` under `sent`; returns the callback query id.

        A tap with forged data is the same call with data no button of the bot carries. A tap on
        a message since deleted carries an inaccessible message, as Telegram's does.
        """
        update = self.tap_update(user, sent, data)
        await self.push(update)
        return str(update["callback_query"]["id"])

    async def tap_inline(self, user: FakeUser, data: str) -> str:
        """The user taps a button under an inline message (no chat, no message); returns the query id."""
        update = self.tap_update(user, None, data)
        await self.push(update)
        return str(update["callback_query"]["id"])

    def delete(self, chat_id: int, message_id: int) -> None:
        """The user deletes a message for everyone: edits of it fail, taps on it are inaccessible."""
        self.messages.pop((chat_id, message_id), None)

    async def resend(self, query_id: str) -> None:
        """Telegram resends a callback query (as after a reconnect): same query, new update id."""
        for update in reversed(self._history):
            query = update.get("callback_query")
            if query and query["id"] == query_id:
                await self.push({"callback_query": dict(query)})
                return
        raise AssertionError(f"no callback query {query_id}")

    # --- waiting on the bot -------------------------------------------------------------------

    async def wait_for(
        self,
        method: str,
        where: Callable[[Request], bool] = lambda _r: True,
        after: int = 0,
        within: float = 5.0,
    ) -> Request:
        """The first request `method` (from index `after` on) matching `where`, waiting for it."""
        assert self._changed is not None
        deadline = time.monotonic() + within
        while True:
            for request in self.requests[after:]:
                if request.method == method and where(request):
                    return request
            after = max(after, len(self.requests))  # checked: never again
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                seen = [(r.method, str(r.params.get("text", ""))[:60]) for r in self.requests[-20:]]
                raise AssertionError(f"the bot did not call {method} in {within}s; its last calls: {seen}")
            async with self._changed:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), remaining)

    def calls(self, method: str, after: int = 0) -> list[Request]:
        """Every call to `method` from index `after` on."""
        return [r for r in self.requests[after:] if r.method == method]

    def mark(self) -> int:
        """An index to wait and count from: only requests made after now."""
        return len(self.requests)

    def message(self, request: Request) -> SentMessage:
        """The message a send or edit request produced or changed, as it stands now."""
        chat_id = int(request.params["chat_id"])
        message_id = request.params.get("message_id") or request.result["message_id"]
        return self.messages[(chat_id, int(message_id))]


def update_type(update: dict[str, Any]) -> str | None:
    """The kind of an update: the name of its one field besides `update_id` (None if it has none)."""
    return next((key for key in update if key != "update_id"), None)


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, as Telegram measures entity offsets and lengths."""
    return len(text.encode("utf-16-le")) // 2


def _chat(chat_id: int, first_name: str = "Learner", title: str = "Class 3B") -> dict[str, Any]:
    if chat_id < 0:
        return {"id": chat_id, "type": "supergroup", "title": title}
    return {"id": chat_id, "type": "private", "first_name": first_name}


def _member(status: str) -> dict[str, Any]:
    member: dict[str, Any] = {"user": BOT_USER, "status": status}
    if status == "kicked":
        member["until_date"] = 0
    return member


def _error(code: int, description: str, parameters: dict[str, Any] | None = None) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return web.json_response(body, status=code)


async def _params(request: web.Request) -> dict[str, Any]:
    """The call's parameters as sent: form values as strings, uploaded files as they are."""
    if request.content_type == "application/json":
        data = await request.json()
        return dict(data) if isinstance(data, dict) else {}
    form = await request.post()
    return dict(form.items())
