"""The composition root: settings, engine, tutor and the Application are built here and only here."""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING

from telegram import BotCommand, BotCommandScopeAllGroupChats, BotCommandScopeAllPrivateChats, Update
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import Application, ContextTypes, JobQueue

from bot.config import Settings
from bot.context import BotData, RetainApp, RetainContext
from bot.handlers import class_quiz, errors, homework, housekeeping, mock, nudges, private
from bot.limiter import PriorityRateLimiter
from bot.metrics import Metrics
from bot.receipts import Receipts
from bot.refusals import Refusals
from bot.runner import QuizRunner
from bot.tutor.clock import Clock, system_clock
from bot.tutor.tutor import Tutor
from bot.updates import ChatOrderedProcessor
from bot.views.commands import COMMANDS, GROUP_COMMANDS
from content.schema import Bank
from storage.db import Database

if TYPE_CHECKING:
    from bot.ops import OpsServer

# Telegram must be asked for every kind of update Retain handles (it sends only messages and
# callbacks by default to bots that never said otherwise).
ALLOWED_UPDATES = [
    Update.MESSAGE,
    Update.CALLBACK_QUERY,
    Update.POLL_ANSWER,
    Update.POLL,
    Update.MY_CHAT_MEMBER,
]


log = logging.getLogger(__name__)

HOUSEKEEPING_EVERY = 6 * 3600.0  # seconds between deletions of long-inactive records
REQUESTS = 256  # connections to the Bot API at once (python-telegram-bot's own default)


def build_application(
    settings: Settings,
    bank: Bank,
    clock: Clock = system_clock,
    *,
    schedule_jobs: bool = True,
    read_timeout: float | None = None,
) -> RetainApp:
    """Wire the bot: rate-limited requests to `settings.telegram_api_base_url`, handlers, storage.

    `schedule_jobs=False` leaves out the repeating sweeps (tests run them by hand); `read_timeout`
    is how long a Bot API call may take before the bot gives up on its answer (None: the
    library's 5 s).
    """
    if settings.telegram_bot_token is None:
        raise ValueError("a bot token is needed to build the application")
    database = Database(settings.database_url)
    lease = timedelta(seconds=settings.nudge_lease_seconds)
    keep = timedelta(days=settings.keep_inactive_days)
    tutor = Tutor.open(
        database, bank, settings.default_timezone, clock, nudge_lease=lease, keep_inactive=keep
    )
    metrics = Metrics(started_at=clock())

    async def post_init(app: RetainApp) -> None:
        await database.prepare()
        # Everything loaded so far (modules, the bank) lives as long as the process: kept out of
        # the collector's full passes, which otherwise stop every update for 150 ms or more.
        gc.freeze()
        private_menu = [BotCommand(name, text) for name, text in COMMANDS]
        group_menu = [BotCommand(name, text) for name, text in GROUP_COMMANDS]
        await app.bot.set_my_commands(private_menu, scope=BotCommandScopeAllPrivateChats())
        await app.bot.set_my_commands(group_menu, scope=BotCommandScopeAllGroupChats())

    async def post_shutdown(app: RetainApp) -> None:
        await app.bot_data.quiz_runner.idle()
        await app.bot_data.receipts.idle()
        await database.close()

    # getUpdates on its own connection (as the library does by default), each update checked first;
    # both connections report to one outage log (a WARNING when Telegram stops answering, an INFO back).
    outage = errors.Outage()
    timeouts = {"read_timeout": read_timeout} if read_timeout is not None else {}
    updates = errors.UpdatesRequest(outage, connection_pool_size=1)
    builder = (
        Application.builder()
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(settings.telegram_api_base_url)
        .request(errors.WatchedRequest(outage, connection_pool_size=REQUESTS, **timeouts))
        .get_updates_request(updates)
        .rate_limiter(
            PriorityRateLimiter(
                settings.rate_limit_per_second,
                settings.rate_limit_group_per_minute,
                settings.rate_limit_max_retries,
                on_limited=metrics.limited,
            )
        )
        .context_types(ContextTypes(context=RetainContext, bot_data=BotData))
        .job_queue(JobQueue[RetainContext]())
        .concurrent_updates(ChatOrderedProcessor(metrics=metrics))
        .post_init(post_init)
        .post_shutdown(post_shutdown)
    )
    app: RetainApp = builder.build()
    app.bot_data.tutor = tutor
    app.bot_data.quiz_runner = QuizRunner(app.bot, tutor)
    app.bot_data.receipts = Receipts(tutor)
    app.bot_data.refusals = Refusals()
    app.bot_data.nudge_sweep = asyncio.Lock()
    app.bot_data.homework_sweep = asyncio.Lock()
    app.bot_data.mock_sweep = asyncio.Lock()
    app.bot_data.metrics = metrics
    app.bot_data.decoded = updates.decoded
    class_quiz.register(app, settings.quiz_sweep_seconds if schedule_jobs else None)
    nudges.register(app, settings.nudge_sweep_seconds if schedule_jobs else None)
    housekeeping.register(app, HOUSEKEEPING_EVERY if schedule_jobs else None)
    homework.register(app, settings.nudge_sweep_seconds if schedule_jobs else None)
    mock.register(app, min(mock.SWEEP_EVERY, settings.nudge_sweep_seconds) if schedule_jobs else None)
    private.register(app)  # last: its button handler takes every button the features left
    errors.register(app, updates.skipped)  # the screen goes before every feature's handlers
    return app


def run(settings: Settings, bank: Bank) -> None:
    """Build the bot and run it until interrupted: polling Telegram, keeping updates sent while it
    was down, or, with `WEBHOOK_URL` set, serving the webhook (and /healthz and /metrics)."""
    app = build_application(settings, bank)
    if settings.webhook_url is None and settings.metrics_port is None:
        app.run_polling(allowed_updates=ALLOWED_UPDATES, drop_pending_updates=False, bootstrap_retries=-1)
        return
    asyncio.run(serve(app, settings))


async def serve(app: RetainApp, settings: Settings, stop: asyncio.Event | None = None) -> None:
    """Run `app` until SIGINT or SIGTERM (or `stop`): webhook mode with `WEBHOOK_URL`, otherwise
    polling with /healthz and /metrics on `METRICS_PORT`."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await app.initialize()
    server: OpsServer | None = None
    try:
        if app.post_init:
            await app.post_init(app)
        server = await start_server(app, settings)
        if settings.webhook_url is None:
            assert app.updater is not None
            await app.updater.start_polling(
                allowed_updates=ALLOWED_UPDATES,
                drop_pending_updates=False,
                bootstrap_retries=-1,
                error_callback=_polling_failed(app),
            )
        await app.start()
        await stop.wait()
    finally:
        if server is not None:
            await server.stop()  # no more webhook requests; those accepted are still handled
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        await app.shutdown()
        if app.post_shutdown:
            await app.post_shutdown(app)


def _polling_failed(app: RetainApp) -> Callable[[TelegramError], None]:
    """As run_polling does: a failed getUpdates goes to the error handler (an outage: one line)."""

    def report(error: TelegramError) -> None:
        app.create_task(app.process_error(update=None, error=error))

    return report


async def start_server(app: RetainApp, settings: Settings) -> OpsServer:
    """Serve /healthz and /metrics and, with `WEBHOOK_URL` set, the webhook, which Telegram is then
    told of (setWebhook, retried until Telegram answers)."""
    from bot.ops import OpsServer  # late: aiohttp is loaded only by a bot that serves

    webhook = settings.webhook_url is not None
    server = OpsServer(app, settings, webhook=webhook)
    port = settings.webhook_port if webhook else (settings.metrics_port or 0)
    await server.start(settings.webhook_listen, port)
    if webhook:
        await set_webhook(app, settings)
    return server


async def set_webhook(app: RetainApp, settings: Settings, first_wait: float = 1.0) -> None:
    """Tell Telegram where to post updates and which kinds; pending updates are kept."""
    assert settings.webhook_url is not None and settings.webhook_secret is not None
    wait = first_wait
    while True:
        try:
            await app.bot.set_webhook(
                url=settings.webhook_url,
                secret_token=settings.webhook_secret.get_secret_value(),
                allowed_updates=ALLOWED_UPDATES,
                max_connections=settings.webhook_max_connections,
                drop_pending_updates=False,
            )
            return
        except InvalidToken:
            raise
        except NetworkError as exc:  # Telegram not answering yet (the outage log says so once)
            log.debug("setWebhook failed (%s); retrying in %.0f s", type(exc).__name__, wait)
            await asyncio.sleep(wait)
            wait = min(wait * 2, 30.0)
