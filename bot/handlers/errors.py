"""Updates that cannot be handled, and handling that fails: nothing stops the bot, nobody waits.

Three lines of defence, in the order an update meets them:

1. `UpdatesRequest` reads every update `getUpdates` returns before python-telegram-bot does. One
   the library cannot parse would otherwise make the whole batch fail, again on every poll (the
   offset never moves past it), so no later update is ever handled and each attempt logs the
   batch. It is logged once instead (its id and type, never its contents) and replaced by an
   empty update with the same id, so polling moves on.
2. `screen` sees every update first and turns away those no feature can take: a skipped update,
   a tap with no data, under an inline message or under a message since deleted (answered with a
   short notice, nothing recorded), a message with no chat or no sender.
3. `on_error` logs what still fails and, in a private chat, tells the learner.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from telegram import Update
from telegram.constants import ChatType
from telegram.error import Forbidden, NetworkError, TelegramError
from telegram.ext import ApplicationHandlerStop, TypeHandler
from telegram.request import HTTPXRequest

from bot.codec import Action, BadCallback, decode
from bot.context import RetainApp, RetainContext
from bot.handlers.common import acknowledge
from bot.metrics import chat_kind, update_kind
from bot.views.common import button_elsewhere, message_gone, something_went_wrong, stale_button

log = logging.getLogger(__name__)


class Outage:
    """Whether Telegram is answering: an outage is logged once when it starts and once when it ends."""

    def __init__(self) -> None:
        self.since: float | None = None  # when Telegram stopped answering (monotonic)

    def failed(self, error: Exception) -> None:
        """A request got no answer."""
        if self.since is None:
            self.since = time.monotonic()
            log.warning("Telegram cannot be reached (%s); retrying until it can", type(error).__name__)

    def answered(self) -> None:
        """A request got an answer."""
        if self.since is not None:
            lasted, self.since = time.monotonic() - self.since, None
            log.info("Telegram can be reached again, after %.0f s", lasted)


class WatchedRequest(HTTPXRequest):
    """A connection to the Bot API that reports to an `Outage` whether Telegram answers."""

    def __init__(self, outage: Outage | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.outage = outage or Outage()

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        """Make the request, noting an answer or its absence."""
        try:
            answer = await super().do_request(*args, **kwargs)
        except NetworkError as exc:  # TimedOut included: no answer from Telegram
            self.outage.failed(exc)
            raise
        self.outage.answered()
        return answer


class UpdatesRequest(WatchedRequest):
    """The `getUpdates` connection, checking each update before python-telegram-bot parses the batch
    (`ApplicationBuilder.get_updates_request`: no other call uses it).

    `skipped` maps the id of each update replaced because it could not be read to the callback
    query it carried (None for other kinds), for `screen` to answer.
    """

    def __init__(self, outage: Outage | None = None, **kwargs: Any) -> None:
        super().__init__(outage, **kwargs)
        self.skipped: dict[int, str | None] = {}

    def parse_json_payload(self, payload: bytes) -> dict[str, Any]:  # type: ignore[override]
        """The answer to a `getUpdates` call (the only call made on this connection), checked."""
        data = super().parse_json_payload(payload)
        result = data.get("result")
        if data.get("ok") and isinstance(result, list):
            data["result"] = [self.readable(raw) for raw in result if update_id(raw) is not None]
        return data

    def readable(self, raw: Any) -> Any:
        """`raw` if python-telegram-bot can parse it; otherwise an empty update with its id."""
        try:
            Update.de_json(dict(raw), None)
        except Exception as exc:  # anything the parser raises: this update cannot be read
            return self._skip(raw, exc)
        return raw

    def decoded(self, raw: Any, bot: Any) -> Update:
        """A posted update (webhook mode) decoded once; an unreadable one as an empty update with
        its id, skipped like those `getUpdates` returns."""
        try:
            return Update.de_json(dict(raw), bot)
        except Exception as exc:  # anything the parser raises: this update cannot be read
            return Update.de_json(self._skip(raw, exc), bot)

    def _skip(self, raw: Any, exc: Exception) -> dict[str, Any]:
        """Log an unreadable update once (never its contents) and remember its tap to answer."""
        number, kind = update_id(raw), _kind(raw)
        log.warning("Skipped update %s (%s): it cannot be read (%s)", number, kind, type(exc).__name__)
        query = raw.get(kind) if kind == Update.CALLBACK_QUERY else None
        query_id = query.get("id") if isinstance(query, dict) else None
        if len(self.skipped) > 1000:
            self.skipped.clear()
        self.skipped[int(number or 0)] = query_id if isinstance(query_id, str) else None
        return {"update_id": number}


def update_id(raw: Any) -> int | None:
    """A raw update's id (None when it has none, or not a whole number)."""
    update_id = raw.get("update_id") if isinstance(raw, dict) else None
    return update_id if isinstance(update_id, int) and not isinstance(update_id, bool) else None


def _kind(raw: dict[str, Any]) -> str:
    """The update's type, for the log: the name of its one field besides `update_id`."""
    return next((str(key)[:32] for key in raw if key != "update_id"), "nothing")


def screen(skipped: dict[int, str | None]) -> TypeHandler[Update, RetainContext, None]:
    """A handler, run before every other, that turns away updates no feature can take."""

    async def turn_away(update: Update, context: RetainContext) -> None:
        if update.update_id in skipped:
            query_id = skipped.pop(update.update_id)
            if query_id is not None:
                try:
                    await context.bot.answer_callback_query(query_id)
                except TelegramError as exc:
                    log.warning("Could not answer a skipped callback query: %s", exc)
            raise ApplicationHandlerStop
        query = update.callback_query
        if query is not None:
            reason = _unfit_tap(update)
            if reason is not None:
                await acknowledge(query, reason)
                raise ApplicationHandlerStop
            return
        for change in (update.my_chat_member, update.chat_member):
            if change is not None and (change.chat is None or change.new_chat_member is None):
                raise ApplicationHandlerStop
        message = update.message or update.edited_message
        if message is not None and (message.chat is None or message.from_user is None):
            raise ApplicationHandlerStop  # no chat to answer in, or nobody to answer for

    return TypeHandler(Update, turn_away)


def _unfit_tap(update: Update) -> str | None:
    """Why a tap cannot be taken (the notice for the learner), or None when it can."""
    query = update.callback_query
    if query is None:
        return None
    if query.from_user is None or not query.data:  # no data: not a button of ours
        return stale_button()
    if query.message is None:  # an inline message: not Retain's, and it has no chat
        return button_elsewhere()
    if not query.message.is_accessible:  # deleted, or too old to see (python-telegram-bot reads it
        return message_gone()  # as a Message dated 1970, not as an InaccessibleMessage)
    try:
        quiz = decode(query.data).action is Action.QUIZ
    except BadCallback:
        return None  # the features answer it ("expired")
    if quiz and query.message.chat.type == ChatType.PRIVATE:
        return stale_button()  # a class quiz answer only counts under the group's question
    return None


async def on_error(update: object, context: RetainContext) -> None:
    """Log the failure and, where possible, tell the learner nothing was lost."""
    error = context.error
    if isinstance(error, Forbidden):
        log.info("A user blocked the bot; nothing sent: %s", error)
        return
    if update is None and isinstance(error, NetworkError):
        log.debug("Polling failed: %s", error)  # an outage: `UpdatesRequest` says so once
        return
    kind, chat = update_kind(update), chat_kind(update)
    if isinstance(update, Update):
        context.bot_data.metrics.failures.labels(kind).inc()
    if isinstance(error, NetworkError):  # expected: Telegram did not answer (timeouts included)
        log.warning(
            "Update failed type=%s chat=%s: Telegram did not answer (%s)", kind, chat, type(error).__name__
        )
    else:  # a fault of ours: the traceback says where
        log.warning("Update failed type=%s chat=%s", kind, chat, exc_info=error)
    if isinstance(update, Update) and update.effective_chat and update.effective_chat.type == "private":
        try:
            await context.bot.send_message(update.effective_chat.id, something_went_wrong())
        except TelegramError:
            log.warning("Could not tell the user about the failure")


def register(app: RetainApp, skipped: dict[int, str | None] | None = None) -> None:
    """Add the screen (before every other handler) and the error handler."""
    app.add_handler(screen({} if skipped is None else skipped), group=-1)
    app.add_error_handler(on_error)
