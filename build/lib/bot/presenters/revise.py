"""The revision loop's replies: prompts, reveals, answers (tapped or typed), "Next", /focus and /goal."""

from __future__ import annotations

from bot.codec import Callback, answer_of
from bot.tutor.core import InvalidChoice
from bot.tutor.results import AnswerResult, PromptResult, Status
from bot.tutor.tutor import Tutor
from bot.ui import ClearButtons, Edit, Reply, Send
from bot.views import commands, common, revise
from content.schema import Bank, ConceptCard, MetricDrill


def prompt_reply(bank: Bank, result: PromptResult) -> Reply:
    """Send a prompt the tutor served, or say why there is none."""
    if result.status is Status.OK and result.prompt is not None:
        return [Send(revise.prompt_text(bank, result.prompt), revise.prompt_keyboard(result.prompt))]
    if result.status is Status.NOT_ONBOARDED:
        return [Send(common.not_started())]
    if result.status is Status.EMPTY:
        return [Send(common.nothing_to_serve())]
    if result.status is Status.UNKNOWN:
        return [Send(common.stale_button())]
    return []  # ALREADY: this "Next" was served before (a double tap); the prompt is already there


def _after_answer(result: AnswerResult) -> Reply:
    """An exam tip after a run of right answers; the daily goal's message when it is reached."""
    reply: Reply = []
    if result.tip is not None:
        reply.append(Send(revise.tip_text(result.tip)))
    if result.goal_met:
        reply.append(Send(revise.goal_met(result.daily_goal), revise.keep_going_keyboard(result.prompt_id)))
    return reply


def _answered(bank: Bank, result: AnswerResult) -> Reply:
    """The answered prompt in place of the question, then what follows an answer."""
    if result.status not in (Status.OK, Status.ALREADY):
        return [Send(common.stale_button())]
    markup = None if result.goal_met else common.next_keyboard(result.prompt_id)
    return [Edit(revise.answered_text(bank, result), markup), *_after_answer(result)]


async def next_command(tutor: Tutor, user_id: int) -> Reply:
    """/next: the next prompt."""
    return prompt_reply(tutor.bank, await tutor.practice.next_prompt(user_id))


async def reveal(tutor: Tutor, user_id: int, prompt_id: int) -> Reply:
    """Reveal: a concept card's answer, asking whether the learner knew it."""
    result = await tutor.practice.reveal(user_id, prompt_id)
    if result.status is Status.OK and isinstance(result.item, ConceptCard):
        return [Edit(revise.revealed_text(tutor.bank, result.item), revise.knew_keyboard(prompt_id))]
    return _answered(tutor.bank, result)


async def answer(tutor: Tutor, user_id: int, callback: Callback) -> Reply:
    """A tapped answer, recorded once, with whether it was right and why."""
    kind, choice = answer_of(callback)
    return _answered(tutor.bank, await tutor.practice.answer(user_id, callback.prompt_id, kind, choice))


async def next_button(tutor: Tutor, user_id: int, prompt_id: int) -> Reply:
    """ "Next": the prompt after this one (once, however often the button is tapped)."""
    result = await tutor.practice.next_prompt(user_id, after_prompt_id=prompt_id)
    cleared: Reply = [ClearButtons()] if result.status is Status.OK else []
    return cleared + prompt_reply(tutor.bank, result)


async def free_text(tutor: Tutor, user_id: int, text: str) -> Reply:
    """A message that is not a command: a typed calculation answer, else a short hint, never silence."""
    result = await tutor.practice.free_text(user_id, text)
    if result.status is Status.NOT_ONBOARDED:
        return [Send(common.not_started())]
    if result.status is Status.NOT_EXPECTED:
        return [Send(commands.free_text_hint(result.awaiting))]
    if result.status is Status.UNREADABLE and isinstance(result.item, MetricDrill):
        return [Send(revise.unreadable_number(result.text, result.item))]
    markup = None if result.goal_met else common.next_keyboard(result.prompt_id)
    return [Send(revise.answered_text(tutor.bank, result), markup), *_after_answer(result)]


async def goal(tutor: Tutor, user_id: int, text: str) -> Reply:
    """/goal 10 sets a daily goal, /goal off clears it, /goal alone shows it."""
    if not text:
        profile = await tutor.profiles.profile(user_id)
        return [Send(revise.goal_usage(profile.daily_goal if profile else None))]
    try:
        return [Send(revise.goal_set(await tutor.profiles.set_goal(user_id, text)))]
    except InvalidChoice:
        return [Send(revise.goal_invalid(text))]


async def focus(tutor: Tutor, user_id: int, text: str) -> Reply:
    """/focus: buttons for the areas; /focus <area> or /focus off sets it and serves a prompt."""
    bank = tutor.bank
    if not text:
        profile = await tutor.profiles.profile(user_id)
        current = profile.focus_area if profile else None
        return [Send(revise.focus_menu(bank, current), revise.focus_keyboard(bank))]
    result = await tutor.profiles.set_focus(user_id, text)
    if result.options:
        return [Send(revise.focus_unknown(text, result.options))]
    return [
        Send(revise.focus_set(result.area)),
        *prompt_reply(bank, result.prompt or PromptResult(Status.EMPTY)),
    ]


async def focus_button(tutor: Tutor, user_id: int, value: str | None) -> Reply:
    """A topic area button (or "back to the mix") from /focus."""
    result = await tutor.profiles.set_focus(user_id, value)
    if result.options:
        return [Edit(common.stale_button())]
    prompt = prompt_reply(tutor.bank, result.prompt or PromptResult(Status.EMPTY))
    return [Edit(revise.focus_set(result.area)), *prompt]
