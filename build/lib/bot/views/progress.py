"""/stats texts: the chart's title and caption, and the text version when no chart can be drawn."""

from __future__ import annotations

from datetime import datetime
from html import escape

from bot.tutor.stats import LearnerStats
from bot.views.common import CAPTION_LIMIT, course_name, when
from content.schema import Answerable, Bank, MetricDrill, TrueFalse


def _bar(mastery: float, width: int = 10) -> str:
    filled = round(mastery * width)
    return "▓" * filled + "░" * (width - filled)


def _item_label(item: Answerable, limit: int = 70) -> str:
    text = item.statement if isinstance(item, TrueFalse) else item.question
    if isinstance(item, MetricDrill):
        text = f"Calculation: {item.metric.replace('_', ' ')}"
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _summary_lines(stats: LearnerStats, now: datetime, timezone: str) -> list[str]:
    days = "day" if stats.streak_days == 1 else "days"
    streak = (
        f"🔥 {stats.streak_days} {days} in a row" if stats.streak_days else "No streak yet: answer one today"
    )
    today = f"{stats.answered_today} today"
    if stats.daily_goal:
        today = f"{stats.answered_today} of {stats.daily_goal} today" + (
            " ✅" if stats.answered_today >= stats.daily_goal else ""
        )
    lines = [f"{streak} · {today} · {stats.answered_this_week} this week"]
    if stats.due_now:
        noun = "item is" if stats.due_now == 1 else "items are"
        lines.append(f"{stats.due_now} {noun} due for review now: send /next.")
    elif stats.next_due_at is not None:
        lines.append(f"Nothing due right now. Next review: {when(stats.next_due_at, now, timezone)}.")
    else:
        lines.append("Nothing to review yet: send /next to start.")
    if stats.next_up:
        lines.append("")
        lines.append("<b>Next to revise</b>")
        lines += [f"{n}. {escape(_item_label(item))}" for n, item in enumerate(stats.next_up, 1)]
    return lines


def stats_title(bank: Bank, body: str | None) -> str:
    """The chart's title."""
    return f"Mastery by topic area · {course_name(bank, body)}"


def stats_caption(stats: LearnerStats, now: datetime, timezone: str) -> str:
    """The caption under the /stats chart: streak, counts, weakest area, what comes next."""
    lines = [f"<b>Your progress</b> · {stats.items_seen} of {stats.items_total} items met"]
    lines += _summary_lines(stats, now, timezone)
    weakest = stats.weakest
    if weakest is not None and stats.answers:
        lines.insert(1, f"Weakest area: <b>{escape(weakest.area.name)}</b> ({weakest.mastery:.0%})")
    text = "\n".join(lines)
    return text if len(text) <= CAPTION_LIMIT else text[: CAPTION_LIMIT - 1] + "…"


def stats_text(bank: Bank, body: str | None, stats: LearnerStats, now: datetime, timezone: str) -> str:
    """/stats as text (when no chart can be drawn): mastery and accuracy per area, and what is due."""
    lines = [
        f"<b>Your progress</b> · {escape(course_name(bank, body))}",
        f"Items met: {stats.items_seen} of {stats.items_total} · answers: {stats.answers}",
        "",
    ]
    for area in stats.areas:
        if area.accuracy is None:
            detail = "not started yet"
        else:
            detail = f"{area.items_seen} of {area.items_total} met · {area.accuracy:.0%} right"
        lines.append(
            f"• <b>{escape(area.area.name)}</b>: {_bar(area.mastery)} {area.mastery:.0%} mastery · {detail}"
        )
    lines.append("")
    lines += _summary_lines(stats, now, timezone)
    return "\n".join(lines)
