"""The class report's texts and CSV, from a `ClassReport` made by hand: links, limits, odd names."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

from bot.tutor.class_quiz.results import AreaAccuracy, ClassReport, PupilFigures, RoundFigures
from bot.views import class_report as views
from content import limits
from tests.banks import shipped_bank

BANK = shipped_bank()


def report(pupils: list[PupilFigures], title: str | None = "Class 3B") -> ClassReport:
    areas = [AreaAccuracy(area, 10, 5) for area in BANK.areas]
    return ClassReport(
        chat_id=-1001234567890,
        title=title,
        course=None,
        made_on=date(2026, 11, 3),
        areas=areas,
        rounds=[RoundFigures(1, date(2026, 11, 3), 5, 80, 40)],
        answers=80,
        most_missed=[],
        pupils=pupils,
    )


def pupil(name: str) -> PupilFigures:
    return PupilFigures(name, 8, 4, {area.id: (1, 1) for area in BANK.areas[:5]})


def test_a_report_link_fits_telegrams_start_parameter_and_names_its_group_back() -> None:
    for chat_id in (-1001234567890, -100123, 42, -(10**18)):
        payload = views.report_payload(chat_id)
        assert re.fullmatch(r"[A-Za-z0-9_-]{1,64}", payload)  # Telegram's start parameter
        assert views.chat_of_payload(payload) == chat_id
    assert views.report_payload(-100123) == "report_m100123"
    assert (
        views.report_link("retain_test_bot", -100123) == "https://t.me/retain_test_bot?start=report_m100123"
    )
    assert views.chat_of_payload("class") is None and views.chat_of_payload("report_x1") is None


def test_dates_read_like_dates() -> None:
    assert views.day(date(2026, 11, 3)) == "3 Nov 2026"
    assert views.date_range(date(2026, 11, 3), date(2026, 11, 17)) == "3 Nov – 17 Nov 2026"
    assert views.date_range(date(2025, 12, 30), date(2026, 1, 6)) == "30 Dec 2025 – 6 Jan 2026"
    assert views.date_range(date(2026, 11, 3), date(2026, 11, 3)) == "3 Nov 2026"


def test_a_class_too_big_for_one_message_gets_its_table_in_the_csv_only() -> None:
    small = views.report_text(report([pupil("Amir")]))
    assert "<pre>" in small and "📎 The CSV below has every pupil and area." in small
    big = views.report_text(report([pupil(f"Pupil {n:03d}") for n in range(120)]))
    assert len(big) <= limits.MAX_MESSAGE_LENGTH
    assert "<pre>" not in big and "every pupil is in the CSV below" in big


def test_every_table_line_fits_a_small_phone_whatever_the_names() -> None:
    text = views.report_text(report([pupil("Maximilian-Alexander"), pupil("<Bo & Jo>")]))
    for block in re.findall(r"<pre>(.*?)</pre>", text, re.S):
        assert all(len(line) <= 27 for line in block.replace("&lt;", "<").replace("&amp;", "&").splitlines())
    assert "Maximi…" in text and "&lt;Bo &amp; " in text


def test_the_csv_opens_in_excel_and_never_runs_a_name_as_a_formula() -> None:
    data = views.report_csv(report([pupil("=HYPERLINK(1)"), pupil("Zoë")]))
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == ["'=HYPERLINK(1)", "Zoë"]
    assert rows[1][4:] == ["100"] * 5 + [""] * (len(BANK.areas) - 5)
    assert views.report_filename(report([], title="Année 3 / B")) == "class-report-Année-3-B-2026-11-03.csv"
    assert views.report_filename(report([], title=None)) == "class-report-Your-class-2026-11-03.csv"


def test_a_class_without_answers_is_told_how_to_start() -> None:
    empty = ClassReport(
        chat_id=-1,
        title="Class 3B",
        course=None,
        made_on=date(2026, 11, 3),
        areas=[],
        rounds=[],
        answers=0,
        most_missed=[],
        pupils=[],
    )
    assert views.report_text(empty) == (
        "📊 <b>Class 3B</b> · class report\n\nNo quiz answers yet: start a round in the group with /quiz."
    )
    assert views.chart_bars(empty) == []
