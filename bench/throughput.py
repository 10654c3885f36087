"""How many updates a second does Retain handle, next to a bare python-telegram-bot bot?

Two bots run, each in a process of its own, against the fake Bot API server (tests/fake_telegram.py)
running in this one: Retain, built by bot.app.build_application with its rate limiter lifted (and
no repeating sweeps), and a bare python-telegram-bot Application (defined here, no rate limiter)
whose handlers answer the same updates with fixed texts and the same Bot API calls. Each round
brings new learners, one update each per batch so that no chat waits on another: /help, /start,
a tap on the first course under /start's welcome, /stats (a course chosen, nothing answered),
/next, a tap on the first answer under that prompt (a concept card's "Knew it", after a Reveal
that is not timed), /stats again (a chart, for --chart-batch of them), and an answer to the quiz
poll a teacher's /quiz posted in a class group (with the poll's new state, as Telegram sends).

A batch's rate is its updates divided by the time from queuing them until the bot's last call
about them reached the server (a poll answer draws no call: until the bot had handled them all);
its CPU time is the bot process's time.process_time over the batch. Rounds alternate (Retain,
bare, Retain, bare...) after a warm-up round each, so machine noise hits both; figures are medians.

Then, in Retain's rounds, /help's latency while 20 learners' /stats charts are queued (a /help
from a new user every 50 ms, few enough not to slow the charts much, until every chart is out; the
issue's target is a p95 under 50 ms), and with nothing queued. --profile BOT profiles one bot's
event loop per kind of update (slower).

Run: .venv/bin/python bench/throughput.py [--database-url URL] [--rounds N] [--batch N]
     [--chart-batch N] [--profile BOT]
The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import cProfile
import json
import logging
import math
import multiprocessing as mp
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Poll, Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    PollAnswerHandler,
    filters,
)

from bot.app import ALLOWED_UPDATES, build_application
from bot.config import CONTENT_DIR, Settings
from content.loader import load_bank
from tests.fake_telegram import FakeTelegram, FakeUser, Request, SentMessage

RETAIN, BARE = "retain", "bare"
KINDS = {  # the update kinds, in the order a round sends them, and how the table names them
    "help": "/help",
    "start": "/start (new learner)",
    "course": "tap a course",
    "stats_empty": "/stats before any answer",
    "next": "/next",
    "answer": "tap an answer",
    "stats_chart": "/stats with answers (chart)",
    "poll_answer": "poll answer (class round)",
}
TARGET_RATIO = 0.7  # Retain's rate at least this share of the bare bot's, for every kind
HELP_P95_TARGET_MS = 50.0
UNLIMITED = 1e9  # sends a second (and a minute per group): Retain's rate limiter lifted
BARE_WORKING = 32  # updates the bare bot handles at once: as many as Retain's update processor
POLL_SECONDS = 10  # getUpdates' long-poll timeout (run_polling's default)
SETTLE = 0.1  # seconds after a batch before its CPU time is read: work done after the replies
WAIT = 120.0  # seconds a batch may take before the benchmark gives up
FIRST_USER = 10_000_000
ROUND_USERS = 100_000  # user ids per round: each round's learners are new
FIRST_GROUP = -1_000_000_000


# --- the bare bot ----------------------------------------------------------------------------


def bare_application(base_url: str) -> Application[Any, Any, Any, Any, Any, Any]:
    """python-telegram-bot with nothing behind it: each update answered with fixed texts."""
    app = (
        Application.builder()
        .token(FakeTelegram.token)
        .base_url(base_url)
        .concurrent_updates(BARE_WORKING)
        .build()
    )
    courses = InlineKeyboardMarkup(
        [[InlineKeyboardButton(name, callback_data=f"b:{name}")] for name in ("Pearson", "OCR", "All")]
    )
    reminders = InlineKeyboardMarkup(
        [[InlineKeyboardButton(at, callback_data=f"r:{at}") for at in ("07:30", "18:00", "Not now")]]
    )
    choices = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("True", callback_data="a:t"),
                InlineKeyboardButton("False", callback_data="a:f"),
            ]
        ]
    )

    async def say(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str, **extra: Any) -> None:
        assert update.effective_chat is not None
        await context.bot.send_message(update.effective_chat.id, text, parse_mode=ParseMode.HTML, **extra)

    async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await say(update, context, "<b>Bare</b> answers /start, /next and /stats.")

    async def stats_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await say(update, context, "<b>Your progress</b>: nothing to show yet.")

    async def start_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await say(update, context, "<b>Welcome!</b> Which course?", reply_markup=courses)

    async def next_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await say(update, context, "<b>1/10</b> · Loyalty is earned. True or false?", reply_markup=choices)

    async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None and query.data is not None
        if query.data.startswith("b:"):
            await query.answer()
            await query.edit_message_text("Got it. A daily reminder?", reply_markup=reminders)
        else:  # an answer: the verdict in place, then the next question (as Retain does)
            await query.answer("✅ Right")
            await query.edit_message_text("✅ <b>Right</b>: loyalty is earned.", parse_mode=ParseMode.HTML)
            await say(update, context, "<b>2/10</b> · Churn is good. True or false?", reply_markup=choices)

    async def quiz_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_chat is not None
        await context.bot.send_poll(
            update.effective_chat.id,
            "Which keeps customers?",
            ["Service", "Price", "Luck"],
            type=Poll.QUIZ,
            correct_option_id=0,
            is_anonymous=False,
            open_period=30,
        )

    async def poll_answer(_update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        return None  # counted by Telegram's own poll; nothing to say

    app.add_handler(CommandHandler("quiz", quiz_command, filters=filters.ChatType.GROUPS))
    app.add_handler(CommandHandler("help", help_command))
    app.add_handler(CommandHandler("stats", stats_command))
    app.add_handler(CommandHandler("start", start_command))
    app.add_handler(CommandHandler("next", next_command))
    app.add_handler(CallbackQueryHandler(button))
    app.add_handler(PollAnswerHandler(poll_answer))
    return app


def retain_application(base_url: str, database_url: str) -> Application[Any, Any, Any, Any, Any, Any]:
    """Retain as it runs, on its own database, with the rate limiter lifted and no repeating sweeps."""
    settings = Settings(
        telegram_bot_token=FakeTelegram.token,
        telegram_api_base_url=base_url,
        database_url=database_url,
        rate_limit_per_second=UNLIMITED,
        rate_limit_group_per_minute=UNLIMITED,
        _env_file=None,
    )
    return build_application(settings, load_bank(CONTENT_DIR), schedule_jobs=False)


# --- the bot's process -----------------------------------------------------------------------


class Channel:
    """One end of a pipe, read by the event loop: each message arrives with when it arrived."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.inbox: asyncio.Queue[tuple[float, tuple[Any, ...]]] = asyncio.Queue()
        asyncio.get_running_loop().add_reader(conn.fileno(), self._read)

    def _read(self) -> None:
        try:
            while self.conn.poll():
                message = self.conn.recv()
                self.inbox.put_nowait((time.perf_counter(), message))
        except (EOFError, OSError):
            asyncio.get_running_loop().remove_reader(self.conn.fileno())
            self.inbox.put_nowait((time.perf_counter(), ("closed",)))

    def send(self, *message: Any) -> None:
        self.conn.send(message)

    async def receive(self, expected: str, within: float = WAIT) -> tuple[float, tuple[Any, ...]]:
        """The next message, which must be `expected`, and when it arrived."""
        arrived, message = await asyncio.wait_for(self.inbox.get(), within)
        if message[0] != expected:
            raise RuntimeError(f"expected {expected!r} from the bot's process, got {message!r}")
        return arrived, message

    def close(self) -> None:
        asyncio.get_running_loop().remove_reader(self.conn.fileno())


class Handled:
    """How many updates the Application has finished with (it marks each done on its update queue)."""

    def __init__(self, queue: asyncio.Queue[object], reached: Callable[[int], None]) -> None:
        self.count = 0
        self.target: int | None = None
        self._reached = reached
        self._task_done = queue.task_done
        queue.task_done = self._done  # type: ignore[method-assign]

    def _done(self) -> None:
        self._task_done()
        self.count += 1
        self._check()

    def notify_at(self, target: int) -> None:
        """Call `reached` once `target` updates in all have been handled."""
        self.target = target
        self._check()

    def _check(self) -> None:
        if self.target is not None and self.count >= self.target:
            self.target = None
            self._reached(self.count)


REPO = str(Path(__file__).resolve().parent.parent) + "/"
WAITING = "~:0(<method 'poll' of 'select.epoll' objects>)"  # the event loop waiting for I/O


def _label(file: str, line: int, function: str) -> str:
    for root in ("site-packages/", REPO):
        if root in file:
            file = file.split(root, 1)[1]
    return f"{file}:{line}({function})"


class Profiles:
    """cProfile of the event loop's thread (where every handler, the library and the HTTP client
    run), one profile per kind of update, on while its batches run; and the CPU time of that
    thread against the process's (the rest: database threads, charts drawn off the loop)."""

    def __init__(self) -> None:
        self.profiles: dict[str, cProfile.Profile] = {}
        self.cpu: dict[str, list[float]] = {}  # kind: [the process's CPU time, the loop thread's]
        self._kind = ""
        self._started = (0.0, 0.0)

    def begin(self, kind: str) -> None:
        self._kind, self._started = kind, (time.process_time(), time.thread_time())
        self.profiles.setdefault(kind, cProfile.Profile()).enable()

    def end(self) -> None:
        self.profiles[self._kind].disable()
        used = self.cpu.setdefault(self._kind, [0.0, 0.0])
        used[0] += time.process_time() - self._started[0]
        used[1] += time.thread_time() - self._started[1]

    def tables(self) -> dict[str, Any]:
        """Per kind: the CPU split, and (calls, own time, cumulative time) per function."""
        tables: dict[str, Any] = {}
        for kind, profile in self.profiles.items():
            stats: dict[tuple[str, int, str], tuple[Any, ...]] = pstats.Stats(profile).stats  # type: ignore[attr-defined]
            rows = {_label(*key): (row[1], row[2], row[3]) for key, row in stats.items()}
            tables[kind] = {"cpu": self.cpu[kind], "rows": rows}
        return tables


class Failures(logging.Handler):
    """Counts the errors the bot logs: failed updates (which Retain answers with an apology)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.count = 0

    def emit(self, _record: logging.LogRecord) -> None:
        self.count += 1


def bot_process(name: str, base_url: str, database_url: str, conn: Connection, profile: bool) -> None:
    """A bot's process: build the bot, poll the fake server and answer the benchmark's questions."""
    profiles = Profiles() if profile else None
    failures = Failures()
    root = logging.getLogger()
    root.setLevel(logging.WARNING)
    root.addHandler(failures)
    root.addHandler(logging.StreamHandler())  # warnings and errors to stderr, as with no handler
    asyncio.run(_run_bot(name, base_url, database_url, conn, profiles, failures))


async def _run_bot(
    name: str,
    base_url: str,
    database_url: str,
    conn: Connection,
    profiles: Profiles | None,
    failures: Failures,
) -> None:
    app = retain_application(base_url, database_url) if name == RETAIN else bare_application(base_url)
    channel = Channel(conn)
    await app.initialize()
    if app.post_init:
        await app.post_init(app)
    handled = Handled(app.update_queue, lambda count: channel.send("handled", count))
    assert app.updater is not None
    await app.updater.start_polling(
        poll_interval=0, timeout=POLL_SECONDS, allowed_updates=ALLOWED_UPDATES, drop_pending_updates=False
    )
    await app.start()
    channel.send("ready")
    while True:
        _, (command, *args) = await channel.inbox.get()
        if command == "begin":
            if profiles:
                profiles.begin(args[0])
            channel.send("cpu", time.process_time(), failures.count)
        elif command == "end":
            cpu = time.process_time()
            if profiles:
                profiles.end()
            channel.send("cpu", cpu, failures.count)
        elif command == "wait":
            handled.notify_at(args[0])
        elif command == "profiles":
            channel.send("profiles", profiles.tables() if profiles else {})
        else:  # "stop" (or the benchmark has gone)
            break
    await app.updater.stop()
    await app.stop()
    await app.shutdown()
    if app.post_shutdown:
        await app.post_shutdown(app)
    channel.send("stopped")
    channel.close()


# --- the benchmark's side: the fake server and the updates -----------------------------------


class StampedRequests(list[Request]):
    """The fake server's record of calls, with when each arrived (time.perf_counter)."""

    def __init__(self) -> None:
        super().__init__()
        self.times: list[float] = []

    def append(self, request: Request) -> None:
        self.times.append(time.perf_counter())
        super().append(request)


@dataclass
class Sample:
    """One batch: its updates, time until done, the bot's CPU time, its calls, the server's CPU."""

    updates: int
    seconds: float
    cpu: float
    calls: int
    server_cpu: float
    failed: int  # errors the bot logged meanwhile: updates that failed

    @property
    def rate(self) -> float:
        return self.updates / self.seconds

    @property
    def cpu_ms(self) -> float:
        return 1000 * self.cpu / self.updates


@dataclass
class Bot:
    """A bot's process, its own fake server, and how many updates it has been sent."""

    name: str
    fake: FakeTelegram
    process: BaseProcess
    channel: Channel
    requests: StampedRequests
    pushed: int = 0
    samples: dict[str, list[Sample]] = field(default_factory=dict)
    behind_charts: list[float] = field(default_factory=list)  # /help latencies (ms)
    alone: list[float] = field(default_factory=list)

    async def ask(self, *message: Any) -> tuple[float, int]:
        """Start or end a batch; the bot process's CPU time and the errors it has logged so far."""
        self.channel.send(*message)
        _, (_, cpu, failed) = await self.channel.receive("cpu")
        return float(cpu), int(failed)

    async def push(self, updates: list[dict[str, Any]]) -> None:
        for update in updates:
            await self.fake.push(update)
        self.pushed += len(updates)

    async def handled(self) -> float:
        """Wait until the bot has handled every update sent so far; when it said so."""
        self.channel.send("wait", self.pushed)
        arrived, _ = await self.channel.receive("handled")
        return arrived


async def start_bot(name: str, database_url: str, profile: bool) -> Bot:
    """Start a bot's process and its fake server; `ready` is awaited by `started`."""
    requests = StampedRequests()
    # Telegram refuses to answer a tap after about 15 s; a profiled bot may well take longer.
    fake = FakeTelegram(requests=requests, query_lifetime=120.0 if profile else 15.0)
    await fake.start()
    ours, theirs = mp.get_context("spawn").Pipe()
    process = mp.get_context("spawn").Process(
        target=bot_process, args=(name, fake.base_url, database_url, theirs, profile), daemon=True
    )
    process.start()
    theirs.close()
    return Bot(name, fake, process, Channel(ours), requests)


async def stop_bot(bot: Bot) -> None:
    await bot.fake.release_polls()  # the bot's waiting getUpdates returns, so it can stop
    bot.channel.send("stop")
    await bot.channel.receive("stopped", within=30)
    bot.channel.close()
    bot.process.join(timeout=10)
    await bot.fake.stop()


def _text(fake: FakeTelegram, user: FakeUser, text: str, chat_id: int | None = None) -> dict[str, Any]:
    return {"message": fake.text_message(user, user.id if chat_id is None else chat_id, text)}


def _poll_answers(poll: dict[str, Any], users: list[FakeUser]) -> list[dict[str, Any]]:
    """Each user picks the first option; with each answer, the poll's new state, as Telegram sends."""
    state = copy.deepcopy(poll)
    updates: list[dict[str, Any]] = []
    for user in users:
        answer = {
            "poll_id": poll["id"],
            "user": user.as_json(),
            "option_ids": [0],
            "option_persistent_ids": [state["options"][0].get("persistent_id", f"{poll['id']}-0")],
        }
        state["options"][0]["voter_count"] += 1
        state["total_voter_count"] += 1
        updates += [{"poll_answer": answer}, {"poll": copy.deepcopy(state)}]
    return updates


def _keyboards(fake: FakeTelegram, calls: list[Request]) -> dict[int, SentMessage]:
    """The last message with buttons each chat was sent among `calls`, as it stands now."""
    found: dict[int, SentMessage] = {}
    for request in calls:
        if (
            request.method == "sendMessage"
            and request.params.get("reply_markup")
            and request.rejected is None
        ):
            message = fake.message(request)
            found[message.chat_id] = message
    return found


async def run_batch(
    bot: Bot, kind: str | None, updates: list[dict[str, Any]], chats: set[int], size: int = 0
) -> list[Request]:
    """Send a batch of `size` updates of a kind (default: one per chat), each answered in one of
    `chats`, and wait until the bot has handled it; its calls. With a `kind`, timed."""
    if kind is not None:
        cpu_before, failed_before = await bot.ask("begin", kind)
    server_before = time.process_time()
    mark = bot.fake.mark()
    started = time.perf_counter()
    await bot.push(updates)
    handled_at = await bot.handled()
    calls = bot.fake.requests[mark:]
    finished = bot.requests.times[-1] if calls else handled_at
    server_cpu = time.process_time() - server_before
    refused = [(r.method, str(r.result)) for r in calls if r.rejected is not None]
    if refused:
        raise RuntimeError(f"{bot.name} made calls the server refused ({kind}): {refused[:3]}")
    unanswered = chats - {r.params.get("chat_id") for r in calls}  # an apology counts: see `failed`
    if unanswered:
        raise RuntimeError(f"{bot.name} did not answer {len(unanswered)} chats ({kind})")
    if kind is not None:
        await asyncio.sleep(SETTLE)
        cpu_after, failed_after = await bot.ask("end")
        cpu, failed = cpu_after - cpu_before, failed_after - failed_before
        sample = Sample(size or len(chats), finished - started, cpu, len(calls), server_cpu, failed)
        bot.samples.setdefault(kind, []).append(sample)
    return calls


async def help_latencies(
    bot: Bot, waiting: list[FakeUser], first_id: int, interval: float, count: int
) -> list[float]:
    """/help from new users (ids from `first_id`) every `interval` seconds while `waiting` users'
    /stats are unanswered (with no one waiting: `count` of them); each one's time to its reply (ms)."""
    fake = bot.fake
    mark = fake.mark()
    await bot.push([_text(fake, user, "/stats") for user in waiting])
    sent: dict[int, float] = {}
    for n in range(10_000):
        answered = {r.params.get("chat_id") for r in fake.requests[mark:]}
        if (waiting and all(user.id in answered for user in waiting)) or (not waiting and n >= count):
            break
        user = FakeUser(first_id + n, "Passer-by")
        update = _text(fake, user, "/help")
        sent[user.id] = time.perf_counter()
        await bot.push([update])
        await asyncio.sleep(interval)
    await bot.handled()
    replied: dict[int, float] = {}
    for request, at in zip(fake.requests[mark:], bot.requests.times[mark:], strict=True):
        chat = request.params.get("chat_id")
        if chat in sent and chat not in replied:
            replied[chat] = at
    return [1000 * (replied[chat] - sent[chat]) for chat in sent]


async def run_round(bot: Bot, number: int, args: argparse.Namespace, *, timed: bool = True) -> None:
    """One round on one bot: every kind of update, a batch each, by learners new to the bot."""
    fake = bot.fake
    users = [FakeUser(FIRST_USER + number * ROUND_USERS + n, f"Learner {n}") for n in range(args.batch)]
    chats = {user.id for user in users}

    def kind(name: str) -> str | None:
        return name if timed else None

    await run_batch(bot, kind("help"), [_text(fake, u, "/help") for u in users], chats)
    calls = await run_batch(bot, kind("start"), [_text(fake, u, "/start") for u in users], chats)
    welcomes = _keyboards(fake, calls)
    taps = [fake.tap_update(u, welcomes[u.id], welcomes[u.id].buttons[0][1]) for u in users]
    await run_batch(bot, kind("course"), taps, chats)
    await run_batch(bot, kind("stats_empty"), [_text(fake, u, "/stats") for u in users], chats)
    prompts = _keyboards(
        fake, await run_batch(bot, kind("next"), [_text(fake, u, "/next") for u in users], chats)
    )
    cards = [u for u in users if "Reveal" in dict(prompts[u.id].buttons)]
    if cards:  # a concept card is answered after Reveal: revealed first, untimed
        reveals = [fake.tap_update(u, prompts[u.id], prompts[u.id].button("Reveal")) for u in cards]
        await run_batch(bot, None, reveals, {u.id for u in cards})
        prompts.update({u.id: fake.messages[(u.id, prompts[u.id].message_id)] for u in cards})
    taps = [fake.tap_update(u, prompts[u.id], prompts[u.id].buttons[0][1]) for u in users]
    await run_batch(bot, kind("answer"), taps, chats)
    charted = users[: args.chart_batch]
    stats = [_text(fake, u, "/stats") for u in charted]
    await run_batch(bot, kind("stats_chart"), stats, {u.id for u in charted})

    group, teacher = FIRST_GROUP - number, FakeUser(FIRST_USER + (number + 1) * ROUND_USERS - 1, "Teacher")
    fake.admins[group] = {teacher.id}
    mark = fake.mark()
    await run_batch(bot, None, [_text(fake, teacher, "/quiz", group)], {group})
    posted = await fake.wait_for("sendPoll", lambda r: r.params["chat_id"] == group, after=mark, within=WAIT)
    answers = _poll_answers(posted.result["poll"], users)  # each with the poll's new state
    await run_batch(bot, kind("poll_answer"), answers, set(), len(users))

    if bot.name == RETAIN:
        interval = args.help_interval_ms / 1000
        passers_by = FIRST_USER + number * ROUND_USERS + ROUND_USERS // 2
        queued = users[: args.charts_queued]
        behind = await help_latencies(bot, queued, passers_by, interval, 0)
        alone = await help_latencies(bot, [], passers_by + ROUND_USERS // 4, interval, len(queued))
        if timed:
            bot.behind_charts += behind
            bot.alone += alone


# --- figures ---------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (0 with no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def medians(bot: Bot) -> dict[str, dict[str, float]]:
    """Per kind: the median rate (and the slowest and fastest rounds'), CPU per update, calls per
    update and the fake server's CPU per update."""
    figures: dict[str, dict[str, float]] = {}
    for kind, samples in bot.samples.items():
        figures[kind] = {
            "rate": statistics.median(s.rate for s in samples),
            "slowest": min(s.rate for s in samples),
            "fastest": max(s.rate for s in samples),
            "cpu_ms": statistics.median(s.cpu_ms for s in samples),
            "calls": statistics.median(s.calls / s.updates for s in samples),
            "server_cpu_ms": statistics.median(1000 * s.server_cpu / s.updates for s in samples),
        }
    return figures


PARTS = {  # where a function's code lives -> the part of the stack it belongs to
    "bot/": "Retain",
    "storage/": "Retain",
    "content/": "Retain",
    "telegram/": "python-telegram-bot",
    "httpx/": "HTTP client",
    "httpcore/": "HTTP client",
    "anyio/": "HTTP client",
    "h11/": "HTTP client",
    "sqlalchemy/": "SQLAlchemy and aiosqlite",
    "sqlmodel/": "SQLAlchemy and aiosqlite",
    "aiosqlite/": "SQLAlchemy and aiosqlite",
    "asyncio/": "asyncio",
    "<frozen importlib": "imports",  # httpcore tries `import sniffio` for each lock it makes
    "~:0(": "C functions",
}


def _part(label: str) -> str:
    for prefix, part in PARTS.items():
        if label.startswith(prefix) or (prefix.endswith("/") and f"/{prefix}" in label):
            return part
    return "other"


def profile_report(tables: dict[str, Any], samples: dict[str, list[Sample]], top: int) -> str:
    """Each kind's CPU split and the event loop's hottest functions by their own time, per update."""
    lines = []
    for kind, table in tables.items():
        updates = sum(s.updates for s in samples.get(kind, [])) or 1
        process, loop = (1000 * cpu / updates for cpu in table["cpu"])
        rows = {key: row for key, row in table["rows"].items() if key != WAITING}
        lines.append(
            f"\n{KINDS.get(kind, kind)}: CPU ms per update {process:.2f}, of which the event loop's thread "
            f"{loop:.2f} and other threads {process - loop:.2f}; the loop's functions by own time:"
        )
        parts: dict[str, float] = {}
        for key, (_, own, _) in rows.items():
            parts[_part(key)] = parts.get(_part(key), 0.0) + 1000 * own / updates
        ranked = sorted(parts.items(), key=lambda item: -item[1])
        lines.append("by part (own ms): " + ", ".join(f"{part} {ms:.2f}" for part, ms in ranked))
        lines.append(f"{'own ms':>8} {'cum ms':>8} {'calls':>7}  function (per update)")
        for key, (calls, own, whole) in sorted(rows.items(), key=lambda item: -item[1][1])[:top]:
            lines.append(
                f"{1000 * own / updates:8.3f} {1000 * whole / updates:8.3f} {calls / updates:7.1f}  {key}"
            )
    return "\n".join(lines)


async def benchmark(args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    database_url = args.database_url or f"sqlite:///{folder / 'retain.db'}"
    bots = {name: await start_bot(name, database_url, args.profile == name) for name in (RETAIN, BARE)}
    try:
        for bot in bots.values():  # both start at once: their imports take a few seconds
            await bot.channel.receive("ready", within=WAIT)
        warm_up = argparse.Namespace(**{**vars(args), "batch": max(args.charts_queued, min(args.batch, 40))})
        warm_up.chart_batch = min(args.chart_batch, warm_up.batch)
        for bot in bots.values():
            await run_round(bot, 0, warm_up, timed=False)
        for number in range(1, args.rounds + 1):
            for bot in bots.values():  # Retain, bare, Retain, bare...
                await run_round(bot, number, args)
        profiled = bots.get(args.profile) if args.profile else None
        profiles: dict[str, Any] = {}
        if profiled is not None:
            profiled.channel.send("profiles")
            _, (_, profiles) = await profiled.channel.receive("profiles")
    finally:
        for bot in bots.values():
            await stop_bot(bot)
    retain, bare = medians(bots[RETAIN]), medians(bots[BARE])
    behind, alone = bots[RETAIN].behind_charts, bots[RETAIN].alone
    ratio = {k: retain[k]["rate"] / bare[k]["rate"] for k in KINDS}
    figures: dict[str, Any] = {
        "database": (args.database_url or "sqlite").split(":", 1)[0].split("+", 1)[0],
        "rounds": args.rounds,
        "batch": args.batch,
        "chart_batch": args.chart_batch,
        "ratio": ratio,
        "retain_per_s": {k: retain[k]["rate"] for k in KINDS},
        "bare_per_s": {k: bare[k]["rate"] for k in KINDS},
        "rate_range": {
            name: {k: [figures[k]["slowest"], figures[k]["fastest"]] for k in KINDS}
            for name, figures in ((RETAIN, retain), (BARE, bare))
        },
        "retain_cpu_ms": {k: retain[k]["cpu_ms"] for k in KINDS},
        "bare_cpu_ms": {k: bare[k]["cpu_ms"] for k in KINDS},
        "cpu_ratio": {k: retain[k]["cpu_ms"] / bare[k]["cpu_ms"] for k in KINDS},
        "calls_per_update": {
            RETAIN: {k: retain[k]["calls"] for k in KINDS},
            BARE: {k: bare[k]["calls"] for k in KINDS},
        },
        "server_cpu_ms": {
            RETAIN: {k: retain[k]["server_cpu_ms"] for k in KINDS},
            BARE: {k: bare[k]["server_cpu_ms"] for k in KINDS},
        },
        "failed_updates": {
            bot.name: {k: sum(s.failed for s in bot.samples[k]) for k in KINDS} for bot in bots.values()
        },
        "targets_met": all(r >= TARGET_RATIO for r in ratio.values()),
        "charts_queued": args.charts_queued,
        "help_p50_ms_behind_charts": percentile(behind, 0.5),
        "help_p95_ms_behind_charts": percentile(behind, 0.95),
        "help_max_ms_behind_charts": max(behind, default=0.0),
        "help_samples_behind_charts": len(behind),
        "help_p95_target_met": bool(behind) and percentile(behind, 0.95) < HELP_P95_TARGET_MS,
        "help_p50_ms_alone": percentile(alone, 0.5),
        "help_p95_ms_alone": percentile(alone, 0.95),
    }
    if profiled is not None:
        figures["profile"] = profile_report(profiles, profiled.samples, args.profile_top)
    return figures


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 3)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value


def report(figures: dict[str, Any]) -> None:
    print(
        f"Updates handled per second, end to end, Retain and a bare python-telegram-bot bot: medians of "
        f"{figures['rounds']} alternating rounds of {figures['batch']} updates "
        f"({figures['chart_batch']} for the charts); CPU time of the bot's process per update"
    )
    head = f"{'update':<30} {'Retain/s':>9} {'bare/s':>9} {'ratio':>6}"
    print(f"{head}   {'CPU ms Retain/bare':>19} {'ratio':>6}  calls")
    for kind, name in KINDS.items():
        rates = f"{figures['retain_per_s'][kind]:>9.1f} {figures['bare_per_s'][kind]:>9.1f}"
        cpu = f"{figures['retain_cpu_ms'][kind]:>9.2f} / {figures['bare_cpu_ms'][kind]:<7.2f}"
        ratios = f"{figures['ratio'][kind]:>6.2f}", f"{figures['cpu_ratio'][kind]:>6.1f}"
        calls = [f"{figures['calls_per_update'][bot][kind]:.1f}" for bot in (RETAIN, BARE)]
        print(f"{name:<30} {rates} {ratios[0]}   {cpu} {ratios[1]}  {'/'.join(calls)}")
    print(f"Target: every ratio at least {TARGET_RATIO}: {'met' if figures['targets_met'] else 'NOT met'}")
    for bot, failed in figures["failed_updates"].items():
        if any(failed.values()):
            where = ", ".join(f"{KINDS[kind]}: {n}" for kind, n in failed.items() if n)
            print(f"FAILED updates ({bot} logged an error, the learner got an apology): {where}")
    behind = [figures[f"help_{n}_ms_behind_charts"] for n in ("p50", "p95", "max")]
    met = "met" if figures["help_p95_target_met"] else "NOT met"
    print(
        f"/help behind {figures['charts_queued']} queued /stats charts: p50 {behind[0]:.1f} ms, "
        f"p95 {behind[1]:.1f} ms, max {behind[2]:.1f} ms ({figures['help_samples_behind_charts']} samples; "
        f"target p95 under {HELP_P95_TARGET_MS:.0f} ms: {met})"
    )
    print(
        f"/help with nothing queued: p50 {figures['help_p50_ms_alone']:.1f} ms, "
        f"p95 {figures['help_p95_ms_alone']:.1f} ms"
    )
    profile = figures.pop("profile", None)
    if profile:
        print(profile)
    print(json.dumps(_rounded(figures)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds per bot (after one warm-up each)")
    parser.add_argument("--batch", type=int, default=200, help="updates per batch (learners per round)")
    parser.add_argument("--chart-batch", type=int, default=50, help="learners whose /stats draws a chart")
    parser.add_argument("--charts-queued", type=int, default=20, help="charts /help waits behind")
    parser.add_argument("--help-interval-ms", type=float, default=50.0, help="time between those /help")
    parser.add_argument("--profile", choices=[RETAIN, BARE], help="profile that bot (slows it down)")
    parser.add_argument(
        "--database-url",
        help="Retain's database (an empty one; default: a new SQLite file), e.g. postgresql://user@host/db",
    )
    parser.add_argument("--profile-top", type=int, default=15, help="functions shown per kind of update")
    args = parser.parse_args(argv)
    if not 1 <= args.chart_batch <= args.batch or not 1 <= args.charts_queued <= args.batch:
        parser.error("--chart-batch and --charts-queued must be between 1 and --batch")
    with tempfile.TemporaryDirectory(prefix="retain-bench-") as folder:
        figures = asyncio.run(benchmark(args, Path(folder)))
    report(figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
