"""The progress chart: what it draws (read back from its pixels), that text stays on the image and
legible on a phone, that a chart showing the same is not drawn twice, and that drawing never runs
on the event loop."""

from __future__ import annotations

import asyncio
import io
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from PIL import Image

from bot import charts
from bot.charts import (
    COLOURS,
    MARGIN,
    MASTERED,
    MIN_READABLE_PX,
    NOTE_PX,
    PHONE_WIDTH,
    TRACK,
    WIDTH,
    ChartCache,
    area_chart,
    chart_png,
    picture,
    render,
    smallest_text_on_a_phone,
    wrap,
)

TITLE = "Readiness · Pearson BTEC"
AXIS = "The share of each area you'd get right today · | = ready (80%)"
RGB = tuple[int, int, int]
RED, ORANGE, GREEN, TRACK_GREY = (
    tuple(int(COLOURS[k][n : n + 2], 16) for n in (1, 3, 5)) for k in ("low", "mid", "high", "track")
)
WHITE, BLACK, NOTE_GREY = (255, 255, 255), (charts.TEXT,) * 3, (charts.NOTE,) * 3
MARK_X = MARGIN + round(TRACK * MASTERED)


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    charts.CACHE.clear()
    yield
    charts.CACHE.clear()


def pixels(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    return image.convert("RGB")


def bars_in(image: Image.Image) -> list[tuple[RGB, int, int]]:
    """Each bar, top to bottom: its colour and its first and last row, read down its left end."""
    found: list[tuple[RGB, int, int]] = []
    for y in range(image.height):
        colour = image.getpixel((MARGIN + 1, y))
        if colour not in (RED, ORANGE, GREEN):
            continue
        if found and found[-1][0] == colour and found[-1][2] == y - 1:
            found[-1] = (colour, found[-1][1], y)
        else:
            found.append((colour, y, y))  # type: ignore[arg-type]
    return found


def test_the_chart_is_a_png_twice_a_small_phone_wide_with_its_text_legible_there() -> None:
    row = ("Customer retention", 0.4, "right 2 of 5 recently · met 5 of 17")
    one, three = pixels(area_chart([row], TITLE, AXIS)), pixels(area_chart([row] * 3, TITLE, AXIS))
    assert one.width == three.width == WIDTH == 2 * PHONE_WIDTH  # sharp at half size
    assert three.height > one.height  # a row per area
    assert smallest_text_on_a_phone() >= MIN_READABLE_PX


def test_each_area_gets_its_name_its_share_in_the_colour_of_its_band_the_ready_mark_and_its_detail() -> None:
    shares = [0.2, 0.6, 0.95, 0.0, 1.0]
    png = area_chart([(f"Area {n}", share, f"detail {n}") for n, share in enumerate(shares)], TITLE, AXIS)
    image = pixels(png)
    found = bars_in(image)
    assert [colour for colour, _, _ in found] == [RED, ORANGE, GREEN, RED, GREEN]
    above = 0
    for share, (colour, top, bottom) in zip(shares, found, strict=True):
        middle = (top + bottom) // 2
        end = MARGIN + max(round(TRACK * share), charts.MIN_BAR) - 1  # the bar's last column
        assert image.getpixel((end - 3, middle)) == colour
        if share < 1:
            assert image.getpixel((end + 3, middle)) == TRACK_GREY  # the rest of the track
        assert image.getpixel((MARK_X, top - 2)) == NOTE_GREY  # the mark reaches above the bar
        assert image.getpixel((MARK_X, middle)) == NOTE_GREY
        name = image.crop((MARGIN, above, WIDTH // 2, top))
        assert BLACK in {c for _, c in name.getcolors(1 << 16) or []}  # the name (and share) above
        percent = image.crop((WIDTH - MARGIN - 90, top - 40, WIDTH - MARGIN + 1, top))
        assert BLACK in {c for _, c in percent.getcolors(1 << 16) or []}  # its share, at the right
        detail = image.crop((MARGIN, bottom + 1, WIDTH // 2, bottom + 40))
        assert NOTE_GREY in {c for _, c in detail.getcolors(1 << 16) or []}  # its detail, below
        above = bottom + 40


def test_a_chart_without_the_ready_mark_leaves_the_track_clear_there() -> None:
    image = pixels(area_chart([("Customer retention", 0.4, "8/20 right")], TITLE, AXIS, mark=None))
    [(colour, top, bottom)] = bars_in(image)
    assert colour == RED
    assert image.getpixel((MARK_X, (top + bottom) // 2)) == TRACK_GREY
    assert image.getpixel((MARK_X, top - 2)) == WHITE


def test_notes_are_drawn_at_their_size_so_the_smallest_text_is_as_legible_as_it_says() -> None:
    image = pixels(area_chart([("Customer retention", 0.4, "lg")], TITLE, AXIS))
    [(_, _, bottom)] = bars_in(image)
    rows = [
        y
        for y in range(bottom + 1, image.height)
        if any(image.getpixel((x, y)) != WHITE for x in range(MARGIN - 2, MARGIN + 40))
    ]
    ink = max(rows) - min(rows) + 1  # from the top of the l to the foot of the g
    assert ink >= 0.9 * NOTE_PX
    assert ink * PHONE_WIDTH / WIDTH >= MIN_READABLE_PX - 1  # even the ink alone is about 11 px on a phone


def test_long_names_and_details_wrap_and_stay_inside_the_image() -> None:
    long_name = "Leadership and service culture across every team of a very large organisation indeed"
    long_word = "Supercalifragilisticexpialidociousandevenlongerwithoutanywhitespace"
    detail = "right 10 of 10 recently · met 17 of 17 · and a line of detail far too long for one line"
    short = pixels(area_chart([("Law", 0.5, "d"), ("Ethics", 1.0, "d")], TITLE, AXIS))
    image = pixels(area_chart([(long_name, 0.5, detail), (long_word, 1.0, detail)], TITLE * 4, AXIS * 2))
    assert image.height > short.height + 6 * 25  # each long line went on to more lines
    for x in [*range(MARGIN - 1), *range(WIDTH - MARGIN + 1, WIDTH)]:
        assert all(image.getpixel((x, y)) == WHITE for y in range(image.height)), x

    font = charts._font(charts.BOLD, charts.NAME_PX)
    for text in (long_name, long_word, detail):
        lines = wrap(text, font, 300)
        assert len(lines) > 1 and all(font.getlength(line) <= 300 for line in lines)
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")  # nothing lost


def test_a_chart_showing_the_same_is_not_drawn_again(monkeypatch: pytest.MonkeyPatch) -> None:
    drawn: list[object] = []

    def counting(chart: Any) -> bytes:
        drawn.append(chart)
        return render(chart)

    monkeypatch.setattr(charts, "render", counting)
    bars = [("Customer retention", 0.42, "right 2 of 5 recently · met 5 of 17")]
    first = area_chart(bars, TITLE, AXIS)
    assert area_chart(list(bars), TITLE, AXIS) == first and len(drawn) == 1
    # readiness a second later (recall fades a little): the same picture, the same chart
    assert area_chart([("Customer retention", 0.42 - 1e-9, bars[0][2])], TITLE, AXIS) == first
    assert len(drawn) == 1
    moved = area_chart([("Customer retention", 0.43, bars[0][2])], TITLE, AXIS)
    assert moved != first and len(drawn) == 2
    assert area_chart(bars, "Readiness · iCQ", AXIS) != first and len(drawn) == 3
    other_detail = [("Customer retention", 0.42, "right 3 of 6 recently · met 5 of 17")]
    assert area_chart(other_detail, TITLE, AXIS) != first and len(drawn) == 4
    assert render(picture(bars, TITLE, AXIS)) == first  # drawing again gives the very same bytes


def test_the_cache_is_bounded_and_drops_the_least_recently_used() -> None:
    cache = ChartCache(entries=3, max_bytes=100)
    keys = [picture([("a", n / 10, "d")], TITLE, AXIS) for n in range(5)]
    for key in keys[:3]:
        cache.put(key, b"x" * 10)
    assert cache.get(keys[0]) == b"x" * 10  # now the most recently used
    cache.put(keys[3], b"y" * 10)
    assert cache.get(keys[1]) is None and len(cache) == 3  # the least recently used went
    assert cache.get(keys[0]) is not None and cache.get(keys[2]) is not None
    cache.put(keys[4], b"z" * 90)  # 120 bytes in all, over 100: the least recent go until it fits
    assert len(cache) == 2 and cache.size == 100 and cache.get(keys[4]) == b"z" * 90
    assert cache.get(keys[2]) is not None and cache.get(keys[0]) is None
    assert charts.CACHE.entries == 256


async def test_drawing_runs_in_a_worker_thread_and_a_kept_chart_comes_back_without_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    threads: list[int] = []

    def recording(chart: Any) -> bytes:
        threads.append(threading.get_ident())
        return render(chart)

    monkeypatch.setattr(charts, "render", recording)
    bars = [("Customer retention", 0.42, "right 2 of 5 recently · met 5 of 17")]
    png = await chart_png(bars, TITLE, AXIS)
    assert threads and threads[0] != threading.get_ident()  # not on the event loop's thread

    async def no_thread(*_: object) -> bytes:
        raise AssertionError("a kept chart went to a thread")

    monkeypatch.setattr(asyncio, "to_thread", no_thread)
    assert await chart_png(bars, TITLE, AXIS) == png and len(threads) == 1
