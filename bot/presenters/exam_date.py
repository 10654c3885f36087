"""/exam: set, show or clear the learner's exam date."""

from __future__ import annotations

from bot.tutor.tutor import Tutor
from bot.ui import Reply, Send
from bot.views import exam_date


async def exam(tutor: Tutor, user_id: int, text: str) -> Reply:
    """/exam 12 March sets the date, /exam off clears it, /exam alone shows it."""
    if not text:
        return [Send(exam_date.shown(await tutor.exam_dates.show(user_id)))]
    result = await tutor.exam_dates.set(user_id, text)
    if result.problem is not None:
        return [Send(exam_date.refused(result))]
    if result.day is None:
        return [Send(exam_date.cleared(result))]
    return [Send(exam_date.set_text(result))]
