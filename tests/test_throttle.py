"""Client-side pacing over real HTTP: budget, fairness, cancellation, the server's word."""

from __future__ import annotations

import asyncio
import time
import tracemalloc
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

import pytest
from aiohttp import web
from hypothesis import given, settings
from hypothesis import strategies as st

from aircall_async import RateLimit, RateLimitStatus, Throttle
from aircall_async.clock import ManualClock
from aircall_async.errors import AircallError, RateLimitError
from aircall_async.ratelimit import Throttler

from .conftest import RecordingBackoff, Scripted, json_answer


async def ok(request: web.Request) -> web.Response:
    return json_answer(200, {"ok": True})


async def settle(condition: Callable[[], bool] = lambda: True) -> None:
    """Let the client and the server run until ``condition`` holds, then some more loop
    turns, so that whatever could still happen without the clock moving has happened.

    ``wait_for`` is only a safety net against a hang; nothing here measures time.
    """

    async def until() -> None:
        while not condition():  # noqa: ASYNC110 - the condition is the server's state
            await asyncio.sleep(0.005)

    await asyncio.wait_for(until(), timeout=10)
    for _ in range(20):
        await asyncio.sleep(0.002)


def arrived(scripted: Scripted, count: int) -> Callable[[], bool]:
    """A condition for :func:`settle`: the server has received ``count`` requests."""
    return lambda: len(scripted.requests) >= count


async def test_budget_never_exceeded_by_eight_concurrent_tasks(scripted: Scripted) -> None:
    scripted.handler = ok
    clock = ManualClock()
    throttle = Throttler(RateLimit(10, per=30), clock=clock)
    async with scripted.client(rate_limit=throttle) as client:

        async def worker() -> None:
            for _ in range(5):
                await client.request("GET", "/users")

        work = asyncio.gather(*(worker() for _ in range(8)))
        seen: list[int] = []
        for _ in range(4):
            await settle(arrived(scripted, 10 * (len(seen) + 1)))
            seen.append(len(scripted.requests))
            clock.advance(30)
        await asyncio.wait_for(work, timeout=10)
    # Exactly the budget in each window: never more, and none of it wasted.
    assert seen == [10, 20, 30, 40]


async def test_waiters_are_served_first_come_first_served(scripted: Scripted) -> None:
    scripted.handler = ok
    clock = ManualClock()
    async with scripted.client(rate_limit=Throttler(RateLimit(1, per=5), clock=clock)) as client:
        tasks = []
        for n in range(6):
            tasks.append(asyncio.ensure_future(client.request("GET", f"/users/{n}")))
            await asyncio.sleep(0.001)  # let each task queue before the next starts
        for n in range(6):
            await settle(arrived(scripted, n + 1))
            clock.advance(5)
        await asyncio.wait_for(asyncio.gather(*tasks), timeout=10)
    assert [r["path"] for r in scripted.requests] == [f"/v1/users/{n}" for n in range(6)]


async def test_a_cancelled_waiter_takes_no_slot(scripted: Scripted) -> None:
    scripted.handler = ok
    clock = ManualClock()
    throttle = Throttler(RateLimit(1, per=30), clock=clock)
    async with scripted.client(rate_limit=throttle) as client:
        await client.request("GET", "/first")
        doomed = asyncio.ensure_future(client.request("GET", "/cancelled"))
        await settle()
        survivor = asyncio.ensure_future(client.request("GET", "/third"))
        await settle()
        doomed.cancel()
        await settle()
        assert len(scripted.requests) == 1  # nobody took the slot before the window ended
        clock.advance(30)
        await asyncio.wait_for(survivor, timeout=10)
        with pytest.raises(asyncio.CancelledError):
            await doomed
    paths = [r["path"] for r in scripted.requests]
    assert paths == ["/v1/first", "/v1/third"]  # it took the freed slot, one window later


def limits(limit: str, remaining: str, reset: float) -> dict[str, str]:
    return {
        "X-AircallApi-Limit": limit,
        "X-AircallApi-Remaining": remaining,
        "X-AircallApi-Reset": str(int(reset)),
    }


async def test_zero_remaining_holds_everybody_until_the_reset(scripted: Scripted) -> None:
    clock = ManualClock()
    reset = clock.time() + 10

    async def answer(request: web.Request) -> web.Response:
        remaining = "0" if len(scripted.requests) == 1 else "59"
        return json_answer(200, {}, **limits("60", remaining, reset))

    scripted.handler = answer
    async with scripted.client(rate_limit=Throttler(None, clock=clock)) as client:
        await client.request("GET", "/users")
        status = client.rate_limit_status
        later = asyncio.gather(*(client.request("GET", "/calls") for _ in range(3)))
        await settle()
        assert len(scripted.requests) == 1
        clock.advance(9)
        await settle()
        assert len(scripted.requests) == 1
        clock.advance(1)
        await asyncio.wait_for(later, timeout=10)
    assert status == RateLimitStatus(
        limit=60, remaining=0, reset=datetime.fromtimestamp(reset, tz=timezone.utc)
    )
    assert len(scripted.requests) == 4


async def test_the_servers_limit_replaces_the_configured_one(scripted: Scripted) -> None:
    async def answer(request: web.Request) -> web.Response:
        return json_answer(200, {}, **{"X-AircallApi-Limit": "2"})

    scripted.handler = answer
    clock = ManualClock()
    async with scripted.client(rate_limit=Throttler(RateLimit(100, per=30), clock=clock)) as client:
        await client.request("GET", "/users")
        later = asyncio.gather(*(client.request("GET", "/users") for _ in range(4)))
        seen: list[int] = []
        for expected in (2, 4, 5):
            await settle(arrived(scripted, expected))
            seen.append(len(scripted.requests))
            clock.advance(30)
        await asyncio.wait_for(later, timeout=10)
    assert seen == [2, 4, 5]


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
    assert RateLimitStatus.from_http({"X-AircallApi-Reset": "9" * 30}) is None


def test_seconds_until_reset_is_right_for_every_status_not_only_the_last_read() -> None:
    def read(reset: int) -> RateLimitStatus:
        headers = {"X-AircallApi-Limit": "60", "X-AircallApi-Remaining": "1"}
        status = RateLimitStatus.from_http({**headers, "X-AircallApi-Reset": str(reset)})
        assert status is not None
        return status

    earlier = read(1585001020)
    later = read(1585001080)  # the last read now: its moment is remembered
    by_hand = RateLimitStatus(60, 1, datetime(2020, 3, 23, 22, 4, 0, tzinfo=timezone.utc))
    other_zone = RateLimitStatus(
        60, 1, datetime(2020, 3, 23, 23, 5, 40, tzinfo=timezone(timedelta(hours=1)))
    )
    assert earlier.seconds_until_reset(now=1585001000.0) == 20.0
    assert later.seconds_until_reset(now=1585001000.0) == 80.0
    assert by_hand.seconds_until_reset(now=1585001000.0) == 40.0
    assert other_zone.seconds_until_reset(now=1585001000.0) == 140.0
    assert later.seconds_until_reset(now=1585001100.0) == 0.0  # never negative


def test_rate_limit_status_merges_only_what_a_new_answer_lacks() -> None:
    moment = datetime(2020, 3, 23, 22, 3, 40, tzinfo=timezone.utc)
    old = RateLimitStatus(limit=60, remaining=5, reset=moment)
    full = RateLimitStatus(limit=120, remaining=7, reset=None)
    assert old.updated_by(full) == RateLimitStatus(limit=120, remaining=7, reset=moment)
    complete = RateLimitStatus(limit=90, remaining=1, reset=moment)
    assert old.updated_by(complete) == complete
    # The same reset read twice is the same moment; one out of range is nonsense, twice.
    headers = {"X-AircallApi-Reset": "1585001020"}
    first, again = RateLimitStatus.from_http(headers), RateLimitStatus.from_http(headers)
    assert first is not None and again is not None and first.reset == again.reset == moment
    nonsense: list[tuple[str, str]] = []
    for _ in range(2):
        status = RateLimitStatus.from_http(
            {"X-AircallApi-Reset": "999999999999", "X-AircallApi-Remaining": " 3 "},
            on_nonsense=lambda name, value: nonsense.append((name, value)),
        )
        assert status == RateLimitStatus(limit=None, remaining=3, reset=None)
    assert nonsense == [("X-AircallApi-Reset", "999999999999")] * 2


_HEADER_TEXT = st.one_of(
    st.none(),
    st.integers(min_value=-5, max_value=10**14).map(str),
    st.sampled_from(["", " 7 ", "0", "100000", "100001", "999999999999", "7.5", "\u0663", "1e3"]),
    st.text(max_size=14),
)


@settings(max_examples=400, deadline=None)
@given(limit=_HEADER_TEXT, remaining=_HEADER_TEXT, reset=_HEADER_TEXT)
def test_rate_limit_headers_read_in_one_go_as_when_read_one_by_one(
    limit: str | None, remaining: str | None, reset: str | None
) -> None:
    # from_http reads three plain numbers at once; every other answer is judged header by
    # header: both give the same status and report the same nonsense.
    names = ("X-AircallApi-Limit", "X-AircallApi-Remaining", "X-AircallApi-Reset")
    headers = {n: v for n, v in zip(names, (limit, remaining, reset), strict=True) if v is not None}
    said: list[tuple[str, str]] = []
    one_by_one: list[tuple[str, str]] = []
    status = RateLimitStatus.from_http(headers, on_nonsense=lambda n, v: said.append((n, v)))
    expected = RateLimitStatus._from_each_header(headers, lambda n, v: one_by_one.append((n, v)))
    assert status == expected
    assert said == one_by_one


@pytest.mark.parametrize(
    "long", ["X-AircallApi-Limit", "X-AircallApi-Remaining", "X-AircallApi-Reset"]
)
def test_a_number_too_long_to_read_is_nonsense_not_a_crash(long: str) -> None:
    # int() refuses strings of more than 4300 digits: from_http must never get that far.
    headers = {"X-AircallApi-Limit": "60", "X-AircallApi-Remaining": "7"}
    headers["X-AircallApi-Reset"] = "1585001020"
    headers[long] = "9" * 5000
    said: list[str] = []
    status = RateLimitStatus.from_http(headers, on_nonsense=lambda name, value: said.append(name))
    assert status is not None and said == [long]


def test_rate_limit_validation() -> None:
    assert RateLimit() == RateLimit(60, per=60.0)
    with pytest.raises(ValueError, match="limit"):
        RateLimit(0)
    with pytest.raises(ValueError, match="per"):
        RateLimit(5, per=0)


@pytest.mark.parametrize("headers", ["always", "429-only"])
@pytest.mark.slow
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
    clock = ManualClock()
    reset = clock.time() + 20

    async def answer(request: web.Request) -> web.Response:
        remaining = max(0, 3 - len(scripted.requests))
        return json_answer(200, {}, **limits("60", str(remaining), reset))

    scripted.handler = answer
    throttle = Throttler(RateLimit(60, per=60.0), clock=clock)
    async with scripted.client(rate_limit=throttle) as client:
        await client.request("GET", "/users")
        later = asyncio.gather(*(client.request("GET", "/calls") for _ in range(4)))
        await settle(arrived(scripted, 3))
        assert len(scripted.requests) == 3  # the first request and the two still allowed
        clock.advance(20)
        await asyncio.wait_for(later, timeout=10)
    assert len(scripted.requests) == 5


async def test_a_waiter_cancelled_just_as_it_is_woken_takes_no_slot() -> None:
    # Python < 3.12's asyncio.wait_for could swallow a cancellation landing in the same
    # loop turn as the wake-up; the cancelled task then took the slot and sent anyway.
    throttler = Throttler(None)
    throttler.block_for(30)
    waiter = asyncio.ensure_future(throttler.acquire())
    await asyncio.sleep(0.01)  # waiting for the block to end
    throttler._blocked_until = 0.0  # the block ends...
    throttler._in_flight += 1
    await throttler.release()  # ...and a release wakes the waiter,
    waiter.cancel()  # which is cancelled in the same turn
    with pytest.raises(asyncio.CancelledError):
        await waiter
    assert throttler._in_flight == 0


async def test_a_slot_taken_without_waiting_never_passes_a_queued_task() -> None:
    # acquire() decides the common case without its lock. When the head of the queue
    # takes its slot and hands the lock on, the next waiter has not run yet: a request
    # made right then (here by the head itself) must queue behind it, not slip through.
    clock = ManualClock()
    throttler = Throttler(None, clock=clock)
    throttler.block_for(30)
    order: list[str] = []

    async def head() -> None:
        await throttler.acquire()
        order.append("head")
        await throttler.acquire()  # in the gap: the lock is free, "next" not yet woken
        order.append("head again")

    async def behind() -> None:
        await throttler.acquire()
        order.append("next")

    tasks = [asyncio.ensure_future(head())]
    await settle()  # the head waits for the block's end, holding the lock
    tasks.append(asyncio.ensure_future(behind()))
    await settle()  # queued behind it
    clock.advance(30)
    await asyncio.wait_for(asyncio.gather(*tasks), timeout=10)
    assert order == ["head", "next", "head again"]
    # And with nobody queued, a free slot is taken at once, without a wait reported.
    assert await throttler.acquire() is None


async def test_a_budget_set_by_hand_is_never_raised_by_the_header(scripted: Scripted) -> None:
    async def answer(request: web.Request) -> web.Response:
        return json_answer(200, {}, **{"X-AircallApi-Limit": "60"})

    scripted.handler = answer
    clock = ManualClock()
    async with scripted.client(rate_limit=Throttler(RateLimit(2, per=30), clock=clock)) as client:
        await client.request("GET", "/users")
        later = asyncio.gather(*(client.request("GET", "/users") for _ in range(4)))
        await settle(arrived(scripted, 2))
        assert len(scripted.requests) == 2
        clock.advance(30)
        await settle(arrived(scripted, 4))
        assert len(scripted.requests) == 4
        clock.advance(30)
        await asyncio.wait_for(later, timeout=10)


async def test_a_429_with_a_reset_already_past_backs_off(scripted: Scripted) -> None:
    async def answer(request: web.Request) -> web.Response:
        past = str(int(time.time()) - 5)  # a server clock behind ours
        return json_answer(429, {}, **{"X-AircallApi-Remaining": "0", "X-AircallApi-Reset": past})

    scripted.handler = answer
    backoff = RecordingBackoff(base=0.001, cap=0.001)
    async with scripted.client(rate_limit=None, max_retries=3, backoff=backoff) as client:
        with pytest.raises(RateLimitError):
            await client.request("GET", "/calls")
    assert len(scripted.requests) == 4
    # The pinned backoff paced every retry, not a hot loop.
    assert backoff.asked == [0, 1, 2]


async def test_the_last_good_budget_stays_when_the_server_talks_nonsense(
    scripted: Scripted,
) -> None:
    nonsense = iter(["2", "-1", "1.5", "0", "99999999999", "abc"])

    async def answer(request: web.Request) -> web.Response:
        return json_answer(200, {}, **{"X-AircallApi-Limit": next(nonsense, "abc")})

    scripted.handler = answer
    clock = ManualClock()
    throttle = Throttler(RateLimit(100, per=30), clock=clock)
    async with scripted.client(rate_limit=throttle) as client:
        await client.request("GET", "/users")  # the server says 2
        assert throttle.limit == 2
        later = asyncio.gather(*(client.request("GET", "/users") for _ in range(5)))
        await settle(arrived(scripted, 2))
        assert len(scripted.requests) == 2
        for expected in (4, 6):
            clock.advance(30)
            await settle(arrived(scripted, expected))
            assert len(scripted.requests) == expected
        await asyncio.wait_for(later, timeout=10)
    assert throttle.limit == 2
    assert client.rate_limit_status == RateLimitStatus(limit=2, remaining=None, reset=None)


def test_nonsense_in_each_header_is_left_out_and_reported() -> None:
    reported: list[tuple[str, str]] = []
    status = RateLimitStatus.from_http(
        {
            "X-AircallApi-Limit": "-1",
            "X-AircallApi-Remaining": "12",
            "X-AircallApi-Reset": "1e9",
        },
        on_nonsense=lambda name, value: reported.append((name, value)),
    )
    assert status == RateLimitStatus(limit=None, remaining=12, reset=None)
    assert reported == [("X-AircallApi-Limit", "-1"), ("X-AircallApi-Reset", "1e9")]


async def test_a_throttle_plugs_into_the_client_and_is_released_on_failure(
    scripted: Scripted,
) -> None:
    events: list[tuple[str, object]] = []

    class Recording:
        async def acquire(self) -> object:
            events.append(("acquire", None))
            return len(events)

        async def release(
            self, ticket: object, status: RateLimitStatus | None = None, *, rejected: bool = False
        ) -> None:
            events.append(("release", (ticket, rejected)))

    async def answer(request: web.Request) -> web.Response:
        if len(scripted.requests) == 1:
            return json_answer(429, {})
        return json_answer(500, {})

    scripted.handler = answer
    throttle = Recording()
    assert isinstance(throttle, Throttle)
    async with scripted.client(rate_limit=throttle, max_retries=1) as client:
        assert client.rate_limit is throttle
        with pytest.raises(AircallError):
            await client.request("POST", "/contacts", json={})
    assert events == [
        ("acquire", None),
        ("release", (1, True)),
        ("acquire", None),
        ("release", (3, False)),
    ]


async def test_the_manual_clock_runs_timers_in_order_and_only_forward() -> None:
    clock = ManualClock(start=5.0, wall=1000.0)
    fired: list[str] = []
    clock.call_later(2, lambda: fired.append("b"))
    clock.call_later(1, lambda: fired.append("a"))
    clock.call_later(3, lambda: fired.append("never")).cancel()
    assert clock.pending == 2
    clock.advance(1.5)
    assert fired == ["a"] and clock.now() == 6.5 and clock.time() == 1001.5
    clock.advance(10)
    assert fired == ["a", "b"] and clock.pending == 0
    with pytest.raises(ValueError, match="forward"):
        clock.advance(-1)
    with pytest.raises(TypeError, match="Clock"):
        Throttler(None, clock=time.monotonic)  # type: ignore[arg-type]


def starts_under_the_log(
    limit: int, raised_to: int | None, durations: list[float], per: float = 10.0
) -> list[float]:
    """Run one request per duration through a Throttler on a ManualClock (each held for
    its duration, the clock moved in steps of ``per / 20``); the moment each one started.

    With ``raised_to``, the first answer says the server's limit is that (the budget is the
    documented default, so the header raises it); no answer says what is left, so the
    throttler's own log paces every request.
    """

    async def run() -> list[float]:
        clock = ManualClock()
        throttle = Throttler(RateLimit(limit, per=per), may_raise=True, clock=clock)
        status = None if raised_to is None else RateLimitStatus(raised_to, None, None)
        starts: list[float] = []
        due: dict[int, asyncio.Event] = {}

        async def one(i: int) -> None:
            ticket = await throttle.acquire()
            starts.append(clock.now())
            due[i] = asyncio.Event()
            await due[i].wait()
            await throttle.release(ticket, status)

        tasks = [asyncio.ensure_future(one(i)) for i in range(len(durations))]
        ends: dict[int, float] = {}
        while not all(task.done() for task in tasks):
            for _ in range(5):
                await asyncio.sleep(0)
            for i, event in due.items():
                ends.setdefault(i, clock.now() + durations[i])
                if ends[i] <= clock.now():
                    event.set()
            clock.advance(per / 20)
        return starts

    return asyncio.run(run())


@settings(max_examples=40, deadline=None)
@given(
    limit=st.integers(1, 4),
    raise_by=st.sampled_from([None, 1, 3]),
    durations=st.lists(st.sampled_from([0.0, 0.5, 3.0, 9.5, 12.0]), min_size=1, max_size=14),
)
def test_the_log_never_lets_more_than_the_budget_start_in_any_window(
    limit: int, raise_by: int | None, durations: list[float]
) -> None:
    # The log keeps only the last ``limit`` finishes (all a wait can depend on), and a
    # raised budget widens it: any window of ``per`` seconds still holds at most the
    # budget in force of starts.
    budget = limit if raise_by is None else limit + raise_by
    starts = starts_under_the_log(limit, None if raise_by is None else budget, durations)
    assert len(starts) == len(durations)  # every request started (a count: the clock is manual)
    for first in starts:
        in_window = [s for s in starts if first <= s < first + 10.0]
        assert len(in_window) <= budget, (starts, budget)


def test_the_log_stays_bounded_while_the_servers_count_is_trusted() -> None:
    # A server whose reset keeps moving ahead (a sliding window, say) never lets its window
    # end, and while its count is trusted nothing trims the log by age: the log keeps the
    # last ``limit`` finishes, not a float per request for the client's whole life.
    async def run() -> int:
        clock = ManualClock()
        throttle = Throttler(RateLimit(60, per=60.0), clock=clock)

        async def one() -> None:
            ticket = await throttle.acquire()
            clock.advance(0.5)
            reset = datetime.fromtimestamp(int(clock.time()) + 30, tz=timezone.utc)
            await throttle.release(ticket, RateLimitStatus(60, 59, reset))

        for _ in range(200):
            await one()
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            for _ in range(20_000):
                await one()
            return tracemalloc.get_traced_memory()[0] - before
        finally:
            tracemalloc.stop()

    growth = asyncio.run(run())
    assert growth < 64 * 1024, f"the throttler grew by {growth:,} bytes over 20,000 requests"
