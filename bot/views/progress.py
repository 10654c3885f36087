"""/stats texts: the chart's rows and caption, and the text version when no chart can be drawn."""

from __future__ import annotations

from datetime import datetime
from html import escape

from bot.tutor.examdate import ExamPlan
from bot.tutor.readiness import Readiness, about, span
from bot.tutor.stats import AreaProgress, LearnerStats
from bot.views.common import CAPTION_LIMIT, course_name, shorten, when
from content.schema import Answerable, Bank, MetricDrill, TrueFalse

AXIS = "The share of each area you'd get right today · | = ready (80%)"
LABEL_LIMIT = 70


def title(bank: Bank, body: str | None) -> str:
    """The chart's title."""
    return f"Readiness · {course_name(bank, body)}"


def _recent(area: AreaProgress) -> str:
    if not area.recent_answers:
        return "not started"
    return f"right {area.recent_right} of {area.recent_answers} recently"


def area_detail(area: AreaProgress) -> str:
    """One area's line of detail: "right 4 of 6 recently · met 5 of 17"."""
    return f"{_recent(area)} · met {area.evidence.met} of {area.evidence.items}"


def _on_the_day(area: AreaProgress, readiness: Readiness | None) -> str:
    """ " · exam day ~60%" when an exam date is ahead (nothing otherwise)."""
    if readiness is None or readiness.days_left is None:
        return ""
    forecast = readiness.areas.get(area.area.id)
    if forecast is None or forecast.exam_day is None:
        return ""
    return f" · exam day ~{about(forecast.exam_day)}%"


def bars(stats: LearnerStats, readiness: Readiness | None = None) -> tuple[tuple[str, float, str], ...]:
    """The chart's rows: name, readiness and detail per area (and the exam-day prediction, with a date)."""
    return tuple(
        (a.area.name, a.evidence.readiness, area_detail(a) + _on_the_day(a, readiness)) for a in stats.areas
    )


def exam_day(plan: ExamPlan) -> str:
    """An exam day as the learner reads it: "Thursday 12 March 2027"."""
    return f"{plan.day:%A} {plan.day.day} {plan.day:%B %Y}"


def _days(n: int) -> str:
    return "1 day" if n == 1 else f"{n} days"


def predictions(readiness: Readiness | None, plan: ExamPlan | None) -> list[str]:
    """/stats' lines on the exam: the predicted score today and, with a date ahead, on the day."""
    if readiness is None:
        return []
    low, high = span(readiness.overall.today)
    lines = [f"🎯 If the exam were today: about {about(readiness.overall.today)}% (roughly {low}–{high}%)"]
    day = readiness.overall.exam_day
    if plan is not None and plan.days_left < 0:
        lines.append(
            f"Your exam date, {exam_day(plan)}, has passed, so the plan towards it has stopped: "
            "/exam off clears it, or set a new one like /exam 12 June."
        )
    elif plan is not None and day is not None:
        low, high = span(day)
        when = "today" if plan.days_left == 0 else f"{exam_day(plan)}, in {_days(plan.days_left)}"
        lines.append(
            f"📅 On exam day ({when}) at your current pace: about {about(day)}% (roughly {low}–{high}%)"
        )
    else:
        lines.append("Set your exam date, like /exam 12 March, to see your predicted score on the day.")
    return lines


def _item_label(item: Answerable) -> str:
    if isinstance(item, MetricDrill):
        return f"Calculation: {item.metric.replace('_', ' ')}"
    return shorten(item.statement if isinstance(item, TrueFalse) else item.question, LABEL_LIMIT)


def _today(stats: LearnerStats) -> str:
    if stats.daily_goal:
        tick = " ✅" if stats.goal_met else ""
        return f"{min(stats.answered_today, stats.daily_goal)} of {stats.daily_goal} today{tick}"
    return f"{stats.answered_today} today"


def _summary(stats: LearnerStats, now: datetime, timezone: str) -> list[str]:
    days = "day" if stats.streak_days == 1 else "days"
    streak = (
        f"🔥 {stats.streak_days} {days} in a row" if stats.streak_days else "No streak yet: answer one today"
    )
    lines = [f"{streak} · {_today(stats)} · {stats.answered_this_week} this week"]
    weakest = stats.weakest
    if weakest is not None:
        lines.append(
            f"📉 Weakest: <b>{escape(weakest.area.name)}</b>: {_recent(weakest)}, "
            f"{weakest.evidence.met} of {weakest.evidence.items} met."
        )
    if stats.not_started:
        names = ", ".join(escape(area.name) for area in stats.not_started)
        lines.append(f"Not started yet: {names}.")
    if stats.to_revise:
        lines += ["", "<b>To revise next</b>"]
        lines += [f"{n}. {escape(_item_label(item))}" for n, item in enumerate(stats.to_revise, 1)]
    elif stats.next_due_at is not None:
        lines.append(f"Nothing due right now. Next review: {when(stats.next_due_at, now, timezone)}.")
    return lines


def caption(
    stats: LearnerStats,
    now: datetime,
    timezone: str,
    readiness: Readiness | None = None,
    plan: ExamPlan | None = None,
) -> str:
    """The caption under the chart: predicted exam scores, streak and counts, the weakest area and
    why, what to revise."""
    lines = [f"<b>Your progress</b> · {stats.items_met} of {stats.items_total} items met"]
    lines += predictions(readiness, plan)
    lines += _summary(stats, now, timezone)
    while len("\n".join(lines)) > CAPTION_LIMIT and len(lines) > 1:
        lines.pop()  # whole lines go, last first, so no tag is ever cut
    return "\n".join(lines)


def _bar(share: float, width: int = 10) -> str:
    filled = round(share * width)
    return "▓" * filled + "░" * (width - filled)


def text(
    bank: Bank,
    body: str | None,
    stats: LearnerStats,
    now: datetime,
    timezone: str,
    readiness: Readiness | None = None,
    plan: ExamPlan | None = None,
) -> str:
    """/stats as text (no chart could be drawn): the same figures, one area a line."""
    lines = [f"<b>Your progress</b> · {escape(course_name(bank, body))}", ""]
    for area in stats.areas:
        lines.append(
            f"<b>{escape(area.area.name)}</b>\n{_bar(area.evidence.readiness)} "
            f"{area.evidence.readiness:.0%} ready · {area_detail(area)}{_on_the_day(area, readiness)}"
        )
    lines.append("")
    if readiness is not None:
        lines += [*predictions(readiness, plan), ""]
    lines += _summary(stats, now, timezone)
    return "\n".join(lines)


def nothing_yet() -> str:
    """/stats before any answer: no empty chart."""
    return "No progress to show yet: answer a few prompts and your chart appears here. Send /next to start."
