"""Nudge arithmetic: reading times and zones, and the next nudge across daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from bot.tutor.schedule import next_nudge, parse_local_time, parse_timezone, plan, zone_label


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("18:30", time(18, 30)),
        ("6:30", time(6, 30)),
        ("0730", time(7, 30)),
        ("18.30", time(18, 30)),
        ("6pm", time(18, 0)),
        ("6:30 pm", time(18, 30)),
        ("12am", time(0, 0)),
        ("12:15pm", time(12, 15)),
    ],
)
def test_times_of_day_are_read_in_the_forms_people_type(text: str, expected: time) -> None:
    assert parse_local_time(text) == expected


@pytest.mark.parametrize("text", ["25:99", "24:00", "18:60", "tomorrow", "18", "13pm", "", "half six"])
def test_things_that_are_not_times_are_refused(text: str) -> None:
    assert parse_local_time(text) is None


@pytest.mark.parametrize(
    ("text", "zone"),
    [
        ("Europe/London", "Europe/London"),
        ("europe/london", "Europe/London"),
        ("london", "Europe/London"),
        ("New York", "America/New_York"),
        ("+2", "Etc/GMT-2"),
        ("UTC-5", "Etc/GMT+5"),
        ("GMT+0", "Etc/UTC"),
        ("utc", "Etc/UTC"),
    ],
)
def test_zones_cities_and_offsets_are_understood(text: str, zone: str) -> None:
    assert parse_timezone(text).zone == zone


def test_typos_get_suggestions_and_nonsense_gets_none() -> None:
    assert parse_timezone("Europe/Londn").suggestions[0] == "Europe/London"
    assert parse_timezone("Mars/Base").zone is None
    assert parse_timezone("+5:30").zone is None  # no whole-hour zone: a city is needed


def test_zones_are_named_the_way_people_say_them() -> None:
    assert zone_label("Europe/London") == "London"
    assert zone_label("America/New_York") == "New York"
    assert zone_label("Etc/GMT-2") == "UTC+2"
    assert zone_label("Etc/GMT+5") == "UTC-5"
    assert zone_label("Etc/UTC") == "UTC"


def test_a_london_evening_nudge_follows_the_clocks_forward() -> None:
    # The clocks go forward at 01:00 UTC on Sunday 29 March 2026.
    saturday = next_nudge(time(18, 30), "Europe/London", datetime(2026, 3, 28, 12, tzinfo=UTC))
    sunday = next_nudge(time(18, 30), "Europe/London", saturday, date(2026, 3, 28))
    assert saturday == datetime(2026, 3, 28, 18, 30, tzinfo=UTC)  # GMT
    assert sunday == datetime(2026, 3, 29, 17, 30, tzinfo=UTC)  # BST: same wall clock, an hour earlier


def test_a_local_time_skipped_by_the_clocks_lands_just_after_the_jump() -> None:
    nudge = next_nudge(time(1, 30), "Europe/London", datetime(2026, 3, 29, 0, tzinfo=UTC))
    assert nudge == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # 02:30 BST, the first moment it can be


def test_a_local_time_that_happens_twice_nudges_once_at_the_first() -> None:
    # The clocks go back at 01:00 UTC on Sunday 25 October 2026: 01:30 local happens twice.
    first = next_nudge(time(1, 30), "Europe/London", datetime(2026, 10, 24, 23, tzinfo=UTC))
    assert first == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 01:30 BST
    after = next_nudge(time(1, 30), "Europe/London", first, date(2026, 10, 25))
    assert after == datetime(2026, 10, 26, 1, 30, tzinfo=UTC)  # not 01:30 GMT the same night


def test_new_york_changes_its_clocks_three_weeks_before_london() -> None:
    before = next_nudge(time(8, 0), "America/New_York", datetime(2026, 3, 7, 0, tzinfo=UTC))
    after = next_nudge(time(8, 0), "America/New_York", before, date(2026, 3, 7))
    assert before == datetime(2026, 3, 7, 13, 0, tzinfo=UTC)  # EST, UTC-5
    assert after == datetime(2026, 3, 8, 12, 0, tzinfo=UTC)  # EDT, UTC-4


def test_never_two_nudges_on_one_local_day() -> None:
    morning = datetime(2026, 5, 4, 6, tzinfo=UTC)
    assert next_nudge(time(8, 0), "Europe/London", morning, date(2026, 5, 4)) == datetime(
        2026, 5, 5, 7, tzinfo=UTC
    )


def test_plans_follow_pauses_backoff_and_off() -> None:
    now = datetime(2026, 5, 4, 6, tzinfo=UTC)
    assert plan("08:00", "Europe/London", now) == datetime(2026, 5, 4, 7, tzinfo=UTC)
    assert plan(None, "Europe/London", now) is None
    assert plan("08:00", "Europe/London", now, active=False) is None
    paused = datetime(2026, 5, 7, 0, tzinfo=UTC)
    assert plan("08:00", "Europe/London", now, paused_until=paused) == datetime(2026, 5, 7, 7, tzinfo=UTC)
    every_other = plan("08:00", "Europe/London", now, last_day="2026-05-04", ignored=3)
    assert every_other == datetime(2026, 5, 6, 7, tzinfo=UTC)
