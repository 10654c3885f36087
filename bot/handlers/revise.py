"""The revision loop: /next, revealing, answering (tapped or typed), "Next", /focus and /goal."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from bot import views
from bot.codec import ANSWER_KINDS, Action, answer_of, decode, matches
from bot.context import RetainApp, RetainContext
from bot.handlers.common import acknowledge, edit, reply, send_prompt, user_id
from bot.tutor.service import AnswerResult, InvalidChoice, Status
from content.schema import ConceptCard, MetricDrill


async def next_command(update: Update, context: RetainContext) -> None:
    """/next: serve the next prompt."""
    await send_prompt(update, context, await context.tutor.next_prompt(user_id(update)))


async def on_reveal(update: Update, context: RetainContext) -> None:
    """Show a concept card's answer and ask whether the learner knew it."""
    query = update.callback_query
    assert query is not None
    await acknowledge(query)
    prompt_id = decode(query.data).prompt_id or 0
    result = await context.tutor.reveal(user_id(update), prompt_id)
    if result.status is Status.OK and isinstance(result.item, ConceptCard):
        await edit(
            query, views.revealed_text(context.tutor.bank, result.item), views.knew_keyboard(prompt_id)
        )
    else:
        await _show_answer(update, context, result)


async def on_answer(update: Update, context: RetainContext) -> None:
    """Record a tapped answer, once, and say whether it was right and why."""
    query = update.callback_query
    assert query is not None
    await acknowledge(query)
    data = decode(query.data)
    kind, choice = answer_of(data)
    result = await context.tutor.answer(user_id(update), data.prompt_id or 0, kind, choice)
    await _show_answer(update, context, result)


async def _show_answer(update: Update, context: RetainContext, result: AnswerResult) -> None:
    query = update.callback_query
    assert query is not None
    if result.status in (Status.OK, Status.ALREADY):
        text = views.answered_text(context.tutor.bank, result)
        await edit(query, text, None if result.goal_met else views.next_keyboard(result.prompt_id))
        await _after_answer(update, context, result)
    else:
        await reply(update, context, views.stale_button())


async def _after_answer(update: Update, context: RetainContext, result: AnswerResult) -> None:
    """An exam tip after a run of right answers; the daily goal's message when it is reached."""
    if result.tip is not None:
        await reply(update, context, views.tip_text(result.tip))
    if result.goal_met:
        learner = await context.tutor.learner(user_id(update))
        goal = learner.daily_goal if learner and learner.daily_goal else 0
        await reply(update, context, views.goal_met(goal), views.keep_going_keyboard(result.prompt_id))


async def typed_answer(update: Update, context: RetainContext, result: AnswerResult) -> None:
    """Reply to a number typed for a calculation: the verdict and worked solution, or a hint."""
    if result.status is Status.UNREADABLE:
        assert isinstance(result.item, MetricDrill)
        await reply(update, context, views.unreadable_number(result.text, result.item))
        return
    text = views.answered_text(context.tutor.bank, result)
    await reply(update, context, text, None if result.goal_met else views.next_keyboard(result.prompt_id))
    await _after_answer(update, context, result)


async def goal_command(update: Update, context: RetainContext) -> None:
    """/goal 10 sets a daily goal, /goal off clears it, /goal alone shows it."""
    tutor = context.tutor
    if not context.args:
        learner = await tutor.learner(user_id(update))
        await reply(update, context, views.goal_usage(learner.daily_goal if learner else None))
        return
    text = " ".join(context.args)
    goal: int | None = None
    if text.casefold() not in ("off", "none", "0"):
        if not text.isdigit():
            await reply(update, context, views.goal_invalid(text))
            return
        goal = int(text)
    try:
        await tutor.set_goal(user_id(update), goal)
    except InvalidChoice:
        await reply(update, context, views.goal_invalid(text))
        return
    await reply(update, context, views.goal_set(goal))


async def focus_command(update: Update, context: RetainContext) -> None:
    """/focus: buttons for the areas; /focus <area> or /focus off sets it."""
    tutor = context.tutor
    if not context.args:
        learner = await tutor.learner(user_id(update))
        current = learner.focus_area if learner else None
        await reply(update, context, views.focus_menu(tutor.bank, current), views.focus_keyboard(tutor.bank))
        return
    text = " ".join(context.args)
    result = await tutor.set_focus(user_id(update), text)
    if result.options:
        await reply(update, context, views.focus_unknown(text, result.options))
        return
    await reply(update, context, views.focus_set(result.area))
    await send_prompt(update, context, await tutor.next_prompt(user_id(update)))


async def on_focus(update: Update, context: RetainContext) -> None:
    """A topic area button (or "back to the mix") from /focus."""
    query = update.callback_query
    assert query is not None
    await acknowledge(query)
    tutor = context.tutor
    result = await tutor.set_focus(user_id(update), decode(query.data).value)
    if result.options:
        await edit(query, views.stale_button())
        return
    await edit(query, views.focus_set(result.area))
    await send_prompt(update, context, await tutor.next_prompt(user_id(update)))


async def on_next(update: Update, context: RetainContext) -> None:
    """Serve the prompt after this one (once, however often the button is tapped)."""
    query = update.callback_query
    assert query is not None
    await acknowledge(query)
    result = await context.tutor.next_prompt(user_id(update), after_prompt_id=decode(query.data).prompt_id)
    if result.status is Status.OK:
        await query.edit_message_reply_markup(None)
    await send_prompt(update, context, result)


def register(app: RetainApp) -> None:
    """Add the revision handlers."""
    app.add_handler(CommandHandler("next", next_command, filters=filters.ChatType.PRIVATE))
    app.add_handler(CallbackQueryHandler(on_reveal, pattern=matches(Action.REVEAL)))
    app.add_handler(CommandHandler("focus", focus_command, filters=filters.ChatType.PRIVATE))
    app.add_handler(CommandHandler("goal", goal_command, filters=filters.ChatType.PRIVATE))
    app.add_handler(CallbackQueryHandler(on_answer, pattern=matches(*ANSWER_KINDS)))
    app.add_handler(CallbackQueryHandler(on_focus, pattern=matches(Action.FOCUS)))
    app.add_handler(CallbackQueryHandler(on_next, pattern=matches(Action.NEXT)))
