"""The benchmark scripts still run and end with one JSON line (their figures are read from it)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent


def run_bench(*args: str) -> tuple[str, dict[str, Any]]:
    """Run a benchmark script; its output and the figures on its last line."""
    result = subprocess.run(
        [sys.executable, *args], cwd=REPO, capture_output=True, text=True, timeout=120, check=True
    )
    return result.stdout, json.loads(result.stdout.strip().splitlines()[-1])


def test_the_learning_benchmark_runs_on_both_learner_models_and_ends_with_its_figures() -> None:
    output, figures = run_bench("bench/learning.py", "--learners", "2", "--days", "15", "--workers", "1")
    assert set(figures["models"]) == {"synthetic", "consolidating"}
    wanted = {"ratio_vs_round_robin", "ratio_vs_plain_fsrs", "weakest_recall_day14", "weakest_area_agreement"}
    for model in figures["models"].values():
        assert wanted <= set(model) and set(model["targets_met"]) == wanted
        assert set(model["prompts_to_mastery_by_policy"]) >= {"tutor", "random", "round_robin", "plain_fsrs"}
        assert 0 <= model["weakest_area_agreement"] <= 1 and 0 < model["weakest_recall_day14"] <= 1
    tables = [line for line in output.splitlines() if line.startswith("policy")]
    assert len(tables) == 2  # a readable table per model comes first


def test_the_nudge_benchmark_runs_and_ends_with_its_figures() -> None:
    _, figures = run_bench("bench/nudges.py", "--learners", "60", "--rate", "1000", "--query-learners", "600")
    wanted = {"learners", "rate_limit", "achieved_rate", "finish_s", "ideal_s", "duplicates", "missed"}
    assert wanted | {"unhandled_429", "sweep_query_ms"} <= set(figures)
    assert figures["sent"] == 60 and figures["duplicates"] == 0 and figures["missed"] == 0


def test_the_selection_benchmark_runs_small_and_ends_with_its_figures() -> None:
    output, figures = run_bench(
        "bench/selection.py", "--learners", "40", "--heavy-answers", "300", "--calls", "12", "--warmup", "2"
    )
    wanted = {
        "heavy_next_prompt_p50_ms",
        "heavy_next_prompt_p99_ms",
        "heavy_stats_p50_ms",
        "typical_next_prompt_p50_ms",
        "statements_per_next_prompt",
        "peak_rss_mb",
        "targets_met",
    }
    assert wanted <= set(figures)
    assert set(figures["targets_met"]) == {
        "heavy_next_prompt_p50_ms",
        "heavy_next_prompt_p99_ms",
        "heavy_stats_p50_ms",
        "peak_rss_mb",
    }
    assert figures["learners"] == 40 and figures["statements_per_next_prompt"] >= 1
    assert 0 < figures["heavy_next_prompt_p50_ms"] <= figures["heavy_next_prompt_p99_ms"]
    assert figures["matplotlib_imported"] is False  # the tutor's paths never load the charts
    assert "operation" in output and "/stats without the chart" in output  # the table comes first
