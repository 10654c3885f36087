"""A network outage is logged once when it starts and once when it ends, without tracebacks."""

from __future__ import annotations

import logging
import socket

import pytest
from telegram.error import NetworkError

from bot.handlers.errors import Outage, UpdatesRequest
from tests.fake_telegram import FakeTelegram


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_an_outage_gets_one_warning_and_the_recovery_one_info(
    fake_telegram: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    request = UpdatesRequest(Outage())
    await request.initialize()
    unreachable = f"http://127.0.0.1:{_closed_port()}/bot{fake_telegram.token}/getUpdates"
    reachable = f"{fake_telegram.base_url}{fake_telegram.token}/getMe"
    try:
        with caplog.at_level(logging.DEBUG, logger="bot.handlers.errors"):
            for _ in range(5):
                with pytest.raises(NetworkError):
                    await request.do_request(unreachable, "POST")
            for _ in range(2):
                await request.do_request(reachable, "POST")
    finally:
        await request.shutdown()
    said = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "bot.handlers.errors"]
    assert [level for level, _ in said] == ["WARNING", "INFO"], said
    assert "cannot be reached" in said[0][1] and "can be reached again" in said[1][1]
    assert all(r.exc_info is None for r in caplog.records)  # no traceback for an expected outage
    assert fake_telegram.token not in caplog.text
