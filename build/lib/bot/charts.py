"""Charts: a share per topic area as bars in a PNG, drawn off-screen with matplotlib (/stats, reports)."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")  # no display: render to memory only

import matplotlib.pyplot as plt

MASTERED = 0.8  # the line drawn on the chart: recall that counts as mastered
COLOURS = {"low": "#d9534f", "mid": "#f0ad4e", "high": "#5cb85c"}


def _colour(mastery: float) -> str:
    if mastery >= MASTERED:
        return COLOURS["high"]
    return COLOURS["mid"] if mastery >= 0.5 else COLOURS["low"]


def area_chart(shares: list[tuple[str, float]], title: str, label: str) -> bytes:
    """Bars of a share (0 to 1) per topic area, lowest at the top, with the 80 % line."""
    ordered = sorted(shares, key=lambda pair: pair[1], reverse=True)  # bars are drawn bottom up
    names = [name for name, _ in ordered]
    values = [100 * share for _, share in ordered]
    height = 1.2 + 0.45 * len(ordered)
    fig, ax = plt.subplots(figsize=(6.4, height), dpi=110)
    try:
        bars = ax.barh(names, values, color=[_colour(share) for _, share in ordered])
        ax.set_xlim(0, 100)
        ax.axvline(100 * MASTERED, color="#555555", linestyle="--", linewidth=1)
        ax.text(100 * MASTERED, len(ordered) - 0.4, " mastered", fontsize=8, color="#555555", va="bottom")
        ax.set_xlabel(label)
        ax.set_title(title, fontsize=11, loc="left")
        for bar, value in zip(bars, values, strict=True):
            ax.text(
                min(value + 1.5, 88),
                bar.get_y() + bar.get_height() / 2,
                f"{value:.0f}%",
                va="center",
                fontsize=9,
            )
        ax.spines[["top", "right"]].set_visible(False)
        fig.tight_layout()
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png")
        return buffer.getvalue()
    finally:
        plt.close(fig)
