"""Homework: /homework in a group (admins), opening its link in private, and the sweep that delivers
each pupil's set and the reminders (a repeating JobQueue job, like the nudge sweep).

The core leases a few pupils at a time with their first prompt ready; this module sends them as
bulk sends (a reply waiting always goes first) and reports each outcome back: delivered, timed
out (probably delivered: never sent again), blocked, or failed (tried again a minute later).
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass, field

from telegram import ChatMember, InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import CommandHandler, ExtBot, filters

from bot.context import BotData, RetainApp, RetainContext
from bot.handlers import outbox
from bot.handlers.class_quiz import is_admin
from bot.handlers.common import carry_out, send, user_id
from bot.limiter import bulk_sends
from bot.markup import markup
from bot.presenters import homework as presenters
from bot.tutor.homework import (
    HomeworkDelivery,
    HomeworkReminder,
    HomeworkSendOutcome,
    PupilStatus,
    SetResult,
    SetStatus,
)
from bot.views import homework as views
from bot.views.revise import prompt_keyboard

log = logging.getLogger(__name__)

SWEEP_EVERY = 60  # seconds
BATCH = 32  # pupils leased at a time


@dataclass
class HomeworkSweepReport:
    """What one sweep did."""

    sent: int = 0
    reminded: int = 0
    unsure: int = 0
    blocked: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    def count(self, outcome: HomeworkSendOutcome) -> None:
        """Add one send's outcome."""
        if outcome.status is PupilStatus.SENT:
            if outcome.reminder:
                self.reminded += 1
            else:
                self.sent += 1
        elif outcome.status is PupilStatus.UNSURE:
            self.unsure += 1
        elif outcome.status is PupilStatus.BLOCKED:
            self.blocked += 1
        else:
            self.failed += 1


def _reply(result: SetResult, link: str | None) -> str:
    """The group's answer to /homework."""
    status, info = result.status, result.info
    if status is SetStatus.SET and info is not None and link is not None:
        return views.homework_set(info, link)
    if status is SetStatus.ALREADY_OPEN and info is not None:
        return views.already_open(info)
    if status is SetStatus.CANCELLED and info is not None:
        return views.cancelled(info)
    if status is SetStatus.NONE_OPEN:
        return views.none_open()
    if status is SetStatus.USAGE:
        return views.usage(result.text)
    if status is SetStatus.BAD_COUNT:
        return views.bad_count(result.text, result.low, result.high)
    if status is SetStatus.UNKNOWN_AREA:
        return views.unknown_area(result.text, result.areas)
    if status is SetStatus.BAD_DATE:
        return views.bad_date(result.text, result.problem)
    if status is SetStatus.EMPTY:
        return views.empty()
    return views.homework_status(info, link)


async def homework_command(update: Update, context: RetainContext) -> None:
    """/homework [N [area] [until <day>] | cancel] in a group (admins)."""
    chat = update.effective_chat
    member = user_id(update)
    refusals = context.bot_data.refusals
    if chat is None or refusals.recent(chat.id, member):
        return  # told a moment ago: saying it again would only spend the group's message allowance
    if not await is_admin(context, chat.id, member):
        refusals.note(chat.id, member)
        await send(context, chat.id, views.admins_only())
        return
    result = await context.tutor.homework.command(
        chat.id, chat.title or "your class", member, context.args or []
    )
    link = views.homework_link(context.bot.username, result.info.homework_id) if result.info else None
    await send(context, chat.id, _reply(result, link))


async def is_member(context: RetainContext, chat_id: int, member_id: int) -> bool:
    """Whether someone is in the group now (False too when Retain can no longer see the group)."""
    try:
        member = await context.bot.get_chat_member(chat_id, member_id)
    except TelegramError:
        return False
    if member.status == ChatMember.RESTRICTED:
        return bool(getattr(member, "is_member", False))
    return member.status in (ChatMember.OWNER, ChatMember.ADMINISTRATOR, ChatMember.MEMBER)


async def start_from_link(update: Update, context: RetainContext) -> None:
    """/start hw<id> in private: the welcome, then the homework (once they agree)."""
    user = update.effective_user
    homework_id = presenters.homework_id_of(" ".join(context.args or []))
    if user is None or homework_id is None:
        return
    group = await context.tutor.homework.group_of(homework_id)
    if group is not None and not await is_member(context, group, user.id):
        await send(context, user.id, views.not_in_class())  # a forwarded link: the class's only
        return
    await carry_out(
        update, context, await presenters.join(context.tutor, user.id, user.first_name, homework_id)
    )


async def _send(
    bot: ExtBot[int],
    pupil_id: int,
    reminder: bool,
    chat_id: int,
    text: str,
    keyboard: InlineKeyboardMarkup | None,
    retry_base: float,
) -> HomeworkSendOutcome:
    """Send one message of the sweep; what happened."""
    sent = await outbox.send(bot, chat_id, text, keyboard, retry_base, "Homework")
    return HomeworkSendOutcome(
        pupil_id, reminder, PupilStatus(sent.status), sent.message_id, sent.error, sent.permanent
    )


async def send_delivery(
    bot: ExtBot[int], data: BotData, job: HomeworkDelivery, retry_base: float
) -> HomeworkSendOutcome:
    """Send one pupil's homework (its first prompt, headed); the prompt it replaced loses its buttons."""
    text = views.delivery_text(data.tutor.bank, job)
    outcome = await _send(
        bot, job.pupil_id, False, job.learner_id, text, markup(prompt_keyboard(job.prompt)), retry_base
    )
    if outcome.status is PupilStatus.SENT:
        for old in job.replaced:
            with contextlib.suppress(TelegramError):
                await bot.edit_message_reply_markup(job.learner_id, old, reply_markup=None)
    return outcome


async def send_reminder(bot: ExtBot[int], job: HomeworkReminder, retry_base: float) -> HomeworkSendOutcome:
    """Send one pupil's reminder, with a button to carry on."""
    keyboard = markup(views.carry_on_keyboard(job.homework_id))
    return await _send(
        bot, job.pupil_id, True, job.learner_id, views.reminder_text(job), keyboard, retry_base
    )


async def run_homework_sweep(bot: ExtBot[int], data: BotData, retry_base: float = 1.0) -> HomeworkSweepReport:
    """Deliver homework and reminders due now, a leased batch at a time; one sweep at a time."""
    report = HomeworkSweepReport()
    service = data.tutor.homework
    now = service.core.clock()

    async def lease() -> list[HomeworkDelivery | HomeworkReminder] | None:
        deliveries, reminders, anything = await service.lease(now, BATCH)
        return [*deliveries, *reminders] if anything else None

    async def one(job: HomeworkDelivery | HomeworkReminder) -> HomeworkSendOutcome:
        reminder = isinstance(job, HomeworkReminder)
        try:
            with bulk_sends():  # homework waits while any learner's reply is waiting to be sent
                if isinstance(job, HomeworkReminder):
                    outcome = await send_reminder(bot, job, retry_base)
                else:
                    outcome = await send_delivery(bot, data, job, retry_base)
        except Exception as exc:  # one pupil's failure never stops the sweep
            log.exception("Homework send failed")
            report.errors.append(repr(exc))
            outcome = HomeworkSendOutcome(job.pupil_id, reminder, PupilStatus.FAILED, error=repr(exc))
        report.count(outcome)
        return outcome

    await outbox.drain(data.homework_sweep, lease, one, service.record)
    if report.sent or report.reminded or report.blocked or report.failed or report.unsure:
        log.info("Homework sweep: %s", report)
    return report


async def sweep_job(context: RetainContext) -> None:
    """The repeating job: deliver homework and reminders due."""
    await run_homework_sweep(context.bot, context.bot_data)


def register(app: RetainApp, every: float | None = SWEEP_EVERY) -> None:
    """Add /homework in groups, its link in private, and the sweep every `every` seconds."""
    app.add_handler(CommandHandler("homework", homework_command, filters=filters.ChatType.GROUPS))
    link = filters.Regex(rf"^/start(@\w+)?\s+{views.HOMEWORK_LINK}\d+\s*$")
    app.add_handler(CommandHandler("start", start_from_link, filters=filters.ChatType.PRIVATE & link))
    if app.job_queue is not None and every is not None:
        app.job_queue.run_repeating(
            sweep_job,
            interval=every,
            first=min(5.0, every),
            name="homework-sweep",
            job_kwargs={"max_instances": 1, "coalesce": True, "misfire_grace_time": max(1, int(every))},
        )
