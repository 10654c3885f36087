"""Revision texts: prompts as first shown, answers with why, tips, focus and the daily goal."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from html import escape

from bot.codec import Action, Callback
from bot.tutor.grading import option_order
from bot.tutor.profile import MAX_GOAL, MIN_GOAL
from bot.tutor.results import AnswerResult, ServedPrompt
from bot.ui import Keyboard, keyboard
from bot.views import written
from bot.views.common import LETTERS, button, echo, heading
from content.drills import (
    METRICS,
    Mark,
    Nature,
    example_answer,
    format_number,
    mark,
    precision,
    render,
    render_question,
)
from content.schema import (
    Area,
    Bank,
    ConceptCard,
    ExamQuestion,
    ExamTip,
    MetricDrill,
    MultipleChoice,
    TrueFalse,
)


def _options(item: MultipleChoice, prompt_id: int, marks: dict[int, str] | None = None) -> str:
    lines = []
    for letter, index in zip(LETTERS, option_order(item, prompt_id), strict=False):
        mark = (marks or {}).get(index, "")
        lines.append(f"{mark}<b>{letter}.</b> {escape(item.options[index])}")
    return "\n".join(lines)


def _number(drill: MetricDrill, value: Decimal) -> str:
    return format_number(value, drill.decimals, drill.unit)


def _set_place(position: int, total: int) -> str:
    return f"<b>{position}/{total}</b> · " if position else ""


def prompt_text(bank: Bank, served: ServedPrompt) -> str:
    """A prompt as first shown: its place in the set, the question, statement or calculation."""
    item = served.item
    head = _set_place(served.position, served.total) + heading(bank, item, served.reason)
    if isinstance(item, ConceptCard):
        return f"{head}\n\n{escape(item.question)}\n\n<i>Answer it in your head, then tap Reveal.</i>"
    if isinstance(item, TrueFalse):
        return f"{head}\n\n{escape(item.statement)}"
    if isinstance(item, MultipleChoice):
        return f"{head}\n\n{escape(item.question)}\n\n{_options(item, served.prompt_id)}"
    if isinstance(item, ExamQuestion):
        return exam_question_text(head, item, served.missed_points)
    if served.drill is None:
        raise ValueError(f"calculation {item.id} served without its numbers")
    return (
        f"{head}\n\n{escape(render_question(item, served.drill))}\n\n"
        f"<i>Type your answer (like {example_answer(item)}) or tap one.</i>"
    )


def exam_question_text(head: str, item: ExamQuestion, missed: tuple[str, ...] = ()) -> str:
    """An exam question as set: the question, its marks, the points missed last time, and how to
    answer in the chat."""
    return (
        f"{head}\n\n✍️ <b>{escape(item.question)}</b> ({item.marks} marks){written.missed_before(missed)}\n\n"
        "<i>Write your answer here, in one message or several, in full sentences. Send <b>done</b> "
        "when you have finished and I'll mark it against the examiner's points.</i>"
    )


def prompt_keyboard(served: ServedPrompt) -> Keyboard | None:
    """The answer buttons for a prompt (none for an exam question: it is answered by writing)."""
    pid, item = served.prompt_id, served.item
    if isinstance(item, ConceptCard):
        return keyboard([[button("Reveal", Callback(Action.REVEAL, pid))]])
    if isinstance(item, TrueFalse):
        true, false = Callback(Action.TRUE_FALSE, pid, "t"), Callback(Action.TRUE_FALSE, pid, "f")
        return keyboard([[button("True", true), button("False", false)]])
    if isinstance(item, MultipleChoice):
        order = option_order(item, pid)
        row = [button(LETTERS[n], Callback(Action.CHOICE, pid, str(i))) for n, i in enumerate(order)]
        return keyboard([row[:4], row[4:8], row[8:]])
    if isinstance(item, ExamQuestion):
        return None
    if served.drill is None:
        raise ValueError(f"calculation {item.id} served without its numbers")
    buttons = [
        button(_number(item, value), Callback(Action.DRILL, pid, str(n)))
        for n, value in enumerate(served.drill.options)
    ]
    return keyboard([buttons[:2], buttons[2:]])


def _card_body(bank: Bank, card: ConceptCard) -> str:
    return (
        f"{heading(bank, card)}\n\n{escape(card.question)}\n\n"
        f"<b>Answer:</b> {escape(card.answer)}\n\n<i>{escape(card.explanation)}</i>"
    )


def revealed_text(bank: Bank, card: ConceptCard) -> str:
    """A card with its answer shown, asking whether the learner knew it."""
    return f"{_card_body(bank, card)}\n\nDid you know it?"


def knew_keyboard(prompt_id: int) -> Keyboard:
    """Knew it / Not yet."""
    knew, not_yet = Callback(Action.KNEW, prompt_id, "1"), Callback(Action.KNEW, prompt_id, "0")
    return keyboard([[button("Knew it", knew), button("Not yet", not_yet)]])


def _comes_back(result: AnswerResult, now: datetime) -> str:
    """When an item comes back, as honestly as the schedule knows it."""
    if not result.correct:
        return (
            "It comes back before the end of this set."
            if result.back_in_set
            else "It comes back in a later set."
        )
    if result.next_due is None:
        return ""
    days = (result.next_due - now).total_seconds() / 86_400
    if days < 1.5:
        return "It comes back tomorrow."
    return f"It comes back in about {round(days)} days."


def _given(item: MetricDrill, result: AnswerResult) -> str | None:
    """What the learner gave for a calculation, typed (with the places they typed) or tapped."""
    drill = result.drill
    if result.typed is not None:
        return format_number(result.typed.value, result.typed.places, item.unit)
    if drill is not None and isinstance(result.choice, int) and not isinstance(result.choice, bool):
        return _number(item, drill.options[result.choice])
    return None


def verdict_toast(result: AnswerResult) -> str:
    """The verdict in a line for the tap's notice (Telegram allows 200 characters)."""
    item = result.item
    if isinstance(item, ConceptCard):
        return (
            "✅ Knew it"
            if result.correct
            else "🔁 Not yet: it comes back" + (" in this set" if result.back_in_set else "")
        )
    if result.correct:
        return "✅ Right"
    if isinstance(item, TrueFalse):
        return f"❌ Not quite: it's {'true' if item.answer else 'false'}"
    if isinstance(item, MultipleChoice):
        return f"❌ Not quite: the answer is {LETTERS[option_order(item, result.prompt_id).index(0)]}"
    if isinstance(item, MetricDrill) and result.drill is not None:
        return f"❌ Not quite: it's {_number(item, result.drill.answer)}"
    return "❌ Not quite"


def answered_text(bank: Bank, result: AnswerResult, now: datetime) -> str:
    """The prompt after its answer: what the learner chose, right or wrong, why, and when it returns."""
    item = result.item
    if item is None:
        raise ValueError("an answered prompt has its item")
    head = heading(bank, item)
    back = _comes_back(result, now)
    if isinstance(item, ConceptCard):
        verdict = "✅ Knew it." if result.correct else "🔁 Not yet: no problem."
        return f"{_card_body(bank, item)}\n\n{verdict} {back}".rstrip()
    if isinstance(item, TrueFalse):
        truth = "true" if item.answer else "false"
        said = ""
        if isinstance(result.choice, bool):
            said = f"You said {'true' if result.choice else 'false'}. "
        verdict = f"✅ Right: it's {truth}." if result.correct else f"❌ Not quite: it's {truth}."
        return f"{head}\n\n{escape(item.statement)}\n\n{said}<b>{verdict}</b> {escape(item.explanation)}"
    if isinstance(item, MultipleChoice):
        marks = {0: "✅ "}
        if isinstance(result.choice, int) and not isinstance(result.choice, bool) and result.choice != 0:
            marks[result.choice] = "❌ "
        verdict = "✅ Right." if result.correct else f"❌ Not quite: the answer is {escape(item.answer)}."
        return (
            f"{head}\n\n{escape(item.question)}\n\n{_options(item, result.prompt_id, marks)}\n\n"
            f"<b>{verdict}</b> {escape(item.explanation)}"
        )
    if isinstance(item, ExamQuestion):
        raise ValueError(f"exam question {item.id} is marked, not answered with a tap")
    drill = result.drill
    if drill is None:
        raise ValueError(f"calculation {item.id} answered without its numbers")
    answer = _number(item, drill.answer)
    given = _given(item, result)
    nearly = result.typed is not None and mark(item, drill, result.typed) is Mark.NEARLY
    if nearly:
        verdict = f"🟡 Nearly: {precision(item)} it is {answer}."
    elif result.correct:
        verdict = f"✅ Right: {answer}."
    else:
        said = f"you said {given}; " if given else ""
        verdict = f"❌ Not quite: {said}{precision(item)} the answer is {answer}."
    return (
        f"{head}\n\n{escape(render_question(item, drill))}\n\n<b>{verdict}</b>\n\n"
        f"<b>Worked solution:</b> {escape(render(item.solution, item, drill))}\n\n"
        f"<i>{escape(item.explanation)}</i>"
    )


def replaced_toast() -> str:
    """A tap on a prompt that a newer prompt replaced."""
    return "That prompt was replaced by a newer one: answer the latest."


def unreadable_number(text: str, drill: MetricDrill) -> str:
    """A typed answer that is not a number: a hint, never a wrong mark."""
    unit = {"%": " (a % sign is fine)", "£": " (a £ sign is fine)"}.get(drill.unit, "")
    return (
        f"I couldn't read “{echo(text)}” as a number. Type just the number, like {example_answer(drill)}"
        f"{unit}, or tap one of the buttons under the question."
    )


_UNIT_NAMES = {"%": "a percentage", "£": "an amount in pounds"}
_WHAT_IT_IS = {
    Nature.SCORE: "a score from \u2212100 to 100",
    Nature.RATE: "a percentage",
    Nature.MONEY: "an amount in pounds",
}


def wrong_unit(drill: MetricDrill, typed_unit: str) -> str:
    """A typed number in a unit the figure cannot have: the unit named, the question still open."""
    metric = METRICS[drill.metric]
    sign = f" (a {drill.unit} sign is fine)" if drill.unit else ""
    return (
        f"{metric.label} is {_WHAT_IT_IS[metric.nature]}, not {_UNIT_NAMES[typed_unit]}. "
        f"Type just the number, like {example_answer(drill)}{sign}: the question is still open."
    )


def tip_text(tip: ExamTip, streak: int = 0) -> str:
    """An exam tip card; after a run of right answers it says how long the run is."""
    lead = f"🔥 {streak} right in a row! Here's an exam tip.\n\n" if streak else ""
    return f"{lead}💡 <b>{escape(tip.title)}</b>\n{escape(tip.text)}"


def focus_menu(bank: Bank, current: str | None) -> str:
    """/focus without an argument."""
    now = (
        f"You are drilling <b>{escape(bank.area(current).name)}</b>."
        if current
        else "You are on the adaptive mix."
    )
    return f"{now} Choose a topic area to drill, or go back to the mix:"


def focus_keyboard(bank: Bank) -> Keyboard:
    """One button per topic area, and one for the mix."""
    rows = [[button(area.name, Callback(Action.FOCUS, value=area.id))] for area in bank.areas]
    rows.append([button("Back to the adaptive mix", Callback(Action.FOCUS, value="off"))])
    return keyboard(rows)


def focus_set(area: Area | None) -> str:
    """Confirms /focus."""
    if area is None:
        return "Back to the adaptive mix: I'll choose across all topic areas, weakest first."
    return (
        f"Focusing on <b>{escape(area.name)}</b>: {escape(area.description)}\n"
        "Send <code>/focus off</code> to go back to the adaptive mix."
    )


def focus_unknown(text: str, areas: list[Area]) -> str:
    """/focus with an area that does not exist."""
    names = "\n".join(f"• <code>{a.id}</code>: {escape(a.name)}" for a in areas)
    return (
        f"I don't have a topic area called “{echo(text)}”. Try one of these, or /focus for buttons:\n" + names
    )


def goal_usage(current: int | None) -> str:
    """/goal without a number."""
    now = f"Your daily goal is <b>{current}</b> prompts." if current else "You have no daily goal yet."
    return (
        f"{now} Set one with <code>/goal 10</code> ({MIN_GOAL} to {MAX_GOAL} prompts a day), "
        "or <code>/goal off</code>."
    )


def goal_set(goal: int | None) -> str:
    """Confirms /goal."""
    if goal is None:
        return "Daily goal off. Revise as much or as little as you like."
    return f"Daily goal: <b>{goal}</b> prompts a day. I'll tell you when you reach it."


def goal_invalid(text: str) -> str:
    """/goal with something that is not a goal."""
    return (
        f"“{echo(text)}” isn't a daily goal. Send a number of prompts from {MIN_GOAL} to {MAX_GOAL}, "
        "like <code>/goal 10</code>, or <code>/goal off</code>."
    )


def goal_met(goal: int) -> str:
    """The moment the daily goal is reached."""
    return f"🎯 Daily goal reached: {goal} prompts today. Well done! No more nudges today."
