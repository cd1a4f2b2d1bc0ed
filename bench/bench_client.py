"""Benchmarks of the client core, printed as figures with their targets.

    python bench/bench_client.py [budget|overhead|export ...]

- budget:   8 tasks share one client against the fake server at 60 requests per 3 s for
            15 s; requests completed / requests the server's windows allow in that span
            (target >= 0.95), 429s (0).
- overhead: ``client.request("GET", ...)`` (pacing on with a budget that never binds; the
            server sends rate-limit headers) versus bare aiohttp doing the same GET and
            ``json.loads``, 32 tasks each: the median ratio of 41 interleaved pairs of
            640 requests a side (target >= 0.95x; short pairs, so that a burst of the
            VM's noise spoils few of them). The server runs on one core and this process
            on the other meanwhile. For reference, also against bare aiohttp sending
            the headers every API request carries (``Authorization``, ``Accept``,
            ``User-Agent``), and the least any client pacing on the server's word does
            (those headers sent, the rate-limit headers read, the client's decoder)
            against the bare GET: the ceiling of the target's ratio for a paced client.
- export:   every one of 25,000 calls of the fake server at 60 per 3 s, started in the
            middle of a fixed window: each call once, requests within 2% of
            ceil(25000/50), wall time within 3% of the tight floor (the time the server's
            windows allow), peak memory growth under 50 MB, no 429; then the same against
            a sliding window and a leaky bucket (no 429).

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
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import aiohttp
import pairs

from aircall_async import AircallClient, RateLimit, RateLimitStatus, _json
from aircall_async._transport import USER_AGENT

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # for tests.test_models_data

API_ID, API_TOKEN = "fake-api-id", "fake-api-token"  # the fake server's defaults


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def fake_process(module: list[str], *args: str, cpu: int | None = None) -> Iterator[str]:
    """Run ``python -m <module...> --port P <args>`` in another process (pinned to ``cpu``
    when given and the OS allows); yield its base URL."""
    port = free_port()
    command = [sys.executable, "-m", *module, "--port", str(port), *args]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL)
    if cpu is not None:
        pin(process.pid, cpu)
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


def fake_server(*args: str, cpu: int | None = None) -> AbstractContextManager[str]:
    """Run ``python -m aircall_async.testing`` in another process; yield its base URL."""
    return fake_process(["aircall_async.testing"], *args, cpu=cpu)


def pin(pid: int, cpu: int) -> None:
    """Pin process ``pid`` (0: this one) to ``cpu`` when the OS allows and has two cores."""
    setaffinity = getattr(os, "sched_setaffinity", None)
    if setaffinity is not None and (os.cpu_count() or 1) > 1:
        setaffinity(pid, {cpu})


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
        # Only the per-attempt lines (the INFO line of a long budget wait is no request).
        if not hasattr(record, "aircall_status"):
            return
        self.requests += 1
        if getattr(record, "aircall_status", None) == 429:
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
                started, wall_start = time.monotonic(), time.time()
                deadline = started + windows * per

                async def worker() -> None:
                    while time.monotonic() < deadline:
                        await client.request("GET", "/users")
                        completions.append(time.monotonic())

                await asyncio.wait_for(
                    asyncio.gather(*(worker() for _ in range(8))), windows * per + 2 * per
                )
    done = sum(1 for t in completions if t < started + windows * per)
    # The server's windows are aligned on multiples of ``per`` since the epoch: the span
    # touches one more of them than ``windows`` unless it starts on a boundary, and the
    # first is fresh (the ping was a window earlier).
    first = math.floor(wall_start / per)
    last = math.floor((wall_start + windows * per) / per - 1e-9)
    allowed = limit * (last - first + 1)
    ratio = done / allowed
    return pairs.verdict(
        "budget",
        ratio >= 0.95 and count.rejected == 0,
        f"{done} requests completed in {windows * per:g}s, {allowed} allowed by the server's "
        f"{last - first + 1} windows: "
        f"{ratio:.3f} (target >= 0.95); 429s received: {count.rejected} (target 0)",
    )


SERVER_SCRIPT = """
import json, sys, time
from aiohttp import web
body = json.dumps({"users": [{"id": i, "name": "John Doe", "email": "john.doe@aircall.io",
    "created_at": "2019-12-29T10:03:18.000Z", "available": True} for i in range(20)]}).encode()
count = 0
async def users(request):
    # The rate-limit headers of every real answer, with a budget that never runs out.
    global count
    count += 1
    headers = {"X-AircallApi-Limit": "100000",
               "X-AircallApi-Remaining": str(100000 - count % 50000),
               "X-AircallApi-Reset": str(int(time.time()) + 60)}
    return web.Response(body=body, content_type="application/json", headers=headers)
with open(sys.argv[2], "rb") as page:
    calls_body = page.read()
async def calls(request):
    return web.Response(body=calls_body, content_type="application/json")
app = web.Application()
app.router.add_get("/v1/users", users)
app.router.add_get("/v1/calls", calls)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), access_log=None, print=None)
"""

TASKS = 32


def calls_page() -> bytes:
    """A real-shaped page of 50 calls (the reference's full Call): about 120 KB."""
    from tests.test_models_data import FULL_CALL

    calls = [{**FULL_CALL, "id": FULL_CALL["id"] + i} for i in range(50)]
    return json.dumps({"calls": calls, "meta": {"count": 50, "total": 50}}).encode()


async def bench_overhead() -> bool:
    """Paired: the client (pacing on, a budget that never binds) vs bare aiohttp."""
    port = free_port()
    page = tempfile.NamedTemporaryFile(suffix=".json", delete=False)  # noqa: SIM115
    with page:
        page.write(calls_page())
    server = subprocess.Popen([sys.executable, "-c", SERVER_SCRIPT, str(port), page.name])
    url = f"http://127.0.0.1:{port}/v1/users"
    # Each side on a core of its own: unpinned, the server and the clients took turns on
    # both cores and single pairs ranged from 0.64 to 1.45.
    affinity = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    pin(server.pid, 0)
    pin(0, 1)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                await asyncio.sleep(0.05)
        n = 640
        count = 41

        async with aiohttp.ClientSession() as session:
            client = AircallClient(
                api_id=API_ID,
                api_token=API_TOKEN,
                base_url=f"http://127.0.0.1:{port}/v1",
                session=session,
                rate_limit=RateLimit(100_000, per=60.0),
            )

            async def bare_get() -> None:
                async with session.get(url) as response:
                    json.loads(await response.read())

            api_headers = {
                "Authorization": aiohttp.encode_basic_auth(API_ID, API_TOKEN),
                "Accept": "application/json",
                "User-Agent": USER_AGENT,
            }

            async def bare_get_api_headers() -> None:
                async with session.get(url, headers=api_headers) as response:
                    json.loads(await response.read())

            async def least_paced_get() -> None:
                # The least any client pacing on the server's word does around the exchange:
                # the API's headers sent, the rate-limit headers read, the client's decoder.
                async with session.get(url, headers=api_headers) as response:
                    RateLimitStatus.from_http(response.headers)
                    _json.loads(await response.read())

            async def ours_get() -> None:
                await client.request("GET", "/users")

            async def ours_page() -> None:
                await client.request("GET", "/calls")

            async def ours_page_json() -> None:
                _json.use_orjson(False)
                try:
                    await client.request("GET", "/calls")
                finally:
                    _json.use_orjson(True)

            def measure(get: Callable[[], Awaitable[None]]) -> Callable[[], Awaitable[float]]:
                async def run() -> float:
                    async def task() -> None:
                        for _ in range(n // TASKS):
                            await get()

                    started = time.perf_counter()
                    await asyncio.gather(*(task() for _ in range(TASKS)))
                    return n / (time.perf_counter() - started)

                return run

            await measure(bare_get)()  # warm-up: connections, imports
            await measure(ours_get)()
            decoder = "orjson" if _json.orjson_in_use() else "json"
            paired = await pairs.async_pairs(measure(ours_get), measure(bare_get), count)
            pairs.ratio_verdict(
                f"overhead: client.request ({decoder}) vs bare aiohttp + json.loads, "
                f"{TASKS} tasks, headers on",
                paired,
                0.95,
                " req/s",
            )
            same_headers = await pairs.async_pairs(
                measure(ours_get), measure(bare_get_api_headers), count
            )
            print(
                "for reference, the same against bare aiohttp sending the API's headers "
                f"(Authorization, Accept, User-Agent): {same_headers.describe(' req/s')}"
            )
            least = await pairs.async_pairs(measure(least_paced_get), measure(bare_get), count)
            print(
                "for reference, the least a paced client does (the API's headers sent, the "
                f"rate-limit headers read, {decoder}) vs the same bare GET: "
                f"{least.describe(' req/s')}"
            )
            if _json.orjson_in_use():
                n = 320  # pages of 124 KB: fewer requests a side
                gain = await pairs.async_pairs(measure(ours_page), measure(ours_page_json), 15)
                print(
                    f"orjson gain: client.request of a {len(calls_page()) // 1024} KB calls "
                    f"page, orjson vs json: {gain.describe(' req/s')}"
                )
            else:
                print("orjson gain: not measured (pip install -e '.[orjson]')")
    finally:
        if affinity is not None:
            os.sched_setaffinity(0, affinity)
        server.terminate()
        server.wait(10)
        os.unlink(page.name)
    return True


async def export(kind: str) -> bool:
    """Every call of the fake once, started mid-window, against a ``kind`` budget."""
    total, limit, per = 25_000, 60, 3.0
    args = ("--calls", str(total), "--rate-limit", str(limit), "--window", str(per))
    with fake_server(*args, "--window-kind", kind) as base:
        client = AircallClient(
            api_id=API_ID, api_token=API_TOKEN, base_url=base, rate_limit=RateLimit(limit, per=per)
        )
        async with client:
            await client.ping()
            # Start in the middle of a fixed window (they are aligned on multiples of
            # ``per`` since the epoch) that the ping did not touch.
            now = time.time()
            window_start = math.floor(now / per) * per + per
            await asyncio.sleep(window_start + per / 2 - now)
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
    checks = {
        "every call once": len(seen) == total and duplicates == 0,
        "requests within 2%": requests <= ideal * 1.02,
        "memory growth < 50 MB": growth < 50,
        "no 429": count.rejected == 0,
    }
    figures = ""
    if kind == "fixed":
        # The tight floor: the first (fresh) window, entered halfway, takes ``limit``
        # requests, every later one ``limit`` more; request r (0-based) cannot start
        # before the start of window r // limit.
        floor = (requests - 1) // limit * per - per / 2
        checks["wall within 3% of the floor"] = wall <= floor * 1.03
        figures = f"wall {wall:.1f}s vs the floor {floor:.1f}s ({wall / floor:.3f}x); "
    else:
        figures = f"wall {wall:.1f}s; "
    missed = ", ".join(k for k, v in checks.items() if not v)
    return pairs.verdict(
        f"export ({kind} windows on the server, started mid-window)",
        not missed,
        f"{len(seen):,} distinct calls of {total:,} ({duplicates} duplicates); "
        f"{requests} requests vs ceil(N/50) = {ideal} ({requests / ideal - 1:+.1%}); "
        f"{figures}peak memory growth {growth:.1f} MB; 429s {count.rejected}"
        + (f" (missed: {missed})" if missed else ""),
    )


async def bench_export() -> bool:
    """The export against Aircall's fixed windows, then a sliding window and a leaky bucket."""
    results = [await export(kind) for kind in ("fixed", "sliding", "leaky")]
    return all(results)


BENCHES = {"budget": bench_budget, "overhead": bench_overhead, "export": bench_export}


def main() -> int:
    names = sys.argv[1:] or list(BENCHES)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores")
    for name in names:
        asyncio.run(BENCHES[name]())
    return pairs.summary()


if __name__ == "__main__":
    raise SystemExit(main())
