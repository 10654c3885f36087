"""Mock exams whose time ran out with the learner away: a repeating job sends their results once.

The core ends each such mock and leases its results (`MockExams.lease`); this module sends them as
bulk sends (a learner's reply waiting always goes first) and reports each outcome back: sent,
timed out (probably delivered: never sent again), blocked, or failed (tried again after the lease).
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import CommandHandler, ExtBot, filters

from bot.context import BotData, RetainApp, RetainContext
from bot.handlers import outbox
from bot.handlers.class_quiz import is_admin
from bot.handlers.common import send, user_id
from bot.limiter import bulk_sends
from bot.markup import markup
from bot.presenters.mock import results_reply
from bot.tutor.class_quiz.results import StartStatus
from bot.tutor.mock_results import MockDelivery, MockSendOutcome
from bot.ui import Send
from bot.views import class_quiz as quiz_views
from bot.views import mock as views

log = logging.getLogger(__name__)

SWEEP_EVERY = 30  # seconds: results arrive at most this long after the time is up
BATCH = 32  # mocks leased at a time


@dataclass
class MockSweepReport:
    """What one sweep did."""

    sent: int = 0
    unsure: int = 0
    blocked: int = 0
    failed: int = 0


async def send_results(
    bot: ExtBot[int], data: BotData, job: MockDelivery, retry_base: float
) -> MockSendOutcome:
    """Send one mock's results: the summary through the outbox's retries, then the questions."""
    for old in job.replaced:  # the question left open loses its buttons
        with contextlib.suppress(TelegramError):
            await bot.edit_message_reply_markup(job.learner_id, old, reply_markup=None)
    parts = [
        op for op in results_reply(data.tutor.bank, job.results, views.time_ran_out()) if isinstance(op, Send)
    ]
    first, rest = parts[0], parts[1:]
    sent = await outbox.send(
        bot, job.learner_id, first.text, markup(first.keyboard), retry_base, "Mock results"
    )
    if sent.status in ("sent", "unsure"):  # a timed-out summary most likely arrived: its details follow
        for part in rest:  # each with the same retries (a 429 or a timeout must not lose the buttons)
            detail = await outbox.send(
                bot, job.learner_id, part.text, markup(part.keyboard), retry_base, "Mock results detail"
            )
            if detail.status not in ("sent", "unsure"):
                log.info("Mock results detail not sent (%s); the rest is left out", detail.status)
                break
    return MockSendOutcome(job.set_id, sent.status, sent.permanent)


async def run_mock_sweep(bot: ExtBot[int], data: BotData, retry_base: float = 1.0) -> MockSweepReport:
    """Send the results of mocks whose time ran out, a leased batch at a time; one sweep at a time."""
    report = MockSweepReport()
    service = data.tutor.mock
    now = service.core.clock()

    async def lease() -> list[MockDelivery] | None:
        return await service.lease(now, BATCH) or None

    async def one(job: MockDelivery) -> MockSendOutcome:
        try:
            with bulk_sends():
                outcome = await send_results(bot, data, job, retry_base)
        except Exception:  # one learner's failure never stops the sweep
            log.exception("Mock results send failed")
            outcome = MockSendOutcome(job.set_id, "failed")
        setattr(report, outcome.status, getattr(report, outcome.status) + 1)
        return outcome

    await outbox.drain(data.mock_sweep, lease, one, service.record)
    if report.sent or report.unsure or report.blocked or report.failed:
        log.info("Mock sweep: %s", report)
    return report


async def sweep_job(context: RetainContext) -> None:
    """The repeating job: send the results of mocks whose time is up."""
    await run_mock_sweep(context.bot, context.bot_data)


async def class_mock_command(update: Update, context: RetainContext) -> None:
    """/mock in a group (admins): a class mock exam, its answers withheld until the results."""
    chat = update.effective_chat
    if chat is None:
        return
    member = user_id(update)
    refusals = context.bot_data.refusals
    if refusals.recent(chat.id, member):
        return  # told a moment ago: saying it again would only spend the group's message allowance
    admin = await is_admin(context, chat.id, member)
    result = await context.tutor.class_quiz.mock_command(chat.id, member, admin)
    if result.status is StartStatus.NOT_ALLOWED:
        refusals.note(chat.id, member)
        await send(context, chat.id, views.class_admins_only())
    elif result.status is StartStatus.RUNNING:
        await send(context, chat.id, quiz_views.quiz_running())
    elif result.status is StartStatus.EMPTY:
        await send(context, chat.id, views.class_empty())
    elif result.status is StartStatus.OK and result.first is not None:
        course = quiz_views.class_course(context.tutor.bank, result.course)
        await send(context, chat.id, views.class_started(result.first, course, result.written))
    context.bot_data.quiz_runner.submit(result.effects)


def register(app: RetainApp, every: float | None = SWEEP_EVERY) -> None:
    """Add /mock in groups, and schedule the sweep every `every` seconds."""
    app.add_handler(CommandHandler("mock", class_mock_command, filters=filters.ChatType.GROUPS))
    if app.job_queue is not None and every is not None:
        app.job_queue.run_repeating(
            sweep_job,
            interval=every,
            first=min(5.0, every),
            name="mock-sweep",
            job_kwargs={"max_instances": 1, "coalesce": True, "misfire_grace_time": max(1, int(every))},
        )
