"""What an operator can watch: Prometheus metrics, one registry per Application (tests run many)."""

from __future__ import annotations

from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from telegram import Update

# Seconds from an update's arrival to the end of its handling: a reply should take well under one.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    """The bot's counters, gauges and histogram, and when the last nudge sweep finished."""

    def __init__(self, started_at: datetime) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.updates = Counter("retain_updates", "Updates handled, by type", ["type"], registry=r)
        self.failures = Counter(
            "retain_update_failures", "Updates whose handling failed", ["type"], registry=r
        )
        self.latency = Histogram(
            "retain_reply_seconds",
            "From an update's arrival to the end of its handling",
            ["type"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.nudges = Counter("retain_nudges", "Nudges sent, by outcome", ["outcome"], registry=r)
        self.too_many_requests = Counter(
            "retain_telegram_429", "Answers 429 (Too Many Requests) from Telegram", registry=r
        )
        self.rounds_running = Gauge("retain_class_rounds_running", "Class quiz rounds running", registry=r)
        self.pending_updates = Gauge("retain_pending_updates", "Updates waiting or being handled", registry=r)
        self.sweep_age = Gauge(
            "retain_nudge_sweep_age_seconds", "Seconds since the last nudge sweep finished", registry=r
        )
        self.started_at = started_at
        self.last_sweep: datetime | None = None  # when a nudge sweep last finished a batch (tutor's clock)

    def sweep_progressed(self, at: datetime) -> None:
        """A nudge sweep confirmed a batch, or finished, at `at` (a long sweep is alive, not stale)."""
        self.last_sweep = at

    def seconds_since_sweep(self, now: datetime) -> float:
        """Seconds since a sweep last made progress (since the start, before the first)."""
        return max(0.0, (now - (self.last_sweep or self.started_at)).total_seconds())

    def limited(self) -> None:
        """Telegram answered 429."""
        self.too_many_requests.inc()


KINDS = (
    Update.MESSAGE,
    Update.CALLBACK_QUERY,
    Update.POLL_ANSWER,
    Update.POLL,
    Update.MY_CHAT_MEMBER,
    Update.EDITED_MESSAGE,
    Update.CHAT_MEMBER,
)


def update_kind(update: object) -> str:
    """The update's type, for logs and metrics (`message`, `callback_query`...; `other`)."""
    if isinstance(update, Update):
        for kind in KINDS:
            if getattr(update, kind, None) is not None:
                return kind
    return "other"


def chat_kind(update: object) -> str:
    """The kind of chat an update comes from (`private`, `supergroup`...; `none` for a poll answer)."""
    chat = update.effective_chat if isinstance(update, Update) else None
    return str(chat.type) if chat is not None else "none"
