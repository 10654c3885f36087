"""/classreport's texts, its chart's rows and its CSV: always for the teacher's private chat.

The message is a list of sections (`SECTIONS`), each a function of the `ClassReport` returning its
lines (none to leave it out). A new section, homework results say, is one more field on
`ClassReport` and one more function here, added to `SECTIONS` where it should appear.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from datetime import date
from html import escape
from urllib.parse import quote

from bot.tutor.class_quiz.results import ClassReport
from bot.ui import Button, Keyboard, keyboard
from content import limits

REPORT_LINK = "report_"  # /start's payload prefix in the link that delivers a group's report privately
NAME_WIDTH = 7  # characters of a pupil's name in the table
CELL = 4  # characters per figure column: " 100"
AREA_COLUMNS = 4  # area columns per table: 27 characters a line, inside a 360 px phone's message
NONE = "–"  # a pupil with no answer in an area
CSV_BOM = "\ufeff"  # so Excel reads the file as UTF-8


# --- the deep link ----------------------------------------------------------------------------


def report_payload(chat_id: int) -> str:
    """/start's payload for a group's report: Telegram allows A-Z a-z 0-9 _ - only, so the minus of a
    group's id is an "m" (-100123 is `report_m100123`)."""
    return f"{REPORT_LINK}{'m' if chat_id < 0 else ''}{abs(chat_id)}"


def chat_of_payload(payload: str) -> int | None:
    """The group a report link names, or None if `payload` is not one."""
    match = re.fullmatch(rf"{REPORT_LINK}(m?)([0-9]{{1,19}})", payload.strip())
    if match is None:
        return None
    number = int(match.group(2))
    return -number if match.group(1) else number


def report_link(bot_username: str, chat_id: int) -> str:
    """The link that opens Retain privately and delivers the group's report."""
    return f"https://t.me/{quote(bot_username)}?start={report_payload(chat_id)}"


def report_link_text() -> str:
    """In the group, when the report could not go to the admin privately (nothing of it is shown here)."""
    return "📊 Class reports are private. Tap below to get this one from me in a private chat."


def report_link_keyboard(bot_username: str, chat_id: int) -> Keyboard:
    """The button under `report_link_text`."""
    return keyboard([[Button("Get the class report", "", url=report_link(bot_username, chat_id))]])


def report_sent_privately() -> str:
    """In the group, after /classreport went to the admin's private chat."""
    return "📊 Sent you the class report in a private chat."


def report_admins_only() -> str:
    """A report link opened by someone who is not (or no longer) an admin of its group."""
    return "That class report is for the group's admins only."


def report_group_unreachable() -> str:
    """A report link for a group Retain can no longer see (removed from it, or the group is gone)."""
    return "I can't check that group any more, so I can't send its report. Send /classreport in the group."


# --- dates and names --------------------------------------------------------------------------


def day(on: date) -> str:
    """3 Nov 2026."""
    return f"{on.day} {on:%b %Y}"


def short_day(on: date) -> str:
    """3 Nov."""
    return f"{on.day} {on:%b}"


def date_range(first: date, last: date) -> str:
    """3 Nov – 17 Nov 2026 (one date if the same; both years when they differ)."""
    if first == last:
        return day(first)
    if first.year == last.year:
        return f"{short_day(first)} – {day(last)}"
    return f"{day(first)} – {day(last)}"


def class_name(report: ClassReport) -> str:
    """The group's name, or a stand-in before it was ever seen."""
    return report.title or "Your class"


def area_labels(report: ClassReport) -> dict[str, str]:
    """A short label (3 letters, longer only to tell two apart) for each area the report covers."""
    labels: dict[str, str] = {}
    for area in report.areas:
        size = 3
        while (label := area.area.id[:size].capitalize()) in labels.values() and size < len(area.area.id):
            size += 1
        labels[area.area.id] = label
    return labels


def percent(answers: int, right: int) -> str:
    """62 (no sign: the table's heading says %); a dash with no answers."""
    return f"{round(100 * right / answers)}" if answers else NONE


# --- the chart --------------------------------------------------------------------------------


def chart_bars(report: ClassReport) -> list[tuple[str, float, str]]:
    """The chart's rows: each area with answers, weakest first, its count under the bar."""
    quizzed = sorted((a for a in report.areas if a.answers), key=lambda a: (a.accuracy, a.area.name))
    return [(a.area.name, a.accuracy, f"{a.correct}/{a.answers} right") for a in quizzed]


CHART_TITLE = "Right answers by topic area"


def chart_axis(report: ClassReport) -> str:
    """The line under the chart's title."""
    return f"{class_name(report)} · {len(report.rounds)} rounds · {report.answers} answers"


def report_caption(report: ClassReport) -> str:
    """The chart's caption: short (the report follows as a message)."""
    span = (
        f" · {date_range(report.first_day, report.last_day)}" if report.first_day and report.last_day else ""
    )
    return f"📊 <b>{escape(class_name(report))}</b>{span}"


# --- the message ------------------------------------------------------------------------------

Section = Callable[[ClassReport], list[str]]


def _head(report: ClassReport) -> list[str]:
    lines = [f"📊 <b>{escape(class_name(report))}</b> · class report"]
    if report.first_day and report.last_day:
        rounds = "1 round" if len(report.rounds) == 1 else f"{len(report.rounds)} rounds"
        lines.append(f"{date_range(report.first_day, report.last_day)} · {rounds} · {report.answers} answers")
    if report.course:
        lines.append(f"Course: {escape(report.course)} (its questions only)")
    return lines


def _areas(report: ClassReport) -> list[str]:
    quizzed = sorted((a for a in report.areas if a.answers), key=lambda a: (a.accuracy, a.area.name))
    lines = ["<b>By topic area</b>, weakest first"]
    lines += [f"• {escape(a.area.name)}: {a.accuracy:.0%} ({a.correct}/{a.answers})" for a in quizzed]
    unasked = [a.area.name for a in report.areas if not a.answers]
    if unasked:
        lines.append(f"Not quizzed yet: {escape(', '.join(unasked))}")
    return lines


def _rounds(report: ClassReport) -> list[str]:
    shown = report.trend
    more = f" (last {len(shown)} of {len(report.rounds)})" if len(shown) < len(report.rounds) else ""
    lines = [f"<b>Rounds</b>{more}"]
    for r in shown:
        if r.answers:
            took = "1 took part" if r.players == 1 else f"{r.players} took part"
            lines.append(f"Round {r.number} · {short_day(r.started_on)}: {took} · {r.accuracy:.0%} right")
        else:
            lines.append(f"Round {r.number} · {short_day(r.started_on)}: nobody answered")
    answered = [r for r in shown if r.answers]
    if len(answered) >= 2:
        first, last = answered[0], answered[-1]
        lines.append(
            f"Trend: {first.accuracy:.0%} → {last.accuracy:.0%} right, "
            f"{first.players} → {last.players} taking part"
        )
    return lines


def _most_missed(report: ClassReport) -> list[str]:
    if not report.most_missed:
        return []
    lines = ["<b>Most missed</b>"]
    for n, missed in enumerate(report.most_missed, 1):
        lines.append(f"{n}. {escape(missed.question)}")
        lines.append(
            f"   ✗ {missed.wrong} of {missed.answers} wrong · most chose “{escape(missed.common_wrong)}” "
            f"({missed.common_wrong_count})"
        )
    return lines


def _cut(name: str) -> str:
    return name if len(name) <= NAME_WIDTH else name[: NAME_WIDTH - 1] + "…"


def pupil_tables(report: ClassReport) -> list[str]:
    """The per-pupil table as <pre> blocks of at most `AREA_COLUMNS` areas each (a phone's width)."""
    labels = area_labels(report)
    quizzed = [a.area.id for a in report.areas if a.answers]
    chunks = [quizzed[n : n + AREA_COLUMNS] for n in range(0, len(quizzed), AREA_COLUMNS)] or [[]]
    blocks = []
    for chunk in chunks:
        head = "Pupil".ljust(NAME_WIDTH) + "All".rjust(CELL) + "".join(labels[a].rjust(CELL) for a in chunk)
        rows = [head]
        for pupil in report.pupils:
            cells = [percent(pupil.answers, pupil.correct)]
            cells += [percent(*pupil.areas.get(a, (0, 0))) for a in chunk]
            rows.append(_cut(pupil.name).ljust(NAME_WIDTH) + "".join(c.rjust(CELL) for c in cells))
        blocks.append(f"<pre>{escape(chr(10).join(rows))}</pre>")
    key = " · ".join(f"{labels[a.area.id]} = {escape(a.area.name)}" for a in report.areas if a.answers)
    return [*blocks, f"<i>{key}</i>"]


def _pupils(report: ClassReport, table: bool = True) -> list[str]:
    lines = ["<b>Pupils</b>, % right"]
    if not report.pupils:
        lines.append(
            "No pupil listed yet: pupils appear here once they agree in Retain "
            "(the link under each round's announcement)."
        )
        return lines
    if table:
        lines += pupil_tables(report)
    else:
        lines.append("Too many to show here: every pupil is in the CSV below.")
    if report.hidden_players:
        lines.append("Pupils who haven't agreed count in the class figures only.")
    if table:
        lines.append("📎 The CSV below has every pupil and area.")
    return lines


SECTIONS: tuple[Section, ...] = (_head, _areas, _rounds, _most_missed, _pupils)


def report_text(report: ClassReport) -> str:
    """The report as one message (with the chart before it and the CSV after)."""
    if not report.answers:
        return (
            f"📊 <b>{escape(class_name(report))}</b> · class report\n\n"
            "No quiz answers yet: start a round in the group with /quiz."
        )

    def compose(table: bool) -> str:
        parts = [
            section(report) if section is not _pupils else _pupils(report, table) for section in SECTIONS
        ]
        return "\n\n".join("\n".join(lines) for lines in parts if lines)

    text = compose(table=True)
    return text if len(text) <= limits.MAX_MESSAGE_LENGTH else compose(table=False)


# --- the CSV ----------------------------------------------------------------------------------


def _cell(text: str) -> str:
    """A name as a spreadsheet shows it, never as a formula (a name may begin with = + - or @)."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def report_csv(report: ClassReport) -> bytes:
    """Every pupil who agreed: answers, right, accuracy %, then accuracy % per area (empty: no answers).

    UTF-8 with a byte order mark, so Excel opens names in any script correctly.
    """
    area_ids = [a.area.id for a in report.areas]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["Pupil", "Answers", "Right", "Accuracy %", *(f"{a.area.name} %" for a in report.areas)])
    for pupil in report.pupils:
        cells = [_cell(pupil.name), str(pupil.answers), str(pupil.correct), str(round(100 * pupil.accuracy))]
        for area_id in area_ids:
            answers, right = pupil.areas.get(area_id, (0, 0))
            cells.append(str(round(100 * right / answers)) if answers else "")
        writer.writerow(cells)
    return (CSV_BOM + out.getvalue()).encode("utf-8")


def report_filename(report: ClassReport) -> str:
    """class-report-Class-3B-2026-11-03.csv."""
    name = re.sub(r"[^\w]+", "-", class_name(report)).strip("-_")[:40] or "class"
    return f"class-report-{name}-{report.made_on.isoformat()}.csv"


def report_csv_caption(report: ClassReport) -> str:
    """The CSV's caption."""
    return f"Every pupil who agreed, % right per area · {day(report.made_on)}"
