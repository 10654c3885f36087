"""How long does the /stats chart take to draw, and to come back from the cache?

Charts as learners' /stats draws them from the real bank: a row for every topic area of an awarding
body's course (eight today), the title, axis, names and detail lines made by the code /stats uses
(`bot.views.progress`), and readiness and counts varied per learner (bodies taken in turn). Each
chart is drawn with the cache bypassed (`bot.charts.render`: what a new chart costs), then asked for
again through the cache (`bot.charts.area_chart`: what a second /stats with no new answer costs).
Also: the first chart of a process (fonts loaded), the PNG's size, the smallest text on a phone
360 px wide, and the time to import the bot (`python -X importtime -c "import bot.app"`).

Run: .venv/bin/python bench/charts.py [--draws N] [--seed S] [--imports K] [--sample PATH]
The last line printed is one JSON object with the figures; the target is a p95 under 20 ms.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot import charts
from bot.config import CONTENT_DIR
from bot.tutor.evidence import AreaEvidence
from bot.tutor.stats import RECENT_ANSWERS, AreaProgress, LearnerStats
from bot.views import progress
from content.loader import load_bank
from content.schema import Bank

REPO = Path(__file__).resolve().parent.parent
TARGET_MS = 20.0
Chart = tuple[tuple[tuple[str, float, str], ...], str, str]


def learner_chart(bank: Bank, body: str, rng: random.Random) -> Chart:
    """One learner's /stats chart: some areas not started, the others part met and part known."""
    items = bank.for_body(body)
    areas = []
    for area in bank.areas:
        total = sum(1 for item in items if item.area == area.id)
        met = 0 if rng.random() < 0.2 else rng.randint(1, total)
        answers = met + rng.randint(0, 2 * met)
        right = rng.randint(0, answers)
        recent = min(answers, RECENT_ANSWERS)
        recall = rng.uniform(0.3, 1.0) if met else None
        evidence = AreaEvidence(area.id, total, met, answers, right, recall, (recall or 0) * met / total)
        areas.append(AreaProgress(area, evidence, rng.randint(0, recent), recent))
    stats = LearnerStats(areas, None, [], 0, None, sum(a.evidence.answers for a in areas))
    return progress.bars(stats), progress.title(bank, body), progress.AXIS


def percentile(values: list[float], share: float) -> float:
    """The value `share` of the way up the sorted values (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def timed(call: Any, *args: Any) -> tuple[float, float, Any]:
    """What `call(*args)` returns, with the time it took: wall clock, and this thread's CPU (ms)."""
    start, cpu = time.perf_counter(), time.thread_time()
    result = call(*args)
    return 1000 * (time.perf_counter() - start), 1000 * (time.thread_time() - cpu), result


def import_ms(runs: int) -> float | None:
    """The median time to import bot.app in a fresh interpreter, from Python's own import timings."""
    times = []
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", "import bot.app"],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        )
        [cumulative] = re.findall(r"\|\s*(\d+) \| bot\.app$", done.stderr, re.MULTILINE)
        times.append(int(cumulative) / 1000)
    return statistics.median(times) if times else None


def benchmark(draws: int, seed: int, imports: int, sample: Path | None) -> dict[str, Any]:
    rng = random.Random(seed)
    bank = load_bank(CONTENT_DIR)
    bodies = [body.id for body in bank.catalogue.awarding_bodies]
    inputs = [learner_chart(bank, bodies[n % len(bodies)], rng) for n in range(draws)]
    first_ms, _, _ = timed(charts.area_chart, *inputs[0])  # loads the fonts
    charts.CACHE.clear()

    cold, cold_cpu, cached, sizes, heights = [], [], [], [], []
    for bars, title, axis in inputs:  # a learner's /stats, then the same again with no new answer
        ms, cpu, png = timed(charts.render, charts.picture(bars, title, axis))
        cold.append(ms)
        cold_cpu.append(cpu)
        sizes.append(len(png))
        heights.append(int.from_bytes(png[20:24], "big"))
        charts.CACHE.put(charts.picture(bars, title, axis), png)
        ms, _, again = timed(charts.area_chart, bars, title, axis)
        assert again is png, "the second /stats was drawn again"
        cached.append(ms)
    if sample is not None:
        sample.write_bytes(charts.area_chart(*inputs[0]))
    return {
        "draws": draws,
        "areas": len(inputs[0][0]),
        "draw_p50_ms": percentile(cold, 0.5),
        "draw_p95_ms": percentile(cold, 0.95),
        "draw_p99_ms": percentile(cold, 0.99),
        "draw_cpu_p50_ms": percentile(cold_cpu, 0.5),
        "draw_cpu_p95_ms": percentile(cold_cpu, 0.95),
        "cached_p50_ms": percentile(cached, 0.5),
        "cached_p95_ms": percentile(cached, 0.95),
        "cached_p99_ms": percentile(cached, 0.99),
        "first_draw_ms": first_ms,
        "png_bytes": int(statistics.median(sizes)),
        "png_bytes_max": max(sizes),
        "width_px": charts.WIDTH,
        "height_px": int(statistics.median(heights)),
        "smallest_text_px": charts.smallest_text_on_a_phone(),
        "min_readable_px": charts.MIN_READABLE_PX,
        "import_bot_app_ms": import_ms(imports),
        "target_ms": TARGET_MS,
        "target_met": percentile(cold, 0.95) < TARGET_MS,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=300, help="charts drawn (each also asked for cached)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--imports", type=int, default=5, help="fresh imports of bot.app timed (0: none)")
    parser.add_argument("--sample", type=Path, help="save the first learner's chart here")
    args = parser.parse_args(argv)
    figures = benchmark(args.draws, args.seed, args.imports, args.sample)
    print(f"/stats chart, {figures['areas']} areas, {figures['draws']} learners' charts")
    print(f"{'time (ms)':<34} {'p50':>8} {'p95':>8} {'p99':>8}")
    for label, key in (("drawn (cache bypassed)", "draw"), ("from the cache", "cached")):
        row = [figures[f"{key}_p{q}_ms"] for q in (50, 95, 99)]
        print(f"{label:<34} {row[0]:>8.2f} {row[1]:>8.2f} {row[2]:>8.2f}")
    cpu = [figures[f"draw_cpu_p{q}_ms"] for q in (50, 95)]
    print(f"{'drawn, CPU of its thread alone':<34} {cpu[0]:>8.2f} {cpu[1]:>8.2f}  (without other work)")
    print(f"{'first chart of a process (ms)':<34} {figures['first_draw_ms']:>8.1f}  (fonts loaded)")
    size = f"{figures['width_px']} x {figures['height_px']} px, largest {figures['png_bytes_max']:,}"
    print(f"{'PNG, median (bytes)':<34} {figures['png_bytes']:>8,}  ({size})")
    smallest, readable = figures["smallest_text_px"], figures["min_readable_px"]
    print(f"{'smallest text, 360 px phone (px)':<34} {smallest:>8.1f}  (readable from {readable})")
    if figures["import_bot_app_ms"] is not None:
        print(f"{'import bot.app, median (ms)':<34} {figures['import_bot_app_ms']:>8.0f}")
    verdict = "met" if figures["target_met"] else "MISSED"
    print(f"{'target: drawn p95 under (ms)':<34} {figures['target_ms']:>8.0f}  {verdict}")
    print(json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in figures.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
