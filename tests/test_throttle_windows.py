"""The throttler against the fake's three kinds of budget, on one manual clock.

The client trusts the server's ``X-AircallApi-Remaining``/``Reset`` when the server's
limit is the client's own: a fixed window's budget is used as soon as the server gives it
back, and a sliding window or a leaky bucket still never answers 429.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone

import pytest
from aiohttp import web

from aircall_async import RateLimit, RateLimitStatus
from aircall_async.clock import ManualClock
from aircall_async.ratelimit import Throttler
from aircall_async.testing import FakeAircall

from .conftest import Scripted, json_answer
from .test_throttle import arrived, limits, settle


async def test_a_fixed_window_is_used_from_its_reset_not_a_window_after_our_start() -> None:
    clock = ManualClock(wall=1_700_000_000.0)  # a multiple of the window: a window starts
    async with FakeAircall(rate_limit=5, window=10.0, calls=0) as fake:
        fake.control.limiter.clock = clock.time
        clock.advance(5)  # mid-window: 5 s of this window left, all its budget unused
        throttle = Throttler(RateLimit(5, per=10.0), clock=clock)
        async with fake.client(rate_limit=throttle, max_retries=0) as client:
            work = asyncio.gather(*(client.request("GET", "/ping") for _ in range(12)))
            await settle(lambda: len(fake.requests) >= 5)
            assert len(fake.requests) == 5  # this window's budget, and nothing more
            clock.advance(5)  # the server's reset: 5 s after our first request
            await settle(lambda: len(fake.requests) >= 10)
            # A log of our own would have waited 5 s more (10 s after the first request).
            assert len(fake.requests) == 10
            clock.advance(9.9)
            await settle()
            assert len(fake.requests) == 10
            clock.advance(0.1)
            await asyncio.wait_for(work, timeout=10)
    assert len(fake.requests) == 12
    assert fake.stats.rate_limited == 0


@pytest.mark.parametrize("kind", ["sliding", "leaky"])
@pytest.mark.slow
async def test_no_429_from_a_sliding_window_or_a_leaky_bucket(kind: str) -> None:
    clock = ManualClock(wall=1_700_000_003.0)
    async with FakeAircall(rate_limit=4, window=8.0, calls=0, window_kind=kind) as fake:
        fake.control.limiter.clock = clock.time
        throttle = Throttler(RateLimit(4, per=8.0), clock=clock)
        async with fake.client(rate_limit=throttle, max_retries=0) as client:

            async def worker() -> None:
                for _ in range(5):
                    await client.request("GET", "/ping")

            work = asyncio.gather(*(worker() for _ in range(4)))
            steps = 0
            while not work.done() and steps < 200:
                await settle()
                clock.advance(0.5)
                steps += 1
            await asyncio.wait_for(work, timeout=10)  # raises RateLimitError on a 429
        assert fake.stats.rate_limited == 0
        assert len(fake.requests) == 20
        # 20 requests at 4 per 8 s need 32 s at least, and the pacing wasted little.
        assert 32 <= steps * 0.5 <= 48


async def test_a_share_set_by_hand_is_kept_whatever_the_server_says_is_left(
    scripted: Scripted,
) -> None:
    # RateLimit(2) is this process's share of a key the server counts at 60: the server's
    # "50 left" is not ours to take.
    clock = ManualClock()

    async def answer(request: web.Request) -> web.Response:
        return json_answer(200, {}, **limits("60", "50", clock.time() + 30))

    scripted.handler = answer
    async with scripted.client(rate_limit=Throttler(RateLimit(2, per=30), clock=clock)) as client:
        work = asyncio.gather(*(client.request("GET", "/users") for _ in range(4)))
        await settle(arrived(scripted, 2))
        assert len(scripted.requests) == 2
        clock.advance(30)
        await asyncio.wait_for(work, timeout=10)
    assert len(scripted.requests) == 4


async def test_an_answer_from_an_earlier_window_does_not_bring_its_budget_back() -> None:
    clock = ManualClock(wall=1_700_000_000.0)
    throttle = Throttler(RateLimit(5, per=10.0), clock=clock)
    for _ in range(2):
        await throttle.acquire()
    late = RateLimitStatus(limit=5, remaining=4, reset=_utc(1_700_000_010))
    current = RateLimitStatus(limit=5, remaining=0, reset=_utc(1_700_000_020))
    await throttle.release(None, current)
    await throttle.release(None, late)  # answered before the other, arrived after it
    waiter = asyncio.ensure_future(throttle.acquire())
    await settle()
    assert not waiter.done()  # still "0 left until 1700000020"
    clock.advance(20)
    await asyncio.wait_for(waiter, timeout=10)


def _utc(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, tz=timezone.utc)
