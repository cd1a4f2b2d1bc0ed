"""The fake's rate limit counted three ways: fixed windows, a sliding window, a leaky bucket."""

from __future__ import annotations

import aiohttp
import pytest

from aircall_async.testing import FakeAircall
from aircall_async.testing.control import RateLimiter


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def hits(limiter: RateLimiter, count: int) -> list[tuple[bool, str, str]]:
    out = []
    for _ in range(count):
        allowed, headers = limiter.hit()
        out.append((allowed, headers["X-AircallApi-Remaining"], headers["X-AircallApi-Reset"]))
    return out


def test_fixed_windows_give_the_whole_budget_back_at_the_window_end() -> None:
    clock = Clock(1_000_005.0)
    limiter = RateLimiter(2, 10.0, clock, kind="fixed")
    assert hits(limiter, 3) == [
        (True, "1", "1000010"),
        (True, "0", "1000010"),
        (False, "0", "1000010"),
    ]
    clock.now = 1_000_010.0
    assert hits(limiter, 2) == [(True, "1", "1000020"), (True, "0", "1000020")]


def test_a_sliding_window_frees_one_slot_when_its_oldest_request_leaves() -> None:
    clock = Clock(1_000_005.0)
    limiter = RateLimiter(2, 10.0, clock, kind="sliding")
    assert hits(limiter, 1) == [(True, "1", "1000015")]
    clock.now = 1_000_008.0
    # Full: the reset is when the request of 1000005 leaves the window.
    assert hits(limiter, 2) == [(True, "0", "1000015"), (False, "0", "1000015")]
    # Past the end of a fixed window, a sliding one still counts both requests.
    clock.now = 1_000_012.0
    assert hits(limiter, 1) == [(False, "0", "1000015")]
    clock.now = 1_000_015.0
    assert hits(limiter, 2) == [(True, "0", "1000018"), (False, "0", "1000018")]


def test_a_leaky_bucket_drains_evenly() -> None:
    clock = Clock(1_000_000.0)
    limiter = RateLimiter(4, 8.0, clock, kind="leaky")  # drains one request per 2 s
    # The reset is when the remaining budget next grows by one: a request drained.
    assert hits(limiter, 5) == [
        (True, "3", "1000002"),
        (True, "2", "1000002"),
        (True, "1", "1000002"),
        (True, "0", "1000002"),
        (False, "0", "1000002"),
    ]
    clock.now = 1_000_001.0  # half a request drained: still nothing fits
    assert hits(limiter, 1) == [(False, "0", "1000002")]
    clock.now = 1_000_002.0
    assert hits(limiter, 2) == [(True, "0", "1000004"), (False, "0", "1000004")]
    clock.now = 1_000_010.0  # empty again: the whole budget
    assert limiter.peek()["X-AircallApi-Remaining"] == "4"


def test_an_unknown_window_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="window_kind must be one of fixed, sliding, leaky"):
        RateLimiter(2, 10.0, kind="token")
    with pytest.raises(ValueError, match="window_kind"):
        FakeAircall(window_kind="rolling")


@pytest.mark.parametrize("kind", ["sliding", "leaky"])
async def test_the_server_answers_429_as_its_window_kind_says(kind: str) -> None:
    async with FakeAircall(rate_limit=2, window=10.0, calls=0, window_kind=kind) as fake:
        clock = Clock(1_000_009.0)
        fake.control.limiter.clock = clock
        auth = {"Authorization": aiohttp.encode_basic_auth(fake.api_id, fake.api_token)}
        async with aiohttp.ClientSession(headers=auth) as session:

            async def ping() -> tuple[int, str]:
                async with session.get(f"{fake.base_url}/ping") as answer:
                    return answer.status, answer.headers["X-AircallApi-Remaining"]

            assert [await ping() for _ in range(3)] == [(200, "1"), (200, "0"), (429, "0")]
            clock.now = 1_000_010.0  # a fixed window would start afresh here
            assert await ping() == (429, "0")
            clock.now = 1_000_019.0  # both requests have left both kinds of window
            assert await ping() == (200, "1")
