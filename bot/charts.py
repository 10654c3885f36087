"""Charts: a share per topic area as labelled bars in a PNG, sized to read on a phone.

Drawn straight onto pixels with Pillow, in a few milliseconds (`bench/charts.py` times it), off the
event loop (`chart_png`). Each area gets its name (bold) with its share at the right, a bar on a
track with the "ready" mark at 80 % (optional: a class's accuracy has no "ready"), and a line of
detail under it. Text never runs off the image: a line too long for it is wrapped (the image grows
taller), never shrunk.

A chart whose picture has not changed is not drawn again: the last `CACHE_ENTRIES` charts are kept,
keyed by what they show (`Picture`).
"""

from __future__ import annotations

import asyncio
import functools
import io
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL.ImageFont import FreeTypeFont

WIDTH = 720  # pixels: a phone shows it at about half size, so text stays sharp
PHONE_WIDTH = 360  # the narrowest screen a chart must stay legible on (pixels)
# Font sizes (the em, in pixels of the image): 12, 11 and 9 points at 180 dpi, as the chart had.
TITLE_PX, NAME_PX, NOTE_PX = 30, 28, 23
MIN_READABLE_PX = 11  # text shown smaller than this on a 360 px screen is hard to read
MARGIN = 29  # left and right, in pixels
TRACK = WIDTH - 2 * MARGIN  # the bar's full length (a share of 1)
BAR_PX, MARK_OVERHANG = 24, 5  # the bar's height; how far the "ready" mark reaches above and below it
MIN_BAR = 5  # even a share of 0 shows a sliver of its colour
MASTERED = 0.8  # the line drawn on the chart: readiness that counts as ready
COLOURS = {"low": "#d9534f", "mid": "#f0ad4e", "high": "#5cb85c", "track": "#eeeeee"}
TEXT, NOTE = 4, 85  # the greys of names and of notes (#040404, black to the eye; #555555, as the mark)
CACHE_ENTRIES = 256  # charts kept (an 8-area chart is about 47 KB: about 12 MB in all)
CACHE_BYTES = 16 * 1024 * 1024  # and never more PNG than this, whatever the charts hold
PNG_LEVEL = 3  # zlib level: 6 takes half as long again for a file a tenth smaller

# The fonts travel inside the package (package data, so the wheel carries them): DejaVu Sans and
# DejaVu Sans Bold, as matplotlib drew with, unmodified, under their free licence (LICENSE_DEJAVU
# beside them). Pillow's own default font would need nothing shipped, but has no bold face, and
# fonts of the system differ from one server to the next (or are missing in a slim container).
FONTS = Path(__file__).resolve().parent / "fonts"
REGULAR, BOLD = FONTS / "DejaVuSans.ttf", FONTS / "DejaVuSans-Bold.ttf"

# Drawn on a greyscale image whose values are then read as a palette, so that the PNG is 8 bits a
# pixel (about half the bytes of RGB, and compressed in half the time). Antialiased text only ever
# blends its ink with white, so it takes values from its ink's to 255; the ink of names is 4 (black
# to the eye), which leaves values 1 to 3 to the bars' colours.
_BAND = {"low": 1, "mid": 2, "high": 3}  # the palette index of each band's colour
_TRACK, _MARK = int(COLOURS["track"][1:3], 16), NOTE  # greys: the track, and the mark as the notes
TOP, BOTTOM, GAP, HEAD_GAP, ROW_GAP = 12, 14, 6, 18, 16  # spacing, in pixels
PERCENT_GAP = 16  # the least room between an area's name and its share


def _palette() -> list[int]:
    palette = [channel for value in range(256) for channel in (value, value, value)]
    for band, index in _BAND.items():
        colour = COLOURS[band]
        palette[3 * index : 3 * index + 3] = [int(colour[n : n + 2], 16) for n in (1, 3, 5)]
    return palette


_PALETTE = _palette()
_DRAWING = threading.Lock()  # one chart at a time: a FreeType face is not safe in two threads at once


def smallest_text_on_a_phone() -> float:
    """The size in pixels of the smallest text when the chart is shown 360 px wide.

    Text is drawn at these sizes only: a line too long for the image is wrapped, never shrunk.
    """
    return min(TITLE_PX, NAME_PX, NOTE_PX) * PHONE_WIDTH / WIDTH


def _band(percent: int) -> str:
    """The colour of a bar, from the percentage printed beside it (so "80%" is never orange)."""
    if percent >= round(100 * MASTERED):
        return "high"
    return "mid" if percent >= 50 else "low"


@dataclass(frozen=True)
class Row:
    """One area as the chart shows it."""

    name: str
    percent: str  # "42%"
    filled: int  # pixels of the track the share's bar covers
    band: str  # its colour: "low", "mid" or "high"
    detail: str


@dataclass(frozen=True)
class Picture:
    """What a chart shows, and all it shows: two equal pictures are the same PNG, byte for byte.

    So it is the cache's key rather than the shares themselves: readiness drifts every second (recall
    fades), and a learner's second /stats a minute later would miss the cache for a chart identical
    to the pixel.
    """

    title: str
    axis: str
    rows: tuple[Row, ...]
    mark: float | None = MASTERED  # where the "ready" mark is drawn on every track (None: no mark)


def picture(
    bars: Sequence[tuple[str, float, str]], title: str, axis: str, mark: float | None = MASTERED
) -> Picture:
    """What the chart of these (name, share 0 to 1, detail) rows, top to bottom, shows; `mark`: the
    share where the "ready" mark is drawn (None for a chart where no share means ready)."""
    rows = []
    for name, share, detail in bars:
        filled = max(MIN_BAR, round(TRACK * min(max(share, 0.0), 1.0)))
        percent = round(100 * share)
        rows.append(Row(name, f"{percent}%", filled, _band(percent), detail))
    return Picture(title, axis, tuple(rows), mark)


@functools.cache
def _font(path: Path, size: int) -> FreeTypeFont:
    from PIL import ImageFont  # Pillow loads with the first chart, not at start-up

    # Pillow's basic layout: the same pixels wherever it runs (with libraqm or without), and quick.
    # It does not shape complex scripts, which the bank's English names never need.
    return ImageFont.truetype(str(path), size, layout_engine=ImageFont.Layout.BASIC)


def wrap(text: str, font: FreeTypeFont, width: float) -> list[str]:
    """`text` in lines no wider than `width`, broken between words (inside a word only when the word
    alone is wider than a line)."""
    if font.getlength(text) <= width and "\n" not in text:
        return [text]  # most lines: measured once
    lines: list[str] = []
    line = ""
    for word in text.split():
        joined = f"{line} {word}" if line else word
        if font.getlength(joined) <= width:
            line = joined
            continue
        if line:
            lines.append(line)
        while len(word) > 1 and font.getlength(word) > width:
            cut = next((n for n in range(len(word) - 1, 1, -1) if font.getlength(word[:n]) <= width), 1)
            lines.append(word[:cut])
            word = word[cut:]
        line = word
    if line:
        lines.append(line)
    return lines or [""]


# A line of text to draw: where (its left or, for "ra", right edge; its top), what, in which font and grey.
_Text = tuple[int, int, str, "FreeTypeFont", int, str]


def _layout(chart: Picture) -> tuple[list[_Text], list[tuple[int, Row]], int]:
    """The chart's lines of text, its bars (top edge and row) and its height."""
    title, name, percent, note = (
        _font(BOLD, TITLE_PX),
        _font(BOLD, NAME_PX),
        _font(REGULAR, NAME_PX),
        _font(REGULAR, NOTE_PX),
    )
    texts: list[_Text] = []
    bars: list[tuple[int, Row]] = []

    def lines(text: str, font: FreeTypeFont, grey: int, width: float, top: int) -> int:
        ascent, descent = font.getmetrics()
        for line in wrap(text, font, width):
            texts.append((MARGIN, top, line, font, grey, "la"))
            top += ascent + descent
        return top

    y = lines(chart.title, title, TEXT, TRACK, TOP)
    y = lines(chart.axis, note, NOTE, TRACK, y + GAP) + HEAD_GAP
    for row in chart.rows:
        texts.append((WIDTH - MARGIN, y, row.percent, percent, TEXT, "ra"))
        y = lines(row.name, name, TEXT, TRACK - percent.getlength(row.percent) - PERCENT_GAP, y) + GAP
        bars.append((y, row))
        y = lines(row.detail, note, NOTE, TRACK, y + BAR_PX + GAP) + ROW_GAP
    return texts, bars, y - ROW_GAP + BOTTOM


def render(chart: Picture) -> bytes:
    """Draw the chart: a PNG `WIDTH` pixels wide (never cached: `area_chart` is)."""
    from PIL import Image, ImageDraw

    with _DRAWING:
        texts, bars, height = _layout(chart)
        image = Image.new("L", (WIDTH, height), 255)
        draw = ImageDraw.Draw(image)
        for x, y, text, font, grey, anchor in texts:
            draw.text((x, y), text, fill=grey, font=font, anchor=anchor)
    mark = None if chart.mark is None else MARGIN + round(TRACK * chart.mark)
    for top, row in bars:
        bottom = top + BAR_PX - 1
        draw.rectangle((MARGIN, top, MARGIN + TRACK - 1, bottom), fill=_TRACK)
        draw.rectangle((MARGIN, top, MARGIN + row.filled - 1, bottom), fill=_BAND[row.band])
        if mark is not None:
            draw.rectangle((mark - 1, top - MARK_OVERHANG, mark, bottom + MARK_OVERHANG), fill=_MARK)
    image.putpalette(_PALETTE)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=PNG_LEVEL)
    return buffer.getvalue()


class ChartCache:
    """The charts drawn last, least recently used dropped first; safe to share between threads."""

    def __init__(self, entries: int = CACHE_ENTRIES, max_bytes: int = CACHE_BYTES) -> None:
        self.entries, self.max_bytes = entries, max_bytes
        self._charts: OrderedDict[Picture, bytes] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, chart: Picture) -> bytes | None:
        """The chart's PNG if it is kept."""
        with self._lock:
            png = self._charts.get(chart)
            if png is not None:
                self._charts.move_to_end(chart)
            return png

    def put(self, chart: Picture, png: bytes) -> None:
        """Keep a chart, dropping the least recently used beyond the bounds."""
        with self._lock:
            old = self._charts.pop(chart, None)
            self._bytes += len(png) - (len(old) if old is not None else 0)
            self._charts[chart] = png
            while self._charts and (len(self._charts) > self.entries or self._bytes > self.max_bytes):
                _, dropped = self._charts.popitem(last=False)
                self._bytes -= len(dropped)

    def clear(self) -> None:
        """Forget every chart."""
        with self._lock:
            self._charts.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._charts)

    @property
    def size(self) -> int:
        """The bytes of PNG kept."""
        return self._bytes


CACHE = ChartCache()


def _kept_or_drawn(chart: Picture) -> bytes:
    png = CACHE.get(chart)
    if png is None:
        png = render(chart)
        CACHE.put(chart, png)
    return png


def area_chart(
    bars: Sequence[tuple[str, float, str]], title: str, axis: str, mark: float | None = MASTERED
) -> bytes:
    """One row per (name, share 0 to 1, detail), top to bottom, as PNG bytes: the kept chart if
    one shows the same, else drawn (and kept). Drawing blocks: off the event loop, use `chart_png`."""
    return _kept_or_drawn(picture(bars, title, axis, mark))


async def chart_png(
    bars: Sequence[tuple[str, float, str]], title: str, axis: str, mark: float | None = MASTERED
) -> bytes:
    """`area_chart` without blocking the event loop: a kept chart at once, else drawn in a thread."""
    chart = picture(bars, title, axis, mark)
    png = CACHE.get(chart)
    return png if png is not None else await asyncio.to_thread(_kept_or_drawn, chart)
