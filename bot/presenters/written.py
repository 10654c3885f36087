"""Written answers to exam questions: each message acknowledged, the marking, corrections, the record."""

from __future__ import annotations

from bot.presenters.revise import prompt_reply
from bot.tutor.results import Writing, WrittenResult
from bot.tutor.tutor import Tutor
from bot.ui import ClearButtons, EditButtons, Reply, Send, Toast
from bot.views import common, revise, written


def written_reply(tutor: Tutor, result: WrittenResult, *, tapped: bool = False) -> Reply:
    """What the learner sees after a message or a tap about a written answer."""
    status = result.status
    if status is Writing.ADDED:
        return [Send(written.added(result), written.mark_keyboard(result.prompt_id))]
    if status is Writing.NOTHING_YET:
        return [Toast(written.nothing_yet(tapped=True)) if tapped else Send(written.nothing_yet())]
    if status is Writing.TOO_LONG:
        return [Send(written.too_long(result), written.mark_keyboard(result.prompt_id))]
    if status is Writing.MARKED:
        reply: Reply = [ClearButtons()] if tapped else []
        return [*reply, Send(written.marked(tutor.bank, result), written.marks_keyboard(result))]
    if status is Writing.AWAITING:
        return [Toast(written.awaiting(tapped=True)) if tapped else Send(written.awaiting())]
    if status is Writing.FLIPPED:
        return [Toast(written.flipped_toast(result)), EditButtons(written.marks_keyboard(result))]
    if status is Writing.CONFIRMED and result.again:
        return [Toast(written.already_recorded(result)), ClearButtons()]
    if status is Writing.CONFIRMED:
        now = tutor.core.clock()
        following = prompt_reply(tutor.bank, result.following) if result.following is not None else []
        return [Toast(), ClearButtons(), Send(written.confirmed(result, now)), *following]
    if tapped:
        return [Toast(revise.replaced_toast()), ClearButtons()]
    return [Send(common.stale_button())]


async def mark_button(tutor: Tutor, user_id: int, prompt_id: int) -> Reply:
    """ "Mark my answer"."""
    return written_reply(tutor, await tutor.practice.mark_written(user_id, prompt_id), tapped=True)


async def point_button(tutor: Tutor, user_id: int, prompt_id: int, position: int) -> Reply:
    """A tap on one point of a marked answer: its mark flips."""
    return written_reply(tutor, await tutor.practice.flip_point(user_id, prompt_id, position), tapped=True)


async def confirm_button(tutor: Tutor, user_id: int, prompt_id: int) -> Reply:
    """Confirm: the marks are recorded and the next prompt follows."""
    return written_reply(tutor, await tutor.practice.confirm_marks(user_id, prompt_id), tapped=True)
