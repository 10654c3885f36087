"""Mock exam texts: the offer, questions without verdicts, the results, and the class mock's posts."""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

from bot.codec import Action, Callback
from bot.tutor.class_quiz.results import ClassMockLine, ClassMockResults, Question, RoundSummary
from bot.tutor.grading import option_order
from bot.tutor.mock import WRITTEN_MINUTES
from bot.tutor.mock_results import MockLine, MockOffer, MockQuestion, MockResults
from bot.tutor.results import Writing, WrittenResult
from bot.ui import Button, Keyboard, keyboard
from bot.views.class_quiz import quiz_description
from bot.views.commands import bot_link
from bot.views.common import KIND_LABELS, LETTERS, beyond_spec_note, button
from bot.views.written import marks_keyboard
from content import limits
from content.drills import example_answer, format_number, render_question
from content.schema import Bank, ConceptCard, ExamQuestion, ItemKind, MetricDrill, MultipleChoice, TrueFalse

_KIND_NAMES = {
    ItemKind.CONCEPT.value: ("recall card", "recall cards"),
    ItemKind.TRUE_FALSE.value: ("true or false", "true or false"),
    ItemKind.MCQ.value: ("multiple choice", "multiple choice"),
    ItemKind.DRILL.value: ("calculation", "calculations"),
    ItemKind.EXAM.value: ("written answer", "written answers"),
}
MESSAGE_ROOM = limits.MAX_MESSAGE_LENGTH - 96  # a results message is cut before this


def minutes_left(seconds: int) -> str:
    """ "12 min left" (rounded up: a started minute counts), "under a minute left"."""
    if seconds < 60:
        return "under a minute left"
    return f"{math.ceil(seconds / 60)} min left"


def _kinds(offer: MockOffer) -> str:
    parts = [f"{n} {_KIND_NAMES[kind][n != 1]}" for kind, n in offer.kinds]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + f" and {parts[-1]}"


def offer_text(offer: MockOffer) -> str:
    """What /mock offers before it starts: questions, marks, time, and that answers come at the end."""
    last = " The written answer comes last." if offer.written else ""
    marks = f"{offer.marks} marks"
    if offer.most_marks > offer.marks:
        marks = f"{offer.marks} to {offer.most_marks} marks, by the written question drawn"
    return (
        f"📝 <b>Mock exam</b>\n\n<b>{offer.questions} questions</b> ({marks}) in "
        f"<b>{offer.minutes} minutes</b>: {_kinds(offer)}, across every topic area of your course.{last}\n\n"
        "No answer is marked as you go: at the end you get your score, your marks in each area, "
        "every question with its right answer, and what to revise.\n\n"
        "The clock starts when you tap Start and keeps running if you leave: when time runs out "
        "I'll send your results. Your answers count in your revision as usual."
    )


def offer_keyboard() -> Keyboard:
    """Start / Cancel."""
    start, cancel = Callback(Action.MOCK_EXAM, value="start"), Callback(Action.MOCK_EXAM, value="cancel")
    return keyboard([[button("Start", start), button("Cancel", cancel)]])


def cancelled() -> str:
    """Cancel under the offer."""
    return "No problem. Send /mock whenever you're ready."


def running_text(seconds: int) -> str:
    """/mock while one runs."""
    return (
        f"You have a mock exam running: <b>{minutes_left(seconds)}</b>. Carry on with it, or abandon it "
        "(the answers you gave still count in your revision; there are no results)."
    )


def running_keyboard() -> Keyboard:
    """Carry on / Abandon."""
    on, off = Callback(Action.MOCK_EXAM, value="on"), Callback(Action.MOCK_EXAM, value="abandon")
    return keyboard([[button("Carry on", on), button("Abandon", off)]])


def abandoned() -> str:
    """The mock was abandoned."""
    return (
        "Mock exam abandoned. The answers you gave still count in your revision. Send /mock to start another."
    )


def none_running() -> str:
    """Carry on or abandon with no mock running (an old button)."""
    return "No mock exam is running. Send /mock to start one."


def already_started() -> str:
    """A second tap on Start."""
    return "Your mock exam has started: answer the question above."


def _place(question: MockQuestion) -> str:
    return f"<b>Question {question.position}/{question.total}</b> · {minutes_left(question.seconds_left)}"


def _head(bank: Bank, question: MockQuestion) -> str:
    item = question.item
    kind = KIND_LABELS[item.kind]
    return f"{_place(question)}\n<i>{kind} · {escape(bank.area(item.area).name)}</i>{beyond_spec_note(item)}"


def _options(item: MultipleChoice, prompt_id: int) -> str:
    order = option_order(item, prompt_id)
    return "\n".join(f"<b>{LETTERS[n]}.</b> {escape(item.options[i])}" for n, i in enumerate(order))


def question_text(bank: Bank, question: MockQuestion) -> str:
    """A mock question as first shown: its place, the time left, the question."""
    item, head = question.item, _head(bank, question)
    if isinstance(item, ConceptCard):
        if question.revealed:
            return (
                f"{head}\n\n{escape(item.question)}\n\n<b>Answer:</b> {escape(item.answer)}\n\n"
                "Did you know it? Your own mark counts in the score."
            )
        return f"{head}\n\n{escape(item.question)}\n\n<i>Answer it in your head, then tap Reveal.</i>"
    if isinstance(item, TrueFalse):
        return f"{head}\n\n{escape(item.statement)}"
    if isinstance(item, MultipleChoice):
        return f"{head}\n\n{escape(item.question)}\n\n{_options(item, question.prompt_id)}"
    if isinstance(item, ExamQuestion):
        return (
            f"{head}\n\n✍️ <b>{escape(item.question)}</b> ({item.marks} marks)\n\n"
            "<i>Write your answer here, in one message or several. Send <b>done</b> when you have "
            "finished: it is marked with the rest, at the end.</i>"
        )
    if isinstance(item, MetricDrill) and question.drill is not None:
        return (
            f"{head}\n\n{escape(render_question(item, question.drill))}\n\n"
            f"<i>Type your answer (like {example_answer(item)}) or tap one.</i>"
        )
    raise ValueError(f"question {item.id} cannot be shown")


def question_keyboard(question: MockQuestion) -> Keyboard | None:
    """A mock question's buttons (none for a written answer)."""
    pid, item = question.prompt_id, question.item

    def tap(label: str, value: str) -> Button:
        return button(label, Callback(Action.MOCK, pid, value))

    if isinstance(item, ConceptCard):
        if question.revealed:
            return keyboard([[tap("Knew it", "1"), tap("Not yet", "0")]])
        return keyboard([[tap("Reveal", "v")]])
    if isinstance(item, TrueFalse):
        return keyboard([[tap("True", "t"), tap("False", "f")]])
    if isinstance(item, MultipleChoice):
        order = option_order(item, pid)
        row = [tap(LETTERS[n], str(i)) for n, i in enumerate(order)]
        return keyboard([row[:4], row[4:8], row[8:]])
    if isinstance(item, MetricDrill) and question.drill is not None:
        buttons = [
            tap(format_number(value, item.decimals, item.unit), str(n))
            for n, value in enumerate(question.drill.options)
        ]
        return keyboard([buttons[:2], buttons[2:]])
    return None  # a written answer is typed


def recorded_text(bank: Bank, question: MockQuestion) -> str:
    """A question once answered: the answer is kept for the results, nothing is marked yet."""
    return f"{question_text(bank, question)}\n\n<i>Answer recorded: marked at the end.</i>"


def recorded_toast() -> str:
    """The tap's notice for an answer in a mock."""
    return "Recorded"


def pointer(question: MockQuestion | None, seconds: int) -> str:
    """Text while the mock's question wants a tap (or none is open)."""
    if question is None:
        return f"You're in a mock exam ({minutes_left(seconds)}). Send /mock to carry on or abandon it."
    return (
        f"You're in a mock exam: question {question.position}/{question.total} is answered with the "
        f"buttons under it ({minutes_left(question.seconds_left)})."
    )


def too_long() -> str:
    """A message that would take the written answer past its limit."""
    return "That would make your answer too long to mark, so I didn't add it. Send <b>done</b> to finish."


def noted(question: MockQuestion | None) -> str:
    """A message of the written answer, kept until "done"."""
    if question is None or question.written == 0:
        return "Write your answer first, then send <b>done</b>."
    many = "1 message" if question.written == 1 else f"{question.written} messages"
    return (
        f"Got it ({many} so far, {minutes_left(question.seconds_left)}). Carry on, or send <b>done</b> when "
        "you have finished."
    )


def unreadable(text: str, drill: MetricDrill) -> str:
    """A typed calculation answer that is not a number."""
    return (
        f"I couldn't read “{escape(text)}” as a number. Type just the number, like {example_answer(drill)}, "
        "or tap one of the buttons under the question."
    )


def wrong_unit(drill: MetricDrill) -> str:
    """A number in a unit the figure cannot have: not recorded, the question still open."""
    return (
        f"That unit doesn't fit this figure. Type just the number, like {example_answer(drill)}: "
        "the question is still open."
    )


def time_up() -> str:
    """An answer (or /mock) after the mock's end."""
    return "⏰ Time is up: that answer came after the end, so it doesn't count. Here are your results."


def time_ran_out() -> str:
    """The sweep's heading when the learner was away at the end."""
    return "⏰ Time is up on your mock exam. Here are your results."


def _given(line: MockLine) -> str:
    item, choice = line.item, line.choice
    if not line.answered:
        return "not answered"
    if isinstance(item, ConceptCard):
        return "knew it" if choice else "not yet"
    if isinstance(item, TrueFalse):
        return "true" if choice else "false"
    if isinstance(item, MultipleChoice) and isinstance(choice, int) and not isinstance(choice, bool):
        return escape(item.options[choice])
    if isinstance(item, MetricDrill):
        if line.typed is not None:
            return format_number(line.typed.value, line.typed.places, item.unit)
        if line.drill is not None and isinstance(choice, int) and not isinstance(choice, bool):
            return format_number(line.drill.options[choice], item.decimals, item.unit)
    return "given"


def _right(line: MockLine) -> str:
    item = line.item
    if isinstance(item, ConceptCard):
        return escape(item.answer)
    if isinstance(item, TrueFalse):
        return "true" if item.answer else "false"
    if isinstance(item, MultipleChoice):
        return escape(item.answer)
    if isinstance(item, MetricDrill) and line.drill is not None:
        return format_number(line.drill.answer, item.decimals, item.unit)
    return "not reached"


def _question(line: MockLine) -> str:
    item = line.item
    if isinstance(item, ConceptCard | MultipleChoice | ExamQuestion):
        return escape(item.question)
    if isinstance(item, TrueFalse):
        return escape(item.statement)
    if isinstance(item, MetricDrill):
        return escape(render_question(item, line.drill)) if line.drill is not None else "(not reached)"
    return ""


def line_text(bank: Bank, line: MockLine) -> str:
    """One question of the results: what was asked, the learner's answer and the right one."""
    mark = "✅" if line.earned == line.marks else ("🟡" if line.earned else "❌")
    head = f"{mark} <b>{line.position}.</b> <i>{escape(bank.area(line.item.area).name)}</i>"
    if isinstance(line.item, ExamQuestion):
        return written_text(line, head)
    return f"{head}\n{_question(line)}\nYou: {_given(line)} · Answer: <b>{_right(line)}</b>"


def written_text(line: MockLine, head: str) -> str:
    """The written answer in the results: the points found and not found, and the model answer."""
    item = line.item
    if not isinstance(item, ExamQuestion):
        raise ValueError("not a written question")
    if not line.answered:
        body = "Not answered: nothing to mark."
    else:
        found = [f"✅ {p.position}. {escape(p.text)}" for p in line.points if p.earned]
        missed = [f"❌ {p.position}. {escape(p.text)}" for p in line.points if not p.earned]
        marked = (
            f"<b>{line.earned}/{line.marks} marks</b>, marked automatically against the examiner's points:"
        )
        body = "\n".join([marked, *found, *missed])
    check = (
        "\n\n<i>Check the marking: tap a point to change its mark (your own word is final: the "
        "Confirm button shows your new total), then Confirm to record it.</i>"
        if line.confirmable
        else ""
    )
    return (
        f"{head} ({line.marks} marks)\n✍️ {escape(item.question)}\n{body}\n"
        f"<b>Model answer:</b> {escape(item.model_answer)}{check}"
    )


def written_keyboard(line: MockLine) -> Keyboard | None:
    """Under the written answer in the results: the self-assessment buttons, while the marks wait."""
    if not line.confirmable or not isinstance(line.item, ExamQuestion):
        return None
    return marks_keyboard(WrittenResult(Writing.AWAITING, line.prompt_id, line.item, points=line.points))


def summary_text(results: MockResults) -> str:
    """The results' first message: the score, each area's marks and what to revise."""
    score = f"<b>{results.earned}/{results.available}</b> ({results.percent}%)"
    parts = [f"🏁 <b>Mock exam results</b>\n\nScore: {score}"]
    if results.timed_out:
        parts.append("Questions left unanswered when time ran out score nothing.")
    areas = "\n".join(
        f"• {escape(area_score.area.name)}: {area_score.earned}/{area_score.available}"
        for area_score in results.areas
    )
    parts.append(f"<b>By area</b>\n{areas}")
    if results.revise:
        names = ", ".join(f"<b>{escape(area.name)}</b>" for area in results.revise)
        parts.append(
            f"<b>What to revise:</b> {names}. Tap one to focus your practice on it and start a set "
            "(<code>/focus off</code> goes back to the mix)."
        )
    else:
        parts.append("Full marks: nothing stands out to revise. Well done!")
    parts.append("Every question with its answer follows.")
    return "\n\n".join(parts)


def revise_keyboard(results: MockResults) -> Keyboard | None:
    """One button per area to revise: focus on it (and a set starts); none with nothing to revise."""
    if not results.revise:
        return None
    return keyboard(
        [[button(f"Focus on {area.name}", Callback(Action.FOCUS, value=area.id))] for area in results.revise]
    )


def detail_texts(bank: Bank, results: MockResults) -> list[str]:
    """Every one-mark question with the learner's answer and the right one, in as few messages as fit
    (the written answer goes in a message of its own, `line_text`, with its buttons)."""
    return pack([line_text(bank, line) for line in results.lines if not isinstance(line.item, ExamQuestion)])


def pack(blocks: Sequence[str], room: int = MESSAGE_ROOM) -> list[str]:
    """Blocks joined by blank lines into messages of at most `room` characters (a block too long for
    one message is cut)."""
    messages: list[str] = []
    current = ""
    for block in blocks:
        block = block if len(block) <= room else block[: room - 1] + "…"
        if current and len(current) + 2 + len(block) > room:
            messages.append(current)
            current = ""
        current = f"{current}\n\n{block}" if current else block
    if current:
        messages.append(current)
    return messages


# --- the class mock -------------------------------------------------------------------------------

WRITTEN_LINK = "mx_"  # /start's payload prefix that serves a class mock's written question privately


def written_link(bot_username: str | None, item_id: str) -> str:
    """The link that serves a written question in a pupil's private chat."""
    return bot_link(bot_username, f"{WRITTEN_LINK}{item_id}")


def class_started(question: Question, course: str, written: bool) -> str:
    """Announces a class mock: how many questions, the time for each, and that answers come at the end."""
    last = " Then a written question to answer privately." if written else ""
    return (
        f"📝 <b>Class mock exam</b> for <b>{escape(course)}</b>: {question.total} questions, "
        f"{question.seconds} seconds each, across the topic areas of the course.{last}\n"
        "No answer is revealed as we go: the class's results, every right answer and what to revise "
        "come at the end."
    )


def class_admins_only() -> str:
    """/mock in a group from a member who is not an admin."""
    return "Only group admins can run a class mock exam."


def class_empty() -> str:
    """/mock in a group whose course has nothing to poll."""
    return "This class's course has no questions I can put as polls yet."


def class_question_closed(bank: Bank, question: Question) -> str:
    """A class mock's buttons question once closed: the answer stays withheld until the results."""
    return (
        f"<b>{escape(quiz_description(bank, question))}</b>\n\n{escape(question.text)}\n\n"
        "<i>Closed. The answer comes with the results.</i>"
    )


def class_results(summary: RoundSummary, results: ClassMockResults, bot_username: str | None) -> list[str]:
    """A class mock's results: the spread of scores (names only with a right answer, as on a board),
    each area, each question with its answer, what to revise, and the written question's link."""
    asked = f"{summary.asked} of {summary.planned} questions" if summary.asked < summary.planned else ""
    head = "🏁 <b>Class mock exam results</b>" + (f" · stopped after {asked}" if asked else "")
    parts = [head]
    if not summary.players:
        parts.append("Nobody answered this mock.")
    else:
        pupils = "1 pupil" if summary.players == 1 else f"{summary.players} pupils"
        spread = "\n".join(
            f"• {right}/{results.questions}: {n} {'pupil' if n == 1 else 'pupils'}"
            for right, n in results.scores
        )
        parts.append(f"<b>Scores</b> ({pupils})\n{spread}")
        if summary.board:  # by marks (right answers), not the round's speed points; ties share a rank
            ranked = sorted(summary.board, key=lambda entry: -entry[0].right)
            rights = [standing.right for standing, _ in ranked]
            named = "\n".join(
                f"{rights.index(standing.right) + 1}. {escape(name)} · {standing.right}/{results.questions}"
                for standing, name in ranked
            )
            parts.append(f"<b>Top of the class</b>\n{named}")
        areas = "\n".join(f"• {escape(area.name)}: {right}/{n} right" for area, right, n in results.areas)
        parts.append(f"<b>By area</b>\n{areas}")
    if results.revise:
        names = ", ".join(f"<b>{escape(area.name)}</b>" for area in results.revise)
        parts.append(f"<b>What the class should revise:</b> {names}.")
    lines = [
        f"<b>{line.position}.</b> {escape(poll_text(line))}\nAnswer: <b>{escape(line.answer)}</b> "
        f"({line.right} of {line.answered} right)"
        for line in results.lines
    ]
    messages = pack(["\n\n".join(parts)]) + pack(["<b>The questions and their answers</b>", *lines])
    if results.written is not None:
        item = results.written
        link = written_link(bot_username, item.id)
        answer_it = (
            f'<a href="{escape(link)}">Answer it in your private chat</a>' if link else "Answer it privately"
        )
        messages.append(
            f"✍️ <b>Written question</b> ({item.marks} marks)\n{escape(item.question)}\n\n"
            f"{answer_it}: you get {WRITTEN_MINUTES} minutes, and it is marked against the examiner's points."
        )
    return messages


def poll_text(line: ClassMockLine) -> str:
    """A class mock question's text as it was polled."""
    item = line.item
    return item.statement if isinstance(item, TrueFalse) else item.question
