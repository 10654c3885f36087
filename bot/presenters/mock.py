"""Mock exam replies: /mock, its buttons, typed answers while it runs, and the results."""

from __future__ import annotations

from bot.codec import Callback
from bot.tutor.mock_results import MockResults, MockStatus, MockStep
from bot.tutor.tutor import Tutor
from bot.ui import ClearButtons, Edit, Reply, Send, StripButtons, Toast
from bot.views import common
from bot.views import mock as views
from content.schema import Bank, ExamQuestion, MetricDrill


def results_reply(bank: Bank, results: MockResults, heading: str | None = None) -> Reply:
    """The results: the score with what to revise (buttons to focus on it), then every question."""
    summary = views.summary_text(results)
    first = f"{heading}\n\n{summary}" if heading else summary
    reply: Reply = [Send(first, views.revise_keyboard(results))]
    reply.extend(Send(text) for text in views.detail_texts(bank, results))
    for line in results.lines:
        if isinstance(line.item, ExamQuestion):
            reply.append(Send(views.line_text(bank, line), views.written_keyboard(line)))
    return reply


def step_reply(bank: Bank, step: MockStep, *, tapped: bool = False) -> Reply:
    """A mock step as messages; `tapped`: it answers a button (its message is edited, not resent)."""
    reply: Reply = [StripButtons(step.replaced)] if step.replaced else []
    status = step.status
    if status is MockStatus.QUESTION and step.question is not None:
        question = step.question
        reply.append(
            Send(views.question_text(bank, question), views.question_keyboard(question), question.prompt_id)
        )
    elif status is MockStatus.RESULTS and step.results is not None:
        reply.extend(results_reply(bank, step.results))
    elif status is MockStatus.TIME_UP and step.results is not None:
        reply.extend(results_reply(bank, step.results, views.time_up()))
    elif status is MockStatus.ENDED and step.results is not None:
        reply.extend(results_reply(bank, step.results, views.time_ran_out()))
    elif status is MockStatus.OFFER and step.offer is not None:
        reply.append(Send(views.offer_text(step.offer), views.offer_keyboard()))
    elif status is MockStatus.RUNNING:
        reply.append(Send(views.running_text(step.seconds_left), views.running_keyboard()))
    elif status is MockStatus.ALREADY:
        if not tapped:
            reply.append(Send(views.already_started()))
    elif status is MockStatus.NOTED:
        reply.append(Send(views.noted(step.question)))
    elif status is MockStatus.TOO_LONG:
        reply.append(Send(views.too_long()))
    elif status is MockStatus.POINTER:
        reply.append(Send(views.pointer(step.question, step.seconds_left)))
    elif status is MockStatus.UNREADABLE and isinstance(step.item, MetricDrill):
        reply.append(Send(views.unreadable(step.text, step.item)))
    elif status is MockStatus.WRONG_UNIT and isinstance(step.item, MetricDrill):
        reply.append(Send(views.wrong_unit(step.item)))
    elif status is MockStatus.ABANDONED:
        reply.append(Send(views.abandoned()))
    elif status is MockStatus.NONE:
        reply.append(Send(views.none_running()))
    elif status is MockStatus.NOT_ONBOARDED:
        reply.append(Send(common.not_started()))
    elif status is MockStatus.EMPTY:
        reply.append(Send(common.nothing_to_serve()))
    else:
        reply.append(Send(common.stale_button()))
    return reply


async def command(tutor: Tutor, user_id: int, _text: str) -> Reply:
    """/mock: the offer with Start, or the running mock's time left with carry on / abandon."""
    return step_reply(tutor.bank, await tutor.mock.offer(user_id))


async def written(tutor: Tutor, user_id: int, payload: str) -> Reply:
    """/start mx_<question> from a class mock's results: that written question, timed, in private."""
    step = await tutor.mock.start_written(user_id, payload.removeprefix(views.WRITTEN_LINK))
    return step_reply(tutor.bank, step)


async def control(tutor: Tutor, user_id: int, value: str | None) -> Reply:
    """Start, Cancel, Carry on or Abandon."""
    if value == "start":
        step = await tutor.mock.start(user_id)
    elif value == "on":
        step = await tutor.mock.carry_on(user_id)
    elif value == "abandon":
        step = await tutor.mock.abandon(user_id)
    elif value == "cancel":
        return [ClearButtons(), Send(views.cancelled())]
    else:
        return [Toast(common.stale_button())]
    return [ClearButtons(), *step_reply(tutor.bank, step, tapped=True)]


async def answer(tutor: Tutor, user_id: int, callback: Callback) -> Reply:
    """A tapped answer to a mock question: no verdict; the next question (or the results)."""
    step = await tutor.mock.answer(user_id, callback.prompt_id, callback.value or "")
    bank = tutor.bank
    if step.status is MockStatus.QUESTION and step.question is not None and callback.value == "v":
        question = step.question  # a recall card revealed: knew it / not yet in place
        return [Edit(views.question_text(bank, question), views.question_keyboard(question))]
    if step.status in (MockStatus.QUESTION, MockStatus.RESULTS):
        return [Toast(views.recorded_toast()), ClearButtons(), *step_reply(bank, step, tapped=True)]
    if step.status is MockStatus.ALREADY:
        return [Toast(views.recorded_toast()), ClearButtons()]
    if step.status in (MockStatus.TIME_UP, MockStatus.ENDED):
        return [ClearButtons(), *step_reply(bank, step, tapped=True)]
    return [Toast(common.stale_button()), ClearButtons()]
