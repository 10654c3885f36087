"""Carrying out class quiz effects with the Bot API: one chat at a time, in order, off the update's path.

The core returns effects (post a question, close one, post the board); `QuizRunner` sends them and
reports each question it posted, so the round's state stays in the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from typing import Any, Literal

from telegram import Poll
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError, TimedOut
from telegram.ext import ExtBot

from bot.markup import markup
from bot.tutor.class_quiz.results import (
    CloseQuestion,
    Delivery,
    Effect,
    PostBoard,
    PostQuestion,
    Question,
)
from bot.tutor.class_quiz.rounds import ClassQuiz
from bot.tutor.tutor import Tutor
from bot.views import class_quiz as views
from bot.views import mock as mock_views

log = logging.getLogger(__name__)

TASK_NAME = "class-quiz-effects"  # every task carrying out effects is named so
OptionId = Literal[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]  # a quiz poll's option index
GONE_OR_DONE = ("not modified", "message to edit not found", "message can't be edited")
OPTION_IDS: tuple[OptionId, ...] = (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)


class QuizRunner:
    """Carries out class quiz effects: one chat at a time, in order; each question posted once."""

    def __init__(self, bot: ExtBot[int], tutor: Tutor) -> None:
        self.bot = bot
        self.tutor = tutor
        self.quiz: ClassQuiz = tutor.class_quiz
        self._chains: dict[int, asyncio.Task[None]] = {}

    def submit(self, effects: Sequence[Effect]) -> None:
        """Queue effects; those of one chat run in the order given, after that chat's earlier ones."""
        for effect in effects:
            previous = self._chains.get(effect.chat_id)
            task = asyncio.get_running_loop().create_task(self._after(previous, effect), name=TASK_NAME)
            self._chains[effect.chat_id] = task

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
        except TelegramError as exc:
            log.warning("Could not carry a quiz round on (the next sweep tries again): %s", exc)

    async def _carry_out(self, effect: Effect) -> None:
        if isinstance(effect, PostQuestion):
            await self._post(effect.chat_id, effect.question)
        elif isinstance(effect, CloseQuestion):
            await self._close(effect)
        elif isinstance(effect, PostBoard) and effect.summary.mock is not None:
            for text in mock_views.class_results(effect.summary, effect.summary.mock, self.bot.username):
                await self.bot.send_message(effect.chat_id, text, parse_mode=ParseMode.HTML)
        elif isinstance(effect, PostBoard):
            text = views.round_summary(effect.summary, self.bot.username)
            await self.bot.send_message(effect.chat_id, text, parse_mode=ParseMode.HTML)
        else:
            await self._withdraw(effect.chat_id, effect.message_id)

    async def _post(self, chat_id: int, question: Question) -> None:
        """Post a question once: claimed first, so a sweep or another instance never posts it too."""
        if not await self.quiz.claim_post(question.question_id):
            return
        try:
            delivery = await self._send(chat_id, question)
        except TimedOut:
            # Telegram may well have posted it: posting again would put it up twice. It counts as
            # posted; its poll is recognised when an update shows it, and answers wait till then.
            log.warning("Posting a quiz question timed out; taking it as posted")
            self.submit(await self.quiz.posted(question.question_id, None))
            return
        except TelegramError:
            await self.quiz.release_post(question.question_id)
            raise
        try:
            effects = await self.quiz.posted(question.question_id, delivery)
        except Exception:
            # Not recorded (the database failed): take the post down, or the sweep that posts the
            # question again would leave two copies up and this one's answers nowhere.
            await self._withdraw(chat_id, delivery.message_id)
            raise
        self.submit(effects)

    async def _withdraw(self, chat_id: int, message_id: int) -> None:
        """Take a copy of a question down: delete it, or at least close its poll."""
        try:
            await self.bot.delete_message(chat_id, message_id)
        except BadRequest:
            with contextlib.suppress(BadRequest):
                await self.bot.stop_poll(chat_id, message_id)

    async def _send(self, chat_id: int, question: Question) -> Delivery:
        """A question as a native quiz poll; as buttons where the group does not allow polls."""
        bank = self.tutor.bank
        if not question.buttons:
            if question.mock:  # a plain poll: the answer is withheld until the end
                kind: dict[str, Any] = {"type": Poll.REGULAR}
            else:
                kind = {
                    "type": Poll.QUIZ,
                    "correct_option_ids": [OPTION_IDS[question.correct_option]],
                    "explanation": question.item.explanation,
                    "shuffle_options": getattr(question.item, "shuffle", False),
                }
            try:
                message = await self.bot.send_poll(
                    chat_id,
                    question.text,
                    question.options,
                    is_anonymous=False,
                    open_period=question.seconds,
                    description=views.quiz_description(bank, question),
                    **kind,
                )
                if message.poll is not None:
                    return Delivery(message.poll.id, message.message_id)
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
        return Delivery(None, message.message_id, buttons=True)

    async def _close(self, effect: CloseQuestion) -> None:
        """Stop a poll that closed early, or show the answer under a buttons question."""
        question = effect.question
        if not question.buttons:
            with contextlib.suppress(BadRequest):  # already closed by its own timer
                await self.bot.stop_poll(effect.chat_id, effect.message_id)
            return
        closed = mock_views.class_question_closed if question.mock else views.quiz_buttons_closed
        try:
            await self.bot.edit_message_text(
                closed(self.tutor.bank, question),
                chat_id=effect.chat_id,
                message_id=effect.message_id,
                parse_mode=ParseMode.HTML,
            )
        except BadRequest as exc:
            # Already showing it, or the message is gone (an admin tidied the chat): nothing to do.
            if not any(reason in exc.message.lower() for reason in GONE_OR_DONE):
                raise
