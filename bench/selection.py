"""How long do the next prompt, an answer and /stats take for a learner with a long history?

A temporary SQLite file gets 100,000 learners (built in a child process, with bulk inserts through
the storage layer's tables): one heavy learner with 5,000 answers over every item of the shipped
bank, one typical learner with 50, and the rest with 0 to 60 answers each (their prompts, sets,
answers and item states). Then, in this process, the same tutor services the bot calls (not the
Telegram layer) are timed, each after a warm-up:

- the next prompt (`Practice.next_prompt`, as /next and "Next" call it) for the heavy learner and
  for the typical one (a call that ends a set and returns its recap is timed apart);
- an answer to the heavy learner's prompt (`Practice.answer`, which records it and serves the
  next prompt of the set);
- /stats without drawing its chart (`ProgressReports.stats`) for the heavy learner.

Each is reported as p50, p95 and p99 in milliseconds, with the SQL statements (every statement
the engine runs, BEGIN included) and the hops to aiosqlite's worker thread per call, and the peak
RSS of this process (`getrusage`: the database is built and migrated in a child process, so this
is what a bot process serving these learners holds).

Run: .venv/bin/python bench/selection.py [--learners N] [--heavy-answers A] [--calls C] [--warmup W]
                                         [--database FILE]
With --database the database is built once in FILE and each run times a copy of it, first brought
up to date by the migrations it lacks (so a database built before a schema change also times the
migration). The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import aiosqlite
from sqlalchemy import event, insert

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.config import CONTENT_DIR
from bot.tutor.memory import ItemMemory, review
from bot.tutor.results import PromptResult, Status
from bot.tutor.tutor import Tutor
from content.loader import load_bank
from content.schema import Answerable, Bank, ConceptCard, ExamQuestion, MetricDrill, MultipleChoice, TrueFalse
from storage.db import Database, create_engine, create_tables
from storage.models import Answer, ItemState, Learner, PracticeSet, Prompt

NOW = datetime(2026, 5, 4, 17, 0, tzinfo=UTC)  # the timed calls start here (18:00 in London)
HEAVY, TYPICAL = 1, 2  # the learners timed
TYPICAL_ANSWERS = 50
BODIES = ("all", "icq", "proqual", "highfield", "pearson", "generic")
SET_SIZE = 10
RIGHT = 0.75  # the chance an answer in the made-up history (and in the timed answers) is right
BATCH = 2_000  # learners built per bulk insert
STEP = timedelta(seconds=20)  # the clock moves on this much per timed call
LABELS = {  # the table's rows
    "heavy_next": "next prompt, heavy ({heavy:,} answers)",
    "heavy_next_cold": "next prompt, heavy, memories not kept",
    "typical_next": f"next prompt, typical ({TYPICAL_ANSWERS} answers)",
    "heavy_answer": "answer + the next prompt, heavy",
    "heavy_next_recap": "next prompt ending a set (recap), heavy",
    "heavy_stats": "/stats without the chart, heavy",
}
TARGETS = {  # figure: bound it must stay under
    "heavy_next_prompt_p50_ms": 2.0,
    "heavy_next_prompt_p99_ms": 10.0,
    "heavy_stats_p50_ms": 5.0,
    "peak_rss_mb": 120.0,
}


# --- building the database (in a child process) ------------------------------------------------


@dataclass
class Rows:
    """Rows of a batch of learners, ready for bulk inserts."""

    learners: list[dict[str, Any]] = field(default_factory=list)
    sets: list[dict[str, Any]] = field(default_factory=list)
    prompts: list[dict[str, Any]] = field(default_factory=list)
    answers: list[dict[str, Any]] = field(default_factory=list)
    states: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Ids:
    """The next free id of each table with an integer key (ids are given, so rows can refer to them)."""

    set: int = 1
    prompt: int = 1
    answer: int = 1


def made_up_memory(rng: random.Random, answers: list[tuple[datetime, bool]]) -> ItemMemory:
    """A plausible FSRS memory for an item answered at these times (cheap: no scheduler run)."""
    correct = sum(right for _, right in answers)
    streak = 0
    for _, right in reversed(answers):
        if not right:
            break
        streak += 1
    last = answers[-1][0]
    stability = rng.lognormvariate(0.5, 0.8) * (1 + streak)
    missed = streak == 0
    return ItemMemory(
        seen=len(answers),
        correct=correct,
        wrong=len(answers) - correct,
        streak=streak,
        last_answered_at=last,
        due_at=last + (timedelta(minutes=5) if missed else timedelta(days=stability)),
        fsrs_state=3 if missed else 2,
        fsrs_step=0 if missed else None,
        stability=stability,
        difficulty=min(10.0, max(1.0, rng.gauss(5.0, 1.5))),
    )


def add_learner(
    rows: Rows, ids: Ids, rng: random.Random, learner_id: int, items: list[Answerable], body: str, count: int
) -> None:
    """A learner with `count` answers: sets of SET_SIZE prompts, one a day, the last ending yesterday.

    The timed learners' item memories come from the real FSRS updates; the others' are made up.
    """
    sets = (count + SET_SIZE - 1) // SET_SIZE
    per_item: dict[str, list[tuple[datetime, bool]]] = {}
    memories: dict[str, ItemMemory] = {}
    real = learner_id in (HEAVY, TYPICAL)
    last_prompt = None
    for n in range(sets):
        start = NOW - timedelta(days=sets - n, hours=rng.uniform(-2, 3))
        size = min(SET_SIZE, count - n * SET_SIZE)
        rows.sets.append(
            {
                "id": ids.set,
                "learner_id": learner_id,
                "size": SET_SIZE,
                "total": SET_SIZE,
                "source": "private",
                "started_at": start,
                "ended_at": start + timedelta(minutes=10),
            }
        )
        at = start
        for position in range(1, size + 1):
            item = rng.choice(items)
            right = rng.random() < RIGHT
            rows.prompts.append(
                {
                    "id": ids.prompt,
                    "learner_id": learner_id,
                    "item_id": item.id,
                    "kind": item.kind.value,
                    "context": "private",
                    "sent_at": at,
                    "answered_at": at + timedelta(seconds=15),
                    "correct": right,
                    "followed_up": True,
                    "set_id": ids.set,
                    "position": position,
                }
            )
            rows.answers.append(
                {
                    "id": ids.answer,
                    "learner_id": learner_id,
                    "item_id": item.id,
                    "kind": item.kind.value,
                    "correct": right,
                    "answered_at": at + timedelta(seconds=15),
                    "context": "private",
                    "prompt_id": ids.prompt,
                }
            )
            if real:
                memories[item.id] = review(
                    memories.get(item.id, ItemMemory()), right, at + timedelta(seconds=15)
                )
            else:
                per_item.setdefault(item.id, []).append((at + timedelta(seconds=15), right))
            last_prompt = ids.prompt
            ids.prompt += 1
            ids.answer += 1
            at += timedelta(seconds=rng.uniform(15, 40))
        ids.set += 1
    if not real:
        memories = {item_id: made_up_memory(rng, answers) for item_id, answers in per_item.items()}
    for item_id, memory in memories.items():
        rows.states.append({"learner_id": learner_id, "item_id": item_id, **asdict(memory)})
    yesterday = (NOW - timedelta(days=1)).date().isoformat()
    rows.learners.append(
        {
            "id": learner_id,
            "awarding_body": body,
            "timezone": "Europe/London",
            "reminder_chosen": True,
            "streak_days": min(sets, 30) if count else 0,
            "streak_day": yesterday if count else None,
            "last_active_at": NOW - timedelta(days=1) if count else NOW - timedelta(days=3),
            "started_at": NOW - timedelta(days=sets + 1),
            "set_size": SET_SIZE,
            "current_set_id": None,
            "live_prompt_id": last_prompt,
            "created_at": NOW - timedelta(days=sets + 1),
        }
    )


def learner_batches(bank: Bank, learners: int, heavy_answers: int, seed: int) -> Iterator[Rows]:
    """Every learner's rows, BATCH learners at a time."""
    rng = random.Random(seed)
    ids = Ids()
    rows = Rows()
    for learner_id in range(1, learners + 1):
        if learner_id == HEAVY:
            body, count = "all", heavy_answers
        elif learner_id == TYPICAL:
            body, count = "all", TYPICAL_ANSWERS
        else:
            body, count = BODIES[learner_id % len(BODIES)], rng.randint(0, 60)
        add_learner(rows, ids, rng, learner_id, list(bank.for_body(body)), body, count)
        if len(rows.learners) == BATCH:
            yield rows
            rows = Rows()
    if rows.learners:
        yield rows


async def build(path: Path, learners: int, heavy_answers: int, seed: int) -> None:
    """Create the database at `path` (every migration) and fill it."""
    bank = load_bank(CONTENT_DIR)
    engine = create_engine(f"sqlite:///{path}")
    await create_tables(engine)
    tables = [
        (Learner, "learners"),
        (PracticeSet, "sets"),
        (Prompt, "prompts"),
        (Answer, "answers"),
        (ItemState, "states"),
    ]
    for rows in learner_batches(bank, learners, heavy_answers, seed):
        async with engine.begin() as conn:
            for table, name in tables:
                if batch := getattr(rows, name):
                    await conn.execute(insert(table), batch)
    async with engine.begin() as conn:
        await conn.exec_driver_sql("ANALYZE")
    await engine.dispose()


def prepare_in_child(
    built_at: Path, path: Path, learners: int, heavy_answers: int, seed: int, report: Any
) -> None:
    """The child process's work: build the database (unless kept from an earlier run), copy it to
    `path` and bring the copy up to date; it reports how long each took."""
    started = time.perf_counter()
    if not built_at.exists():
        asyncio.run(build(built_at, learners, heavy_answers, seed))
    built = time.perf_counter() - started
    if built_at != path:
        for suffix in ("", "-wal"):  # a copy with its write-ahead log, if one was left
            if Path(f"{built_at}{suffix}").exists():
                shutil.copyfile(f"{built_at}{suffix}", f"{path}{suffix}")
    report.send((built, asyncio.run(upgrade(path))))


# --- timing (in this process) ------------------------------------------------------------------


class Counter:
    """Counts the SQL statements an engine runs and the hops to aiosqlite's worker thread."""

    def __init__(self, database: Database) -> None:
        self.statements = 0
        self.hops = 0
        event.listen(database.engine.sync_engine, "before_cursor_execute", self._statement)
        original = aiosqlite.Connection._execute
        counter = self

        async def counted(connection: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
            counter.hops += 1
            return await original(connection, fn, *args, **kwargs)  # type: ignore[no-untyped-call]

        aiosqlite.Connection._execute = counted  # type: ignore[method-assign,assignment]

    def _statement(self, *_args: Any) -> None:
        self.statements += 1


@dataclass
class Timings:
    """One operation's calls: milliseconds, statements and hops each."""

    ms: list[float] = field(default_factory=list)
    statements: list[int] = field(default_factory=list)
    hops: list[int] = field(default_factory=list)

    def figures(self) -> dict[str, float]:
        if not self.ms:
            return {"calls": 0}
        cuts = statistics.quantiles(self.ms * 2 if len(self.ms) == 1 else self.ms, n=100, method="inclusive")
        return {
            "calls": len(self.ms),
            "p50_ms": statistics.median(self.ms),
            "p95_ms": cuts[94],
            "p99_ms": cuts[98],
            "statements": statistics.median(self.statements),
            "hops": statistics.median(self.hops),
        }


async def timed(counter: Counter, call: Callable[[], Awaitable[Any]]) -> tuple[Any, float, int, int]:
    statements, hops = counter.statements, counter.hops
    started = time.perf_counter()
    result = await call()
    elapsed = (time.perf_counter() - started) * 1000
    return result, elapsed, counter.statements - statements, counter.hops - hops


def choice_for(served: Any, rng: random.Random) -> bool | int:
    """A tap on the prompt's buttons, right with chance RIGHT."""
    item, right = served.item, rng.random() < RIGHT
    if isinstance(item, ConceptCard):
        return right
    if isinstance(item, TrueFalse):
        return item.answer if right else not item.answer
    if isinstance(item, MultipleChoice):
        return 0 if right else 1
    if isinstance(item, MetricDrill):
        answer: int = served.drill.answer_index
        return answer if right else (answer + 1) % len(served.drill.options)
    raise TypeError(item)


async def upgrade(path: Path) -> float:
    """Apply the migrations the database lacks (none on one built just now); how long it took."""
    started = time.perf_counter()
    database = Database(f"sqlite:///{path}")
    await database.prepare()
    await database.close()
    return time.perf_counter() - started


async def measure(path: Path, calls: int, warmup: int, seed: int) -> dict[str, Timings]:
    bank = load_bank(CONTENT_DIR)
    moment = [NOW]

    def clock() -> datetime:
        return moment[0]

    database = Database(f"sqlite:///{path}")
    await database.prepare()
    tutor = Tutor.open(database, bank, "Europe/London", clock=clock, rng=random.Random(seed))
    counter = Counter(database)
    rng = random.Random(seed + 1)
    found: dict[str, Timings] = {name: Timings() for name in LABELS}

    def record(name: str, ms: float, statements: int, hops: int) -> None:
        found.setdefault(name, Timings()).ms.append(ms)
        found[name].statements.append(statements)
        found[name].hops.append(hops)

    async def next_prompt(user: int, into: str | None, *, cold: bool = False) -> PromptResult:
        """/next; timed into `into` (a call that ends a set and gives its recap into its own row)."""
        if cold:
            tutor.core.memories.clear()  # as for the first prompt of the day, or after another process
        result, ms, statements, hops = await timed(counter, lambda: tutor.practice.next_prompt(user))
        assert isinstance(result, PromptResult)
        if into is not None:
            record(into if result.status is Status.OK else f"{into}_recap", ms, statements, hops)
        moment[0] += STEP
        return result

    for n in range(warmup + calls):
        kept = n >= warmup
        result = await next_prompt(HEAVY, "heavy_next" if kept else None)
        if result.prompt is None:
            continue
        served = result.prompt
        if isinstance(served.item, ExamQuestion):  # answered by writing: not a tap, not timed
            await tutor.practice.free_text(HEAVY, f"{served.item.model_answer}\ndone")
            await tutor.practice.confirm_marks(HEAVY, served.prompt_id)
            moment[0] += STEP
            continue
        tap = partial(
            tutor.practice.answer, HEAVY, served.prompt_id, served.item.kind, choice_for(served, rng)
        )
        answer, ms, statements, hops = await timed(counter, tap)
        assert answer.status is Status.OK, answer
        if kept:
            record("heavy_answer", ms, statements, hops)
        moment[0] += STEP
    for n in range(warmup + calls):
        await next_prompt(HEAVY, "heavy_next_cold" if n >= warmup else None, cold=True)
    for n in range(warmup + calls):
        await next_prompt(TYPICAL, "typical_next" if n >= warmup else None)
    for n in range(warmup + calls):
        progress, ms, statements, hops = await timed(counter, lambda: tutor.progress.stats(HEAVY))
        assert progress is not None
        if n >= warmup:
            record("heavy_stats", ms, statements, hops)
    await database.close()
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=100_000)
    parser.add_argument("--heavy-answers", type=int, default=5_000)
    parser.add_argument("--calls", type=int, default=300, help="timed calls of each operation")
    parser.add_argument("--warmup", type=int, default=30, help="calls of each operation before timing")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument(
        "--database",
        type=Path,
        help="build the database in this file once and reuse it (each run times a copy of it, upgraded "
        "by the migrations it lacks)",
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="retain-bench-") as folder:
        path = Path(folder) / "selection.db"
        built_at = args.database or path
        context = mp.get_context("spawn")
        receive, report = context.Pipe(duplex=False)
        child = context.Process(
            target=prepare_in_child,
            args=(built_at, path, args.learners, args.heavy_answers, args.seed, report),
        )
        child.start()
        child.join()
        if child.exitcode != 0:
            raise SystemExit(f"preparing the database failed (exit code {child.exitcode})")
        built, upgrade_s = receive.recv()
        size_mb = path.stat().st_size / 1e6
        found = asyncio.run(measure(path, args.calls, args.warmup, args.seed))
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux
    rows = {name: timings.figures() for name, timings in found.items()}
    print(
        f"{args.learners:,} learners in SQLite ({size_mb:,.0f} MB, built in {built:.0f} s, migrations "
        f"{upgrade_s:.1f} s); {args.calls} timed calls after {args.warmup} to warm up"
    )
    print(f"{'operation':<48} {'calls':>5} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'SQL':>4} {'hops':>5}")
    for name, label in LABELS.items():
        row = rows.get(name, {"calls": 0})
        if not row["calls"]:
            continue
        print(
            f"{label.format(heavy=args.heavy_answers):<48} {row['calls']:>5} {row['p50_ms']:>7.2f} "
            f"{row['p95_ms']:>7.2f} {row['p99_ms']:>7.2f} {row['statements']:>4.0f} {row['hops']:>5.0f}"
        )
    matplotlib = "matplotlib" in sys.modules
    imported = "yes" if matplotlib else "no"
    print(f"peak RSS of this process: {peak_rss_mb:.0f} MB (matplotlib imported: {imported})")
    figures: dict[str, Any] = {
        "learners": args.learners,
        "heavy_answers": args.heavy_answers,
        "heavy_next_prompt_p50_ms": rows["heavy_next"]["p50_ms"],
        "heavy_next_prompt_p95_ms": rows["heavy_next"]["p95_ms"],
        "heavy_next_prompt_p99_ms": rows["heavy_next"]["p99_ms"],
        "heavy_next_prompt_nothing_kept_p50_ms": rows["heavy_next_cold"]["p50_ms"],
        "heavy_next_prompt_nothing_kept_p99_ms": rows["heavy_next_cold"]["p99_ms"],
        "typical_next_prompt_p50_ms": rows["typical_next"]["p50_ms"],
        "typical_next_prompt_p99_ms": rows["typical_next"]["p99_ms"],
        "heavy_answer_p50_ms": rows["heavy_answer"]["p50_ms"],
        "heavy_answer_p99_ms": rows["heavy_answer"]["p99_ms"],
        "heavy_stats_p50_ms": rows["heavy_stats"]["p50_ms"],
        "heavy_stats_p99_ms": rows["heavy_stats"]["p99_ms"],
        "statements_per_next_prompt": rows["heavy_next"]["statements"],
        "hops_per_next_prompt": rows["heavy_next"]["hops"],
        "statements_per_answer": rows["heavy_answer"]["statements"],
        "statements_per_stats": rows["heavy_stats"]["statements"],
        "peak_rss_mb": peak_rss_mb,
        "matplotlib_imported": matplotlib,
        "build_s": built,
        "upgrade_s": upgrade_s,
    }
    figures["targets_met"] = {name: figures[name] < bound for name, bound in TARGETS.items()}
    print(json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in figures.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
