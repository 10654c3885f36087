"""A class mock exam: the private mock's blueprint as polls, and its results for the class.

Recall cards and calculations cannot be polled: each is replaced by the nearest pollable question
(one that tests the same card, else one from the same area). The written question is not polled
either: it is posted with the results, with a link that serves it in each pupil's private chat.
"""

from __future__ import annotations

import json
import random
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import datetime

from bot.tutor.class_quiz.results import ClassMockLine, ClassMockResults
from bot.tutor.class_quiz.rules import QuizItem
from bot.tutor.mock import REVISE_AREAS, REVISE_BELOW, plan_mock
from content.schema import Answerable, Bank, ExamQuestion, MultipleChoice, TrueFalse
from storage.models import QuizAnswer, QuizQuestion

MOCK_KIND = "mock"  # QuizRound.kind of a class mock


def plan_class_mock(
    bank: Bank, course: str | None, pollable: Sequence[QuizItem], now: datetime, rng: random.Random
) -> tuple[list[QuizItem], ExamQuestion | None]:
    """A class mock's polls (the blueprint, unpollable questions replaced) and its written question."""
    plan = plan_mock(bank.for_body(course), bank.areas, {}, now, rng)
    by_id = {item.id: item for item in pollable}
    taken = {item.id for item in plan if item.id in by_id}
    polls: list[QuizItem] = []
    written = None
    for item in plan:
        if isinstance(item, ExamQuestion):
            written = item
            continue
        if item.id in by_id:
            polls.append(by_id[item.id])
            continue
        nearest = _nearest(item, [p for p in pollable if p.id not in taken])
        if nearest is not None:
            taken.add(nearest.id)
            polls.append(nearest)
    return polls, written


def _nearest(item: Answerable, pool: Sequence[QuizItem]) -> QuizItem | None:
    """The pollable question nearest an unpollable one: testing the same card, else the same area."""
    for candidates in (
        [p for p in pool if item.id in p.tests or set(p.tests) & set(item.tests)],
        [p for p in pool if p.area == item.area],
        list(pool),
    ):
        if candidates:
            return candidates[0]
    return None


def class_mock_results(
    bank: Bank,
    questions: Sequence[QuizQuestion],
    answers: Sequence[QuizAnswer],
    exam_item: str | None,
) -> ClassMockResults:
    """A class mock's results from its questions and the class's answers (before pseudonyms: each
    pupil's score counts once)."""
    by_id = {q.id: q for q in questions if q.id is not None}
    per_pupil: Counter[int] = Counter()
    per_question: dict[int, list[bool]] = defaultdict(list)
    per_area: dict[str, list[bool]] = defaultdict(list)
    for answer in answers:
        per_pupil[answer.user_id] += int(answer.correct)
        per_question[answer.question_id].append(answer.correct)
        question = by_id.get(answer.question_id)
        item = bank.answerable(question.item_id) if question is not None else None
        if item is not None:
            per_area[item.area].append(answer.correct)
    scores = Counter(per_pupil[pupil] for pupil in {a.user_id for a in answers})
    lines = []
    for question in sorted(questions, key=lambda q: q.position):
        item = bank.answerable(question.item_id)
        if not isinstance(item, TrueFalse | MultipleChoice) or question.id is None:
            continue
        options = json.loads(question.options)
        given = per_question.get(question.id, [])
        answer = options[question.correct_option]
        lines.append(ClassMockLine(question.position, item, answer, sum(given), len(given)))
    areas = tuple(
        (area, sum(per_area[area.id]), len(per_area[area.id])) for area in bank.areas if per_area.get(area.id)
    )
    weakest = sorted((a for a in areas if a[1] < a[2]), key=lambda a: (a[1] / a[2], -a[2]))
    weakest = weakest[:1] + [a for a in weakest[1:] if a[1] / a[2] < REVISE_BELOW]
    written = bank.items.get(exam_item) if exam_item else None
    return ClassMockResults(
        len(questions),
        tuple(sorted(scores.items(), reverse=True)),
        areas,
        tuple(lines),
        tuple(area for area, _, _ in weakest[:REVISE_AREAS]),
        written if isinstance(written, ExamQuestion) else None,
    )
