"""Nudge scheduling arithmetic: reading times and zones, and the next nudge as a UTC instant.

Everything is computed from the learner's local time and IANA zone with `zoneinfo`, so nudges
follow daylight saving. A local time that does not exist on a day (clocks go forward through it)
is read as the same wall-clock time on the old offset, which lands just after the jump; a local
time that happens twice (clocks go back) means its first occurrence. Either way a learner gets
exactly one nudge per local day.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

CATCH_UP = timedelta(hours=2)  # a nudge less late than this is still sent after downtime

_TIME = re.compile(r"^(\d{1,2})(?:[:.h](\d{2}))?\s*(am|pm)?$")
_OFFSET = re.compile(r"^(?:utc|gmt)?\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?$")


def parse_local_time(text: str) -> time | None:
    """Read a time of day: "18:30", "6:30", "0730", "18.30", "6pm", "6:30 pm"; None if not a time."""
    cleaned = text.strip().lower().replace(" ", "")
    if re.fullmatch(r"\d{4}", cleaned):
        cleaned = f"{cleaned[:2]}:{cleaned[2:]}"
    match = _TIME.match(cleaned)
    if not match:
        return None
    hour, minute, meridiem = int(match[1]), int(match[2] or 0), match[3]
    if meridiem:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if meridiem == "pm" else 0)
    elif match[2] is None:
        return None  # a bare "18" is too easy to misread; ask for 18:00
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


@dataclass(frozen=True)
class ZoneLookup:
    """A time zone the learner named, or the nearest real ones."""

    zone: str | None
    suggestions: list[str]


@lru_cache(maxsize=1)
def _zones() -> tuple[dict[str, str], dict[str, str]]:
    names = {
        name.casefold(): name for name in available_timezones() if "/" in name and not name.startswith("Etc/")
    }
    cities: dict[str, str] = {}
    for name in sorted(names.values()):
        city = name.rsplit("/", 1)[-1].replace("_", " ").casefold()
        cities.setdefault(city, name)
    return names, cities


def offset_zone(sign: str, hours: int) -> str:
    """The IANA name of a whole-hour UTC offset (POSIX style: Etc/GMT-2 is UTC+2)."""
    if hours == 0:
        return "Etc/UTC"
    return f"Etc/GMT{'-' if sign == '+' else '+'}{hours}"


def parse_timezone(text: str) -> ZoneLookup:
    """Read an IANA zone ("Europe/London", any case), a city ("london") or an offset ("+2", "UTC-5")."""
    cleaned = text.strip()
    lowered = cleaned.casefold()
    if lowered in ("utc", "gmt", "z"):
        return ZoneLookup("Etc/UTC", [])
    offset = _OFFSET.match(lowered)
    if offset:
        hours, minutes = int(offset[2]), int(offset[3] or 0)
        if minutes == 0 and hours <= (14 if offset[1] == "+" else 12):
            return ZoneLookup(offset_zone(offset[1], hours), [])
        return ZoneLookup(None, [])  # half-hour offsets have no Etc zone: a city name is needed
    names, cities = _zones()
    if lowered in names:
        return ZoneLookup(names[lowered], [])
    city = lowered.replace("_", " ")
    if city in cities:
        return ZoneLookup(cities[city], [])
    near = difflib.get_close_matches(lowered, list(names), n=3, cutoff=0.6)
    near += [
        cities[c] for c in difflib.get_close_matches(city.rsplit("/", 1)[-1], list(cities), n=3, cutoff=0.75)
    ]
    return ZoneLookup(None, list(dict.fromkeys(names.get(n, n) for n in near))[:3])


def valid_zone(name: str) -> bool:
    """Whether `name` is a zone zoneinfo knows."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def zone_label(zone: str) -> str:
    """A zone as learners say it: "Europe/London" -> "London", "Etc/GMT-2" -> "UTC+2"."""
    if zone in ("Etc/UTC", "UTC", "Etc/GMT"):
        return "UTC"
    match = re.fullmatch(r"Etc/GMT([+-])(\d+)", zone)
    if match:
        return f"UTC{'+' if match[1] == '-' else '-'}{match[2]}"
    return zone.rsplit("/", 1)[-1].replace("_", " ")


def at_local(day: date, local: time, zone: str) -> datetime:
    """The UTC instant of wall-clock `local` on `day` in `zone` (see the module notes on DST)."""
    return datetime.combine(day, local, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def local_date(moment: datetime, zone: str) -> date:
    """The calendar day of an instant in `zone`."""
    return moment.astimezone(ZoneInfo(zone)).date()


def next_nudge(
    local: time, zone: str, after: datetime, last_day: date | None = None, every: int = 1
) -> datetime:
    """The next nudge: `local` o'clock in `zone`, strictly after `after`, on a local day after `last_day`.

    Args:
        local: the learner's chosen time of day.
        zone: their IANA zone.
        after: nothing at or before this instant (aware).
        last_day: the local day of their latest nudge; the next is at least `every` days later.
        every: 1 for daily nudges, 2 for every other day.
    """
    day = local_date(after, zone)
    if last_day is not None:
        day = max(day, last_day + timedelta(days=every))
    while True:
        moment = at_local(day, local, zone)
        if moment > after:
            return moment
        day += timedelta(days=1)


BACKOFF_AFTER = 3  # ignored nudges in a row before nudging every other day


def plan(
    reminder: str | None,
    zone: str,
    now: datetime,
    *,
    active: bool = True,
    paused_until: datetime | None = None,
    last_day: str | None = None,
    ignored: int = 0,
) -> datetime | None:
    """When a learner's next nudge is due, from their settings; None when they get none."""
    if reminder is None or not active:
        return None
    local = parse_local_time(reminder)
    if local is None:
        return None
    start = max(now, paused_until) if paused_until else now
    previous = date.fromisoformat(last_day) if last_day else None
    return next_nudge(local, zone, start, previous, every=2 if ignored >= BACKOFF_AFTER else 1)
