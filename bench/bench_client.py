"""Benchmarks of the client core, printed as figures with their targets.

    python bench/bench_client.py [budget|overhead|export ...]

- budget:   8 tasks share one client against the fake server at 60 requests per 3 s for
            5 windows; requests completed / requests allowed (target >= 0.95), 429s (0).
- overhead: throttling off, ``client.request("GET", ...)`` against a local server, versus a
            bare aiohttp loop doing the same GET and ``json.loads`` (target >= 0.8x).
- export:   every one of 25,000 calls of the fake server at 60 per 3 s: each call once,
            requests within 2% of ceil(25000/50), wall time within 5% of what the budget
            allows, peak memory growth under 50 MB.

The servers run in a separate process, so the figures are the client's.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import os
import resource
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import aiohttp

from aircall_async import AircallClient, RateLimit

ROOT = Path(__file__).resolve().parent.parent

API_ID, API_TOKEN = "fake-api-id", "fake-api-token"  # the fake server's defaults


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def fake_server(*args: str) -> Iterator[str]:
    """Run ``python -m aircall_async.testing`` in another process; yield its base URL."""
    port = free_port()
    command = [sys.executable, "-m", "aircall_async.testing", "--port", str(port)]
    command += list(args)
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        process.terminate()
        process.wait(10)


def rss_mb() -> float:
    """Resident memory of this process now, in MB (from /proc; the peak elsewhere)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class CountRequests(logging.Handler):
    """Counts the client's one-line-per-request debug log, and its 429s."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.requests = 0
        self.rejected = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.requests += 1
        if "-> 429" in record.getMessage():
            self.rejected += 1


@contextmanager
def counting() -> Iterator[CountRequests]:
    logger = logging.getLogger("aircall_async")
    handler = CountRequests()
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(logging.NOTSET)


async def bench_budget() -> bool:
    limit, per, windows = 60, 3.0, 5
    with fake_server("--rate-limit", str(limit), "--window", str(per), "--calls", "10") as base:
        client = AircallClient(
            api_id=API_ID, api_token=API_TOKEN, base_url=base, rate_limit=RateLimit(limit, per=per)
        )
        completions: list[float] = []
        async with client:
            await client.ping()  # connection warm-up, outside the measure
            await asyncio.sleep(per)
            with counting() as count:
                started = time.monotonic()
                deadline = started + windows * per

                async def worker() -> None:
                    while time.monotonic() < deadline:
                        await client.request("GET", "/users")
                        completions.append(time.monotonic())

                await asyncio.wait_for(
                    asyncio.gather(*(worker() for _ in range(8))), windows * per + 2 * per
                )
    done = sum(1 for t in completions if t < started + windows * per)
    allowed = limit * windows
    ratio = done / allowed
    ok = ratio >= 0.95 and count.rejected == 0
    print(
        f"budget: {done} requests completed in {windows} windows of {per:g}s, "
        f"{allowed} allowed: {ratio:.3f} (target >= 0.95); 429s received: {count.rejected} "
        f"(target 0) -> {'PASS' if ok else 'FAIL'}"
    )
    return ok


SERVER_SCRIPT = """
import json, sys
from aiohttp import web
body = json.dumps({"users": [{"id": i, "name": "John Doe", "email": "john.doe@aircall.io",
    "created_at": "2019-12-29T10:03:18.000Z", "available": True} for i in range(20)]}).encode()
async def users(request):
    return web.Response(body=body, content_type="application/json")
app = web.Application()
app.router.add_get("/v1/users", users)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), access_log=None, print=None)
"""


async def bench_overhead() -> bool:
    port = free_port()
    server = subprocess.Popen([sys.executable, "-c", SERVER_SCRIPT, str(port)])
    url = f"http://127.0.0.1:{port}/v1/users"
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                await asyncio.sleep(0.05)
        n, workers = 3000, 4

        async def bare(session: aiohttp.ClientSession) -> None:
            for _ in range(n // workers):
                async with session.get(url) as response:
                    json.loads(await response.read())

        async def ours(client: AircallClient) -> None:
            for _ in range(n // workers):
                await client.request("GET", "/users")

        best_bare = best_ours = 0.0
        async with aiohttp.ClientSession() as session:
            client = AircallClient(
                api_id=API_ID,
                api_token=API_TOKEN,
                base_url=f"http://127.0.0.1:{port}/v1",
                session=session,
                rate_limit=None,
            )
            for _ in range(3):  # interleaved rounds; best of each
                t = time.perf_counter()
                await asyncio.gather(*(bare(session) for _ in range(workers)))
                best_bare = max(best_bare, n / (time.perf_counter() - t))
                t = time.perf_counter()
                await asyncio.gather(*(ours(client) for _ in range(workers)))
                best_ours = max(best_ours, n / (time.perf_counter() - t))
    finally:
        server.terminate()
        server.wait(10)
    ratio = best_ours / best_bare
    ok = ratio >= 0.8
    print(
        f"overhead: client.request {best_ours:,.0f} req/s vs bare aiohttp + json.loads "
        f"{best_bare:,.0f} req/s: {ratio:.2f}x (target >= 0.8x) -> {'PASS' if ok else 'FAIL'}"
    )
    return ok


async def bench_export() -> bool:
    total, limit, per = 25_000, 60, 3.0
    args = ("--calls", str(total), "--rate-limit", str(limit), "--window", str(per))
    with fake_server(*args) as base:
        client = AircallClient(
            api_id=API_ID, api_token=API_TOKEN, base_url=base, rate_limit=RateLimit(limit, per=per)
        )
        async with client:
            await client.ping()
            await asyncio.sleep(per)  # start with a fresh budget
            seen: set[int] = set()
            duplicates = 0
            before = peak = rss_mb()
            with counting() as count:
                started = time.monotonic()
                async for call in client.paginate("/calls", "calls", continue_by="started_at"):
                    if call["id"] in seen:
                        duplicates += 1
                    seen.add(call["id"])
                    if len(seen) % 1000 == 0:
                        peak = max(peak, rss_mb())
                wall = time.monotonic() - started
            growth = max(peak, rss_mb()) - before
    requests = count.requests
    ideal = math.ceil(total / 50)
    # With a full budget at the start, request r (0-based) cannot start before
    # (r // limit) * per seconds: that is the least time the budget allows.
    allowed_time = (requests - 1) // limit * per
    checks = {
        "every call once": len(seen) == total and duplicates == 0,
        "requests within 2%": requests <= ideal * 1.02,
        "wall time within 5%": wall <= allowed_time * 1.05,
        "memory growth < 50 MB": growth < 50,
        "no 429": count.rejected == 0,
    }
    ok = all(checks.values())
    verdict = "PASS" if ok else "FAIL: " + ", ".join(k for k, v in checks.items() if not v)
    print(
        f"export: {len(seen):,} distinct calls of {total:,} ({duplicates} duplicates); "
        f"{requests} requests vs ceil(N/50) = {ideal} ({requests / ideal - 1:+.1%}); "
        f"wall {wall:.1f}s vs {allowed_time:.1f}s allowed by the budget "
        f"({wall / allowed_time:.3f}x); peak memory growth {growth:.1f} MB; "
        f"429s {count.rejected} -> {verdict}"
    )
    return ok


BENCHES = {"budget": bench_budget, "overhead": bench_overhead, "export": bench_export}


def main() -> int:
    names = sys.argv[1:] or list(BENCHES)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores")
    results = [asyncio.run(BENCHES[name]()) for name in names]
    return 0 if all(results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
