"""Runs the real Application against the fake Bot API server, with a fake clock and a real database."""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from bot.app import ALLOWED_UPDATES, build_application, start_server
from bot.config import Settings
from bot.context import RetainApp
from bot.handlers.homework import HomeworkSweepReport, run_homework_sweep
from bot.handlers.mock import MockSweepReport, run_mock_sweep
from bot.handlers.nudges import SweepReport, run_sweep
from bot.ops import OpsServer
from bot.updates import ChatOrderedProcessor
from content.schema import Bank
from tests.banks import shipped_bank
from tests.clock import FakeClock
from tests.databases import Sql
from tests.fake_telegram import FakeTelegram, FakeUser, Request, SentMessage

# A user who never starts the bot; their /help is the barrier that says earlier updates are done
# (the Application handles updates one at a time, in order; class quiz effects are awaited too).
BARRIER = FakeUser(id=1, first_name="Barrier")


@dataclass
class Harness:
    """One bot, one fake Telegram, one database (a SQLite file, or `database_url`'s)."""

    fake: FakeTelegram
    db_path: Path
    clock: FakeClock = field(default_factory=FakeClock)
    bank: Bank = field(default_factory=shipped_bank)
    app: RetainApp | None = None
    sweep_seconds: float | None = None  # run the repeating sweeps this often (None: tests run them)
    read_timeout: float | None = None  # how long the bot waits for an answer from the fake (default 5 s)
    polling: bool = True  # False: a second instance on the same database that takes no updates
    # The limiter stays in the path; Telegram's real 30/s, and 20 a minute in a group (a test that
    # posts more would wait a real minute), would only slow the suite down.
    rate_limit_per_second: float = 10_000
    rate_limit_group_per_minute: float = 10_000
    # Webhook mode: the fake posts updates to this instance's own server (the secret below) instead
    # of being polled; `ops`: when polling, serve /healthz and /metrics all the same.
    webhook: bool = False
    webhook_secret: str = "test-webhook-secret"
    ops: bool = False
    server: OpsServer | None = None
    port: int = field(default_factory=lambda: _free_port())  # this instance's server, when it has one

    @property
    def webhook_url(self) -> str:
        """Where the fake posts this instance's updates in webhook mode."""
        return f"http://127.0.0.1:{self.port}/telegram"

    @property
    def ops_url(self) -> str:
        """The address of this instance's /healthz and /metrics."""
        return f"http://127.0.0.1:{self.port}"

    database_url: str | None = None  # None: the SQLite file at db_path

    @property
    def url(self) -> str:
        """The database's URL."""
        return self.database_url or f"sqlite:///{self.db_path}"

    @property
    def sql(self) -> Sql:
        """Direct SQL on the bot's database (what a test checks or plants)."""
        return Sql(self.url)

    @property
    def settings(self) -> Settings:
        return Settings(
            telegram_bot_token=self.fake.token,
            telegram_api_base_url=self.fake.base_url,
            database_url=self.url,
            default_timezone="Europe/London",
            rate_limit_per_second=self.rate_limit_per_second,
            rate_limit_group_per_minute=self.rate_limit_group_per_minute,
            nudge_sweep_seconds=self.sweep_seconds or 60,
            quiz_sweep_seconds=self.sweep_seconds or 2,
            webhook_url=self.webhook_url if self.webhook else None,
            webhook_secret=self.webhook_secret if self.webhook else None,
            webhook_port=self.port,
            metrics_port=self.port if self.ops else None,
            _env_file=None,
        )

    async def start(self) -> None:
        """Start the bot the way run_polling does, polling the fake server."""
        jobs = self.sweep_seconds is not None
        app = build_application(
            self.settings, self.bank, clock=self.clock, schedule_jobs=jobs, read_timeout=self.read_timeout
        )
        await app.initialize()
        if app.post_init:
            await app.post_init(app)
        assert app.updater is not None
        if self.webhook or self.ops:
            self.server = await start_server(app, self.settings)
        if self.polling and not self.webhook:
            await app.updater.start_polling(
                poll_interval=0, timeout=1, allowed_updates=ALLOWED_UPDATES, drop_pending_updates=False
            )
        await app.start()
        self.app = app

    async def stop(self) -> None:
        """Stop the bot cleanly (what Ctrl+C does)."""
        app = self.app
        if app is None:
            return
        assert app.updater is not None
        if self.server is not None:
            self.fake.forget_webhook(self.webhook_url)
            await self.server.stop()
            self.server = None
        if app.updater.running:
            await self.fake.release_polls()
            await app.updater.stop()
            self.fake.hold_polls = True
        await app.stop()
        await app.shutdown()
        if app.post_shutdown:
            await app.post_shutdown(app)
        self.app = None

    async def restart(self) -> None:
        """Stop and start a new Application on the same database file."""
        await self.stop()
        await self.start()

    async def sweep(self) -> SweepReport:
        """Run the nudge sweep now (what the repeating job does every minute)."""
        assert self.app is not None
        return await run_sweep(self.app.bot, self.app.bot_data, retry_base=0.01)

    async def homework_sweep(self) -> HomeworkSweepReport:
        """Deliver homework and reminders due now (what the repeating job does every minute)."""
        assert self.app is not None
        return await run_homework_sweep(self.app.bot, self.app.bot_data, retry_base=0.01)

    async def mock_sweep(self) -> MockSweepReport:
        """Send the results of mock exams whose time is up (what the repeating job does)."""
        assert self.app is not None
        return await run_mock_sweep(self.app.bot, self.app.bot_data, retry_base=0.01)

    async def quiz_sweep(self) -> None:
        """Close quiz questions whose time is up (what the repeating job does every two seconds)."""
        assert self.app is not None
        runner = self.app.bot_data.quiz_runner
        runner.submit(await self.app.bot_data.tutor.class_quiz.tick())
        await runner.idle()

    async def quiz_sweep_after(self, seconds: float) -> None:
        """Move the clock on by `seconds`, then run the class quiz sweep."""
        self.clock.advance(timedelta(seconds=seconds))
        await self.quiz_sweep()

    async def settle(self) -> None:
        """Wait until every update sent so far has been handled (in webhook mode: every update
        sent so far to this instance)."""
        mark = self.fake.mark()
        to = self.webhook_url if self.webhook else None
        self.fake.strangers.discard(BARRIER.id)
        await self.fake.push({"message": self.fake.text_message(BARRIER, BARRIER.id, "/help")}, to=to)
        await self.fake.wait_for("sendMessage", lambda r: r.params["chat_id"] == BARRIER.id, after=mark)
        if self.app is not None:  # updates run in parallel, effects off the update's path: wait for all
            processor = self.app.update_processor
            assert isinstance(processor, ChatOrderedProcessor)
            await processor.idle()
            await self.app.bot_data.quiz_runner.idle()
            await self.app.bot_data.receipts.idle()

    async def send(self, user: FakeUser, text: str) -> list[SentMessage]:
        """The user sends `text`; returns the messages the bot sent them in reply."""
        mark = self.fake.mark()
        await self.fake.send_text(user, text)
        await self.settle()
        return self.sent_to(user, mark)

    async def tap(self, user: FakeUser, message: SentMessage, label: str) -> list[Request]:
        """The user taps the button labelled `label`; returns the bot's calls about it."""
        return await self.tap_data(user, message, message.button(label))

    async def tap_data(self, user: FakeUser, message: SentMessage, data: str) -> list[Request]:
        """The user taps a button carrying `data` (which may be forged)."""
        mark = self.fake.mark()
        await self.fake.tap(user, message, data)
        await self.settle()
        return self.calls_for(user, mark)

    def sent_to(self, user: FakeUser, mark: int) -> list[SentMessage]:
        """New messages sent to the user's chat since `mark`."""
        return [
            self.fake.message(r)
            for r in self.fake.requests[mark:]
            if r.method in ("sendMessage", "sendPhoto", "sendDocument")
            and r.params["chat_id"] == user.id
            and isinstance(r.result, dict)
        ]

    def shown_to(self, user: FakeUser, mark: int) -> list[SentMessage]:
        """Messages sent to the user's chat since `mark`, and those edited since, as they now read."""
        shown: list[SentMessage] = []
        for r in self.fake.requests[mark:]:
            if r.params.get("chat_id") != user.id or not isinstance(r.result, dict):
                continue
            if r.method in ("sendMessage", "sendPhoto", "sendDocument"):
                message = self.fake.message(r)
            elif r.method == "editMessageText":
                message = self.fake.messages[(user.id, int(r.params["message_id"]))]
            else:
                continue
            if message not in shown:
                shown.append(message)
        return shown

    def calls_for(self, user: FakeUser, mark: int) -> list[Request]:
        """Calls since `mark` about the user's chat or their callback queries."""
        return [
            r
            for r in self.fake.requests[mark:]
            if r.params.get("chat_id") == user.id or r.method == "answerCallbackQuery"
        ]


def _free_port() -> int:
    """A port of 127.0.0.1 nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
