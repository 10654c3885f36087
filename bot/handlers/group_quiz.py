"""Class quiz rounds in a group: /quiz, native quiz polls (buttons where polls are barred), the board."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import cast

from telegram import Chat, ChatMember, Poll, Update
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import CallbackQueryHandler, ChatMemberHandler, CommandHandler, PollAnswerHandler, filters

from bot import views
from bot.charts import area_chart
from bot.codec import Action, decode, matches
from bot.context import QUIZ_KEY, RetainApp, RetainContext
from bot.handlers.common import acknowledge, reply, user_id
from bot.tutor.class_quiz import AnswerOutcome, ClassQuiz, PostedQuestion, RoundSummary, StartStatus
from storage.models import QuizStatus

log = logging.getLogger(__name__)

SWEEP_EVERY = 2.0  # seconds between checks for questions whose time is up
GROUPS = filters.ChatType.GROUPS


async def is_admin(context: RetainContext, chat_id: int, member_id: int) -> bool:
    """Whether a member is an admin (or the owner) of the group."""
    member = await context.bot.get_chat_member(chat_id, member_id)
    return member.status in (ChatMember.OWNER, ChatMember.ADMINISTRATOR)


def _quiz(app: RetainApp) -> ClassQuiz:
    return cast(ClassQuiz, app.bot_data[QUIZ_KEY])


async def post_question(app: RetainApp, chat_id: int, question: PostedQuestion) -> None:
    """Post a question as a native quiz poll; as buttons where the group does not allow polls."""
    quiz, bank = _quiz(app), _quiz(app).tutor.bank
    if not question.buttons:
        try:
            message = await app.bot.send_poll(
                chat_id,
                question.text,
                question.options,
                type=Poll.QUIZ,
                is_anonymous=False,
                correct_option_ids=[question.correct_option],
                explanation=question.item.explanation,
                open_period=question.seconds,
                shuffle_options=getattr(question.item, "shuffle", False),
                description=views.quiz_description(bank, question),
            )
            assert message.poll is not None
            await quiz.posted(question.question_id, message.poll.id, message.message_id)
            return
        except BadRequest as exc:
            if "poll" not in exc.message.lower():
                raise
            log.info("Polls are not allowed in a group; using buttons: %s", exc.message)
            await quiz.use_buttons(question.round_id)
    message = await app.bot.send_message(
        chat_id,
        views.quiz_buttons_text(bank, question),
        parse_mode=ParseMode.HTML,
        reply_markup=views.quiz_buttons(question),
    )
    await quiz.posted(question.question_id, None, message.message_id, buttons=True)


async def post_summary(app: RetainApp, chat_id: int, summary: RoundSummary) -> None:
    """The leaderboard and the closing card."""
    await app.bot.send_message(chat_id, views.round_summary(summary), parse_mode=ParseMode.HTML)


async def move_on(
    app: RetainApp, chat_id: int, nxt: PostedQuestion | None, summary: RoundSummary | None
) -> None:
    """After a question closes: the next question, or the board."""
    if nxt is not None:
        await post_question(app, chat_id, nxt)
    elif summary is not None:
        await post_summary(app, chat_id, summary)


async def advance_rounds(app: RetainApp) -> None:
    """Close questions whose time is up and carry rounds on; end rounds the bot left too long."""
    quiz = _quiz(app)
    for question_id in await quiz.due_questions():
        where = await quiz.round_chat(question_id)
        if where is None:
            continue
        chat_id, message_id, _round_id = where
        try:
            if await quiz.stale(question_id):
                summary = await quiz.stop(chat_id, QuizStatus.CLOSED)
                if summary is not None:
                    await post_summary(app, chat_id, summary)
                continue
            question = await quiz.question(question_id)
            nxt, summary = await quiz.close(question_id)
            if question is not None and question.buttons and message_id is not None:
                await _reveal(app, chat_id, message_id, question)
            await move_on(app, chat_id, nxt, summary)
        except Forbidden:
            await quiz.stop(chat_id, QuizStatus.CLOSED)  # removed from the group
        except TelegramError:
            log.exception("Could not carry a quiz round on; the next sweep tries again")
    for chat_id, question in await quiz.unposted():
        try:
            await post_question(app, chat_id, question)
        except Forbidden:
            await quiz.stop(chat_id, QuizStatus.CLOSED)
        except TelegramError:
            log.exception("Could not post a quiz question; the next sweep tries again")


async def _reveal(app: RetainApp, chat_id: int, message_id: int, question: PostedQuestion) -> None:
    """A buttons question closes: show the answer and why, and take the buttons away."""
    try:
        text = views.quiz_buttons_closed(_quiz(app).tutor.bank, question)
        await app.bot.edit_message_text(
            text, chat_id=chat_id, message_id=message_id, parse_mode=ParseMode.HTML
        )
    except BadRequest as exc:
        if "not modified" not in exc.message.lower():
            raise


async def sweep_job(context: RetainContext) -> None:
    """The repeating job behind timed questions."""
    await advance_rounds(context.app)


async def quiz_command(update: Update, context: RetainContext) -> None:
    """/quiz [count] [area] starts a round; /quiz stop ends it early."""
    chat = update.effective_chat
    assert chat is not None
    if chat.type == ChatType.PRIVATE:
        await reply(update, context, views.quiz_private_only())
        return
    quiz = _quiz(context.app)
    settings = await quiz.settings(chat.id)
    member = user_id(update)
    if not settings.anyone_can_start and not await is_admin(context, chat.id, member):
        await reply(update, context, views.quiz_not_allowed())
        return
    args = list(context.args or [])
    if args and args[0].casefold() == "stop":
        summary = await quiz.stop(chat.id)
        if summary is None:
            await reply(update, context, views.quiz_nothing_running())
        else:
            await post_summary(context.app, chat.id, summary)
        return
    count = None
    if args and args[0].isdigit():
        count = int(args.pop(0))
        if not 1 <= count <= 30:
            await reply(update, context, views.quiz_usage())
            return
    result = await quiz.start(chat.id, member, count, " ".join(args) or None)
    if result.status is StartStatus.RUNNING:
        await reply(update, context, views.quiz_running())
    elif result.status is StartStatus.UNKNOWN_AREA:
        await reply(update, context, views.quiz_unknown_area(result.areas))
    elif result.status is StartStatus.EMPTY or result.first is None:
        await reply(update, context, views.quiz_usage())
    else:
        area = quiz.tutor.bank.area(result.first.item.area).name if args else None
        await reply(update, context, views.quiz_started(result.first, area))
        await post_question(context.app, chat.id, result.first)


async def on_poll_answer(update: Update, context: RetainContext) -> None:
    """A member answered a quiz poll."""
    answer = update.poll_answer
    if answer is None or answer.user is None:
        return
    quiz = _quiz(context.app)
    outcome = await quiz.answer_poll(
        answer.poll_id, answer.user.id, answer.user.first_name, answer.option_ids
    )
    await _after(context.app, outcome)


async def on_quiz_button(update: Update, context: RetainContext) -> None:
    """A member answered a buttons question."""
    query = update.callback_query
    assert query is not None
    data = decode(query.data)
    quiz = _quiz(context.app)
    user = query.from_user
    outcome = await quiz.answer(data.prompt_id or 0, user.id, user.first_name, data.index)
    await acknowledge(query, views.quiz_answer_ack(outcome.recorded))
    await _after(context.app, outcome)


async def _after(app: RetainApp, outcome: AnswerOutcome) -> None:
    """Everyone has answered: close the question now (stop its poll, or reveal its buttons) and move on."""
    if outcome.advance is None and outcome.finished is None:
        return
    closed, message_id = outcome.closed, outcome.message_id
    if closed is not None and message_id is not None:
        if closed.buttons:
            await _reveal(app, outcome.chat_id, message_id, closed)
        else:
            with contextlib.suppress(BadRequest):  # already closed by its own timer
                await app.bot.stop_poll(outcome.chat_id, message_id)
    await move_on(app, outcome.chat_id, outcome.advance, outcome.finished)


async def _admin_in_group(update: Update, context: RetainContext) -> Chat | None:
    """The group, when the command came from one of its admins; otherwise say why not (None)."""
    chat = update.effective_chat
    assert chat is not None
    if chat.type == ChatType.PRIVATE:
        await reply(update, context, views.quiz_private_only())
        return None
    if not await is_admin(context, chat.id, user_id(update)):
        await reply(update, context, views.quiz_admins_only())
        return None
    return chat


async def quizsettings_command(update: Update, context: RetainContext) -> None:
    """/quizsettings [anyone on|off | time N | count N] (admins)."""
    chat = await _admin_in_group(update, context)
    if chat is None:
        return
    quiz = _quiz(context.app)
    args = [a.casefold() for a in context.args or []]
    try:
        if len(args) == 2 and args[0] == "anyone" and args[1] in ("on", "off"):
            settings = await quiz.update_settings(chat.id, anyone=args[1] == "on")
        elif len(args) == 2 and args[0] == "time" and args[1].isdigit():
            settings = await quiz.update_settings(chat.id, seconds=int(args[1]))
        elif len(args) == 2 and args[0] == "count" and args[1].isdigit():
            settings = await quiz.update_settings(chat.id, count=int(args[1]))
        else:
            settings = await quiz.settings(chat.id)
    except ValueError:
        settings = await quiz.settings(chat.id)
    await reply(update, context, views.quiz_settings_text(settings))


async def classreport_command(update: Update, context: RetainContext) -> None:
    """/classreport (admins): to the admin's private chat if they have started the bot, else here."""
    chat = await _admin_in_group(update, context)
    if chat is None:
        return
    member = user_id(update)
    quiz = _quiz(context.app)
    report = await quiz.report(chat.id)
    text = views.class_report(quiz.tutor.bank, report, chat.title or "this group")
    png = None
    if report.answers:
        shares = [(a.area.name, a.accuracy) for a in report.areas if a.answers]
        try:
            png = await asyncio.to_thread(
                area_chart, shares, "Class accuracy by topic area", "Right answers (%)"
            )
        except Exception:
            log.exception("Could not draw the class report chart; sending text")
    targets = [member, chat.id] if await quiz.tutor.learner(member) is not None else [chat.id]
    for target in targets:
        try:
            if png is not None and len(text) <= views.CAPTION_LIMIT:
                await context.bot.send_photo(target, png, caption=text, parse_mode=ParseMode.HTML)
            else:
                if png is not None:
                    await context.bot.send_photo(target, png)
                await context.bot.send_message(target, text, parse_mode=ParseMode.HTML)
            if target != chat.id:
                await reply(update, context, views.class_report_sent_privately())
            return
        except (Forbidden, BadRequest):
            continue


async def quizname_command(update: Update, context: RetainContext) -> None:
    """/quizname off: appear as "a classmate" on boards; /quizname on: by first name."""
    args = [a.casefold() for a in context.args or []]
    if args not in (["on"], ["off"]):
        await reply(update, context, views.quiz_name_usage())
        return
    await context.tutor.set_quiz_named(user_id(update), args[0] == "on")
    await reply(update, context, views.quiz_name_set(args[0] == "on"))


async def on_group_membership(update: Update, context: RetainContext) -> None:
    """The bot was removed from a group: end its round cleanly (nothing can be posted there)."""
    change = update.my_chat_member
    if change is None or change.chat.type == ChatType.PRIVATE:
        return
    if change.new_chat_member.status in (ChatMember.LEFT, ChatMember.BANNED):
        await _quiz(context.app).stop(change.chat.id, QuizStatus.CLOSED)


def register(app: RetainApp, every: float = SWEEP_EVERY) -> None:
    """Add the class quiz handlers and the sweep behind timed questions."""
    app.add_handler(CommandHandler("quiz", quiz_command))
    app.add_handler(CommandHandler("quizsettings", quizsettings_command))
    app.add_handler(CommandHandler("classreport", classreport_command))
    app.add_handler(CommandHandler("quizname", quizname_command, filters=filters.ChatType.PRIVATE))
    app.add_handler(PollAnswerHandler(on_poll_answer))
    app.add_handler(CallbackQueryHandler(on_quiz_button, pattern=matches(Action.QUIZ)))
    app.add_handler(ChatMemberHandler(on_group_membership, ChatMemberHandler.MY_CHAT_MEMBER), group=1)
    if app.job_queue is not None:
        app.job_queue.run_repeating(
            sweep_job,
            interval=every,
            first=min(every, SWEEP_EVERY),
            name="quiz-sweep",
            job_kwargs={"max_instances": 1},
        )
