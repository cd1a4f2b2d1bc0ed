"""RedisThrottler against a real Redis: several throttlers on one key stand for processes."""

from __future__ import annotations

import asyncio
import contextlib
import tracemalloc
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest
import redis.asyncio as redis

from aircall_async import AircallClient, RateLimitStatus
from aircall_async.errors import TransportError
from aircall_async.redis import RedisThrottler, RedisUnavailableError
from aircall_async.redis import _throttle_lua as lua
from aircall_async.testing import FakeAircall
from tests.redis_support import PrivateRedis, free_port, private_redis

KEYS = [
    f"aircall:throttle:{{acme}}:{name}"
    for name in ("inflight", "finished", "queue", "deadlines", "state")
]
INFLIGHT, FINISHED, QUEUE, DEADLINES, STATE = KEYS


@pytest.fixture
def own_redis() -> Iterator[PrivateRedis]:
    yield from private_redis()


async def _cancel(task: asyncio.Future[object]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def _pending(task: asyncio.Future[object], rounds: float = 0.3) -> bool:
    """Whether ``task`` is still waiting after giving it ``rounds`` seconds of chances."""
    done, _ = await asyncio.wait({task}, timeout=rounds)
    return not done


async def test_no_more_than_limit_slots_across_throttlers(r: redis.Redis) -> None:
    a = RedisThrottler(r, key="acme", limit=3, per=60.0)
    b = RedisThrottler(r, key="acme", limit=3, per=60.0)
    tickets = [await a.acquire(), await b.acquire(), await a.acquire()]
    assert len(set(tickets)) == 3
    fourth = asyncio.ensure_future(b.acquire())
    assert await _pending(fourth)
    # Released slots still count for `per` (a sliding log of finishes): nothing frees.
    await a.release(tickets[0])
    assert await _pending(fourth)
    assert await r.zcard(INFLIGHT) == 2
    assert await r.zcard(FINISHED) == 1
    await _cancel(fourth)
    await asyncio.sleep(0.05)  # the abandon runs in the background
    assert await r.zcard(QUEUE) == 0  # the cancelled waiter left the queue, took nothing
    assert await r.zcard(INFLIGHT) == 2
    await a.aclose()
    await b.aclose()


async def test_a_slot_frees_per_seconds_after_its_request_finished(r: redis.Redis) -> None:
    a = RedisThrottler(r, key="acme", limit=1, per=0.3)
    ticket = await a.acquire()
    await a.release(ticket)
    score = await r.zscore(FINISHED, ticket)  # type: ignore[arg-type]
    seconds, micros = await r.time()
    assert score is not None
    assert 250 <= score - (seconds * 1000 + micros // 1000) <= 300
    await a.release(await a.acquire())  # admitted once that slot expired
    await a.aclose()


async def _queued(r: redis.Redis, n: int) -> None:
    """Return once ``n`` waiters are in the queue (polling: Redis has no event for it)."""
    for _ in range(5000):
        if await r.zcard(QUEUE) >= n:
            return
        await asyncio.sleep(0.002)
    raise AssertionError(f"never {n} waiters")


async def test_waiting_processes_are_served_in_order_of_arrival(r: redis.Redis) -> None:
    holder = RedisThrottler(r, key="acme", limit=1, per=0.2)
    # The only slot stays taken (its lease renewed) until all four are queued: nobody is
    # served meanwhile, however slowly a loaded machine queues them (a 0.2 s window alone
    # could run out between two of them).
    held = await holder.acquire()
    order: list[str] = []

    async def wait_turn(name: str) -> None:
        throttler = RedisThrottler(r, key="acme", limit=1, per=0.2)
        await throttler.release(await throttler.acquire())
        order.append(name)

    tasks = []
    for name in "abcd":
        tasks.append(asyncio.ensure_future(wait_turn(name)))
        await _queued(r, len(tasks))  # queued strictly one after the other
    await holder.release(held)
    await asyncio.gather(*tasks)
    assert order == ["a", "b", "c", "d"]


async def test_a_waiter_that_stopped_polling_leaves_the_queue(r: redis.Redis) -> None:
    holder = RedisThrottler(r, key="acme", limit=1, per=0.2)
    await holder.release(await holder.acquire())
    # A process that asked once, then died: first in the queue, never polls again.
    ghost = r.register_script(lua.ACQUIRE)
    assert (await ghost(KEYS, ["ghost", 1, 200, 100, 50, 60_000, 2]))[0] == 0
    alive = RedisThrottler(r, key="acme", limit=1, per=0.2)
    await alive.release(await alive.acquire())
    assert await r.zscore(QUEUE, "ghost") is None


@pytest.mark.slow
async def test_slots_of_a_dead_process_expire_and_a_live_one_keeps_them(r: redis.Redis) -> None:
    live = RedisThrottler(r, key="acme", limit=2, per=0.4)
    dead = RedisThrottler(r, key="acme", limit=2, per=0.4)
    kept = await live.acquire()
    await dead.acquire()
    await dead.aclose()  # stops renewing, as a killed process would
    other = RedisThrottler(r, key="acme", limit=2, per=0.4)
    late = asyncio.ensure_future(other.acquire())
    # The dead process' slot expires after its lease; the live one's is renewed.
    await asyncio.wait_for(late, 5)
    third = asyncio.ensure_future(other.acquire())
    assert await _pending(third, 1.0)  # > 2 leases: the live request still holds its slot
    assert await r.zscore(INFLIGHT, kept) is not None  # type: ignore[arg-type]
    await live.release(kept)
    await other.release(await asyncio.wait_for(third, 5))
    await other.release(late.result())
    for t in (live, other):
        await t.aclose()


def _status(limit: int, remaining: int, reset_in: float) -> RateLimitStatus:
    reset = datetime.now(timezone.utc) + timedelta(seconds=reset_in)
    return RateLimitStatus(limit=limit, remaining=remaining, reset=reset)


async def test_a_lower_limit_from_any_process_holds_every_process(r: redis.Redis) -> None:
    a = RedisThrottler(r, key="acme", limit=5, per=60.0)
    b = RedisThrottler(r, key="acme", limit=5, per=60.0)
    await a.release(await a.acquire(), _status(limit=2, remaining=50, reset_in=30))
    await b.acquire()  # 2 of the lowered limit of 2 taken
    blocked = asyncio.ensure_future(b.acquire())
    assert await _pending(blocked)
    await _cancel(blocked)
    assert await r.hget(STATE, "limit") == b"2"
    await a.aclose()
    await b.aclose()


@pytest.mark.slow
async def test_zero_remaining_holds_every_process_until_the_reset(r: redis.Redis) -> None:
    a = RedisThrottler(r, key="acme", limit=50, per=60.0)
    b = RedisThrottler(r, key="acme", limit=50, per=60.0)
    await a.release(await a.acquire(), _status(limit=50, remaining=0, reset_in=2))
    waiting = asyncio.ensure_future(b.acquire())
    assert await _pending(waiting)
    await b.release(await asyncio.wait_for(waiting, 5))  # after the reset


@pytest.mark.slow
async def test_a_429_holds_every_process_until_the_reset(r: redis.Redis) -> None:
    a = RedisThrottler(r, key="acme", limit=50, per=60.0)
    b = RedisThrottler(r, key="acme", limit=50, per=60.0)
    await a.release(await a.acquire(), _status(limit=50, remaining=10, reset_in=2), rejected=True)
    blocked_until = int(await r.hget(STATE, "blocked_until") or 0)
    seconds, _ = await r.time()
    assert 1000 <= blocked_until - seconds * 1000 <= 3000
    waiting = asyncio.ensure_future(b.acquire())
    assert await _pending(waiting)
    await b.release(await asyncio.wait_for(waiting, 5))


async def test_redis_unreachable_is_a_transport_error_naming_redis() -> None:
    port = free_port()
    client = redis.from_url(f"redis://user:s3cret-pass@127.0.0.1:{port}/0")
    throttler = RedisThrottler(client, key="acme", limit=5, per=1.0, timeout=2.0)
    with pytest.raises(RedisUnavailableError) as caught:
        await throttler.acquire()
    assert isinstance(caught.value, TransportError)
    message = str(caught.value)
    assert f"Redis at redis://127.0.0.1:{port}/0 unreachable" in message
    assert "acme" in message
    assert "s3cret" not in message
    await client.aclose()


async def test_a_long_outage_does_not_grow_the_fallbacks_memory() -> None:
    # Redis never answers (a closed port): every request goes through the fallback budget,
    # and the finishes kept to carry to Redis on its return stay the last ``limit``.
    client = redis.from_url(f"redis://127.0.0.1:{free_port()}/0", socket_connect_timeout=1)
    throttler = RedisThrottler(
        client, key="acme", limit=20, per=0.001, expected_processes=1, retry_after=3600
    )
    for _ in range(100):
        await throttler.release(await throttler.acquire())
    assert throttler.degraded
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(20_000):
            await throttler.release(await throttler.acquire())
        growth = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert throttler.degraded
    assert growth < 64 * 1024, f"the fallback grew by {growth:,} bytes over 20,000 requests"
    await throttler.aclose()
    await client.aclose()


@pytest.mark.parametrize(
    ("kwargs", "complaint"),
    [
        ({"key": ""}, "key must be a non-empty string"),
        ({"key": "my key"}, "key must not contain spaces"),
        ({"key": "acme", "limit": 0}, "limit must be an integer >= 1"),
        ({"key": "acme", "per": 0}, "must be positive"),
        ({"key": "acme", "expected_processes": 0}, "expected_processes must be >= 1"),
    ],
)
def test_bad_configuration_is_refused(kwargs: dict[str, object], complaint: str) -> None:
    client = redis.Redis()
    with pytest.raises(ValueError, match=complaint):
        RedisThrottler(client, **kwargs)  # type: ignore[arg-type]


async def test_a_client_shares_the_budget_and_writes_the_headers_back(r: redis.Redis) -> None:
    throttler = RedisThrottler(r, key="acme", limit=10, per=60.0)
    async with FakeAircall(rate_limit=5, window=60.0, calls=0, contacts=0, users=1) as fake:
        client = AircallClient(
            api_id=fake.api_id,
            api_token=fake.api_token,
            base_url=fake.base_url,
            rate_limit=throttler,
        )
        async with client:
            for _ in range(3):
                assert await client.ping()
            state = await r.hgetall(STATE)
            assert state[b"limit"] == b"5"  # the server's lower limit, for every process
            left = int(state[b"left"])
            assert left <= 2  # what the server said remains in its window
            for _ in range(left):
                assert await client.ping()
            # Nothing remains in the server's window: the next request waits for its reset.
            waiting = asyncio.ensure_future(client.ping())
            assert await _pending(waiting)
            await _cancel(waiting)
        assert fake.stats.rate_limited == 0
    await throttler.aclose()


async def test_a_client_without_redis_fails_with_a_transport_error() -> None:
    client = redis.from_url(f"redis://127.0.0.1:{free_port()}/0")
    throttler = RedisThrottler(client, key="acme", limit=5, per=1.0)
    async with FakeAircall(calls=0, contacts=0, users=1) as fake:
        api = AircallClient(
            api_id=fake.api_id,
            api_token=fake.api_token,
            base_url=fake.base_url,
            rate_limit=throttler,
        )
        async with api:
            with pytest.raises(TransportError, match="Redis at redis://127.0.0.1"):
                await api.ping()
        assert fake.stats.requests == 0  # never fails open
    await client.aclose()


def test_the_key_never_holds_the_api_token() -> None:
    throttler = RedisThrottler(redis.Redis(), key="acme-tok3n", limit=5)
    with pytest.raises(ValueError, match="key contains the API token"):
        AircallClient(api_id="id", api_token="tok3n", rate_limit=throttler)


async def test_fallback_budget_while_redis_is_away_then_back_to_redis(
    own_redis: PrivateRedis,
) -> None:
    client = redis.from_url(own_redis.url, socket_connect_timeout=1)
    throttler = RedisThrottler(
        client, key="acme", limit=4, per=60.0, expected_processes=2, retry_after=0.05
    )
    own_redis.kill()
    for _ in range(2):  # this process' share of the budget: 4 // 2
        await throttler.release(await throttler.acquire())
    assert throttler.degraded
    third = asyncio.ensure_future(throttler.acquire())
    assert await _pending(third)  # never fails open
    await _cancel(third)
    own_redis.start()
    await asyncio.sleep(0.1)
    ticket = await throttler.acquire()  # Redis again: the 2 local slots were carried over
    assert not throttler.degraded
    assert await client.zcard(FINISHED) == 2
    assert await client.zcard(INFLIGHT) == 1
    await throttler.release(ticket)
    await throttler.release(await throttler.acquire())  # the 4th and last of the budget
    fifth = asyncio.ensure_future(throttler.acquire())
    assert await _pending(fifth)
    await _cancel(fifth)
    await throttler.aclose()
    await client.aclose()


async def test_without_fallback_it_recovers_by_itself_when_redis_returns(
    own_redis: PrivateRedis,
) -> None:
    client = redis.from_url(own_redis.url, socket_connect_timeout=1)
    throttler = RedisThrottler(client, key="acme", limit=4, per=60.0)
    await throttler.release(await throttler.acquire())
    own_redis.kill()
    with pytest.raises(RedisUnavailableError):
        await throttler.acquire()
    own_redis.start()  # the same data (append-only file): the slot used before still counts
    await throttler.release(await throttler.acquire())
    assert await client.zcard(FINISHED) == 2
    await throttler.aclose()
    await client.aclose()
