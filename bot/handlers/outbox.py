"""One message of an outbox sweep (nudges, homework), sent with the retries every sweep shares.

A 403 or a chat that is gone means blocked; a timeout means probably delivered (never sent again);
a 429 past the limiter's own retries waits as told; network and server errors are tried again a
few times, then left for a later sweep.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TypeVar

from telegram import InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError, TimedOut
from telegram.ext import ExtBot

log = logging.getLogger(__name__)

Job = TypeVar("Job")
Outcome = TypeVar("Outcome")

SEND_ATTEMPTS = 3  # quick tries of a transient failure before it is left for a later sweep
# A 400 that means the chat is gone for good: treated like a block.
GONE = ("chat not found", "user is deactivated", "bot was blocked")


@dataclass(frozen=True)
class Sent:
    """How a send went: status is "sent", "unsure", "blocked" or "failed" (the values both
    outboxes' status enumerations share); `permanent` when trying again cannot help."""

    status: str
    message_id: int | None = None
    error: str = ""
    permanent: bool = False


def seconds(value: timedelta | float) -> float:
    """A 429's retry_after in seconds, whichever type python-telegram-bot gives it as."""
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


async def send(
    bot: ExtBot[int],
    chat_id: int,
    text: str,
    keyboard: InlineKeyboardMarkup | None,
    retry_base: float,
    what: str,
) -> Sent:
    """Send one HTML message of a sweep; `what` names it in the log ("Nudge", "Homework")."""
    error = ""
    for attempt in range(SEND_ATTEMPTS):
        try:
            message = await bot.send_message(chat_id, text, parse_mode=ParseMode.HTML, reply_markup=keyboard)
        except Forbidden:
            return Sent("blocked")
        except BadRequest as exc:
            if any(reason in exc.message.lower() for reason in GONE):
                return Sent("blocked")
            log.warning("%s rejected: %s", what, exc.message)
            return Sent("failed", error=exc.message, permanent=True)
        except TimedOut as exc:  # Telegram may well have delivered it: sending again could double it
            return Sent("unsure", error=str(exc))
        except RetryAfter as exc:  # the limiter's own retries ran out: wait as told, then try again
            await asyncio.sleep(seconds(exc.retry_after))
            error = "flood control"
        except TelegramError as exc:  # network and server errors: not delivered
            log.info("%s send failed (attempt %d): %s", what, attempt + 1, exc)
            error = str(exc)
            await asyncio.sleep(retry_base * 2**attempt)
        else:
            return Sent("sent", message.message_id)
    return Sent("failed", error=error)


async def drain(
    lock: asyncio.Lock,
    lease: Callable[[], Awaitable[Sequence[Job] | None]],
    send: Callable[[Job], Awaitable[Outcome]],
    record: Callable[[Sequence[Outcome]], Awaitable[None]],
) -> None:
    """Lease a batch, send it (all at once), record what became of each, until the lease gives
    None; one drain at a time per `lock` (a sweep still sending leaves the next to pick them up)."""
    if lock.locked():
        return
    async with lock:
        while (jobs := await lease()) is not None:
            await record(await asyncio.gather(*(send(job) for job in jobs)))
