"""Class quiz rounds in a group: /quiz, poll and button answers, settings, the report, the sweep.

Each handler makes one core call and hands the effects it returns to `bot.runner.QuizRunner`.
"""

from __future__ import annotations

import logging

from telegram import Chat, ChatMember, Update
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, Forbidden
from telegram.ext import (
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    PollAnswerHandler,
    PollHandler,
    filters,
)

from bot.charts import chart_png
from bot.codec import Action, decode, matches
from bot.context import RetainApp, RetainContext
from bot.handlers.common import acknowledge, send, user_id
from bot.tutor.class_quiz.results import ClassReport, StartStatus
from bot.views import class_quiz as views
from bot.views import class_report as report_views

log = logging.getLogger(__name__)

SWEEP_EVERY = 2.0  # seconds between checks for questions whose time is up


async def is_admin(context: RetainContext, chat_id: int, member_id: int) -> bool:
    """Whether a member is an admin (or the owner) of the group."""
    member = await context.bot.get_chat_member(chat_id, member_id)
    return member.status in (ChatMember.OWNER, ChatMember.ADMINISTRATOR)


async def sweep_job(context: RetainContext) -> None:
    """The repeating job behind timed questions."""
    runner = context.bot_data.quiz_runner
    runner.submit(await context.tutor.class_quiz.tick())


async def quiz_command(update: Update, context: RetainContext) -> None:
    """/quiz [count] [area] starts a round; /quiz stop ends it early."""
    chat = update.effective_chat
    if chat is None:
        return
    refusals = context.bot_data.refusals
    if refusals.recent(chat.id, user_id(update)):
        return  # told a moment ago: saying it again would only spend the group's message allowance
    admin = await is_admin(context, chat.id, user_id(update))
    result = await context.tutor.class_quiz.command(chat.id, user_id(update), context.args or [], admin)
    status = result.status
    if status is StartStatus.NOT_ALLOWED:
        refusals.note(chat.id, user_id(update))
    replies = {
        StartStatus.NOT_ALLOWED: views.quiz_not_allowed,
        StartStatus.NOTHING_RUNNING: views.quiz_nothing_running,
        StartStatus.RUNNING: views.quiz_running,
        StartStatus.USAGE: views.quiz_usage,
        StartStatus.EMPTY: views.quiz_usage,
    }
    if status in replies:
        await send(context, chat.id, replies[status]())
    elif status is StartStatus.UNKNOWN_AREA:
        await send(context, chat.id, views.quiz_unknown_area(result.areas))
    elif status is StartStatus.OK and result.first is not None:
        area = result.area.name if result.area else None
        await send(context, chat.id, views.quiz_started(result.first, area, context.bot.username))
    context.bot_data.quiz_runner.submit(result.effects)


async def on_poll_answer(update: Update, context: RetainContext) -> None:
    """A member answered a quiz poll."""
    answer = update.poll_answer
    if answer is None or answer.user is None:
        return
    outcome = await context.tutor.class_quiz.answer_poll(
        answer.poll_id, answer.user.id, answer.user.first_name, answer.option_ids
    )
    context.bot_data.quiz_runner.submit(outcome.effects)


async def on_poll(update: Update, context: RetainContext) -> None:
    """A poll the bot sent, as Telegram shows it: matches a question whose post timed out."""
    poll = update.poll
    if poll is None:
        return
    options = [option.text for option in poll.options]
    context.bot_data.quiz_runner.submit(
        await context.tutor.class_quiz.poll_seen(poll.id, poll.question, options)
    )


async def on_quiz_button(update: Update, context: RetainContext) -> None:
    """A member answered a buttons question."""
    query = update.callback_query
    if query is None:
        return
    data = decode(query.data)
    user = query.from_user
    message = query.message
    if message is None:  # a button on an inline message: no round was ever posted there
        await acknowledge(query, views.quiz_answer_ack(False))
        return
    try:
        outcome = await context.tutor.class_quiz.answer_button(
            data.question_id, message.chat.id, message.message_id, user.id, user.first_name, data.index
        )
    except Exception:
        await acknowledge(query)
        raise
    await acknowledge(query, views.quiz_answer_ack(outcome.recorded))
    context.bot_data.quiz_runner.submit(outcome.effects)


async def _admin_in_group(update: Update, context: RetainContext) -> Chat | None:
    """The group, when the command came from one of its admins; otherwise say why not (None)."""
    chat = update.effective_chat
    if chat is None or context.bot_data.refusals.recent(chat.id, user_id(update)):
        return None
    if not await is_admin(context, chat.id, user_id(update)):
        context.bot_data.refusals.note(chat.id, user_id(update))
        await send(context, chat.id, views.quiz_admins_only())
        return None
    return chat


async def quizsettings_command(update: Update, context: RetainContext) -> None:
    """/quizsettings [anyone on|off | time N | count N] (admins)."""
    chat = await _admin_in_group(update, context)
    if chat is None:
        return
    settings = await context.tutor.class_quiz.change_settings(chat.id, context.args or [])
    context.bot_data.refusals.forget(chat.id)
    await send(context, chat.id, views.quiz_settings_text(settings))


async def classreport_command(update: Update, context: RetainContext) -> None:
    """/classreport (admins): the report goes to the admin privately, never to the group."""
    chat = await _admin_in_group(update, context)
    if chat is None:
        return
    report = await context.tutor.class_reports.report(chat.id, chat.title)
    if await send_report(context, user_id(update), report):
        await send(context, chat.id, report_views.report_sent_privately())
        return
    username = context.bot.username
    await send(
        context,
        chat.id,
        report_views.report_link_text(),
        report_views.report_link_keyboard(username, chat.id),
    )


async def report_link_command(update: Update, context: RetainContext) -> None:
    """/start report_m100123 in private (the group's report link): the report, if still an admin there."""
    user = update.effective_user
    chat_id = report_views.chat_of_payload(" ".join(context.args or []))
    if user is None or chat_id is None:
        return
    try:
        admin = await is_admin(context, chat_id, user.id)  # links get forwarded: ask Telegram, now
    except (Forbidden, BadRequest):
        await send(context, user.id, report_views.report_group_unreachable())
        return
    if not admin:
        await send(context, user.id, report_views.report_admins_only())
        return
    await send_report(context, user.id, await context.tutor.class_reports.report(chat_id))


async def send_report(context: RetainContext, target: int, report: ClassReport) -> bool:
    """The chart, the report and its CSV, to a private chat; False if Telegram refuses the first send
    (the admin never started Retain, or blocked it)."""
    png = None
    bars = report_views.chart_bars(report)
    if bars:
        try:
            png = await chart_png(bars, report_views.CHART_TITLE, report_views.chart_axis(report), mark=None)
        except Exception:
            log.exception("Could not draw the class report chart; sending text")
    try:
        if png is not None:
            caption = report_views.report_caption(report)
            await context.bot.send_photo(target, png, caption=caption, parse_mode=ParseMode.HTML)
        else:
            await send(context, target, report_views.report_text(report))
    except (Forbidden, BadRequest) as exc:
        log.info("The class report could not go to %s privately: %s", target, exc)
        return False
    if png is not None:
        await send(context, target, report_views.report_text(report))
    if report.pupils:
        await context.bot.send_document(
            target,
            report_views.report_csv(report),
            filename=report_views.report_filename(report),
            caption=report_views.report_csv_caption(report),
        )
    return True


async def on_group_membership(update: Update, context: RetainContext) -> None:
    """The bot was removed from a group: end its round cleanly (nothing can be posted there)."""
    change = update.my_chat_member
    if change is None or change.chat.type == ChatType.PRIVATE:
        return
    if change.new_chat_member.status in (ChatMember.LEFT, ChatMember.BANNED):
        await context.tutor.class_quiz.end(change.chat.id)


def register(app: RetainApp, every: float | None = SWEEP_EVERY) -> None:
    """Add the class quiz handlers and the sweep behind timed questions."""
    groups = filters.ChatType.GROUPS  # in a private chat, the router says these are for groups
    app.add_handler(CommandHandler("quiz", quiz_command, filters=groups))
    app.add_handler(CommandHandler("quizsettings", quizsettings_command, filters=groups))
    app.add_handler(CommandHandler("classreport", classreport_command, filters=groups))
    # Before the private chat's handlers: /start with a report link's payload delivers the report.
    report_link = filters.Regex(rf"^/start(@\w+)?\s+{report_views.REPORT_LINK}m?[0-9]+\s*$")
    app.add_handler(
        CommandHandler("start", report_link_command, filters=filters.ChatType.PRIVATE & report_link)
    )
    app.add_handler(PollAnswerHandler(on_poll_answer))
    app.add_handler(PollHandler(on_poll))
    app.add_handler(CallbackQueryHandler(on_quiz_button, pattern=matches(Action.QUIZ)))
    app.add_handler(ChatMemberHandler(on_group_membership, ChatMemberHandler.MY_CHAT_MEMBER), group=1)
    if app.job_queue is not None and every is not None:
        app.job_queue.run_repeating(
            sweep_job,
            interval=every,
            first=min(every, SWEEP_EVERY),
            name="quiz-sweep",
            job_kwargs={"max_instances": 1},
        )
