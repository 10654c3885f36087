"""The end of a round: its board (shared ranks, names or "a classmate"), fastest answer, weakest area.

Only pupils with a right answer are named on the board; the others are counted ("and 3 others took
part"). When the board is made, the answers of pupils who have not agreed that class answers join
their own record (`Learner.class_consent_at`) lose their first name and their Telegram id: each such
pupil gets a pseudonym for the round (a negative number, distinct per pupil within the round and
never used by another round), so the round's participation can still be counted but nobody traced.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from bot.tutor.class_quiz.mock import MOCK_KIND, class_mock_results
from bot.tutor.class_quiz.results import Fastest, QuizStatus, RoundSummary
from bot.tutor.class_quiz.rules import leaderboard
from content.schema import Bank, ConceptCard
from storage import class_quiz as store
from storage import repo
from storage.db import Session
from storage.models import QuizAnswer, QuizQuestion, QuizRound

CLASSMATE = "a classmate"
# Pseudonyms of round r are -(r * ROUND_PSEUDONYMS + n) for its n-th pupil: no two rounds share one.
ROUND_PSEUDONYMS = 2**20


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
    scored = {player: total for player, total in totals.items() if total[1] >= 1}
    board = [(s, CLASSMATE if s.player_id in hidden else names[s.player_id]) for s in leaderboard(scored)]
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
    mock = None
    if quiz_round.kind == MOCK_KIND:
        mock = class_mock_results(bank, questions, answers, quiz_round.exam_item)
    await _pseudonymise(session, quiz_round, questions, answers, agreed)
    return RoundSummary(
        quiz_round.id,
        status,
        asked,
        len(questions),
        board,
        len(totals),
        len(totals) - len(board),
        fastest,
        weakest,
        weakest_accuracy,
        card,
        mock,
    )


async def _pseudonymise(
    session: Session,
    quiz_round: QuizRound,
    questions: Sequence[QuizQuestion],
    answers: Sequence[QuizAnswer],
    agreed: set[int],
) -> None:
    """Keep neither first name nor Telegram id of a pupil who has not agreed: a round-local pseudonym.

    Answers still waiting for a poll of this round to be known are treated alike: once the round has
    ended that poll is never matched. Which poll they waited for is unknown (that is why they wait),
    so when the round had a post whose poll was never recognised, the waiting answers its pupils
    gave while it ran count as the round's.
    """
    if quiz_round.id is None:
        return
    base = quiz_round.id * ROUND_PSEUDONYMS
    pseudonyms: dict[int, int] = {}

    def pseudonym(user_id: int) -> int:
        return pseudonyms.setdefault(user_id, -(base + len(pseudonyms) + 1))

    for answer in sorted(answers, key=lambda a: (a.answered_at, a.question_id, a.user_id)):
        if answer.user_id in agreed:
            continue
        answer.name = CLASSMATE  # a first name is kept for the round's board only
        if answer.user_id > 0:  # (not one erased meanwhile: /forget leaves a stand-in)
            answer.user_id = pseudonym(answer.user_id)
    unmatched = any(q.sent_at is not None and q.poll_id is None for q in questions)
    if unmatched and not quiz_round.buttons:
        for waiting in await store.waiting_since(session, quiz_round.started_at):
            if waiting.user_id in agreed or waiting.user_id <= 0:
                continue
            waiting.name = CLASSMATE
            waiting.user_id = pseudonym(waiting.user_id)
    await session.flush()


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
