"""The composition root: settings, engine, tutor and the Application are built here and only here."""

from __future__ import annotations

from telegram import BotCommandScopeAllGroupChats, BotCommandScopeAllPrivateChats, Update
from telegram.ext import AIORateLimiter, Application, ContextTypes

from bot.config import Settings
from bot.context import NUDGER_KEY, QUIZ_KEY, TUTOR_KEY, RetainApp, RetainContext
from bot.handlers import general, group_quiz, nudges, onboarding, revise
from bot.handlers import settings as settings_module
from bot.tutor.class_quiz import ClassQuiz
from bot.tutor.nudging import Nudger
from bot.tutor.service import Clock, Tutor, system_clock
from bot.views import COMMANDS, GROUP_COMMANDS
from content.schema import Bank
from storage.db import create_engine, create_tables, session_factory

# Telegram must be asked for every kind of update Retain handles (it sends only messages and
# callbacks by default to bots that never said otherwise).
ALLOWED_UPDATES = [
    Update.MESSAGE,
    Update.CALLBACK_QUERY,
    Update.POLL_ANSWER,
    Update.POLL,
    Update.MY_CHAT_MEMBER,
]


def _slice(rate: float) -> float:
    """The period the overall rate is metered over: 0.1 s, or longer when under 10 sends a second."""
    return max(0.1, 1.0 / rate)


def build_application(settings: Settings, bank: Bank, clock: Clock = system_clock) -> RetainApp:
    """Wire the bot: rate-limited requests to `settings.telegram_api_base_url`, handlers, storage."""
    assert settings.telegram_bot_token is not None
    engine = create_engine(settings.database_url)
    sessions = session_factory(engine)
    tutor = Tutor(sessions, bank, settings.default_timezone, clock)
    nudger = Nudger(sessions, tutor, clock)
    class_quiz = ClassQuiz(sessions, tutor, clock)

    async def post_init(app: RetainApp) -> None:
        await create_tables(engine)
        await app.bot.set_my_commands(list(COMMANDS), scope=BotCommandScopeAllPrivateChats())
        await app.bot.set_my_commands(list(GROUP_COMMANDS), scope=BotCommandScopeAllGroupChats())

    async def post_shutdown(_app: RetainApp) -> None:
        await engine.dispose()

    app: RetainApp = (
        Application.builder()
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(settings.telegram_api_base_url)
        .rate_limiter(
            AIORateLimiter(
                # The same rate, metered in tenths of a second: a burst of a whole second's sends
                # can reach Telegram bunched up and draw a 429, which pauses every request.
                overall_max_rate=settings.rate_limit_per_second * _slice(settings.rate_limit_per_second),
                overall_time_period=_slice(settings.rate_limit_per_second),
                group_max_rate=settings.rate_limit_group_per_minute,
                group_time_period=60,
                max_retries=settings.rate_limit_max_retries,
            )
        )
        .context_types(ContextTypes(context=RetainContext))
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    app.bot_data[TUTOR_KEY] = tutor
    app.bot_data[NUDGER_KEY] = nudger
    app.bot_data[QUIZ_KEY] = class_quiz
    onboarding.register(app)
    revise.register(app)
    settings_module.register(app)
    nudges.register(app, settings.nudge_sweep_seconds)
    group_quiz.register(app, settings.quiz_sweep_seconds)
    general.register(app)  # last: its handlers catch what the features leave
    return app


def run(settings: Settings, bank: Bank) -> None:
    """Build the bot and poll Telegram until interrupted, keeping updates sent while it was down."""
    app = build_application(settings, bank)
    app.run_polling(allowed_updates=ALLOWED_UPDATES, drop_pending_updates=False, bootstrap_retries=-1)
