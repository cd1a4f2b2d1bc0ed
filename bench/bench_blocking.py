"""The blocking client's overhead per request against the async client, in the same run.

    python bench/bench_blocking.py [--pairs 9] [--requests 1000]

Both clients send the same sequential ``client.users.get(id)`` requests to the same fake
server, which runs in another process for both (it shares neither client's loop nor its
process, so neither side pays for serving the other's requests), pinned to one core while
this process is pinned to the other. The async client runs one coroutine for the whole
batch on this process's main thread; the blocking client is called once per request from
the same thread, which runs the client's loop for each call. Each pair times one batch of
each, back to back, the order alternating (``bench/pairs.py``); the verdict is on the
median of the pairs' ratios (blocking time / async time) with their spread. Target:
within 15% (ratio <= 1.15).

For reference it also shows the same batch run as one coroutine through the blocking
client's ``_portal`` (one call for the whole batch): the client without its per-call cost.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from typing import Any

import pairs
from bench_client import API_ID, API_TOKEN, fake_server, pin

from aircall_async import AircallClient as AsyncAircallClient
from aircall_async.blocking import AircallClient

TARGET = 1.15


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=9)
    # 1000 a batch (about half a second): batches of 300 left single pairs anywhere from
    # 0.73 to 1.47 on a shared VM, which moved the median of 9 pairs by +-0.1.
    parser.add_argument("--requests", type=int, default=1000)
    args = parser.parse_args()
    count: int = args.requests
    auth: dict[str, Any] = {"api_id": API_ID, "api_token": API_TOKEN, "rate_limit": None}
    pin(0, 1)  # the clients on one core, the fake server on the other
    with fake_server("--rate-limit", "0", "--calls", "10", cpu=0) as base:
        loop = asyncio.new_event_loop()
        async_client = loop.run_until_complete(_make_async(base, auth))
        blocking = AircallClient(base_url=base, **auth)
        user_id = blocking.users.list().collect()[0].id

        async def batch(client: AsyncAircallClient) -> None:
            for _ in range(count):
                await client.users.get(user_id)

        def async_rate() -> float:
            started = time.perf_counter()
            loop.run_until_complete(batch(async_client))
            return count / (time.perf_counter() - started)

        def blocking_rate() -> float:
            started = time.perf_counter()
            for _ in range(count):
                blocking.users.get(user_id)
            return count / (time.perf_counter() - started)

        def on_its_loop_rate() -> float:
            started = time.perf_counter()
            blocking._portal.run(batch(blocking._async))
            return count / (time.perf_counter() - started)

        async_rate()  # warm both connection pools
        blocking_rate()
        on_its_loop_rate()
        paired = pairs.pairs(async_rate, blocking_rate, args.pairs)
        reference = pairs.pairs(async_rate, on_its_loop_rate, args.pairs)
        blocking.close()
        loop.run_until_complete(async_client.close())
        loop.close()
    pairs.verdict(
        "blocking client: time per sequential request / the async client's",
        paired.median <= TARGET,
        f"{paired.describe(' req/s')} (target <= {TARGET})",
    )
    added = statistics.median(
        (1 / b - 1 / a) * 1e6 for a, b in zip(paired.a, paired.b, strict=True)
    )
    print(f"time added per blocking call: {added:.0f} us (median of the pairs)")
    print(
        "for reference, the same batch as one coroutine on the blocking client's loop / "
        f"the async client's: {reference.describe(' req/s')}"
    )
    return pairs.summary()


async def _make_async(base: str, auth: dict[str, Any]) -> AsyncAircallClient:
    return AsyncAircallClient(base_url=base, **auth)


if __name__ == "__main__":
    raise SystemExit(main())
