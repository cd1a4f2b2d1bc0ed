"""Benchmarks of running on several processes with Redis (a script, not a test).

    python bench/bench_scale.py [budget] [inbox] [latency]   (REDIS_URL, default db 14)

1. budget: 1, 2 and 4 OS processes x 8 tasks share one ``RedisThrottler`` key against
   the fake at 60 per 2 s for 5 windows; the share of the budget used (target >= 0.95)
   and the 429s received (target 0), counted by the server's window of each answer;
2. inbox: webhook deliveries per second through ``webhook_app(ack="immediate",
   workers=8)`` (post, store, take, one trivial handler, done) with ``RedisStreamInbox``,
   ``SQLiteInbox`` and ``MemoryInbox``, in the same run;
3. latency: mean time per sequential request with ``RedisThrottler``, with the
   in-process throttler and with no throttling; the difference is what the throttle adds.

The Redis database is flushed. Needs redis-py (``pip install -e '.[redis]'``).
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import aiohttp
import redis.asyncio as redis

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aircall_async import AircallClient, RateLimit  # noqa: E402
from aircall_async.redis import RedisStreamInbox, RedisThrottler  # noqa: E402
from aircall_async.testing import FakeAircall, build_delivery, mount_receiver  # noqa: E402
from aircall_async.webhooks import (  # noqa: E402
    CallEvent,
    Inbox,
    MemoryInbox,
    SQLiteInbox,
    WebhookRouter,
    webhook_app,
)

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/14")
LIMIT, PER, WINDOWS, TASKS = 60, 2.0, 5, 8
TOKEN = "bench-token"


# ---- 1. budget over processes ----------------------------------------------------------


async def worker(config: dict[str, Any]) -> None:
    """A child process: ``TASKS`` tasks on one key from ``start`` to ``stop``."""
    r = redis.from_url(REDIS_URL)
    answers: list[tuple[int, int]] = []

    async def on_end(session: Any, ctx: Any, params: aiohttp.TraceRequestEndParams) -> None:
        answers.append((params.response.status, int(params.response.headers["X-AircallApi-Reset"])))

    trace = aiohttp.TraceConfig()
    trace.on_request_end.append(on_end)
    async with aiohttp.ClientSession(trace_configs=[trace]) as session:
        client = AircallClient(
            api_id=config["api_id"],
            api_token=config["api_token"],
            base_url=config["base_url"],
            session=session,
            rate_limit=RedisThrottler(r, key="bench", limit=LIMIT, per=PER),
        )
        print("ready", flush=True)
        config.update(json.loads(await asyncio.to_thread(sys.stdin.readline)))
        await asyncio.sleep(config["start"] - time.time())

        async def loop() -> None:
            while True:
                await client.request("GET", "/ping")

        tasks = [asyncio.ensure_future(loop()) for _ in range(TASKS)]
        await asyncio.sleep(config["stop"] - time.time())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    await r.aclose()
    print(json.dumps(answers), flush=True)


async def bench_budget() -> bool:
    ok = True
    for processes in (1, 2, 4):
        await _flush()
        with FakeAircall(rate_limit=LIMIT, window=PER, calls=0, contacts=0, users=1) as fake:
            config = {
                "api_id": fake.api_id,
                "api_token": fake.api_token,
                "base_url": str(fake.base_url),
            }
            procs = [
                subprocess.Popen(
                    [sys.executable, __file__, "--worker", json.dumps(config)],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    text=True,
                )
                for _ in range(processes)
            ]
            for proc in procs:  # all started (imports done) before the clock starts
                assert proc.stdout is not None and proc.stdout.readline().startswith("ready")
            start = math.ceil((time.time() + 0.5) / PER) * PER
            stop = start + WINDOWS * PER
            for proc in procs:
                assert proc.stdin is not None
                proc.stdin.write(json.dumps({"start": start, "stop": stop}) + "\n")
                proc.stdin.flush()
            outputs = [proc.communicate()[0] for proc in procs]
        answers = [tuple(a) for out in outputs for a in json.loads(out.strip().splitlines()[-1])]
        counted = Counter(reset - PER for status, reset in answers if status == 200)
        done = sum(n for window, n in counted.items() if start <= window < stop)
        rejected = sum(1 for status, _ in answers if status == 429)
        ratio = done / (LIMIT * WINDOWS)
        passed = ratio >= 0.95 and rejected == 0
        ok = ok and passed
        print(
            f"budget, {processes} process(es) x {TASKS} tasks, one key: {done} requests in "
            f"{WINDOWS} windows of {LIMIT} per {PER:g}s: {ratio:.3f} (target >= 0.95); "
            f"429s: {rejected} (target 0) -> {'PASS' if passed else 'FAIL'}"
        )
    return ok


# ---- 2. webhook deliveries per second --------------------------------------------------


async def deliveries_per_second(inbox: Inbox, n: int = 3000) -> float:
    router = WebhookRouter()
    handled = 0
    all_done = asyncio.Event()

    @router.on("call.created")
    async def count(event: CallEvent) -> None:
        nonlocal handled
        handled += 1
        if handled == n:
            all_done.set()

    sub = webhook_app(router, tokens=[TOKEN], ack="immediate", inbox=inbox, workers=8)
    runner = aiohttp.web.AppRunner(mount_receiver(sub), access_log=None)
    await runner.setup()
    await aiohttp.web.TCPSite(runner, "127.0.0.1", 0).start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/aircall/webhooks/"
    bodies = [
        json.dumps(build_delivery("call.created", {"id": i}, token=TOKEN)).encode()
        for i in range(n)
    ]
    gate = asyncio.Semaphore(32)
    async with aiohttp.ClientSession() as session:

        async def post(body: bytes) -> None:
            async with gate, session.post(url, data=body) as response:
                assert response.status == 200, response.status

        started = time.perf_counter()
        await asyncio.gather(*(post(body) for body in bodies))
        await asyncio.wait_for(all_done.wait(), 120)
        elapsed = time.perf_counter() - started
    await runner.cleanup()
    return n / elapsed


async def bench_inbox() -> bool:
    await _flush()
    r = redis.from_url(REDIS_URL)
    with tempfile.TemporaryDirectory() as tmp:
        inboxes: list[tuple[str, Inbox]] = [
            ("RedisStreamInbox", RedisStreamInbox(r, stream="bench", group="g")),
            ("SQLiteInbox", SQLiteInbox(Path(tmp) / "inbox.db")),
            ("MemoryInbox", MemoryInbox()),
        ]
        for name, inbox in inboxes:
            rate = await deliveries_per_second(inbox)
            print(f"inbox: {name}: {rate:,.0f} deliveries/s (received, stored, handled, done)")
    await r.aclose()
    return True


# ---- 3. added latency ------------------------------------------------------------------


async def mean_latency(fake: FakeAircall, rate_limit: Any, n: int = 500) -> float:
    async with AircallClient(
        api_id=fake.api_id, api_token=fake.api_token, base_url=fake.base_url, rate_limit=rate_limit
    ) as client:
        await client.ping()  # warm-up: connection and scripts loaded
        started = time.perf_counter()
        for _ in range(n):
            await client.ping()
        return (time.perf_counter() - started) / n


async def bench_latency() -> bool:
    await _flush()
    r = redis.from_url(REDIS_URL)
    async with FakeAircall(rate_limit=None, calls=0, contacts=0, users=1) as fake:
        shared = await mean_latency(fake, RedisThrottler(r, key="lat", limit=10**6, per=1.0))
        local = await mean_latency(fake, RateLimit(10**6, per=1.0))
        bare = await mean_latency(fake, None)
    await r.aclose()
    print(
        f"latency per request: RedisThrottler {shared * 1000:.2f} ms, in-process "
        f"{local * 1000:.2f} ms, none {bare * 1000:.2f} ms; Redis adds "
        f"{(shared - local) * 1000:.2f} ms (two script calls per request)"
    )
    return True


async def _flush() -> None:
    r = redis.from_url(REDIS_URL)
    await r.flushdb()
    await r.aclose()


BENCHES = {"budget": bench_budget, "inbox": bench_inbox, "latency": bench_latency}


def main() -> int:
    if sys.argv[1:2] == ["--worker"]:
        asyncio.run(worker(json.loads(sys.argv[2])))
        return 0
    names = sys.argv[1:] or list(BENCHES)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, {REDIS_URL}")
    results = [asyncio.run(BENCHES[name]()) for name in names]
    return 0 if all(results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
