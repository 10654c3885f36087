"""The nudge sweep (a repeating JobQueue job) and blocked/unblocked updates."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import timedelta

from telegram import ChatMember, ChatMemberUpdated, Update
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import ChatMemberHandler, ExtBot

from bot.context import BotData, RetainApp, RetainContext
from bot.markup import markup
from bot.tutor.nudging import NudgeTask
from bot.tutor.results import NudgeContent
from bot.views.reminders import nudge_text
from bot.views.revise import prompt_keyboard

log = logging.getLogger(__name__)

SWEEP_EVERY = 60  # seconds
BATCH = 500  # learners claimed per database transaction
IN_FLIGHT = 64  # sends waiting on the rate limiter at once
SEND_ATTEMPTS = 4
GONE = ("chat not found", "user is deactivated", "bot was blocked")


@dataclass
class SweepReport:
    """What one sweep did."""

    sent: int = 0
    blocked: int = 0
    failed: int = 0
    skipped_stale: int = 0
    skipped_goal: int = 0
    nothing_to_ask: int = 0
    errors: list[str] = field(default_factory=list)


async def send_nudge(
    bot: ExtBot[int], data: BotData, task: NudgeTask, content: NudgeContent, retry_base: float
) -> str:
    """Send one prepared nudge, retrying transient failures with backoff; returns what happened."""
    tutor = data.tutor
    nudger = tutor.nudges
    text = nudge_text(tutor.bank, content.prompt, content.streak, task.backoff_notice, content.tip)
    keyboard = markup(prompt_keyboard(content.prompt))
    for attempt in range(SEND_ATTEMPTS):
        try:
            await bot.send_message(task.learner_id, text, parse_mode=ParseMode.HTML, reply_markup=keyboard)
            return "sent"
        except Forbidden:
            await nudger.set_active(task.learner_id, False)
            return "blocked"
        except BadRequest as exc:
            if any(reason in exc.message.lower() for reason in GONE):
                await nudger.set_active(task.learner_id, False)
                return "blocked"
            log.warning("Nudge to a learner rejected: %s", exc.message)
            break
        except RetryAfter as exc:  # the limiter's own retries ran out: wait as told, then try again
            await asyncio.sleep(_seconds(exc.retry_after))
        except TelegramError as exc:  # timeouts, network and server errors
            log.info("Nudge send failed (attempt %d): %s", attempt + 1, exc)
            await asyncio.sleep(retry_base * 2**attempt)
    await nudger.release(task)
    return "failed"


def _seconds(value: timedelta | float) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


async def run_sweep(bot: ExtBot[int], data: BotData, retry_base: float = 1.0) -> SweepReport:
    """Send every nudge due now; one sweep at a time."""
    lock = data.nudge_sweep
    report = SweepReport()
    if lock.locked():
        return report  # the previous sweep is still sending: it will pick these up
    async with lock:
        tutor = data.tutor
        nudger = tutor.nudges
        now = nudger.clock()
        gate = asyncio.Semaphore(IN_FLIGHT)

        async def one(task: NudgeTask, content: NudgeContent | None) -> str:
            if content is None:
                return "nothing"
            async with gate:
                try:
                    return await send_nudge(bot, data, task, content, retry_base)
                except Exception as exc:  # one learner's failure never stops the sweep
                    log.exception("Nudge failed")
                    report.errors.append(repr(exc))
                    await nudger.release(task)
                    return "failed"

        def count(outcomes: list[str]) -> None:
            for outcome in outcomes:
                if outcome == "sent":
                    report.sent += 1
                elif outcome == "blocked":
                    report.blocked += 1
                elif outcome == "nothing":
                    report.nothing_to_ask += 1
                else:
                    report.failed += 1

        sending: asyncio.Future[list[str]] | None = None
        while True:
            # The next batch is claimed and prepared while the previous one is still sending.
            tasks, counts = await nudger.claim_due(now, BATCH)
            report.skipped_stale += counts.skipped_stale
            report.skipped_goal += counts.skipped_goal
            if not tasks and not counts.skipped_stale and not counts.skipped_goal:
                break
            # All the batch's database work in one transaction; then only sending remains.
            tipped = [task.learner_id for task in tasks if task.with_tip]
            contents = await tutor.practice.nudge_prompts([task.learner_id for task in tasks], tipped)
            if sending is not None:
                count(await sending)
            sending = asyncio.ensure_future(
                asyncio.gather(*(one(task, contents.get(task.learner_id)) for task in tasks))
            )
        if sending is not None:
            count(await sending)
    if report.sent or report.blocked or report.failed:
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
