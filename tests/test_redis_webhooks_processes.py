"""Webhook receivers and consumers in separate OS processes, sharing a RedisStreamInbox.

Deliveries are built and sent like the fake's dispatcher does (same body on a redelivery,
resent on any non-2xx answer). Each handled delivery is counted in a Redis hash.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import aiohttp
import pytest
import redis.asyncio as redis

from aircall_async.testing import build_delivery, deliver, sample_data
from tests.redis_support import PrivateRedis, fresh_redis_url, private_redis, spawn, wait_line

# Several processes on wall-clock windows: run on the main Python only in CI (scripts/test).
pytestmark = pytest.mark.slow

TOKEN = "wh-token-redis-test"
STREAM = "aircall:webhooks"
GROUP = "handlers"
PATH = "/aircall/webhooks/"


def _config(redis_url: str, record_url: str, **extra: Any) -> dict[str, Any]:
    return {
        "redis_url": redis_url,
        "record_url": record_url,
        "stream": STREAM,
        "group": GROUP,
        "token": TOKEN,
        "claim_idle": 3.0,  # well past any stall of a loaded machine
        "handler_delay": 0.005,
        **extra,
    }


def _start(
    config: dict[str, Any], receivers: int, consumers: int
) -> tuple[list[str], list[subprocess.Popen[str]], list[subprocess.Popen[str]]]:
    """Start the processes; return the receivers' URLs, the receivers, the consumers."""
    recv = [spawn("receiver", config) for _ in range(receivers)]
    cons = [spawn("consumer", {**config, "name": f"c{i}"}) for i in range(consumers)]
    urls = [f"http://127.0.0.1:{wait_line(p, 'ready').split()[1]}{PATH}" for p in recv]
    for proc in cons:
        wait_line(proc, "ready")
    return urls, recv, cons


def _stop(procs: list[subprocess.Popen[str]]) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.fixture
def record_url(redis_url: str) -> str:
    return fresh_redis_url(redis_url)


@pytest.fixture
def own_redis() -> Iterator[PrivateRedis]:
    yield from private_redis()


async def _eventually(check: Callable[[], Awaitable[bool]], seconds: float = 60.0) -> None:
    """Return once ``check()`` is true (polled every 50 ms); fail after ``seconds``."""
    for _ in range(round(seconds * 20)):
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{check.__name__} never became true")


def _monitor(url: str) -> redis.Redis:
    """The test's own client: patient, since its loop is busy sending deliveries."""
    return redis.from_url(url, socket_connect_timeout=30, socket_timeout=30)


def _payload(i: int) -> dict[str, Any]:
    return build_delivery("call.created", {**sample_data("call"), "id": i}, token=TOKEN)


async def _send_until_ok(
    session: aiohttp.ClientSession, url: str, payload: dict[str, Any], statuses: list[int]
) -> str:
    """POST until a 2xx, as Aircall redelivers; returns the answer's ``status`` field."""
    while True:
        try:
            status, answer = await deliver(session, url, payload)
        except aiohttp.ClientError:
            status, answer = 0, None
        statuses.append(status)
        if 200 <= status < 300:
            return str((answer or {}).get("status"))
        await asyncio.sleep(0.05)


async def _wait_until_handled(record: redis.Redis, inbox_redis: redis.Redis, n: int) -> None:
    """Until ``n`` deliveries are counted and nothing is left in the stream (or 60 s)."""
    for _ in range(1200):
        done = await record.hlen("handled")
        left = await inbox_redis.xlen(STREAM) + await inbox_redis.zcard(f"{STREAM}:retry")
        if done >= n and left == 0:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"only {done} of {n} handled, {left} left in the stream")


async def test_receivers_and_consumers_on_several_processes_handle_each_delivery_once(
    record_url: str,
) -> None:
    n = 2000
    urls, receivers, consumers = _start(_config(record_url, record_url), 3, 2)
    record = _monitor(record_url)
    killed = consumers[0]
    in_flight: set[int] = set()
    answers: list[str] = []
    statuses: list[int] = []
    try:

        async def kill_mid_stream() -> None:
            async def quarter_handled() -> bool:
                return await record.hlen("handled") >= n // 4

            await _eventually(quarter_handled)
            os.kill(killed.pid, signal.SIGKILL)
            killed.wait()
            # What the killed consumer held: handled perhaps, surely not acknowledged.
            pending = await record.xpending_range(STREAM, GROUP, "-", "+", 1000, "c0")
            for entry in pending:
                [(_, fields)] = await record.xrange(
                    STREAM, entry["message_id"], entry["message_id"]
                )
                in_flight.add(_payload_id(fields[b"body"]))

        killer = asyncio.ensure_future(kill_mid_stream())
        gate = asyncio.Semaphore(32)
        async with aiohttp.ClientSession() as session:

            async def send(i: int) -> None:
                payload = _payload(i)
                async with gate:
                    targets = [urls[i % 3]]
                    if i % 10 == 0:  # 10% delivered twice, to two receivers at once
                        targets.append(urls[(i + 1) % 3])
                    answers.extend(
                        await asyncio.gather(
                            *(_send_until_ok(session, u, payload, statuses) for u in targets)
                        )
                    )

            await asyncio.gather(*(send(i) for i in range(n)))
        await asyncio.wait_for(killer, 60)
        await _wait_until_handled(record, record, n)
        counts = {k.decode(): int(v) for k, v in (await record.hgetall("handled")).items()}
        group = await record.xpending(STREAM, GROUP)
    finally:
        await record.aclose()
        _stop([*receivers, *consumers])
    assert set(statuses) == {200}
    assert answers.count("duplicate") == n // 10  # each twice-sent delivery stored once
    assert sorted(counts) == sorted(f"call.created:{i}" for i in range(n))
    twice = {int(k.split(":")[1]) for k, v in counts.items() if v > 1}
    assert max(counts.values()) <= 2
    # Only what the killed consumer held can have run twice: handled, not acknowledged.
    assert twice <= in_flight, (twice, in_flight)
    assert len(in_flight) <= 8 + 8  # its concurrency, plus the ones it had just taken
    assert group["pending"] == 0


def _payload_id(body: bytes) -> int:
    import json

    return int(json.loads(body)["data"]["id"])


async def test_a_redis_restart_means_503_and_loses_nothing_acknowledged(
    own_redis: PrivateRedis, record_url: str
) -> None:
    n = 300
    urls, receivers, consumers = _start(_config(own_redis.url, record_url), 2, 1)
    record = _monitor(record_url)
    inbox_redis = _monitor(own_redis.url)
    statuses: list[int] = []
    acknowledged: set[int] = set()
    try:
        gate = asyncio.Semaphore(8)
        async with aiohttp.ClientSession() as session:

            async def send(i: int) -> None:
                async with gate:
                    await _send_until_ok(session, urls[i % 2], _payload(i), statuses)
                    acknowledged.add(i)

            async def outage() -> None:
                async def a_third_acknowledged() -> bool:
                    return len(acknowledged) >= n // 3

                async def refused() -> bool:
                    return statuses.count(503) >= 5

                await _eventually(a_third_acknowledged)
                own_redis.kill()
                await _eventually(refused)
                own_redis.start()

            await asyncio.gather(outage(), *(send(i) for i in range(n)))
        await _wait_until_handled(record, inbox_redis, n)
        counts = {k.decode() for k in await record.hkeys("handled")}
    finally:
        await record.aclose()
        await inbox_redis.aclose()
        _stop([*receivers, *consumers])
    assert statuses.count(503) >= 5  # the receivers refused while Redis was away
    assert counts == {f"call.created:{i}" for i in acknowledged}
    assert len(acknowledged) == n
