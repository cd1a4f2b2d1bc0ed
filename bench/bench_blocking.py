"""The blocking client's overhead per request against the async client, in the same run.

    python bench/bench_blocking.py [--pairs 9] [--requests 300]

Both clients send the same sequential ``client.users.get(id)`` requests to the fake server
(another process, no rate limit). Each pair times one batch of each, interleaved, the
order alternating; the verdict is on the median of the pairs' ratios (blocking time /
async time), with their spread. Target: the blocking client within 15% (ratio <= 1.15).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from typing import Any

from bench_client import API_ID, API_TOKEN, fake_server

from aircall_async import AircallClient as AsyncAircallClient
from aircall_async.blocking import AircallClient

TARGET = 1.15


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=9)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    auth: dict[str, Any] = {"api_id": API_ID, "api_token": API_TOKEN, "rate_limit": None}
    with fake_server("--rate-limit", "0", "--calls", "10") as base:
        loop = asyncio.new_event_loop()
        async_client = loop.run_until_complete(_make_async(base, auth))
        blocking = AircallClient(base_url=base, **auth)
        user_id = blocking.users.list().collect()[0].id

        async def async_batch() -> None:
            for _ in range(args.requests):
                await async_client.users.get(user_id)

        def time_async() -> float:
            started = time.perf_counter()
            loop.run_until_complete(async_batch())
            return time.perf_counter() - started

        def time_blocking() -> float:
            started = time.perf_counter()
            for _ in range(args.requests):
                blocking.users.get(user_id)
            return time.perf_counter() - started

        time_async()  # warm both connection pools
        time_blocking()
        ratios = []
        for pair in range(args.pairs):
            if pair % 2:
                b, a = time_blocking(), time_async()
            else:
                a, b = time_async(), time_blocking()
            ratios.append(b / a)
        blocking.close()
        loop.run_until_complete(async_client.close())
        loop.close()
    median = statistics.median(ratios)
    ok = median <= TARGET
    print(
        f"blocking overhead: blocking/async time per request, median of {args.pairs} "
        f"interleaved pairs {median:.3f} (spread {min(ratios):.3f}-{max(ratios):.3f}; "
        f"target <= {TARGET}) -> {'PASS' if ok else 'FAIL'}"
    )
    return 0 if ok else 1


async def _make_async(base: str, auth: dict[str, Any]) -> AsyncAircallClient:
    return AsyncAircallClient(base_url=base, **auth)


if __name__ == "__main__":
    raise SystemExit(main())
