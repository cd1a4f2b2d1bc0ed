"""Benchmarks of sync jobs, printed as figures with their targets.

    python bench/bench_sync.py [floor|sqlite|postgres ...]

- floor:    a full sync of 25,000 calls (calls stream) from the fake server at 60 requests
            per 3 s (a scaled window): requests versus ceil(N/50), wall time versus the budget
            floor (requests at the budget rate; target within 5%), peak memory growth of the
            syncing process (target < 100 MB).
- sqlite:   the same 25,000 calls written through ``SQLiteSink.write`` page by page (one
            transaction per page with its state) versus a bare ``executemany`` of the same
            rows, one transaction per page too (target >= 0.8x).
- postgres: the same against PostgreSQL (``AIRCALL_TEST_POSTGRES_DSN``, default
            ``postgresql://postgres@127.0.0.1:5432/test``), bare = asyncpg ``executemany``.

The fake server runs in a separate process, so the figures are the sync's.
"""

from __future__ import annotations

import asyncio
import math
import os
import resource
import sqlite3
import sys
import tempfile
import time
import uuid
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from bench_client import API_ID, API_TOKEN, fake_process

from aircall_async import AircallClient, RateLimit
from aircall_async.sync import STREAMS, RequestCounter, SQLiteSink, SyncEngine
from aircall_async.sync.streams import column_names
from aircall_async.testing import FakeAircall
from aircall_async.testing.history import make_recent
from aircall_async.testing.routes_calls import render_call

CALLS = 25_000
DSN = os.environ.get("AIRCALL_TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/test")


def recent_fake(*args: str) -> AbstractContextManager[str]:
    """``aircall-async fake`` (calls ending now) in another process; yield its base URL."""
    return fake_process(["aircall_async", "fake"], *args)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def bench_floor() -> bool:
    limit, per = 60, 3.0
    args = ["--calls", str(CALLS), "--contacts", "0", "--rate-limit", str(limit)]
    with recent_fake(*args, "--window", str(per)) as base, tempfile.TemporaryDirectory() as tmp:
        counter = RequestCounter()
        import aiohttp

        async with aiohttp.ClientSession(trace_configs=[counter.trace_config]) as session:
            client = AircallClient(
                api_id=API_ID, api_token=API_TOKEN, base_url=base, session=session,
                rate_limit=RateLimit(limit, per=per),
            )  # fmt: skip
            await client.ping()
            await asyncio.sleep(per)  # a fresh window for the measure
            sink = SQLiteSink(Path(tmp) / "floor.db")
            memory_before = peak_rss_mb()
            started = time.monotonic()
            counter.requests = 0
            progress = await SyncEngine(client, sink, streams=["calls"], counter=counter).run()
            elapsed = time.monotonic() - started
            growth = peak_rss_mb() - memory_before
            await sink.close()
            await client.close()
    pages = math.ceil(CALLS / 50)
    floor = (counter.requests / limit) * per
    ratio = elapsed / floor
    ok = progress.items == CALLS and counter.requests <= pages * 1.02 and ratio <= 1.05
    ok = ok and growth < 100
    print(
        f"floor: {progress.items} calls in {counter.requests} requests (ceil(N/50) = {pages}), "
        f"{elapsed:.1f}s for a budget floor of {floor:.1f}s -> {ratio:.3f}x (target <= 1.05); "
        f"peak memory +{growth:.1f} MB (target < 100) -> {'PASS' if ok else 'FAIL'}"
    )
    return ok


def call_objects() -> list[dict[str, Any]]:
    fake = FakeAircall(calls=CALLS, contacts=100)
    make_recent(fake.state)
    return [render_call(fake.state, c, False) for c in fake.state.calls]


async def bench_sqlite() -> bool:
    stream = STREAMS["calls"]
    objs = call_objects()
    pages = [objs[i : i + 50] for i in range(0, len(objs), 50)]
    with tempfile.TemporaryDirectory() as tmp:
        sink = SQLiteSink(Path(tmp) / "sink.db")
        await sink.open([stream])
        started = time.perf_counter()
        for n, page in enumerate(pages):
            await sink.write(stream, page, {"page": n}, 0)
        sink_rate = len(objs) / (time.perf_counter() - started)
        await sink.close()
        bare_rate = bare_sqlite(Path(tmp) / "bare.db", pages)
    ratio = sink_rate / bare_rate
    ok = ratio >= 0.8
    print(
        f"sqlite: SQLiteSink {sink_rate:,.0f} rows/s; bare executemany of the same rows "
        f"(encoded the same way, one transaction per page): {bare_rate:,.0f} rows/s -> "
        f"{ratio:.2f}x (target >= 0.8) -> {'PASS' if ok else 'FAIL'}"
    )
    return ok


def bare_sqlite(path: Path, pages: list[list[dict[str, Any]]]) -> float:
    stream = STREAMS["calls"]
    names = column_names(stream)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute(f"CREATE TABLE calls ({', '.join(names)}, PRIMARY KEY (id))")
    sql = f"INSERT OR REPLACE INTO calls VALUES ({', '.join('?' for _ in names)})"
    started = time.perf_counter()
    for page in pages:
        db.execute("BEGIN")
        db.executemany(sql, [stream.row(o) for o in page])
        db.execute("COMMIT")
    rate = sum(len(p) for p in pages) / (time.perf_counter() - started)
    db.close()
    return rate


async def bench_postgres() -> bool:
    try:
        import asyncpg  # type: ignore[import-untyped,unused-ignore]
    except ImportError:
        print("postgres: asyncpg is not installed -> SKIP")
        return True
    from aircall_async.sync.postgres import PostgresSink

    stream = STREAMS["calls"]
    objs = call_objects()
    pages = [objs[i : i + 50] for i in range(0, len(objs), 50)]
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(DSN)
    try:
        sink = PostgresSink(DSN, schema=schema)
        await sink.open([stream])
        started = time.perf_counter()
        for n, page in enumerate(pages):
            await sink.write(stream, page, {"page": n}, 0)
        sink_rate = len(objs) / (time.perf_counter() - started)
        await sink.close()
        names = column_names(stream)
        await conn.execute(f'CREATE TABLE "{schema}".bare (LIKE "{schema}".calls INCLUDING ALL)')
        marks = ", ".join(f"${i}" for i in range(1, len(names) + 2))
        updates = ", ".join(f"{n} = excluded.{n}" for n in names[1:])
        sql = (
            f'INSERT INTO "{schema}".bare VALUES ({marks}) ON CONFLICT (id) DO UPDATE SET {updates}'
        )
        started = time.perf_counter()
        for page in pages:
            async with conn.transaction():
                await conn.executemany(sql, [(*stream.row(o), 0) for o in page])
        bare_rate = len(objs) / (time.perf_counter() - started)
    finally:
        await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        await conn.close()
    ratio = sink_rate / bare_rate
    ok = ratio >= 0.8
    print(
        f"postgres: PostgresSink {sink_rate:,.0f} rows/s (one unnest upsert per page); bare "
        f"asyncpg executemany, one transaction per page: {bare_rate:,.0f} rows/s -> "
        f"{ratio:.2f}x (target >= 0.8) -> {'PASS' if ok else 'FAIL'}"
    )
    return ok


BENCHES = {"floor": bench_floor, "sqlite": bench_sqlite, "postgres": bench_postgres}


def main(names: list[str]) -> int:
    results = [asyncio.run(BENCHES[name]()) for name in names or list(BENCHES)]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
