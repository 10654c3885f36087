"""The nudge sweep (a repeating JobQueue job) and blocked/unblocked updates.

The core leases a few nudges at a time from the outbox with their prompts ready; this module sends
them through the rate limiter and reports each outcome back: delivered, timed out (probably
delivered: never sent again), failed (retried later unless permanent) or blocked.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field

from telegram import ChatMember, ChatMemberUpdated, Update
from telegram.constants import ChatType
from telegram.error import BadRequest
from telegram.ext import ChatMemberHandler, ExtBot

from bot.context import BotData, RetainApp, RetainContext
from bot.handlers import outbox
from bot.limiter import bulk_sends
from bot.markup import markup
from bot.tutor.nudging import NudgeJob, NudgeStatus, SendOutcome
from bot.views.reminders import nudge_text
from bot.views.revise import prompt_keyboard

log = logging.getLogger(__name__)

SWEEP_EVERY = 60  # seconds
BATCH = 32  # nudges leased at a time (with the next batch prepared meanwhile: 64 in flight at most)
FLUSH_EVERY = 0.02  # seconds between batches of recorded outcomes


@dataclass
class SweepReport:
    """What one sweep did."""

    sent: int = 0
    unsure: int = 0  # timed out: probably delivered, not sent again
    blocked: int = 0
    failed: int = 0
    skipped_stale: int = 0
    skipped_goal: int = 0
    errors: list[str] = field(default_factory=list)

    def count(self, outcome: SendOutcome) -> None:
        """Add one send's outcome."""
        if outcome.status is NudgeStatus.SENT:
            self.sent += 1
        elif outcome.status is NudgeStatus.UNSURE:
            self.unsure += 1
        elif outcome.status is NudgeStatus.BLOCKED:
            self.blocked += 1
        else:
            self.failed += 1


async def send_nudge(bot: ExtBot[int], data: BotData, job: NudgeJob, retry_base: float) -> SendOutcome:
    """Send one leased nudge; returns what happened (the sweep reports it to the core)."""
    content = job.content
    text = nudge_text(
        data.tutor.bank, content.prompt, content.streak, job.backoff_notice, content.tip, content.exam
    )
    keyboard = markup(prompt_keyboard(content.prompt))
    sent = await outbox.send(bot, job.learner_id, text, keyboard, retry_base, "Nudge")
    if sent.status == NudgeStatus.SENT:
        for old in content.replaced:  # the prompt this nudge replaced keeps no live buttons
            with contextlib.suppress(BadRequest):
                await bot.edit_message_reply_markup(job.learner_id, old, reply_markup=None)
    return SendOutcome(job.nudge_id, NudgeStatus(sent.status), sent.message_id, sent.error, sent.permanent)


class OutcomeWriter:
    """Reports send outcomes to the core in small batches, a few milliseconds apart, so that a crash
    finds few sends delivered but not yet recorded, and the database is not asked once per send."""

    def __init__(self, data: BotData) -> None:
        self.nudger = data.tutor.nudges
        self.waiting: list[SendOutcome] = []
        self._wake = asyncio.Event()
        self._closing = False
        self._idle = asyncio.Event()
        self._idle.set()
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def drain(self) -> None:
        """Wait until every outcome so far is recorded."""
        await self._idle.wait()

    def add(self, outcome: SendOutcome) -> None:
        """Queue an outcome to record."""
        self.waiting.append(outcome)
        self._idle.clear()
        self._wake.set()

    async def _run(self) -> None:
        while not (self._closing and not self.waiting):
            await self._wake.wait()
            self._wake.clear()
            await asyncio.sleep(FLUSH_EVERY)
            batch, self.waiting = self.waiting, []
            try:
                await self.nudger.record(batch)
            except Exception:  # unrecorded sends are sent again when their leases run out
                log.exception("Could not record nudge outcomes")
            if not self.waiting:
                self._idle.set()

    async def close(self) -> None:
        """Record everything still waiting."""
        self._closing = True
        self._wake.set()
        await self._task


async def run_sweep(bot: ExtBot[int], data: BotData, retry_base: float = 1.0) -> SweepReport:
    """Send every nudge due now, a leased handful at a time; one sweep at a time per process."""
    lock = data.nudge_sweep
    report = SweepReport()
    if lock.locked():
        return report  # the previous sweep is still sending: it will pick these up
    async with lock:
        nudger = data.tutor.nudges
        now = nudger.clock()
        writer = OutcomeWriter(data)

        async def one(job: NudgeJob) -> None:
            try:
                with bulk_sends():  # a nudge waits while any learner's reply is waiting to be sent
                    outcome = await send_nudge(bot, data, job, retry_base)
            except Exception as exc:  # one learner's failure never stops the sweep
                log.exception("Nudge failed")
                report.errors.append(repr(exc))
                outcome = SendOutcome(job.nudge_id, NudgeStatus.FAILED, error=repr(exc))
            writer.add(outcome)
            report.count(outcome)

        sending: asyncio.Future[list[None]] | None = None
        try:
            while True:
                # The next batch is leased (and its prompts chosen) while the last one is sending,
                # so at most two batches are ever leased and unconfirmed.
                jobs, counts = await nudger.lease(now, BATCH)
                report.skipped_stale += counts.skipped_stale
                report.skipped_goal += counts.skipped_goal
                if sending is not None:
                    await sending
                    await writer.drain()
                    data.metrics.sweep_progressed(nudger.clock())
                    sending = None
                if not counts.anything:
                    break
                sending = asyncio.ensure_future(asyncio.gather(*(one(job) for job in jobs)))
        finally:
            if sending is not None:
                await sending
            await writer.close()
    data.metrics.sweep_progressed(nudger.clock())
    for outcome, count in (
        ("sent", report.sent),
        ("unsure", report.unsure),
        ("blocked", report.blocked),
        ("failed", report.failed),
    ):
        if count:
            data.metrics.nudges.labels(outcome).inc(count)
    if report.sent or report.blocked or report.failed or report.unsure:
        log.info("Nudge sweep: %s", report)
    return report


async def sweep_job(context: RetainContext) -> None:
    """The repeating job: sweep due nudges."""
    await run_sweep(context.bot, context.bot_data)


async def on_my_chat_member(update: Update, context: RetainContext) -> None:
    """A learner blocked or unblocked the bot in their private chat."""
    change: ChatMemberUpdated | None = update.my_chat_member
    if change is None or change.chat.type != ChatType.PRIVATE:
        return
    blocked = change.new_chat_member.status in (ChatMember.BANNED,)
    await context.tutor.nudges.set_active(change.chat.id, not blocked)


def register(app: RetainApp, every: float | None = SWEEP_EVERY) -> None:
    """Schedule the sweep every `every` seconds and listen for blocks."""
    app.add_handler(ChatMemberHandler(on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER))
    if app.job_queue is not None and every is not None:
        app.job_queue.run_repeating(
            sweep_job,
            interval=every,
            first=min(5.0, every),
            name="nudge-sweep",
            job_kwargs={"max_instances": 1, "coalesce": True, "misfire_grace_time": max(1, int(every))},
        )
