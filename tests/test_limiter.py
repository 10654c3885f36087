"""The rate limiter on a fake clock: Telegram's limits kept, a learner's reply never queues behind
nudges, a 429 pauses everything, and taps' toasts (no chat) are never held back."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from telegram.error import RetryAfter

from bot.limiter import PriorityRateLimiter, bulk_sends, is_bulk


class FakeTime:
    """A clock that moves only when the limiter sleeps (never for real)."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        for _ in range(5):  # let the tasks already woken run at the time they were woken
            await asyncio.sleep(0)
        self.now += max(seconds, 0.0)


Sent = list[tuple[str, float]]


def limiter(
    time: FakeTime, per_second: float = 10, per_minute: float = 20, retries: int = 3
) -> PriorityRateLimiter:
    return PriorityRateLimiter(per_second, per_minute, retries, clock=time, sleep=time.sleep)


async def send(
    rl: PriorityRateLimiter, time: FakeTime, sent: Sent, label: str, chat_id: int | None = 1, **extra: Any
) -> None:
    async def call() -> dict[str, Any]:
        sent.append((label, time.now))
        return {"ok": True}

    data = {} if chat_id is None else {"chat_id": chat_id}
    await rl.process_request(call, (), {}, extra.get("endpoint", "sendMessage"), data, None)


async def test_sends_are_spread_at_the_allowed_rate() -> None:
    time, sent = FakeTime(), list[tuple[str, float]]()
    rl = limiter(time, per_second=10)
    await asyncio.gather(*(send(rl, time, sent, f"m{n}") for n in range(31)))
    assert len(sent) == 31
    assert sent[-1][1] == pytest.approx(3.0, abs=0.01)  # 30 after the first: three seconds at 10/s
    for _, at in sent:  # never more than a tenth of a second's budget at once
        assert sum(1 for _, other in sent if at <= other < at + 0.1) <= 1


async def test_a_reply_waits_for_the_next_token_not_for_the_queued_nudges() -> None:
    time, sent = FakeTime(), list[tuple[str, float]]()
    rl = limiter(time, per_second=10)
    with bulk_sends():
        nudges = [
            asyncio.ensure_future(send(rl, time, sent, f"nudge{n}", chat_id=100 + n)) for n in range(50)
        ]
    for _ in range(20):  # the sweep gets under way
        await asyncio.sleep(0)
    assert rl.waiting[1] > 40
    started = time.now
    await send(rl, time, sent, "verdict", chat_id=7)
    assert time.now - started <= 0.1 + 1e-9  # one token's wait at 10 a second
    order = [label for label, _ in sent]
    assert order.index("verdict") <= 6
    await asyncio.gather(*nudges)
    assert len(sent) == 51  # and the sweep still finishes: every nudge sent once
    assert len({label for label, _ in sent}) == 51


async def test_replies_waiting_together_all_go_before_any_waiting_nudge() -> None:
    time, sent = FakeTime(), list[tuple[str, float]]()
    rl = limiter(time, per_second=5)
    with bulk_sends():
        nudges = [asyncio.ensure_future(send(rl, time, sent, f"nudge{n}")) for n in range(10)]
    await asyncio.sleep(0)
    replies = [asyncio.ensure_future(send(rl, time, sent, f"reply{n}")) for n in range(4)]
    await asyncio.gather(*nudges, *replies)
    order = [label for label, _ in sent]
    last_reply = max(order.index(f"reply{n}") for n in range(4))
    assert last_reply <= 4  # the first nudge had the only token; then the four replies
    assert order[last_reply + 1 :] == [label for label in order if label.startswith("nudge")][1:]


async def test_requests_that_name_no_chat_are_never_held_back() -> None:
    time, sent = FakeTime(), list[tuple[str, float]]()
    rl = limiter(time, per_second=1)
    with bulk_sends():
        queued = [asyncio.ensure_future(send(rl, time, sent, f"nudge{n}")) for n in range(5)]
    await asyncio.sleep(0)
    await asyncio.gather(*(send(rl, time, sent, f"toast{n}", chat_id=None) for n in range(20)))
    assert all(at == 0 for label, at in sent if label.startswith("toast"))
    await asyncio.gather(*queued)


async def test_a_group_gets_at_most_its_share_a_minute() -> None:
    time, sent = FakeTime(), list[tuple[str, float]]()
    rl = limiter(time, per_second=1000, per_minute=20)  # the overall budget never waits here
    await asyncio.gather(*(send(rl, time, sent, f"q{n}", chat_id=-100) for n in range(22)))
    times = sorted(at for _, at in sent)
    assert times[19] < 1 and times[20] >= 60  # the 21st waits for the first to leave the window


async def test_a_429_pauses_every_send_then_the_request_is_tried_again() -> None:
    time, sent = FakeTime(), list[tuple[str, float]]()
    rl = limiter(time, per_second=100)
    refused: list[float] = []

    async def limited() -> dict[str, Any]:
        if not refused:
            refused.append(time.now)
            raise RetryAfter(2)
        sent.append(("retried", time.now))
        return {"ok": True}

    first = asyncio.ensure_future(rl.process_request(limited, (), {}, "sendMessage", {"chat_id": 1}, None))
    await asyncio.sleep(0)
    await asyncio.gather(first, send(rl, time, sent, "other", chat_id=2))
    assert sorted(label for label, _ in sent) == ["other", "retried"]
    assert all(at >= 2.1 - 1e-9 for _, at in sent)  # nothing went out during the pause


async def test_a_429_after_the_last_retry_reaches_the_caller() -> None:
    time = FakeTime()
    rl = limiter(time, retries=1)
    calls = []

    async def always_limited() -> dict[str, Any]:
        calls.append(time.now)
        raise RetryAfter(1)

    with pytest.raises(RetryAfter):
        await rl.process_request(always_limited, (), {}, "sendMessage", {"chat_id": 1}, None)
    assert len(calls) == 2


async def test_a_caller_that_gives_up_while_waiting_loses_nothing_for_the_others() -> None:
    time, sent = FakeTime(), list[tuple[str, float]]()
    rl = limiter(time, per_second=2)
    await send(rl, time, sent, "first")
    waiting = asyncio.ensure_future(send(rl, time, sent, "abandoned"))
    await asyncio.sleep(0)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    await send(rl, time, sent, "next")
    assert [label for label, _ in sent] == ["first", "next"]
    assert rl.waiting == (0, 0)


def test_bulk_marks_only_the_block_and_the_tasks_it_starts() -> None:
    seen: list[bool] = []

    async def note() -> None:
        seen.append(is_bulk())

    async def main(run: Callable[[], Awaitable[None]]) -> None:
        with bulk_sends():
            await asyncio.ensure_future(run())
        await run()

    asyncio.run(main(note))
    assert seen == [True, False]
