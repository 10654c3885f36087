"""Settings: one object, read from the environment and `.env`."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from telegram.constants import FloodLimit

DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"
DEFAULT_DATABASE_URL = "sqlite:///data/retain.db"
CONTENT_DIR = Path(__file__).resolve().parent.parent / "content" / "bank"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
# setWebhook's secret_token: 1-256 characters, only A-Z, a-z, 0-9, _ and - (the Bot API documentation).
WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


class Settings(BaseSettings):
    """Everything Retain reads from its environment; see `.env.example`."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str = DEFAULT_API_BASE_URL
    database_url: str = DEFAULT_DATABASE_URL
    default_timezone: str = "Europe/London"
    log_level: str = "INFO"
    content_dir: Path = CONTENT_DIR
    # The rate limiter (bot/limiter.py): Telegram's documented limits (FloodLimit) by default.
    rate_limit_per_second: float = Field(default=FloodLimit.MESSAGES_PER_SECOND, gt=0)
    rate_limit_group_per_minute: float = Field(default=FloodLimit.MESSAGES_PER_MINUTE_PER_GROUP, gt=0)
    rate_limit_max_retries: int = Field(default=3, ge=0)
    nudge_sweep_seconds: float = Field(default=60, gt=0)  # how often due nudges are swept
    # A nudge being sent that is not confirmed within this long is taken as lost in a crash and sent again.
    nudge_lease_seconds: float = Field(default=120, gt=0)
    # A learner with no activity for this many days has their record deleted (UK GDPR: storage limitation).
    keep_inactive_days: int = Field(default=548, ge=30)
    quiz_sweep_seconds: float = Field(
        default=2, gt=0
    )  # how often class quiz questions are checked for time up
    # Webhook mode (docs/deploy.md): Telegram posts updates to WEBHOOK_URL (the public https address,
    # a reverse proxy in front); Retain listens on WEBHOOK_LISTEN:WEBHOOK_PORT. Unset: it polls.
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = Field(default=None, validate_default=True)
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = Field(default=8080, ge=0, le=65535)
    webhook_max_connections: int = Field(default=40, ge=1, le=100)  # Telegram's parallel deliveries
    # When polling: serve /healthz and /metrics on this port of WEBHOOK_LISTEN (unset: no server).
    metrics_port: int | None = Field(default=None, ge=0, le=65535)

    @field_validator("telegram_bot_token", mode="before")
    @classmethod
    def _blank_token_is_none(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("webhook_url", "metrics_port", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise ValueError(
                "must be a full https:// address Telegram can reach, e.g. https://bot.example.org/telegram"
            )
        return value

    @field_validator("webhook_secret", mode="before")
    @classmethod
    def _webhook_secret(cls, value: object, info: ValidationInfo) -> object:
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        if isinstance(value, str) and not value.strip():
            value = None
        if value is None:
            if info.data.get("webhook_url"):
                raise ValueError(
                    "WEBHOOK_URL is set, so a WEBHOOK_SECRET is needed (1-256 of A-Z a-z 0-9 _ -)"
                )
            return None
        if not isinstance(value, str) or not WEBHOOK_SECRET.fullmatch(value):
            raise ValueError("must be 1-256 characters, only A-Z, a-z, 0-9, _ and -")
        return value

    @field_validator("default_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"{value!r} is not an IANA time zone (e.g. Europe/London)") from exc
        return value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in LOG_LEVELS:
            raise ValueError(f"{value!r} is not a log level; use one of {', '.join(LOG_LEVELS)}")
        return level
