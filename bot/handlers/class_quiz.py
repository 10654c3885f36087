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
from bot.tutor.class_quiz.results import (
    StartStatus,
)
from bot.views import class_quiz as views
from bot.views.common import CAPTION_LIMIT

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
    """/classreport (admins): to the admin's private chat if they have started the bot, else here."""
    chat = await _admin_in_group(update, context)
    if chat is None:
        return
    tutor, member = context.tutor, user_id(update)
    report = await tutor.class_reports.report(chat.id)
    text = views.class_report(report, chat.title or "this group")
    png = None
    if report.answers:
        shares = [
            (a.area.name, a.accuracy, f"{a.correct} of {a.answers} right") for a in report.areas if a.answers
        ]
        try:
            png = await chart_png(shares, "Class accuracy by topic area", "Right answers (%)")
        except Exception:
            log.exception("Could not draw the class report chart; sending text")
    profile = await tutor.profiles.profile(member)
    targets = [member, chat.id] if profile is not None and profile.started else [chat.id]
    for target in targets:
        try:
            if png is not None and len(text) <= CAPTION_LIMIT:
                await context.bot.send_photo(target, png, caption=text, parse_mode=ParseMode.HTML)
            else:
                if png is not None:
                    await context.bot.send_photo(target, png)
                await send(context, target, text)
            if target != chat.id:
                await send(context, chat.id, views.class_report_sent_privately())
            return
        except (Forbidden, BadRequest):
            continue


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
