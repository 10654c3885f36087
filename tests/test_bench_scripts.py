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
    output, figures = run_bench(
        "bench/learning.py",
        "--learners",
        "2",
        "--days",
        "15",
        "--workers",
        "1",
        "--exam-learners",
        "1",
        "--exam-days",
        "10",
    )
    assert set(figures["models"]) == {"synthetic", "consolidating"}
    wanted = {"ratio_vs_round_robin", "ratio_vs_plain_fsrs", "weakest_recall_day14", "weakest_area_agreement"}
    for model in figures["models"].values():
        assert wanted <= set(model) and set(model["targets_met"]) == wanted
        assert set(model["prompts_to_mastery_by_policy"]) >= {"tutor", "random", "round_robin", "plain_fsrs"}
        assert 0 <= model["weakest_area_agreement"] <= 1 and 0 < model["weakest_recall_day14"] <= 1
    tables = [line for line in output.splitlines() if line.startswith("policy")]
    assert len(tables) == 2  # a readable table per model comes first
    exam = figures["exam_date"]["models"]
    assert set(exam) == {"synthetic", "consolidating"}
    for model in exam.values():
        assert set(model) == {"daily", "three_days_a_week", "short_sets"}
        shares = model["daily"]["10"]["ready_share"]
        assert set(shares) == {"tutor_with_date", "tutor", "plain_fsrs", "round_robin"}
        assert all(0 <= share <= 1 for share in shares.values())


def test_the_nudge_benchmark_runs_and_ends_with_its_figures() -> None:
    _, figures = run_bench("bench/nudges.py", "--learners", "60", "--rate", "1000", "--query-learners", "600")
    wanted = {"learners", "rate_limit", "achieved_rate", "finish_s", "ideal_s", "duplicates", "missed"}
    assert wanted | {"unhandled_429", "sweep_query_ms"} <= set(figures)
    assert figures["sent"] == 60 and figures["duplicates"] == 0 and figures["missed"] == 0


def test_the_replies_first_benchmark_runs_and_ends_with_its_figures() -> None:
    _, figures = run_bench(
        "bench/replies.py",
        "--learners",
        "5",
        "--nudges",
        "40",
        "--duration",
        "3",
        "--every",
        "1",
        "--sweep-after",
        "0.5",
    )
    wanted = {"taps", "tap_to_verdict_p50_ms", "tap_to_verdict_p95_ms", "sweep_s", "nudges_delivered"}
    assert wanted | {"nudge_duplicates", "sweep_finished", "target_met"} <= set(figures)
    assert figures["taps"] > 0 and figures["nudges_delivered"] == 40 and figures["nudge_duplicates"] == 0


def test_the_startup_benchmark_times_the_real_command_and_a_bare_bot() -> None:
    _, figures = run_bench("bench/startup.py", "--runs", "1")
    assert {"retain_s", "retain_first_run_s", "bare_s", "target_met"} <= set(figures)
    assert 0 < figures["bare_s"] < 30 and 0 < figures["retain_s"] < 30


def test_the_chart_benchmark_runs_and_ends_with_its_figures() -> None:
    output, figures = run_bench("bench/charts.py", "--draws", "20", "--imports", "0")
    wanted = {"draw_p50_ms", "draw_p95_ms", "cached_p50_ms", "png_bytes", "smallest_text_px", "target_met"}
    assert wanted <= set(figures) and figures["draws"] == 20 and figures["areas"] == 8
    assert 0 < figures["cached_p50_ms"] < figures["draw_p50_ms"]  # a kept chart is not drawn again
    assert figures["png_bytes"] > 10_000 and figures["width_px"] == 720
    assert figures["smallest_text_px"] >= figures["min_readable_px"]
    assert isinstance(figures["target_met"], bool) and figures["import_bot_app_ms"] is None
    assert any(line.startswith("drawn (cache bypassed)") for line in output.splitlines())  # the table


def test_the_throughput_benchmark_runs_retain_and_a_bare_bot_and_ends_with_its_figures() -> None:
    output, figures = run_bench(
        "bench/throughput.py", "--rounds", "1", "--batch", "3", "--chart-batch", "1", "--charts-queued", "1"
    )
    kinds = {"help", "start", "course", "stats_empty", "next", "answer", "stats_chart", "poll_answer"}
    for name in ("ratio", "retain_per_s", "bare_per_s", "retain_cpu_ms", "bare_cpu_ms", "cpu_ratio"):
        assert set(figures[name]) == kinds and all(value > 0 for value in figures[name].values()), name
    assert figures["targets_met"] == all(ratio >= 0.7 for ratio in figures["ratio"].values())
    calls = figures["calls_per_update"]
    assert calls["retain"]["help"] == calls["bare"]["help"] == 1  # every /help answered, once
    assert calls["retain"]["poll_answer"] == calls["bare"]["poll_answer"] == 0
    for failed in figures["failed_updates"].values():  # none (Retain would have apologised in the chat)
        assert set(failed) == kinds and not any(failed.values())
    assert figures["help_samples_behind_charts"] >= 1
    assert 0 < figures["help_p50_ms_behind_charts"] <= figures["help_p95_ms_behind_charts"]
    assert isinstance(figures["help_p95_target_met"], bool)
    assert any(line.startswith("/stats with answers (chart)") for line in output.splitlines())  # the table


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
