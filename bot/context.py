"""The typed handler context: how handlers reach the core and the adapter's services (no globals)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from telegram.ext import Application, CallbackContext, ExtBot, JobQueue

from bot.metrics import Metrics
from bot.tutor.tutor import Tutor

if TYPE_CHECKING:
    from bot.receipts import Receipts
    from bot.refusals import Refusals
    from bot.runner import QuizRunner


class BotData:
    """`context.bot_data`: the services handlers use, set once by the composition root."""

    tutor: Tutor
    quiz_runner: QuizRunner
    receipts: Receipts
    refusals: Refusals
    nudge_sweep: asyncio.Lock
    homework_sweep: asyncio.Lock
    mock_sweep: asyncio.Lock
    metrics: Metrics
    # An update as received (JSON) and the bot, decoded once: an unreadable one becomes an empty
    # update with its id, skipped as polling skips it (bot/handlers/errors.py); the webhook uses it.
    decoded: Callable[[Any, Any], Any]


class RetainContext(CallbackContext[ExtBot[int], dict[Any, Any], dict[Any, Any], BotData]):
    """CallbackContext whose `bot_data` is a `BotData`."""

    @property
    def tutor(self) -> Tutor:
        """The tutor core."""
        return self.bot_data.tutor


# ExtBot[int]: the rate limiter (bot/limiter.py) takes an int per call (its retries after a 429).
RetainApp = Application[
    ExtBot[int], RetainContext, dict[Any, Any], dict[Any, Any], BotData, JobQueue[RetainContext]
]
