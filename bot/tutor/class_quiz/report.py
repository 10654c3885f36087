"""The teacher's view of a class: accuracy per area, rounds, the most-missed items, each pupil who agreed.

`build_report` is the rule, on plain values; `ClassReports.report` reads the class's record for it.
Pupils who have not agreed to their class answers counting are never listed one by one: once a
round ends their answers carry a negative, round-local pseudonym, so they count in the class's
figures and in each round's participation only.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from bot.tutor.class_quiz.board import CLASSMATE
from bot.tutor.class_quiz.results import AreaAccuracy, ClassReport, MissedItem, PupilFigures, RoundFigures
from bot.tutor.class_quiz.rules import QuizItem, poll_options
from bot.tutor.core import Core
from bot.tutor.schedule import local_date
from content.schema import Bank, MultipleChoice, TrueFalse
from storage import class_quiz as store
from storage import repo
from storage.models import QuizAnswer, QuizQuestion

MOST_MISSED = 3
TREND_ROUNDS = 5
UNNAMED = "Unnamed pupil"  # a pupil who agreed, but whose every answer was kept without a name


def area_accuracy(bank: Bank, pairs: Sequence[tuple[QuizAnswer, QuizQuestion]]) -> list[AreaAccuracy]:
    """The class's answers and right answers per topic area, in catalogue order."""
    counts: dict[str, list[int]] = {area.id: [0, 0] for area in bank.areas}
    for answer, question in pairs:
        item = bank.answerable(question.item_id)
        if item is not None:
            counts[item.area][0] += 1
            counts[item.area][1] += int(answer.correct)
    return [AreaAccuracy(area, *counts[area.id]) for area in bank.areas]


@dataclass(frozen=True)
class RoundStart:
    """A round of the class: its id and when it started."""

    round_id: int
    started_at: datetime


def _most_missed(bank: Bank, pairs: Sequence[tuple[QuizAnswer, QuizQuestion]]) -> list[MissedItem]:
    """The items most often answered wrong (by share, then count), with the wrong answer most chosen."""
    asked: Counter[str] = Counter()
    chosen: dict[str, Counter[str]] = defaultdict(Counter)
    for answer, question in pairs:
        asked[question.item_id] += 1
        if not answer.correct:
            options = json.loads(question.options)
            if 0 <= answer.option < len(options):
                chosen[question.item_id][str(options[answer.option])] += 1
    missed: list[MissedItem] = []
    ranked = sorted(chosen, key=lambda i: (-sum(chosen[i].values()) / asked[i], -sum(chosen[i].values()), i))
    for item_id in ranked:
        item = bank.answerable(item_id)
        if not isinstance(item, TrueFalse | MultipleChoice):
            continue
        quiz_item: QuizItem = item
        text, _, _ = poll_options(quiz_item, 0)
        [(common, count)] = chosen[item_id].most_common(1)
        missed.append(
            MissedItem(quiz_item, text, asked[item_id], sum(chosen[item_id].values()), common, count)
        )
        if len(missed) == MOST_MISSED:
            break
    return missed


def _pupils(
    bank: Bank, pairs: Sequence[tuple[QuizAnswer, QuizQuestion]], agreed: Collection[int]
) -> list[PupilFigures]:
    """Each pupil who agreed (a positive id with consent), by name: answers and right, overall and by area."""
    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    areas: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    names: dict[int, tuple[datetime, str]] = {}
    for answer, question in pairs:
        who = answer.user_id
        item = bank.answerable(question.item_id)
        if who <= 0 or who not in agreed or item is None:
            continue
        totals[who][0] += 1
        totals[who][1] += int(answer.correct)
        areas[who][item.area][0] += 1
        areas[who][item.area][1] += int(answer.correct)
        if answer.name != CLASSMATE and (who not in names or names[who][0] <= answer.answered_at):
            names[who] = (answer.answered_at, answer.name)
    pupils = [
        PupilFigures(
            names[who][1] if who in names else UNNAMED,
            answers,
            right,
            {area: (n, r) for area, (n, r) in areas[who].items()},
        )
        for who, (answers, right) in totals.items()
    ]
    return sorted(pupils, key=lambda p: (p.name.casefold(), p.name))


def build_report(
    bank: Bank,
    *,
    chat_id: int,
    title: str | None,
    course: str | None,
    today: date,
    zone: str,
    rounds: Sequence[RoundStart],
    pairs: Sequence[tuple[QuizAnswer, QuizQuestion]],
    agreed: Collection[int],
    trend_rounds: int = TREND_ROUNDS,
) -> ClassReport:
    """The report on a class from its rounds and their answers.

    Args:
        bank: the content bank (names, areas, questions).
        chat_id: the group.
        title: the group's name as last seen.
        course: the class's awarding body id, or None; with one, only its items and areas count.
        today: the date the report is made, in `zone`.
        zone: the IANA zone its dates are given in.
        rounds: every round of the class (numbered 1, 2... in this order, oldest first).
        pairs: every answer given in those rounds, with its question.
        agreed: the user ids of pupils who agreed to their class answers counting.
        trend_rounds: how many of the latest rounds the trend shows.
    """
    in_scope = {item.id: item.area for item in bank.for_body(course)}
    scoped = [(a, q) for a, q in pairs if q.item_id in in_scope]
    area_ids = set(in_scope.values())
    per_round: dict[int, list[QuizAnswer]] = defaultdict(list)
    for answer, question in scoped:
        per_round[question.round_id].append(answer)
    figures = [
        RoundFigures(
            number,
            local_date(start.started_at, zone),
            len({a.user_id for a in per_round[start.round_id]}),
            len(per_round[start.round_id]),
            sum(a.correct for a in per_round[start.round_id]),
        )
        for number, start in enumerate(rounds, start=1)
    ]
    return ClassReport(
        chat_id=chat_id,
        title=title,
        course=bank.body_name(course) if course else None,
        made_on=today,
        areas=[a for a in area_accuracy(bank, scoped) if a.area.id in area_ids],
        rounds=figures,
        answers=len(scoped),
        most_missed=_most_missed(bank, scoped),
        pupils=_pupils(bank, scoped, agreed),
        hidden_players=any(a.user_id <= 0 or a.user_id not in agreed for a, _ in scoped),
        trend_rounds=trend_rounds,
    )


class ClassReports:
    """Reads a class's record."""

    def __init__(self, core: Core) -> None:
        self.core = core

    async def report(self, chat_id: int, title: str | None = None) -> ClassReport:
        """The report on a group's class; `title`, when given, is the group's name as seen now (kept).

        One read; the group's name is written only when it changed.
        """
        async with self.core.reads() as session:
            settings = await store.group_settings(session, chat_id)
            rounds = await store.rounds_in_chat(session, chat_id)
            pairs = await store.answers_in_chat(session, chat_id)
            ids = sorted({a.user_id for a, _ in pairs if a.user_id > 0})
            members = await repo.learners(session, ids) if ids else []
        if title and (settings is None or settings.title != title):
            async with self.core.sessions() as session, session.begin():
                await repo.hold_group(session, chat_id)  # the class's settings row is made once
                await store.set_group_title(session, chat_id, title)
        zone = self.core.default_timezone
        return build_report(
            self.core.bank,
            chat_id=chat_id,
            title=title or (settings.title if settings else None),
            course=settings.course if settings else None,
            today=local_date(self.core.clock(), zone),
            zone=zone,
            rounds=[RoundStart(r.id, r.started_at) for r in rounds if r.id is not None],
            pairs=pairs,
            agreed={m.id for m in members if m.class_consent_at is not None},
        )
