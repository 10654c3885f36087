"""Charts: a share per topic area as labelled bars in a PNG, sized to read on a phone.

Drawn with matplotlib's object-oriented `Figure` (no pyplot state), off the event loop by the
caller. Each area gets its name, a bar with its share, and a line of detail under it.
"""

from __future__ import annotations

import io

WIDTH_INCHES = 4.0
DPI = 180  # 720 pixels wide: a phone shows it at about half size
PHONE_WIDTH = 360  # the narrowest screen a chart must stay legible on (pixels)
TITLE_PT, NAME_PT, NOTE_PT = 12, 11, 9
MIN_READABLE_PX = 11  # text shown smaller than this on a 360 px screen is hard to read
ROW_INCHES = 0.62
MASTERED = 0.8  # the line drawn on the chart: readiness that counts as ready
COLOURS = {"low": "#d9534f", "mid": "#f0ad4e", "high": "#5cb85c", "track": "#eeeeee"}


def smallest_text_on_a_phone() -> float:
    """The height in pixels of the smallest text when the chart is shown 360 px wide."""
    return min(TITLE_PT, NAME_PT, NOTE_PT) * DPI / 72 * PHONE_WIDTH / (WIDTH_INCHES * DPI)


def _colour(share: float) -> str:
    if share >= MASTERED:
        return COLOURS["high"]
    return COLOURS["mid"] if share >= 0.5 else COLOURS["low"]


def area_chart(bars: list[tuple[str, float, str]], title: str, axis: str) -> bytes:
    """One row per (name, share 0 to 1, detail), top to bottom, as PNG bytes."""
    from matplotlib.figure import Figure  # imported on first use: it costs most of start-up

    rows = len(bars)
    fig = Figure(figsize=(WIDTH_INCHES, 0.75 + ROW_INCHES * rows), dpi=DPI)
    ax = fig.add_axes((0.04, 0.02, 0.92, 1 - 0.02 - 0.55 / (0.75 + ROW_INCHES * rows)))
    ax.set_xlim(0, 100)
    ax.set_ylim(0, rows)
    ax.axis("off")
    fig.suptitle(title, x=0.04, y=0.995, ha="left", va="top", fontsize=TITLE_PT, fontweight="bold")
    fig.text(0.04, 1 - 0.3 / (0.75 + ROW_INCHES * rows), axis, fontsize=NOTE_PT, color="#555555", va="top")
    for n, (name, share, detail) in enumerate(bars):
        top = rows - n
        ax.text(0, top - 0.08, name, fontsize=NAME_PT, fontweight="bold", va="top")
        ax.barh(top - 0.52, 100, height=0.22, color=COLOURS["track"], left=0)
        ax.barh(top - 0.52, max(100 * share, 0.8), height=0.22, color=_colour(share), left=0)
        ax.axvline(
            100 * MASTERED, ymin=(top - 0.66) / rows, ymax=(top - 0.38) / rows, color="#555555", lw=0.8
        )
        ax.text(100, top - 0.08, f"{100 * share:.0f}%", fontsize=NAME_PT, va="top", ha="right")
        ax.text(0, top - 0.7, detail, fontsize=NOTE_PT, color="#555555", va="top")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()
