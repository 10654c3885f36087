"""The end of a round: its board (shared ranks, names or "a classmate"), fastest answer, weakest area."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from bot.tutor.class_quiz.results import Fastest, QuizStatus, RoundSummary
from bot.tutor.class_quiz.rules import leaderboard
from content.schema import Bank, ConceptCard
from storage import class_quiz as store
from storage import repo
from storage.db import Session
from storage.models import QuizRound

CLASSMATE = "a classmate"


async def finish(
    session: Session, bank: Bank, now: datetime, quiz_round: QuizRound, status: QuizStatus
) -> RoundSummary:
    """End a round with `status` (every question closed) and return its board."""
    if quiz_round.id is None:
        raise RuntimeError("a stored round has no id")
    quiz_round.status = status
    quiz_round.ended_at = now
    questions = await store.round_questions(session, quiz_round.id)
    for question in questions:
        question.closed = True
    asked = sum(1 for q in questions if q.sent_at is not None)
    by_id = {q.id: q for q in questions if q.id is not None}
    answers = await store.answers_to(session, list(by_id))
    totals: dict[int, tuple[int, int]] = {}
    names: dict[int, str] = {}
    for answer in answers:
        score, right = totals.get(answer.user_id, (0, 0))
        totals[answer.user_id] = (score + answer.points, right + int(answer.correct))
        names[answer.user_id] = answer.name
    members = await repo.learners(session, list(totals))
    hidden = {learner.id for learner in members if not learner.quiz_named}
    agreed = {learner.id for learner in members if learner.class_consent_at is not None}
    board = [(s, CLASSMATE if s.player_id in hidden else names[s.player_id]) for s in leaderboard(totals)]
    right_answers = [a for a in answers if a.correct]
    fastest = None
    if right_answers:
        quickest = min(right_answers, key=lambda a: a.seconds)
        who = CLASSMATE if quickest.user_id in hidden else quickest.name
        fastest = Fastest(who, quickest.seconds, by_id[quickest.question_id].position)
    per_area: dict[str, list[bool]] = defaultdict(list)
    for answer in answers:
        item = bank.answerable(by_id[answer.question_id].item_id)
        if item is not None:
            per_area[item.area].append(answer.correct)
    weakest = weakest_accuracy = card = None
    if per_area:
        area_id = min(per_area, key=lambda a: sum(per_area[a]) / len(per_area[a]))
        weakest = bank.area(area_id)
        weakest_accuracy = sum(per_area[area_id]) / len(per_area[area_id])
        missed = [by_id[a.question_id].item_id for a in answers if not a.correct]
        card = closing_card(bank, area_id, missed)
    for answer in answers:  # a first name is kept for the round's board only, unless the pupil agreed
        if answer.user_id not in agreed:
            answer.name = CLASSMATE
    return RoundSummary(
        quiz_round.id,
        status,
        asked,
        len(questions),
        board,
        len(totals),
        fastest,
        weakest,
        weakest_accuracy,
        card,
    )


def closing_card(bank: Bank, area_id: str, missed: list[str]) -> ConceptCard | None:
    """A concept card from the weakest area: one that teaches a missed item if possible."""
    for item_id in missed:
        item = bank.answerable(item_id)
        if item is not None and item.area == area_id:
            for ref in item.tests:
                card = bank.items.get(ref)
                if isinstance(card, ConceptCard):
                    return card
    cards = [i for i in bank.items.values() if isinstance(i, ConceptCard) and i.area == area_id]
    return cards[0] if cards else None
