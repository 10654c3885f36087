"""The bot's own small web server: Telegram's webhook, `/healthz` and `/metrics`.

In webhook mode Telegram POSTs each update to the path of `WEBHOOK_URL` with the secret given to
setWebhook in `X-Telegram-Bot-Api-Secret-Token`; a request without the right secret is refused
(403) before anything is read. A readable update is put on the Application's update queue and
answered 200 at once: handling it is the Application's business, as for a polled update. When
polling, the same server (without the webhook route) can serve `/healthz` and `/metrics`.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from bot.config import Settings
from bot.context import RetainApp
from bot.handlers.errors import update_id
from bot.updates import ChatOrderedProcessor

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
STALE_SWEEPS = 3  # the nudge sweep is stale (503) when none made progress in this many intervals
DATABASE_TIMEOUT = 5.0  # seconds the health check waits for the database


def webhook_path(url: str) -> str:
    """The path Telegram posts to (that of WEBHOOK_URL; the proxy in front passes it on)."""
    return urlsplit(url).path or "/"


class OpsServer:
    """Serves the webhook (when `webhook` is set), `/healthz` and `/metrics` for one Application."""

    def __init__(self, app: RetainApp, settings: Settings, *, webhook: bool) -> None:
        self.app = app
        self.settings = settings
        self.port = 0  # the port listened on, once started
        self._runner: web.AppRunner | None = None
        self._secret = b""
        web_app = web.Application(client_max_size=1 << 20)
        web_app.router.add_get("/healthz", self._health)
        web_app.router.add_get("/metrics", self._metrics)
        if webhook:
            if settings.webhook_url is None or settings.webhook_secret is None:
                raise ValueError("webhook mode needs WEBHOOK_URL and WEBHOOK_SECRET")
            self._secret = settings.webhook_secret.get_secret_value().encode()
            web_app.router.add_post(webhook_path(settings.webhook_url), self._update)
        self._web_app = web_app

    async def start(self, host: str, port: int) -> None:
        """Listen on `host:port` (port 0: any free port, then `self.port`)."""
        self._runner = web.AppRunner(self._web_app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        bound = self._runner.addresses  # the bound socket tells the port when 0 was asked for
        self.port = int(bound[0][1]) if bound else port
        log.info("Serving /healthz and /metrics on %s:%d", host, self.port)

    async def stop(self) -> None:
        """Stop listening (updates already queued are still handled by the Application)."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _update(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            return web.Response(status=403)
        try:
            raw: Any = json.loads(await request.read())
        except ValueError:
            return web.Response(status=400, text="not JSON")
        if update_id(raw) is None:
            return web.Response(status=400, text="not an update")
        update = self.app.bot_data.decoded(raw, self.app.bot)  # an unreadable one: its id only, skipped
        await self.app.update_queue.put(update)
        return web.Response()

    def pending_updates(self) -> int:
        """Updates received and not yet handled."""
        processor = self.app.update_processor
        busy = processor.pending if isinstance(processor, ChatOrderedProcessor) else 0
        return self.app.update_queue.qsize() + busy

    async def _health(self, _request: web.Request) -> web.Response:
        data = self.app.bot_data
        healthy = True
        try:
            await asyncio.wait_for(data.tutor.operations.check_database(), DATABASE_TIMEOUT)
            database = "ok"
        except Exception as exc:  # anything the driver raises: the database cannot be used
            database = f"unreachable ({type(exc).__name__})"
            healthy = False
        age = data.metrics.seconds_since_sweep(data.tutor.core.clock())
        stale_after = STALE_SWEEPS * self.settings.nudge_sweep_seconds
        body: dict[str, Any] = {
            "database": database,
            "last_sweep_age_s": round(age, 1),
            "pending_updates": self.pending_updates(),
        }
        if age > stale_after:
            body["sweep"] = f"stale (no sweep progress in {stale_after:.0f} s)"
            healthy = False
        return web.json_response(body, status=200 if healthy else 503)

    async def _metrics(self, _request: web.Request) -> web.Response:
        data = self.app.bot_data
        metrics = data.metrics
        metrics.pending_updates.set(self.pending_updates())
        metrics.sweep_age.set(metrics.seconds_since_sweep(data.tutor.core.clock()))
        try:
            metrics.rounds_running.set(await data.tutor.operations.running_rounds())
        except Exception as exc:  # the rest is still worth reading
            log.warning("Metrics: could not count running rounds (%s)", type(exc).__name__)
        body = generate_latest(metrics.registry)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})
