"""Class quiz rounds in a group: /quiz, native quiz polls (buttons where polls are barred), the board.

The core returns effects (post a question, close one, post the board); `QuizRunner` carries them
out one chat at a time, in order, off the update's path, and reports each question it posted.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Sequence
from typing import Literal

from telegram import Chat, ChatMember, Poll, Update
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import (
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ExtBot,
    PollAnswerHandler,
    filters,
)

from bot.charts import area_chart
from bot.codec import Action, decode, matches
from bot.context import RetainApp, RetainContext
from bot.handlers.common import acknowledge, markup, send, user_id
from bot.tutor.class_quiz.results import (
    CloseQuestion,
    Delivery,
    Effect,
    PostQuestion,
    Question,
    StartStatus,
)
from bot.tutor.class_quiz.rounds import ClassQuiz
from bot.tutor.tutor import Tutor
from bot.views import class_quiz as views
from bot.views.common import CAPTION_LIMIT

log = logging.getLogger(__name__)

SWEEP_EVERY = 2.0  # seconds between checks for questions whose time is up
REMEMBERED = 10_000  # question ids the runner remembers having posted (against a double post)
OptionId = Literal[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]  # a quiz poll's option index
OPTION_IDS: tuple[OptionId, ...] = (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)


class QuizRunner:
    """Carries out class quiz effects: one chat at a time, in order; each question posted once."""

    def __init__(self, bot: ExtBot[int], tutor: Tutor) -> None:
        self.bot = bot
        self.tutor = tutor
        self.quiz: ClassQuiz = tutor.class_quiz
        self._chains: dict[int, asyncio.Task[None]] = {}
        self._posted: deque[int] = deque(maxlen=REMEMBERED)
        self._posting: set[int] = set()

    def submit(self, effects: Sequence[Effect]) -> None:
        """Queue effects; those of one chat run in the order given, after that chat's earlier ones."""
        for effect in effects:
            if isinstance(effect, PostQuestion):
                qid = effect.question.question_id
                if qid in self._posting or qid in self._posted:
                    continue
                self._posting.add(qid)
            previous = self._chains.get(effect.chat_id)
            self._chains[effect.chat_id] = asyncio.ensure_future(self._after(previous, effect))

    async def idle(self) -> None:
        """Wait until every queued effect has been carried out."""
        while self._chains:
            chains = list(self._chains.items())
            await asyncio.gather(*(task for _, task in chains), return_exceptions=True)
            for chat_id, task in chains:
                if self._chains.get(chat_id) is task:
                    del self._chains[chat_id]

    async def _after(self, previous: asyncio.Task[None] | None, effect: Effect) -> None:
        if previous is not None:
            with contextlib.suppress(Exception):
                await previous
        try:
            await self._carry_out(effect)
        except Forbidden:
            await self.quiz.end(effect.chat_id)  # removed from the group: nothing can be posted there
        except TelegramError:
            log.exception("Could not carry a quiz round on; the next sweep tries again")
        finally:
            if isinstance(effect, PostQuestion):
                self._posting.discard(effect.question.question_id)

    async def _carry_out(self, effect: Effect) -> None:
        if isinstance(effect, PostQuestion):
            await self._post(effect.chat_id, effect.question)
        elif isinstance(effect, CloseQuestion):
            await self._close(effect)
        else:
            await self.bot.send_message(
                effect.chat_id, views.round_summary(effect.summary), parse_mode=ParseMode.HTML
            )

    async def _post(self, chat_id: int, question: Question) -> None:
        """A question as a native quiz poll; as buttons where the group does not allow polls."""
        bank = self.tutor.bank
        if not question.buttons:
            try:
                message = await self.bot.send_poll(
                    chat_id,
                    question.text,
                    question.options,
                    type=Poll.QUIZ,
                    is_anonymous=False,
                    correct_option_ids=[OPTION_IDS[question.correct_option]],
                    explanation=question.item.explanation,
                    open_period=question.seconds,
                    shuffle_options=getattr(question.item, "shuffle", False),
                    description=views.quiz_description(bank, question),
                )
                if message.poll is not None:
                    await self.quiz.posted(
                        question.question_id, Delivery(message.poll.id, message.message_id)
                    )
                    self._posted.append(question.question_id)
                    return
            except BadRequest as exc:
                if "poll" not in exc.message.lower():
                    raise
                log.info("Polls are not allowed in a group; using buttons: %s", exc.message)
                await self.quiz.use_buttons(question.round_id)
        message = await self.bot.send_message(
            chat_id,
            views.quiz_buttons_text(bank, question),
            parse_mode=ParseMode.HTML,
            reply_markup=markup(views.quiz_buttons(question)),
        )
        await self.quiz.posted(question.question_id, Delivery(None, message.message_id, buttons=True))
        self._posted.append(question.question_id)

    async def _close(self, effect: CloseQuestion) -> None:
        """Stop a poll that closed early, or show the answer under a buttons question."""
        question = effect.question
        if not question.buttons:
            with contextlib.suppress(BadRequest):  # already closed by its own timer
                await self.bot.stop_poll(effect.chat_id, effect.message_id)
            return
        try:
            await self.bot.edit_message_text(
                views.quiz_buttons_closed(self.tutor.bank, question),
                chat_id=effect.chat_id,
                message_id=effect.message_id,
                parse_mode=ParseMode.HTML,
            )
        except BadRequest as exc:
            if "not modified" not in exc.message.lower():
                raise


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
    admin = await is_admin(context, chat.id, user_id(update))
    result = await context.tutor.class_quiz.command(chat.id, user_id(update), context.args or [], admin)
    status = result.status
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
        await send(
            context, chat.id, views.quiz_started(result.first, result.area.name if result.area else None)
        )
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


async def on_quiz_button(update: Update, context: RetainContext) -> None:
    """A member answered a buttons question."""
    query = update.callback_query
    if query is None:
        return
    data = decode(query.data)
    user = query.from_user
    try:
        outcome = await context.tutor.class_quiz.answer_button(
            data.question_id, user.id, user.first_name, data.index
        )
    except Exception:
        await acknowledge(query)
        raise
    await acknowledge(query, views.quiz_answer_ack(outcome.recorded))
    context.bot_data.quiz_runner.submit(outcome.effects)


async def _admin_in_group(update: Update, context: RetainContext) -> Chat | None:
    """The group, when the command came from one of its admins; otherwise say why not (None)."""
    chat = update.effective_chat
    if chat is None:
        return None
    if not await is_admin(context, chat.id, user_id(update)):
        await send(context, chat.id, views.quiz_admins_only())
        return None
    return chat


async def quizsettings_command(update: Update, context: RetainContext) -> None:
    """/quizsettings [anyone on|off | time N | count N] (admins)."""
    chat = await _admin_in_group(update, context)
    if chat is None:
        return
    settings = await context.tutor.class_quiz.change_settings(chat.id, context.args or [])
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
        shares = [(a.area.name, a.accuracy) for a in report.areas if a.answers]
        try:
            png = await asyncio.to_thread(
                area_chart, shares, "Class accuracy by topic area", "Right answers (%)"
            )
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
