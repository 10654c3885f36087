"""Written answers to exam questions: while writing, the marking with quotes, corrections, the record."""

from __future__ import annotations

from datetime import datetime
from html import escape

from bot.codec import Action, Callback
from bot.tutor.results import MarkedPoint, WrittenResult
from bot.tutor.written import MAX_ANSWER
from bot.ui import Keyboard, keyboard
from bot.views.common import button, heading
from content.schema import Bank

MAX_QUOTE = 200  # characters of the learner's sentence quoted under a point


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def missed_before(points: tuple[str, ...]) -> str:
    """Under a returning exam question: the points missed last time, to aim for."""
    if not points:
        return ""
    lines = "\n".join(f"• {escape(point)}" for point in points)
    return f"\n\n<b>Last time these points were missing:</b>\n{lines}"


def no_questions() -> str:
    """/write when the learner's course has no exam questions."""
    return "There are no exam questions for your course yet. Send /next for a revision prompt."


def mark_keyboard(prompt_id: int) -> Keyboard:
    """Under the acknowledgement of each message: have the answer marked now."""
    return keyboard([[button("✅ Mark my answer", Callback(Action.MARK, prompt_id))]])


def added(result: WrittenResult) -> str:
    """A message joined the answer being written."""
    return (
        f"📝 Got it: {_plural(result.messages, 'message')}, {_plural(result.words, 'word')} so far. "
        "Write more, or send <b>done</b> to have it marked.\n"
        "<i>Asking for another prompt (/next, /write, /focus, /mock) skips this question and discards "
        "what you have written.</i>"
    )


def nothing_yet(tapped: bool = False) -> str:
    """ "done" (or the Mark button, answered with a plain-text notice) before anything was written."""
    if tapped:
        return "Nothing written yet: write your answer as a message first, then send done."
    return (
        "Nothing written yet: write your answer to the question above as a message, then send "
        "<b>done</b>. Or send /next to skip it."
    )


def too_long(result: WrittenResult) -> str:
    """A message that would take the answer past MAX_ANSWER characters."""
    return (
        f"That message would take your answer past {MAX_ANSWER:,} characters, far more than this "
        "question needs, so I didn't add it. Send <b>done</b> to have the "
        f"{_plural(result.words, 'word')} you have written marked."
    )


def _quote(text: str) -> str:
    if len(text) > MAX_QUOTE:
        text = text[: MAX_QUOTE - 1].rstrip() + "…"
    return f"“{escape(text)}”"


def _point_line(point: MarkedPoint) -> str:
    if point.auto:
        found = f"\n    <i>{_quote(point.quote)}</i>" if point.quote else ""
        return f"✅ <b>{point.position}.</b> {escape(point.text)}{found}"
    return f"❌ <b>{point.position}.</b> {escape(point.text)}\n    <i>not found in your answer</i>"


def marked(bank: Bank, result: WrittenResult) -> str:
    """The marking: each point found with the learner's own sentence, each point missed, the model
    answer, and how to correct the marking."""
    question = result.item
    if question is None:
        raise ValueError("a marked answer has its question")
    auto = sum(point.auto for point in result.points)
    lines = "\n".join(_point_line(point) for point in result.points)
    return (
        f"{heading(bank, question)}\n\n✍️ <b>{escape(question.question)}</b>\n\n"
        f"<b>I found {auto} of {question.marks} marking points</b> in your "
        f"{_plural(result.words, 'word')}:\n{lines}\n\n"
        f"<b>Model answer:</b> {escape(question.model_answer)}\n\n"
        f"<i>{escape(question.explanation)}</i>\n\n"
        "<b>Check my marking</b>: you know what you meant. Tap a point to change it "
        "(✅ earned, ❌ not), then tap Confirm. Your marks are what I record."
    )


def marks_keyboard(result: WrittenResult) -> Keyboard:
    """One button per point (its mark as it stands; a tap flips it) and Confirm with the total."""
    toggles = [
        button(
            f"{'✅' if point.earned else '❌'} {point.position}",
            Callback(Action.POINT, result.prompt_id, str(point.position)),
        )
        for point in result.points
    ]
    total = len(result.points)
    confirm = button(f"Confirm {result.earned}/{total} ▶", Callback(Action.CONFIRM, result.prompt_id))
    return keyboard([toggles[:3], toggles[3:], [confirm]])


def flipped_toast(result: WrittenResult) -> str:
    """The tap that changed one point's mark."""
    point = next((p for p in result.points if p.position == result.flipped), None)
    if point is None:
        return ""
    state = "earned ✅" if point.earned else "not earned ❌"
    return f"Point {point.position}: {state}. Now {result.earned}/{len(result.points)}."


def awaiting(tapped: bool = False) -> str:
    """A message (or the Mark button) while a marked answer waits for its confirmation."""
    if tapped:
        return "Your answer is already marked: check the points, then tap Confirm."
    return (
        "Your answer is already marked, so this message was not added to it: check the points above "
        "(tap one to change it), then tap Confirm. /next also keeps the marks as they stand and moves on."
    )


def confirmed(result: WrittenResult, now: datetime) -> str:
    """The marks recorded, and when the question comes back."""
    question = result.item
    total = len(result.points)
    changed = sum(point.earned != point.auto for point in result.points)
    yours = f" (you changed {_plural(changed, 'point')})" if changed else ""
    head = f"📌 Recorded: {result.earned}/{total}{yours}."
    if result.earned < total:
        return (
            f"{head} Each marking point is remembered on its own: the ones you missed bring this "
            "question back in a later set, and I'll show you which they were."
        )
    if result.next_due is None or question is None:
        return head
    days = (result.next_due - now).total_seconds() / 86_400
    when = "tomorrow" if days < 1.5 else f"in about {round(days)} days"
    return f"{head} Full marks: this question comes back {when}."


def already_recorded(result: WrittenResult) -> str:
    """A tap on a marked answer whose marks are already recorded."""
    return f"Already recorded: {result.earned}/{len(result.points)}."
