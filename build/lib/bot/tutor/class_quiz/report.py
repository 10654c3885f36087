"""The teacher's view of a class: accuracy per area, participation, the most-missed items, the trend."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence

from bot.tutor.class_quiz.results import AreaAccuracy, ClassReport
from bot.tutor.class_quiz.rules import QuizItem
from bot.tutor.core import Core
from content.schema import Bank, MultipleChoice, TrueFalse
from storage import class_quiz as store
from storage.models import QuizAnswer, QuizQuestion

MOST_MISSED = 3
TREND_ROUNDS = 5


def area_accuracy(bank: Bank, pairs: Sequence[tuple[QuizAnswer, QuizQuestion]]) -> list[AreaAccuracy]:
    """The class's answers and right answers per topic area, in catalogue order."""
    counts: dict[str, list[int]] = {area.id: [0, 0] for area in bank.areas}
    for answer, question in pairs:
        item = bank.answerable(question.item_id)
        if item is not None:
            counts[item.area][0] += 1
            counts[item.area][1] += int(answer.correct)
    return [AreaAccuracy(area, *counts[area.id]) for area in bank.areas]


class ClassReports:
    """Reads a class's record."""

    def __init__(self, core: Core) -> None:
        self.core = core

    async def report(self, chat_id: int, last_rounds: int = TREND_ROUNDS) -> ClassReport:
        """Accuracy per area, participation, the most-missed items and the trend over recent rounds."""
        bank = self.core.bank
        async with self.core.sessions() as session:
            pairs = await store.answers_in_chat(session, chat_id)
        missed: Counter[str] = Counter()
        asked: Counter[str] = Counter()
        per_round: dict[int, list[QuizAnswer]] = defaultdict(list)
        for answer, question in pairs:
            asked[question.item_id] += 1
            missed[question.item_id] += int(not answer.correct)
            per_round[question.round_id].append(answer)
        most_missed: list[tuple[QuizItem, int, int]] = []
        for item_id, wrong in sorted(missed.items(), key=lambda pair: (-pair[1] / asked[pair[0]], -pair[1])):
            item = bank.answerable(item_id)
            if wrong and isinstance(item, TrueFalse | MultipleChoice):
                most_missed.append((item, wrong, asked[item_id]))
            if len(most_missed) == MOST_MISSED:
                break
        trend = [
            (round_id, sum(a.correct for a in answers) / len(answers), len({a.user_id for a in answers}))
            for round_id, answers in sorted(per_round.items())[-last_rounds:]
        ]
        return ClassReport(
            area_accuracy(bank, pairs),
            len(per_round),
            len({answer.user_id for answer, _ in pairs}),
            len(pairs),
            most_missed,
            trend,
        )
