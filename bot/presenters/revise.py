"""The revision loop's replies: prompts in sets, reveals, answers (tapped or typed), recaps, /focus, /goal."""

from __future__ import annotations

from datetime import datetime

from bot.codec import Callback, answer_of
from bot.presenters import mock
from bot.tutor.core import InvalidChoice
from bot.tutor.results import AnswerResult, PromptResult, Status
from bot.tutor.sets import MAX_SET, MIN_SET
from bot.tutor.tutor import Tutor
from bot.ui import ClearButtons, Edit, Reply, Send, StripButtons, Toast
from bot.views import commands, common, revise, sets
from content import limits
from content.schema import Bank, ConceptCard, MetricDrill


def prompt_reply(bank: Bank, result: PromptResult) -> Reply:
    """Send a prompt the tutor served (taking the buttons off the one it replaced), a recap, or why not."""
    reply: Reply = [StripButtons(result.replaced)] if result.replaced else []
    if result.status is Status.OK and result.prompt is not None:
        served = result.prompt
        reply.append(Send(revise.prompt_text(bank, served), revise.prompt_keyboard(served), served.prompt_id))
    elif result.status is Status.DONE and result.recap is not None:
        reply.append(Send(sets.recap_text(result.recap), sets.recap_keyboard(result.recap.set_id)))
    elif result.status is Status.NOT_ONBOARDED:
        reply.append(Send(common.not_started()))
    elif result.status is Status.EMPTY:
        reply.append(Send(common.nothing_to_serve()))
    elif result.status is Status.UNKNOWN:
        reply.append(Send(common.stale_button()))
    return reply  # ALREADY: this was served before (a double tap); it is already on screen


def _extras(result: AnswerResult) -> str:
    """A tip after a run of right answers and the daily goal when reached, to go under the verdict
    (in the same message: an answer costs at most two sends, its verdict and what follows)."""
    parts = []
    if result.tip is not None:
        parts.append(revise.tip_text(result.tip, result.tip_streak))
    if result.goal_met:
        parts.append(revise.goal_met(result.daily_goal))
    return "".join(f"\n\n{part}" for part in parts)


def _with_extras(verdict: str, result: AnswerResult) -> tuple[str, Reply]:
    """The verdict with its extras under it; sent apart only if together they would be too long."""
    extras = _extras(result)
    if len(verdict) + len(extras) <= limits.MAX_MESSAGE_LENGTH:
        return verdict + extras, []
    return verdict, [Send(extras.strip())] if extras else []


def _following(bank: Bank, result: AnswerResult) -> Reply:
    """The next prompt or the set's recap, served with the answer."""
    return prompt_reply(bank, result.following) if result.following is not None else []


def _answered(bank: Bank, result: AnswerResult, now: datetime) -> Reply:
    """The verdict in the toast and in place of the question, then what follows."""
    if result.status is Status.REPLACED:
        return [Toast(revise.replaced_toast()), ClearButtons()]
    if result.status not in (Status.OK, Status.ALREADY):
        return [Send(common.stale_button())]
    markup = common.next_keyboard(result.prompt_id) if result.can_continue else None
    if result.status is Status.ALREADY:  # the first answer again, with its choice: nothing new
        return [Toast(revise.verdict_toast(result)), Edit(revise.answered_text(bank, result, now), markup)]
    verdict, apart = _with_extras(revise.answered_text(bank, result, now), result)
    return [Toast(revise.verdict_toast(result)), Edit(verdict, markup), *apart, *_following(bank, result)]


async def next_command(tutor: Tutor, user_id: int) -> Reply:
    """/next: the next prompt of the set (or the first of a new set)."""
    return prompt_reply(tutor.bank, await tutor.practice.next_prompt(user_id))


async def reveal(tutor: Tutor, user_id: int, prompt_id: int, message_id: int | None) -> Reply:
    """Reveal: a concept card's answer, asking whether the learner knew it."""
    result = await tutor.practice.reveal(user_id, prompt_id, message_id)
    if result.status is Status.OK and isinstance(result.item, ConceptCard):
        return [Edit(revise.revealed_text(tutor.bank, result.item), revise.knew_keyboard(prompt_id))]
    return _answered(tutor.bank, result, tutor.core.clock())


async def answer(tutor: Tutor, user_id: int, callback: Callback, message_id: int | None) -> Reply:
    """A tapped answer, recorded once: the verdict and why, and (one tap) the next prompt."""
    kind, choice = answer_of(callback)
    result = await tutor.practice.answer(user_id, callback.prompt_id, kind, choice, message_id)
    return _answered(tutor.bank, result, tutor.core.clock())


async def next_button(tutor: Tutor, user_id: int, prompt_id: int) -> Reply:
    """ "Next" under a worked solution: the next prompt (once, however often the button is tapped)."""
    result = await tutor.practice.next_prompt(user_id, after_prompt_id=prompt_id)
    cleared: Reply = [ClearButtons()] if result.status in (Status.OK, Status.DONE, Status.ALREADY) else []
    return cleared + prompt_reply(tutor.bank, result)


async def another_set(tutor: Tutor, user_id: int, finished_set_id: int) -> Reply:
    """ "Another set" under a recap."""
    result = await tutor.practice.new_set(user_id, finished_set_id)
    return [ClearButtons(), *prompt_reply(tutor.bank, result)]


async def take_a_break(tutor: Tutor, user_id: int) -> Reply:
    """ "Done for now" under a recap: when Retain will next be in touch."""
    settings = await tutor.nudges.settings(user_id)
    return [ClearButtons(), Send(sets.break_text(settings, tutor.core.clock()))]


def free_text_reply(tutor: Tutor, result: AnswerResult) -> Reply:
    """A message that is not a command: a typed calculation answer, else a short hint, never silence."""
    if result.mock is not None:  # the learner is in a mock exam
        return mock.step_reply(tutor.bank, result.mock)
    if result.status is Status.NOT_ONBOARDED:
        return [Send(common.not_started())]
    if result.status is Status.NOT_EXPECTED:
        return [Send(commands.free_text_hint(result.awaiting))]
    if result.status is Status.UNREADABLE and isinstance(result.item, MetricDrill):
        return [Send(revise.unreadable_number(result.text, result.item))]
    if result.status is Status.WRONG_UNIT and isinstance(result.item, MetricDrill) and result.typed:
        return [Send(revise.wrong_unit(result.item, result.typed.unit))]
    markup = common.next_keyboard(result.prompt_id) if result.can_continue else None
    if result.status is Status.ALREADY:
        return [Send(revise.answered_text(tutor.bank, result, tutor.core.clock()), markup)]
    verdict, apart = _with_extras(revise.answered_text(tutor.bank, result, tutor.core.clock()), result)
    return [Send(verdict, markup), *apart, *_following(tutor.bank, result)]


async def goal(tutor: Tutor, user_id: int, text: str) -> Reply:
    """/goal 10 sets a daily goal, /goal off clears it, /goal alone shows it."""
    if not text:
        profile = await tutor.profiles.profile(user_id)
        return [Send(revise.goal_usage(profile.daily_goal if profile else None))]
    try:
        return [Send(revise.goal_set(await tutor.profiles.set_goal(user_id, text)))]
    except InvalidChoice:
        return [Send(revise.goal_invalid(text))]


async def set_size(tutor: Tutor, user_id: int, text: str) -> Reply:
    """/setsize 15: how many prompts a set holds."""
    if not text:
        profile = await tutor.profiles.profile(user_id)
        return [Send(sets.size_usage(profile.set_size if profile else None, MIN_SET, MAX_SET))]
    try:
        size = await tutor.profiles.set_size(user_id, text)
    except InvalidChoice:
        return [Send(sets.size_invalid(text, MIN_SET, MAX_SET))]
    return [Send(sets.size_set(size))]


async def focus(tutor: Tutor, user_id: int, text: str) -> Reply:
    """/focus: buttons for the areas; /focus <area> or /focus off sets it and starts a set."""
    bank = tutor.bank
    if not text:
        profile = await tutor.profiles.profile(user_id)
        current = profile.focus_area if profile else None
        return [Send(revise.focus_menu(bank, current), revise.focus_keyboard(bank))]
    result = await tutor.profiles.set_focus(user_id, text)
    if result.options:
        return [Send(revise.focus_unknown(text, result.options))]
    prompt = prompt_reply(bank, result.prompt or PromptResult(Status.EMPTY))
    return [Send(revise.focus_set(result.area)), *prompt]


async def focus_button(tutor: Tutor, user_id: int, value: str | None) -> Reply:
    """A topic area button (or "back to the mix") from /focus."""
    result = await tutor.profiles.set_focus(user_id, value)
    if result.options:
        return [Edit(common.stale_button())]
    prompt = prompt_reply(tutor.bank, result.prompt or PromptResult(Status.EMPTY))
    return [Edit(revise.focus_set(result.area)), *prompt]
