"""Client-side pacing over real HTTP: budget, fairness, cancellation, the server's word."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timezone

import pytest
from aiohttp import web

from aircall_async import RateLimit, RateLimitStatus
from aircall_async.errors import RateLimitError

from .conftest import Scripted, json_answer, reset_ahead


def max_in_any_window(arrivals: list[float], per: float) -> int:
    """The most arrivals that fall inside one window of ``per`` seconds, however aligned."""
    times = sorted(arrivals)
    best = 0
    start = 0
    for end, t in enumerate(times):
        while t - times[start] >= per:
            start += 1
        best = max(best, end - start + 1)
    return best


async def ok(request: web.Request) -> web.Response:
    return json_answer(200, {"ok": True})


async def test_budget_never_exceeded_by_eight_concurrent_tasks(scripted: Scripted) -> None:
    scripted.handler = ok
    limit, per = 10, 0.3
    async with scripted.client(rate_limit=RateLimit(limit, per=per)) as client:

        async def worker() -> None:
            for _ in range(5):
                await client.request("GET", "/users")

        started = time.monotonic()
        await asyncio.gather(*(worker() for _ in range(8)))
        elapsed = time.monotonic() - started
    assert len(scripted.arrivals) == 40
    assert max_in_any_window(scripted.arrivals, per) <= limit
    # ... and the budget is used, not wasted: 40 requests need 3 full windows.
    assert 3 * per <= elapsed < 3 * per + 0.5


async def test_waiters_are_served_first_come_first_served(scripted: Scripted) -> None:
    scripted.handler = ok
    async with scripted.client(rate_limit=RateLimit(1, per=0.05)) as client:
        tasks = []
        for n in range(6):
            tasks.append(asyncio.ensure_future(client.request("GET", f"/users/{n}")))
            await asyncio.sleep(0.001)  # let each task queue before the next starts
        await asyncio.gather(*tasks)
    assert [r["path"] for r in scripted.requests] == [f"/v1/users/{n}" for n in range(6)]


async def test_a_cancelled_waiter_takes_no_slot(scripted: Scripted) -> None:
    scripted.handler = ok
    per = 0.3
    async with scripted.client(rate_limit=RateLimit(1, per=per)) as client:
        await client.request("GET", "/first")
        first_done = time.monotonic()
        doomed = asyncio.ensure_future(client.request("GET", "/cancelled"))
        await asyncio.sleep(0.01)
        survivor = asyncio.ensure_future(client.request("GET", "/third"))
        await asyncio.sleep(0.05)
        doomed.cancel()
        await survivor
        with pytest.raises(asyncio.CancelledError):
            await doomed
    paths = [r["path"] for r in scripted.requests]
    assert paths == ["/v1/first", "/v1/third"]
    waited = scripted.arrivals[1] - first_done
    assert per - 0.02 <= waited < 2 * per - 0.05  # it took the freed slot, one window later


async def test_zero_remaining_holds_everybody_until_the_reset(scripted: Scripted) -> None:
    reset = reset_ahead()

    async def answer(request: web.Request) -> web.Response:
        remaining = "0" if len(scripted.requests) == 1 else "59"
        return json_answer(
            200,
            {},
            **{
                "X-AircallApi-Limit": "60",
                "X-AircallApi-Remaining": remaining,
                "X-AircallApi-Reset": str(reset),
            },
        )

    scripted.handler = answer
    async with scripted.client(rate_limit=None) as client:
        await client.request("GET", "/users")
        status = client.rate_limit_status
        await asyncio.gather(*(client.request("GET", "/calls") for _ in range(3)))
    assert status == RateLimitStatus(
        limit=60, remaining=0, reset=datetime.fromtimestamp(reset, tz=timezone.utc)
    )
    assert scripted.wall[0] < reset - 1
    assert min(scripted.wall[1:]) >= reset - 0.01
    assert len(scripted.requests) == 4


async def test_the_servers_limit_replaces_the_configured_one(scripted: Scripted) -> None:
    async def answer(request: web.Request) -> web.Response:
        return json_answer(200, {}, **{"X-AircallApi-Limit": "2"})

    scripted.handler = answer
    per = 0.3
    async with scripted.client(rate_limit=RateLimit(100, per=per)) as client:
        await client.request("GET", "/users")
        await asyncio.gather(*(client.request("GET", "/users") for _ in range(4)))
    assert max_in_any_window(scripted.arrivals, per) <= 2
    assert scripted.arrivals[-1] - scripted.arrivals[0] >= 2 * per - 0.02


def test_rate_limit_status_from_headers() -> None:
    status = RateLimitStatus.from_http(
        {
            "X-AircallApi-Limit": "120",
            "X-AircallApi-Remaining": "7",
            "X-AircallApi-Reset": "1585001020",
        }
    )
    assert status == RateLimitStatus(
        limit=120, remaining=7, reset=datetime(2020, 3, 23, 22, 3, 40, tzinfo=timezone.utc)
    )
    assert status is not None and status.seconds_until_reset(now=1585001000.0) == 20.0
    assert RateLimitStatus.from_http({}) is None
    garbled = RateLimitStatus.from_http({"X-AircallApi-Remaining": "lots"})
    assert garbled is None
    assert RateLimitStatus.from_http({"X-AircallApi-Reset": "9" * 30}) == RateLimitStatus(
        limit=None, remaining=None, reset=None
    )


def test_rate_limit_validation() -> None:
    assert RateLimit() == RateLimit(60, per=60.0)
    with pytest.raises(ValueError, match="limit"):
        RateLimit(0)
    with pytest.raises(ValueError, match="per"):
        RateLimit(5, per=0)


@pytest.mark.parametrize("headers", ["always", "429-only"])
async def test_eight_tasks_never_get_a_429_from_fixed_windows(headers: str) -> None:
    from aircall_async.testing import FakeAircall

    limit, per = 20, 1.0
    async with FakeAircall(rate_limit=limit, window=per, rate_limit_headers=headers) as fake:
        async with fake.client(rate_limit=RateLimit(limit, per=per), max_retries=0) as client:

            async def worker(n: int) -> None:
                for _ in range(6):
                    await client.request("GET", f"/users/{456 + n % 5}")

            await asyncio.gather(*(worker(n) for n in range(8)))
        assert fake.stats.rate_limited == 0
        assert len(fake.requests) == 48


async def test_what_the_server_says_is_left_is_not_exceeded(scripted: Scripted) -> None:
    # Another process used most of the window: the server says 2 are left, whatever our
    # own budget thinks; the rest waits for the server's reset.
    reset = reset_ahead()

    async def answer(request: web.Request) -> web.Response:
        remaining = max(0, 3 - len(scripted.requests))
        return json_answer(
            200,
            {},
            **{
                "X-AircallApi-Limit": "60",
                "X-AircallApi-Remaining": str(remaining),
                "X-AircallApi-Reset": str(reset),
            },
        )

    scripted.handler = answer
    async with scripted.client(rate_limit=RateLimit(60, per=60.0)) as client:
        await client.request("GET", "/users")
        await asyncio.gather(*(client.request("GET", "/calls") for _ in range(4)))
    early = [t for t in scripted.wall if t < reset - 0.01]
    assert len(early) == 3  # the first request and the two the server still allowed
    assert len(scripted.requests) == 5


async def test_a_waiter_cancelled_just_as_it_is_woken_takes_no_slot() -> None:
    # Python < 3.12's asyncio.wait_for could swallow a cancellation landing in the same
    # loop turn as the wake-up; the cancelled task then took the slot and sent anyway.
    from aircall_async.ratelimit import Throttler

    throttler = Throttler(None)
    throttler.block_for(30)
    waiter = asyncio.ensure_future(throttler.acquire())
    await asyncio.sleep(0.01)  # waiting for the block to end
    throttler._blocked_until = 0.0  # the block ends...
    throttler._in_flight += 1
    throttler.release()  # ...and a release wakes the waiter,
    waiter.cancel()  # which is cancelled in the same turn
    with pytest.raises(asyncio.CancelledError):
        await waiter
    assert throttler._in_flight == 0


async def test_a_budget_set_by_hand_is_never_raised_by_the_header(scripted: Scripted) -> None:
    async def answer(request: web.Request) -> web.Response:
        return json_answer(200, {}, **{"X-AircallApi-Limit": "60"})

    scripted.handler = answer
    per = 0.3
    async with scripted.client(rate_limit=RateLimit(2, per=per)) as client:
        await client.request("GET", "/users")
        await asyncio.gather(*(client.request("GET", "/users") for _ in range(4)))
    assert max_in_any_window(scripted.arrivals, per) <= 2


async def test_a_429_with_a_reset_already_past_backs_off(scripted: Scripted) -> None:
    async def answer(request: web.Request) -> web.Response:
        past = str(int(time.time()) - 5)  # a server clock behind ours
        return json_answer(429, {}, **{"X-AircallApi-Remaining": "0", "X-AircallApi-Reset": past})

    scripted.handler = answer
    async with scripted.client(rate_limit=None, max_retries=3) as client:
        with pytest.raises(RateLimitError):
            await client.request("GET", "/calls")
    gaps = [b - a for a, b in zip(scripted.arrivals, scripted.arrivals[1:], strict=False)]
    assert len(gaps) == 3
    assert gaps[2] >= 0.04  # 0.01, 0.02, 0.04: the pinned backoff, not a hot loop
