"""Homework's private replies: carrying on (a reminder's button, /homework) and opening the group's link."""

from __future__ import annotations

from bot.presenters import onboarding, privacy
from bot.presenters.revise import prompt_reply
from bot.tutor.homework import CarryOnStatus, JoinStatus
from bot.tutor.tutor import Tutor
from bot.ui import ClearButtons, Reply, Send
from bot.views import homework


async def carry_on(tutor: Tutor, user_id: int, homework_id: int | None = None) -> Reply:
    """The next prompt of the pupil's homework (that one, or their newest open one)."""
    found = await tutor.homework.carry_on(user_id, homework_id)
    if found.status is CarryOnStatus.OK and found.prompt is not None:
        return prompt_reply(tutor.bank, found.prompt)
    if found.status is CarryOnStatus.DONE:
        return [Send(homework.carry_on_done(found.group))]
    return [Send(homework.carry_on_none())]


async def carry_on_button(tutor: Tutor, user_id: int, homework_id: int) -> Reply:
    """ "Carry on" under a reminder: its button goes, the next prompt comes."""
    return [ClearButtons(), *await carry_on(tutor, user_id, homework_id)]


async def carry_on_command(tutor: Tutor, user_id: int, _text: str) -> Reply:
    """/homework in private: carry on with the newest open homework."""
    return await carry_on(tutor, user_id)


def homework_id_of(payload: str) -> int | None:
    """The homework a /start payload ("hw12") names, or None."""
    text = payload.strip()
    rest = text[len(homework.HOMEWORK_LINK) :]
    if not text.startswith(homework.HOMEWORK_LINK) or not rest.isascii() or not rest.isdigit():
        return None
    return int(rest) if 0 < len(rest) <= 12 else None


async def join(tutor: Tutor, user_id: int, name: str, homework_id: int) -> Reply:
    """/start from a homework's link: the usual welcome, then the homework (and, before they have
    agreed, the class answers' question whose yes brings it)."""
    reply = await onboarding.start(tutor, user_id)
    found = await tutor.homework.join(user_id, homework_id, name)
    reply.append(Send(homework.join_text(found)))
    if found.status is JoinStatus.WAITING:
        reply += privacy.ask_consent()
    return reply
