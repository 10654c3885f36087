"""Class quiz rounds in a group: /quiz, poll and button answers, settings, the report, the sweep;
and the group's greeting, /help, and the pointer from Retain's private commands to the private chat.

Each handler makes one core call and hands the effects it returns to `bot.runner.QuizRunner`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from telegram import Chat, ChatMember, Update
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import (
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    PollAnswerHandler,
    PollHandler,
    filters,
)

from bot.charts import chart_png
from bot.codec import Action, decode, matches
from bot.context import RetainApp, RetainContext
from bot.handlers.common import acknowledge, send, user_id
from bot.presenters import router
from bot.tutor.class_quiz.results import (
    ClassReport,
    SettingsStatus,
    StartStatus,
)
from bot.views import class_quiz as views
from bot.views import class_report as report_views
from bot.views import commands as command_views
from bot.views import homework as homework_views
from bot.views.common import stale_button

log = logging.getLogger(__name__)

SWEEP_EVERY = 2.0  # seconds between checks for questions whose time is up
GROUP_CHATS = (ChatType.GROUP, ChatType.SUPERGROUP)
# Retain's own commands that work only in a private chat: in a group they get a pointer there.
# Anything else (another bot's command, a typo) gets no answer: other bots share the group.
PRIVATE_ONLY = frozenset(router.COMMANDS) - {name for name, _ in command_views.GROUP_COMMANDS} - {"start"}
HELP, POINTER = "help", "private"  # replies throttled like refusals, each kind on its own


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
        course = views.class_course(context.tutor.bank, result.course)
        await send(context, chat.id, views.quiz_started(result.first, area, course, context.bot.username))
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


async def _admin_in_group(
    update: Update, context: RetainContext, refusal: Callable[[], str] = views.quiz_admins_only
) -> Chat | None:
    """The group, when the command came from one of its admins; otherwise say why not (None)."""
    chat = update.effective_chat
    if chat is None or context.bot_data.refusals.recent(chat.id, user_id(update)):
        return None
    if not await is_admin(context, chat.id, user_id(update)):
        context.bot_data.refusals.note(chat.id, user_id(update))
        await send(context, chat.id, refusal())
        return None
    return chat


async def quizsettings_command(update: Update, context: RetainContext) -> None:
    """/quizsettings [course <body>|all | anyone on|off | time N | count N] (admins)."""
    chat = await _admin_in_group(update, context, views.quizsettings_admins_only)
    if chat is None:
        return
    result = await context.tutor.class_quiz.change_settings(chat.id, context.args or [])
    if result.status is SettingsStatus.CHANGED:
        context.bot_data.refusals.forget(chat.id)
    text, keyboard = views.settings_reply(context.tutor.bank, result)
    await send(context, chat.id, text, keyboard)


async def on_course_button(update: Update, context: RetainContext) -> None:
    """A course button under the greeting or /quizsettings course: an admin's tap sets the class's course."""
    query = update.callback_query
    if query is None:
        return
    message, member = query.message, query.from_user
    if message is None or message.chat.type not in GROUP_CHATS:
        await acknowledge(query, stale_button())  # copied into a private chat, or an inline message
        return
    chat_id = message.chat.id
    try:
        admin = await is_admin(context, chat_id, member.id)
    except Exception:
        await acknowledge(query)
        raise
    if not admin:
        await acknowledge(query, views.course_admins_only())
        return
    try:
        result = await context.tutor.class_quiz.set_course(chat_id, decode(query.data).value or "")
    except Exception:
        await acknowledge(query)
        raise
    await acknowledge(query)
    if result.status is SettingsStatus.CHANGED:
        context.bot_data.refusals.forget(chat_id)
    text, _ = views.settings_reply(context.tutor.bank, result)
    await send(context, chat_id, text)


async def group_help_command(update: Update, context: RetainContext) -> None:
    """/help or /start in a group: the group's commands, what each does and who may use it."""
    chat = update.effective_chat
    if chat is None:
        return
    refusals = context.bot_data.refusals
    if refusals.recent(chat.id, 0, HELP):
        return  # answered for the whole group a moment ago: it is still on screen
    refusals.note(chat.id, 0, HELP)
    settings = await context.tutor.class_quiz.settings(chat.id)
    await send(context, chat.id, command_views.group_help(settings.anyone_can_start, context.bot.username))


async def on_other_group_command(update: Update, context: RetainContext) -> None:
    """Any other command in a group: Retain's private ones get a pointer to the private chat; the
    rest (other bots', typos) no answer at all."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None or not message.text:
        return
    head = message.text.split(maxsplit=1)[0]
    name, _, addressee = head[1:].partition("@")
    if addressee and addressee.casefold() != (context.bot.username or "").casefold():
        return  # another bot's
    if name.casefold() not in PRIVATE_ONLY:
        return
    refusals, member = context.bot_data.refusals, user_id(update)
    if refusals.recent(chat.id, member, POINTER):
        return
    refusals.note(chat.id, member, POINTER)
    text = command_views.private_only_in_group(f"/{name.casefold()}", context.bot.username)
    await send(context, chat.id, text)


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
    """The chart, the report, its homework results and its CSV, to a private chat; False if Telegram
    refuses the first send (the admin never started Retain, or blocked it)."""
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
    homework = homework_views.homework_section(await context.tutor.homework.results(report.chat_id))
    if homework:
        await send(context, target, homework)
    if report.pupils:
        await context.bot.send_document(
            target,
            report_views.report_csv(report),
            filename=report_views.report_filename(report),
            caption=report_views.report_csv_caption(report),
        )
    return True


async def on_group_membership(update: Update, context: RetainContext) -> None:
    """The bot was added to a group: greet it and ask for its course. Removed: end its round cleanly
    (nothing can be posted there)."""
    change = update.my_chat_member
    if change is None or change.chat.type == ChatType.PRIVATE:
        return
    old, new = change.old_chat_member.status, change.new_chat_member.status
    if new in (ChatMember.LEFT, ChatMember.BANNED):
        await context.tutor.class_quiz.end(change.chat.id)
    elif new in (ChatMember.MEMBER, ChatMember.ADMINISTRATOR) and old in (ChatMember.LEFT, ChatMember.BANNED):
        bank = context.tutor.bank
        try:
            await send(
                context,
                change.chat.id,
                views.group_greeting(context.bot.username),
                views.course_keyboard(bank),
            )
        except TelegramError as exc:  # a group where the bot may not post: it says nothing
            log.info("Could not greet a group: %s", exc)


def register(app: RetainApp, every: float | None = SWEEP_EVERY) -> None:
    """Add the class quiz handlers and the sweep behind timed questions."""
    groups = filters.ChatType.GROUPS  # in a private chat, the router says these are for groups
    app.add_handler(CommandHandler("quiz", quiz_command, filters=groups))
    app.add_handler(CommandHandler("quizsettings", quizsettings_command, filters=groups))
    app.add_handler(CommandHandler("classreport", classreport_command, filters=groups))
    app.add_handler(CommandHandler(["help", "start"], group_help_command, filters=groups))
    app.add_handler(CallbackQueryHandler(on_course_button, pattern=matches(Action.CLASS_COURSE)))
    # Before the private chat's handlers: /start with a report link's payload delivers the report.
    report_link = filters.Regex(rf"^/start(@\w+)?\s+{report_views.REPORT_LINK}m?[0-9]+\s*$")
    app.add_handler(
        CommandHandler("start", report_link_command, filters=filters.ChatType.PRIVATE & report_link)
    )
    app.add_handler(PollAnswerHandler(on_poll_answer))
    app.add_handler(PollHandler(on_poll))
    app.add_handler(CallbackQueryHandler(on_quiz_button, pattern=matches(Action.QUIZ)))
    app.add_handler(ChatMemberHandler(on_group_membership, ChatMemberHandler.MY_CHAT_MEMBER), group=1)
    # Its own group: a command another feature handles in a group is not answered twice.
    app.add_handler(MessageHandler(groups & filters.COMMAND, on_other_group_command), group=2)
    if app.job_queue is not None and every is not None:
        app.job_queue.run_repeating(
            sweep_job,
            interval=every,
            first=min(every, SWEEP_EVERY),
            name="quiz-sweep",
            job_kwargs={"max_instances": 1},
        )
