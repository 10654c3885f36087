"""Written answers to exam questions: the learner writes (one message or several), "done" has it
marked against the scheme, the learner confirms or corrects each point, and the marks are recorded.

The learner's words are kept only while they write (`ExamDraft`); marking deletes them in the same
unit of work that keeps which points were earned (`ExamMark`). The quotes the marking shows are
taken from the text at that moment and never stored. Self-assessment is the final word: the
learner's taps change a point's mark until they confirm, and the confirmed marks are what the
memory model records (each point as its own item, `record.record_written`). A marked answer the
learner leaves without confirming is recorded as it stands when the next prompt is served.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from bot.tutor.marking import mark
from bot.tutor.memory import ItemFacts, missed_last
from bot.tutor.record import AnswerContext, record_written
from bot.tutor.results import MarkedPoint, Writing, WrittenResult
from content.schema import ExamQuestion, ItemKind
from storage import repo
from storage import written as store
from storage.db import Session
from storage.models import ExamDraft, ExamMark, Learner, Prompt

MAX_ANSWER = 6_000  # characters: far beyond a 6-mark answer, short of a pasted essay
STILL_WRITING = timedelta(hours=1)  # words added this recently: a nudge or homework waits for them
KEEP_DRAFT = timedelta(hours=48)  # an answer nobody has added to for this long is discarded
DONE_WORDS = frozenset({"done", "finished", "mark it", "mark", "mark my answer", "that's it", "thats it"})
_PUNCTUATION = "\\s.!\"'\u201c\u201d\u2018\u2019"  # spaces, full stops, quotes (straight and curly)
_EDGES = re.compile(f"^[{_PUNCTUATION}]+|[{_PUNCTUATION}]+$")


def is_done(line: str) -> bool:
    """Whether a line says the learner has finished writing ("done", "Done.", "finished!")."""
    return _EDGES.sub("", line.replace("\u2019", "'")).casefold() in DONE_WORDS


def split_done(text: str) -> tuple[str, bool]:
    """A message's answer text, and whether it ends by saying "done" (on its own last line)."""
    lines = text.strip().splitlines()
    if lines and is_done(lines[-1]):
        return "\n".join(lines[:-1]).strip(), True
    return text.strip(), False


def words_in(text: str) -> int:
    """Words written so far."""
    return len(text.split())


def missed_points(question: ExamQuestion, memories: dict[str, ItemFacts]) -> tuple[str, ...]:
    """The points of the question the learner missed when they last answered it."""
    return tuple(
        point.text
        for point in question.points
        if (facts := memories.get(question.point_key(point.id))) is not None and missed_last(facts)
    )


def points_of(
    question: ExamQuestion, marks: list[ExamMark], quotes: dict[str, str | None] | None = None
) -> tuple[MarkedPoint, ...]:
    """A marked answer's points as the learner sees them (quotes only just after marking)."""
    quotes = quotes or {}
    texts = {point.id: point.text for point in question.points}
    return tuple(
        MarkedPoint(
            row.position,
            texts.get(row.point_id, row.point_id),
            row.auto,
            row.earned,
            quotes.get(row.point_id),
        )
        for row in marks
    )


def is_open(prompt: Prompt) -> bool:
    """A prompt still waiting for its answer (not answered, not replaced)."""
    return prompt.answered_at is None and not prompt.superseded


async def write(
    session: Session, learner: Learner, prompt: Prompt, question: ExamQuestion, text: str, now: datetime
) -> WrittenResult:
    """A message while an exam question is open: added to the answer, and marked if it says "done"."""
    pid = prompt.id or 0
    if prompt.revealed:
        marks = await store.marks_of(session, pid)
        return WrittenResult(Writing.AWAITING, pid, question, points=points_of(question, marks))
    body, done = split_done(text)
    draft = await store.get_draft(session, pid)
    if body:
        written = draft.text if draft is not None else ""
        if len(written) + len(body) + 1 > MAX_ANSWER:
            return WrittenResult(
                Writing.TOO_LONG, pid, question, draft.messages if draft else 0, words_in(written)
            )
        if draft is None:
            draft = ExamDraft(prompt_id=pid, learner_id=learner.id, started_at=now, updated_at=now)
            store.add_draft(session, draft)
        draft.text = f"{draft.text}\n{body}".strip()
        draft.messages += 1
        draft.updated_at = now
        learner.last_active_at = now
    if not done:
        if draft is None:
            return WrittenResult(Writing.NOTHING_YET, pid, question)
        return WrittenResult(Writing.ADDED, pid, question, draft.messages, words_in(draft.text))
    return await mark_draft(session, learner, prompt, question, draft, now)


async def mark_draft(
    session: Session,
    learner: Learner,
    prompt: Prompt,
    question: ExamQuestion,
    draft: ExamDraft | None,
    now: datetime,
) -> WrittenResult:
    """Mark what the learner has written: keep which points it earned, discard the words."""
    pid = prompt.id or 0
    if prompt.revealed:
        marks = await store.marks_of(session, pid)
        return WrittenResult(Writing.AWAITING, pid, question, points=points_of(question, marks))
    if draft is None or not draft.text.strip():
        return WrittenResult(Writing.NOTHING_YET, pid, question)
    marking = mark(question, draft.text)
    rows = [
        ExamMark(prompt_id=pid, point_id=point.point_id, position=n, auto=point.earned, earned=point.earned)
        for n, point in enumerate(marking.points, start=1)
    ]
    store.add_marks(session, rows)
    await store.drop_draft(session, pid)
    prompt.revealed, prompt.revealed_at = True, now
    learner.last_active_at = now
    quotes = {point.point_id: point.quote for point in marking.points}
    return WrittenResult(
        Writing.MARKED, pid, question, draft.messages, words_in(draft.text), points_of(question, rows, quotes)
    )


async def flip(session: Session, prompt: Prompt, question: ExamQuestion, position: int) -> WrittenResult:
    """The learner's tap on one point of a marked answer: earned becomes not earned, and back."""
    pid = prompt.id or 0
    marks = await store.marks_of(session, pid)
    if not marks:
        return WrittenResult(Writing.GONE, pid, question)
    if prompt.answered_at is not None:
        return WrittenResult(Writing.CONFIRMED, pid, question, points=points_of(question, marks), again=True)
    for row in marks:
        if row.position == position:
            row.earned = not row.earned
            return WrittenResult(
                Writing.FLIPPED, pid, question, points=points_of(question, marks), flipped=position
            )
    return WrittenResult(Writing.GONE, pid, question)


async def settle(
    session: Session,
    learner: Learner,
    prompt: Prompt,
    question: ExamQuestion,
    now: datetime,
    memories: dict[str, ItemFacts],
) -> WrittenResult:
    """Record a marked answer's points as they stand (confirmed, or left for the next prompt)."""
    pid = prompt.id or 0
    marks = await store.marks_of(session, pid)
    if not marks:
        return WrittenResult(Writing.GONE, pid, question)
    points = points_of(question, marks)
    if prompt.answered_at is not None:
        return WrittenResult(Writing.CONFIRMED, pid, question, points=points, again=True)
    given = {row.point_id: row.earned for row in marks}
    # The scheme as it is now: a point added since counts as not earned, one removed since is dropped.
    earned = {point.id: given.get(point.id, False) for point in question.points}
    right = 2 * sum(earned.values()) >= len(question.points)
    choice = "w:" + "".join("1" if row.earned else "0" for row in marks)
    if not await repo.claim_answer(session, pid, learner.id, right, now, choice):
        return WrittenResult(Writing.CONFIRMED, pid, question, points=points, again=True)
    memory = await record_written(
        session, learner, question, earned, now, AnswerContext(prompt.context), pid, memories=memories
    )
    learner.last_active_at = now
    return WrittenResult(Writing.CONFIRMED, pid, question, points=points, next_due=memory.due_at)


def exam_prompt(prompt: Prompt | None, user_id: int) -> bool:
    """A prompt of this learner's that asks an exam question."""
    return prompt is not None and prompt.learner_id == user_id and prompt.kind == ItemKind.EXAM.value
