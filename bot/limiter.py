"""Replies first: a rate limiter that keeps Telegram's limits and serves interactive replies before
bulk sends (nudges), which use only the budget replies leave.

Telegram allows a bot about 30 messages a second overall and 20 a minute in one group. Every
request that names a chat spends the overall budget; a request to a group spends that group's
too. Requests that name no chat (answering a button's tap, reading a chat member) cost nothing,
as in python-telegram-bot's own `AIORateLimiter`.

The overall budget is a token bucket refilled at the allowed rate, holding a tenth of a second's
worth: a second's sends bunched into one instant can draw a 429, which pauses everything. When
the bucket is empty, requests wait in two queues, and each token that comes goes to the oldest
interactive request first; a bulk request gets one only when no reply is waiting. So a learner's
verdict waits at most for the next token, however many nudges are queued.

A send is bulk when it is made inside `bulk_sends()` (a context variable, so the tasks a sweep
starts inherit it). A 429 (`RetryAfter`) pauses every request for the time Telegram asks, then the
request is tried again, up to `max_retries` times.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import time
import warnings
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from datetime import timedelta
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)

JSONDict = dict[str, Any]
SLICE = 0.1  # seconds of budget the bucket holds: sends are spread within each second
GROUP_WINDOW = 60.0  # seconds over which a group's limit is counted
PAUSE_MARGIN = 0.1  # seconds added to Telegram's retry_after before trying again
WHOLE = 1 - 1e-9  # a token, allowing for rounding in the refill arithmetic
MIN_WAIT = 1e-4  # seconds: the shortest wait for the next token

_bulk: contextvars.ContextVar[bool] = contextvars.ContextVar("retain_bulk_sends", default=False)


@contextlib.contextmanager
def bulk_sends() -> Iterator[None]:
    """Requests made in this block (and in tasks it starts) yield to interactive replies."""
    token = _bulk.set(True)
    try:
        yield
    finally:
        _bulk.reset(token)


def is_bulk() -> bool:
    """Whether requests made here are bulk sends."""
    return _bulk.get()


class _Bucket:
    """A token bucket with two queues of waiters: interactive ones are served first."""

    def __init__(
        self,
        rate: float,
        burst: float,
        clock: Callable[[], float],
        sleep: Callable[[float], Awaitable[None]],
    ) -> None:
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._sleep = sleep
        self._tokens = burst
        self._stamp = clock()
        self._replies: deque[asyncio.Future[None]] = deque()
        self._bulk: deque[asyncio.Future[None]] = deque()
        self._dispatcher: asyncio.Task[None] | None = None

    def _refill(self) -> None:
        now = self._clock()
        if now > self._stamp:
            self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
            self._stamp = now

    def pause(self, seconds: float) -> None:
        """Spend nothing for `seconds` (Telegram asked the bot to wait)."""
        self._tokens = 0.0
        self._stamp = max(self._stamp, self._clock() + seconds)

    @property
    def waiting(self) -> tuple[int, int]:
        """Interactive and bulk requests waiting for a token."""
        return len(self._replies), len(self._bulk)

    async def acquire(self, bulk: bool) -> None:
        """Wait for a token; interactive callers go before bulk ones."""
        self._refill()
        if not self._replies and (not bulk or not self._bulk) and self._tokens >= WHOLE:
            self._tokens -= 1
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        (self._bulk if bulk else self._replies).append(waiter)
        if self._dispatcher is None or self._dispatcher.done():
            self._dispatcher = asyncio.get_running_loop().create_task(self._dispatch())
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self._tokens += 1  # granted as the caller gave up: the token is not lost
            else:
                with contextlib.suppress(ValueError):
                    (self._bulk if bulk else self._replies).remove(waiter)
            raise

    def _next_waiter(self) -> asyncio.Future[None] | None:
        for queue in (self._replies, self._bulk):
            while queue:
                waiter = queue.popleft()
                if not waiter.done():
                    return waiter
        return None

    async def _dispatch(self) -> None:
        """Hand out tokens as they come, replies first, until nobody waits."""
        while self._replies or self._bulk:
            self._refill()
            if self._tokens >= WHOLE:
                waiter = self._next_waiter()
                if waiter is not None:
                    self._tokens -= 1
                    waiter.set_result(None)
                continue
            wait = max(self._stamp - self._clock(), 0.0) + (1 - self._tokens) / self.rate
            await self._sleep(max(wait, MIN_WAIT))


class _Window:
    """At most `limit` sends in any `window` seconds, for one group chat."""

    def __init__(self, limit: int, window: float, clock: Callable[[], float]) -> None:
        self._limit = limit
        self._window = window
        self._clock = clock
        self._sent: deque[float] = deque()
        self._lock = asyncio.Lock()

    def idle(self) -> bool:
        """Whether nothing was sent in the current window (the window can be forgotten)."""
        now = self._clock()
        return not self._sent or now - self._sent[-1] >= self._window

    async def acquire(self, sleep: Callable[[float], Awaitable[None]]) -> None:
        async with self._lock:  # in order of arrival
            while True:
                now = self._clock()
                while self._sent and now - self._sent[0] >= self._window:
                    self._sent.popleft()
                if len(self._sent) < self._limit:
                    self._sent.append(now)
                    return
                await sleep(self._window - (now - self._sent[0]))


class PriorityRateLimiter(BaseRateLimiter[int]):
    """Telegram's overall and per-group limits, interactive replies before bulk sends.

    `rate_limit_args`, when given to a request, is its number of retries after a 429.
    `clock` and `sleep` are for tests (a fake clock that never waits).
    """

    def __init__(
        self,
        per_second: float,
        group_per_minute: float,
        max_retries: int = 3,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        on_limited: Callable[[], None] | None = None,
    ) -> None:
        self._on_limited = on_limited  # told of every 429 (the metrics count them)
        self._clock = clock
        self._sleep = sleep
        self._bucket = _Bucket(per_second, max(1.0, per_second * SLICE), clock, sleep)
        self._group_limit = max(1, int(group_per_minute * GROUP_WINDOW / 60))
        self._groups: dict[int | str, _Window] = {}
        self._max_retries = max_retries
        self._resume = asyncio.Event()
        self._resume.set()

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""

    @property
    def waiting(self) -> tuple[int, int]:
        """Interactive and bulk requests waiting for the overall budget."""
        return self._bucket.waiting

    def _group(self, chat_id: int | str) -> _Window:
        if len(self._groups) > 512:
            for key in [k for k, window in self._groups.items() if window.idle() and k != chat_id]:
                del self._groups[key]
        window = self._groups.get(chat_id)
        if window is None:
            window = self._groups[chat_id] = _Window(self._group_limit, GROUP_WINDOW, self._clock)
        return window

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        """Wait for the budget the request needs, send it, and retry after a 429."""
        retries = self._max_retries if rate_limit_args is None else rate_limit_args
        chat_id = data.get("chat_id")
        with contextlib.suppress(ValueError, TypeError):
            chat_id = int(chat_id)  # type: ignore[arg-type]
        group = chat_id if (isinstance(chat_id, int) and chat_id < 0) or isinstance(chat_id, str) else None
        bulk = is_bulk()
        for attempt in range(retries + 1):
            if group is not None:
                await self._group(group).acquire(self._sleep)
            if chat_id is not None:
                await self._bucket.acquire(bulk)
            await self._resume.wait()
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                if self._on_limited is not None:
                    self._on_limited()
                if attempt == retries:
                    log.warning("%s: still limited by Telegram after %d retries", endpoint, retries)
                    raise
                with warnings.catch_warnings():  # an int today, a timedelta in the next major release
                    warnings.simplefilter("ignore")
                    asked = exc.retry_after
                seconds = (
                    asked.total_seconds() if isinstance(asked, timedelta) else float(asked)
                ) + PAUSE_MARGIN
                log.info("%s: Telegram asked to wait %.1f s; every send pauses", endpoint, seconds)
                self._bucket.pause(seconds)
                self._resume.clear()
                try:
                    await self._sleep(seconds)
                finally:
                    self._resume.set()
        raise AssertionError("unreachable")  # pragma: no cover
