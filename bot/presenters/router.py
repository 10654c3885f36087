"""Which reply a private update gets: one routing table for commands, buttons and text.

The Telegram handlers and the terminal preview both route through here, so the preview cannot
drift from the bot.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.codec import ANSWER_KINDS, Action, BadCallback, decode
from bot.presenters import exam_date, general, homework, mock, onboarding, privacy, reminders, revise, written
from bot.tutor.results import Status, WrittenResult
from bot.tutor.tutor import Tutor
from bot.ui import Reply, Send
from bot.views import class_quiz
from bot.views import mock as mock_views
from bot.views import written as written_views

CLASS_LINK = class_quiz.CLASS_LINK  # /start's payload in the link a round's announcement carries
CommandRoute = Callable[[Tutor, int, str], Awaitable[Reply]]


PRIVACY_LINK = class_quiz.PRIVACY_LINK  # /start's payload in the group greeting's "What I keep" link


async def _start(tutor: Tutor, user_id: int, text: str) -> Reply:
    if text.strip() == PRIVACY_LINK:  # from a group's greeting: what is kept, and nothing stored for asking
        return await privacy.summary(tutor, user_id)
    if text.strip().startswith(mock_views.WRITTEN_LINK):  # a class mock's written question
        return await mock.written(tutor, user_id, text.strip())
    reply = await onboarding.start(tutor, user_id)
    if text.strip() == CLASS_LINK:  # opened from a class group's link: ask about class answers too
        reply += privacy.ask_consent()
    return reply


async def _privacy(tutor: Tutor, user_id: int, _text: str) -> Reply:
    return await privacy.summary(tutor, user_id)


async def _export(tutor: Tutor, user_id: int, _text: str) -> Reply:
    return await privacy.export(tutor, user_id)


async def _forget(tutor: Tutor, user_id: int, _text: str) -> Reply:
    return await privacy.forget(tutor, user_id)


async def _next(tutor: Tutor, user_id: int, _text: str) -> Reply:
    return await revise.next_command(tutor, user_id)


async def _write(tutor: Tutor, user_id: int, _text: str) -> Reply:
    result = await tutor.practice.write_prompt(user_id)
    if result.status is Status.EMPTY:
        return [Send(written_views.no_questions())]
    return revise.prompt_reply(tutor.bank, result)


async def _stats(tutor: Tutor, user_id: int, _text: str) -> Reply:
    return await general.stats(tutor, user_id)


async def _help(_tutor: Tutor, _user_id: int, _text: str) -> Reply:
    return general.help_reply()


async def _define(tutor: Tutor, _user_id: int, text: str) -> Reply:
    return general.define(tutor, text)


async def _resume(tutor: Tutor, user_id: int, _text: str) -> Reply:
    return await reminders.resume(tutor, user_id)


async def _group_only(_tutor: Tutor, _user_id: int, _text: str) -> Reply:
    return [Send(class_quiz.quiz_private_only())]


COMMANDS: dict[str, CommandRoute] = {
    "start": _start,
    "next": _next,
    "write": _write,
    "stats": _stats,
    "focus": revise.focus,
    "define": _define,
    "goal": revise.goal,
    "setsize": revise.set_size,
    "remind": reminders.remind,
    "timezone": reminders.timezone,
    "pause": reminders.pause,
    "resume": _resume,
    "quizname": general.quiz_name,
    "help": _help,
    "privacy": _privacy,
    "export": _export,
    "forget": _forget,
    "quiz": _group_only,
    "quizsettings": _group_only,
    "classreport": _group_only,
    "homework": homework.carry_on_command,
    "mock": mock.command,
    "exam": exam_date.exam,
}


def command_of(text: str) -> tuple[str, str]:
    """ "/Remind@RetainBot 18:30" -> ("remind", "18:30"); the argument may follow a line break."""
    head, *rest = text.strip().split(maxsplit=1) or [""]
    return head[1:].split("@", 1)[0].casefold(), rest[0].strip() if rest else ""


async def command(tutor: Tutor, user_id: int, text: str) -> Reply:
    """A command in a private chat."""
    name, rest = command_of(text)
    route = COMMANDS.get(name)
    if route is None:
        return general.unknown_command((text.split() or ["/"])[0].split("@", 1)[0])
    return await route(tutor, user_id, rest)


async def button(tutor: Tutor, user_id: int, data: str | None, message_id: int | None = None) -> Reply:
    """A tapped button of a private chat (every action but a class quiz answer), under `message_id`."""
    try:
        callback = decode(data)
    except BadCallback:
        return general.expired_button()
    action = callback.action
    if action is Action.BODY:
        return await onboarding.choose_body(tutor, user_id, callback.value or "")
    if action is Action.REMIND:
        return await onboarding.choose_reminder(tutor, user_id, callback.reminder_time)
    if action is Action.CHANGE_COURSE:
        return onboarding.change_course(tutor)
    if action is Action.REVEAL:
        return await revise.reveal(tutor, user_id, callback.prompt_id, message_id)
    if action in ANSWER_KINDS:
        return await revise.answer(tutor, user_id, callback, message_id)
    if action is Action.NEXT:
        return await revise.next_button(tutor, user_id, callback.prompt_id)
    if action is Action.NEW_SET:
        return await revise.another_set(tutor, user_id, callback.ref or 0)
    if action is Action.BREAK:
        return await revise.take_a_break(tutor, user_id)
    if action is Action.FOCUS:
        return await revise.focus_button(tutor, user_id, callback.value)
    if action is Action.PRIVACY:
        return await privacy.button(tutor, user_id, callback.value)
    if action is Action.HOMEWORK:
        return await homework.carry_on_button(tutor, user_id, callback.ref or 0)
    if action is Action.MOCK:
        return await mock.answer(tutor, user_id, callback)
    if action is Action.MOCK_EXAM:
        return await mock.control(tutor, user_id, callback.value)
    if action is Action.DEFINE:
        return general.define_button(tutor, callback.value or "")
    if action is Action.MARK:
        return await written.mark_button(tutor, user_id, callback.prompt_id)
    if action is Action.POINT:
        return await written.point_button(tutor, user_id, callback.prompt_id, callback.index)
    if action is Action.CONFIRM:
        return await written.confirm_button(tutor, user_id, callback.prompt_id)
    return general.expired_button()


async def text(tutor: Tutor, user_id: int, message: str) -> Reply:
    """Text in a private chat that is not a command."""
    result = await tutor.practice.free_text(user_id, message)
    if isinstance(result, WrittenResult):
        return written.written_reply(tutor, result)
    return revise.free_text_reply(tutor, result)
