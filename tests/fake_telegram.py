"""A fake Telegram Bot API server on 127.0.0.1, for end-to-end tests and benchmarks.

The bot under test is the real `telegram.ext.Application`, pointed here with `base_url`. The
server answers like Telegram (message ids, "message is not modified", 403 for a blocked user,
429 with `retry_after` when told to), feeds updates through `getUpdates`, and records every
request so tests can assert on what the bot sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

BOT_USER = {"id": 999000, "is_bot": True, "first_name": "Retain", "username": "retain_test_bot"}
_JSON_KEYS = {
    "reply_markup",
    "allowed_updates",
    "commands",
    "options",
    "correct_option_ids",
    "entities",
    "scope",
}
_INT_KEYS = {"chat_id", "message_id", "user_id", "offset", "limit", "timeout", "open_period"}
_BOOL_KEYS = {"is_anonymous", "shuffle_options"}


@dataclass
class Request:
    """One call the bot made."""

    method: str
    params: dict[str, Any]
    index: int
    result: Any = None


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
class Failure:
    """A failure to return for the next matching calls."""

    method: str
    code: int
    description: str
    retry_after: int | None = None
    times: int = 1
    chat_id: int | None = None  # only for sends to this chat


@dataclass
class FakeTelegram:
    """The fake server's state and the test-facing helpers."""

    token: str = "123456:TEST-TOKEN"
    requests: list[Request] = field(default_factory=list)
    messages: dict[tuple[int, int], SentMessage] = field(default_factory=dict)
    blocked: set[int] = field(default_factory=set)
    failures: list[Failure] = field(default_factory=list)
    _updates: list[dict[str, Any]] = field(default_factory=list)
    _update_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _message_ids: dict[int, itertools.count[int]] = field(default_factory=dict)
    _callback_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _history: list[dict[str, Any]] = field(default_factory=list)
    _poll_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    admins: dict[int, set[int]] = field(default_factory=dict)  # group chat id -> admin user ids
    polls_barred: set[int] = field(default_factory=set)  # groups where the bot may not send polls
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
        """Stop listening."""
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
        params = await _params(request)
        record = Request(method, params, len(self.requests))
        if self.rate_limit is not None and method.startswith("send"):
            clock = time.monotonic()
            if self._tokens < 0:
                self._tokens = self.rate_limit
            self._tokens = min(self.rate_limit, self._tokens + (clock - self._refilled_at) * self.rate_limit)
            self._refilled_at = clock
            if self._tokens < 1:
                self.too_many += 1
                return _error(429, "Too Many Requests: retry after 1", {"retry_after": 1})
            self._tokens -= 1
        try:
            for failure in self.failures:
                chat_matches = failure.chat_id is None or params.get("chat_id") == failure.chat_id
                if failure.method == method and failure.times > 0 and chat_matches:
                    failure.times -= 1
                    extra = {"retry_after": failure.retry_after} if failure.retry_after is not None else None
                    record.result = _ApiError(failure.code, failure.description)
                    return _error(failure.code, failure.description, extra)
            handler = getattr(self, f"_api_{method}", None)
            if handler is None:
                return _error(404, "Not Found: method not found")
            try:
                record.result = await handler(params)
            except _ApiError as exc:
                record.result = exc
                return _error(exc.code, exc.description)
            return web.json_response({"ok": True, "result": record.result})
        finally:
            # getUpdates polls are not interesting to tests and would flood the log.
            if method != "getUpdates":
                self.requests.append(record)
                await self._notify()

    async def _notify(self) -> None:
        assert self._changed is not None
        async with self._changed:
            self._changed.notify_all()

    # --- Bot API methods ----------------------------------------------------------------------

    async def _api_getMe(self, _params: dict[str, Any]) -> Any:
        return BOT_USER

    async def _api_deleteWebhook(self, _params: dict[str, Any]) -> Any:
        return True

    async def _api_setMyCommands(self, _params: dict[str, Any]) -> Any:
        return True

    async def _api_close(self, _params: dict[str, Any]) -> Any:
        return True

    async def _api_getUpdates(self, params: dict[str, Any]) -> Any:
        self.last_poll = params
        offset = int(params.get("offset") or 0)
        if offset:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        deadline = time.monotonic() + float(params.get("timeout") or 0)
        assert self._changed is not None
        while not self._updates and self.hold_polls and time.monotonic() < deadline:
            async with self._changed:
                try:
                    await asyncio.wait_for(self._changed.wait(), deadline - time.monotonic())
                except TimeoutError:
                    break
        return list(self._updates[: int(params.get("limit") or 100)])

    async def _api_sendMessage(self, params: dict[str, Any]) -> Any:
        chat_id = int(params["chat_id"])
        if chat_id in self.blocked:
            raise _ApiError(403, "Forbidden: bot was blocked by the user")
        message_id = next(self._message_ids.setdefault(chat_id, itertools.count(1)))
        sent = SentMessage(chat_id, message_id, params["text"], params.get("reply_markup"))
        self.messages[(chat_id, message_id)] = sent
        return self._message_json(sent)

    async def _api_sendPhoto(self, params: dict[str, Any]) -> Any:
        chat_id = int(params["chat_id"])
        if chat_id in self.blocked:
            raise _ApiError(403, "Forbidden: bot was blocked by the user")
        photo = params.get("photo")
        if photo is None or not hasattr(photo, "file"):
            raise _ApiError(400, "Bad Request: there is no photo in the request")
        data = photo.file.read()
        if not data.startswith(b"\x89PNG"):
            raise _ApiError(400, "Bad Request: IMAGE_PROCESS_FAILED")
        message_id = next(self._message_ids.setdefault(chat_id, itertools.count(1)))
        sent = SentMessage(
            chat_id, message_id, params.get("caption", ""), params.get("reply_markup"), photo=True
        )
        sent.image = data
        self.messages[(chat_id, message_id)] = sent
        return {
            **self._message_json(sent),
            "photo": [{"file_id": "p1", "file_unique_id": "u1", "width": 640, "height": 480}],
        }

    async def _api_sendPoll(self, params: dict[str, Any]) -> Any:
        chat_id = int(params["chat_id"])
        if chat_id in self.polls_barred:
            raise _ApiError(400, "Bad Request: not enough rights to send polls to the chat")
        if chat_id in self.blocked:
            raise _ApiError(403, "Forbidden: bot was kicked from the group chat")
        options = [o["text"] if isinstance(o, dict) else str(o) for o in params["options"]]
        message_id = next(self._message_ids.setdefault(chat_id, itertools.count(1)))
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
        return {**self._message_json(sent), "poll": sent.poll}

    async def _api_stopPoll(self, params: dict[str, Any]) -> Any:
        sent = self._existing(params)
        if sent.poll is None or sent.poll["is_closed"]:
            raise _ApiError(400, "Bad Request: poll has already been closed")
        sent.poll["is_closed"] = True
        return sent.poll

    async def _api_getChatMember(self, params: dict[str, Any]) -> Any:
        user = {"id": int(params["user_id"]), "is_bot": False, "first_name": "Member"}
        if int(params["user_id"]) in self.admins.get(int(params["chat_id"]), set()):
            return {"user": user, "status": "creator", "is_anonymous": False}
        return {"user": user, "status": "member"}

    async def _api_editMessageText(self, params: dict[str, Any]) -> Any:
        sent = self._existing(params)
        markup = params.get("reply_markup")
        if sent.text == params["text"] and sent.reply_markup == markup:
            raise _ApiError(
                400,
                "Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of the message",
            )
        sent.text, sent.reply_markup = params["text"], markup
        return self._message_json(sent)

    async def _api_editMessageReplyMarkup(self, params: dict[str, Any]) -> Any:
        sent = self._existing(params)
        markup = params.get("reply_markup")
        if sent.reply_markup == markup:
            raise _ApiError(400, "Bad Request: message is not modified")
        sent.reply_markup = markup
        return self._message_json(sent)

    async def _api_answerCallbackQuery(self, _params: dict[str, Any]) -> Any:
        return True

    def _existing(self, params: dict[str, Any]) -> SentMessage:
        key = (int(params["chat_id"]), int(params["message_id"]))
        if key not in self.messages:
            raise _ApiError(400, "Bad Request: message to edit not found")
        return self.messages[key]

    def _message_json(self, sent: SentMessage) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": sent.message_id,
            "date": int(time.time()),
            "chat": _chat(sent.chat_id),
            "from": BOT_USER,
            "text": sent.text,
        }
        if sent.reply_markup:
            message["reply_markup"] = sent.reply_markup
        return message

    # --- what users do ------------------------------------------------------------------------

    def _push(self, update: dict[str, Any]) -> int:
        update_id = next(self._update_ids)
        update["update_id"] = update_id
        self._updates.append(update)
        self._history.append(update)
        return update_id

    async def release_polls(self) -> None:
        """Answer waiting and future getUpdates at once until `hold_polls` is set again."""
        self.hold_polls = False
        await self._notify()

    async def send_text(self, user: FakeUser, text: str) -> int:
        """The user sends a message (a command when it starts with "/") in their private chat."""
        return await self.group_text(user, user.id, text)

    async def group_text(self, user: FakeUser, chat_id: int, text: str) -> int:
        """The user sends `text` in a chat: their private chat (their id) or a group (negative)."""
        message: dict[str, Any] = {
            "message_id": 10_000 + next(self._update_ids),
            "date": int(time.time()),
            "chat": _chat(chat_id, user.first_name),
            "from": user.as_json(),
            "text": text,
        }
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        update_id = self._push({"message": message})
        await self._notify()
        return update_id

    async def poll_answer(self, user: FakeUser, poll_id: str, option_ids: list[int]) -> None:
        """The user answers a (non-anonymous) poll the bot sent."""
        persistent = [f"{poll_id}-{n}" for n in option_ids]
        self._push(
            {
                "poll_answer": {
                    "poll_id": poll_id,
                    "user": user.as_json(),
                    "option_ids": option_ids,
                    "option_persistent_ids": persistent,
                }
            }
        )
        await self._notify()

    async def bot_removed(self, chat_id: int, by: FakeUser) -> None:
        """Someone removes the bot from a group."""
        self._push(
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
        await self._notify()

    async def member_update(self, user: FakeUser, old: str, new: str) -> None:
        """The user blocks ("kicked") or unblocks ("member") the bot in their private chat."""
        self._push(
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
        await self._notify()

    async def tap(self, user: FakeUser, sent: SentMessage, data: str) -> str:
        """The user taps a button carrying `data` under `sent`; returns the callback query id.

        A tap with forged data is the same call with data no button of the bot carries.
        """
        query_id = f"cq{next(self._callback_ids)}"
        self._push(
            {
                "callback_query": {
                    "id": query_id,
                    "from": user.as_json(),
                    "message": self._message_json(sent),
                    "chat_instance": f"ci{user.id}",
                    "data": data,
                }
            }
        )
        await self._notify()
        return query_id

    async def resend(self, query_id: str) -> None:
        """Telegram resends a callback query (as after a reconnect): same query, new update id."""
        for update in reversed(self._history):
            query = update.get("callback_query")
            if query and query["id"] == query_id:
                self._push({"callback_query": dict(query)})
                await self._notify()
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
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                seen = [(r.method, r.params.get("text", "")[:60]) for r in self.requests[after:]]
                raise AssertionError(f"the bot did not call {method} in {within}s; it called {seen}")
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


def _chat(chat_id: int, first_name: str = "Learner") -> dict[str, Any]:
    if chat_id < 0:
        return {"id": chat_id, "type": "supergroup", "title": "Class 3B"}
    return {"id": chat_id, "type": "private", "first_name": first_name}


def _member(status: str) -> dict[str, Any]:
    member: dict[str, Any] = {"user": BOT_USER, "status": status}
    if status == "kicked":
        member["until_date"] = 0
    return member


class _ApiError(Exception):
    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


def _error(code: int, description: str, parameters: dict[str, Any] | None = None) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return web.json_response(body, status=code)


async def _params(request: web.Request) -> dict[str, Any]:
    if request.content_type == "application/json":
        data = await request.json()
        return dict(data) if isinstance(data, dict) else {}
    form = await request.post()
    params: dict[str, Any] = {}
    for key, value in form.items():
        if not isinstance(value, str):
            params[key] = value  # an uploaded file
        elif key in _JSON_KEYS:
            params[key] = json.loads(value)
        elif key in _INT_KEYS and value.lstrip("-").isdigit():
            params[key] = int(value)
        elif key in _BOOL_KEYS:
            params[key] = value == "true"
        else:
            params[key] = value
    return params
