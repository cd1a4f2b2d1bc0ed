"""One sync spread over several real processes into one database, sharing one budget on a
real Redis (``AIRCALL_TEST_REDIS_DB``'s database, flushed), against the fake over loopback.
The decisions behind it (claims, leases, splits) are pure functions, tested first."""

from __future__ import annotations

import asyncio
import io
import json
import math
import os
import signal
import sqlite3
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from aircall_async._cli_progress import WorkerReporter
from aircall_async._cli_shared import WorkerOutput
from aircall_async.sync import STATE_TABLE, Progress, ProgressFigures, StreamProgress, SyncEngine
from aircall_async.sync.files import JSONLinesSink
from aircall_async.sync.shared import (
    claim_stream,
    claim_window,
    commit_window,
    join_calls,
    renew_window,
)
from aircall_async.testing import FakeAircall
from aircall_async.testing.history import make_recent

from .redis_support import PrivateRedis, fresh_redis_url, private_redis
from .sync_support import assert_same, expected, pages_by_path
from .test_cli import env_for, start

NOW = 1_800_000_000


def planned(windows: int = 2) -> dict[str, Any]:
    state = join_calls(None, now=NOW, since=NOW - 1000, lag=0, windows=windows, db_now=5.0, lease=3)
    assert state is not None
    return state


def test_claims_leases_and_the_commit_that_finishes_the_run() -> None:
    state = planned()
    run_id = state["run"]["id"]
    # Joined before anybody claimed anything: the run just planned is left as it is.
    assert join_calls(state, now=NOW + 5, since=None, lag=0, windows=2, db_now=6.0, lease=3) is None
    a, first, _ = claim_window(state, run_id=run_id, owner="a", now=10.0, lease=3)
    b, second, _ = claim_window(a, run_id=run_id, owner="b", now=10.0, lease=3)
    assert (first, second) == (0, 1) and b is not None
    # A process that joins now finds the run under way: nothing changes.
    assert join_calls(b, now=NOW + 5, since=None, lag=0, windows=2, db_now=11.0, lease=3) is None
    # Everybody gone (leases out): a rerun continues the run, plus what started since.
    later = join_calls(b, now=NOW + 5, since=None, lag=0, windows=2, db_now=99.0, lease=3)
    assert later is not None and later["run"]["id"] == run_id
    assert later["run"]["windows"][-1] == [NOW + 1, NOW + 5, NOW + 1]
    assert later["run"]["to"] == NOW + 5 and later["run"]["claims"][-1] is None
    # "b" goes silent; "a" is stalled past its lease too: "c" takes a window over ...
    c, taken, _ = claim_window(b, run_id=run_id, owner="c", now=14.0, lease=3)
    assert taken == 0 and c is not None and c["run"]["claims"][0][0] == "c"
    # ... and the page "a" read meanwhile is dropped, never written over c's.
    assert commit_window(c, run_id=run_id, index=0, owner="a", pos=NOW, now=14, lease=3) is None
    assert renew_window(c, run_id=run_id, index=0, owner="a", now=14, lease=3) is None
    lo, hi, _ = c["run"]["windows"][0]
    d = commit_window(c, run_id=run_id, index=0, owner="c", pos=lo + 7, now=15, lease=3)
    assert d is not None and d["run"]["windows"][0] == [lo, hi, lo + 7]
    d = commit_window(d, run_id=run_id, index=0, owner="c", pos=None, now=15, lease=3)
    assert d is not None and d["run"]["claims"][0] is None and d["run"] is not None
    d, taken, _ = claim_window(d, run_id=run_id, owner="c", now=15.0, lease=3)
    assert taken == 1 and d is not None
    end = commit_window(d, run_id=run_id, index=1, owner="c", pos=None, now=16, lease=3)
    # The last window done: the run is finished, once, and high_water set.
    assert end == {"high_water": NOW, "run": None}
    assert claim_window(end, run_id=run_id, owner="a", now=16.0, lease=3) == (None, None, True)


def test_an_idle_process_takes_the_upper_half_of_the_largest_window() -> None:
    state = planned(windows=1)
    run_id = state["run"]["id"]
    state, _, _ = claim_window(state, run_id=run_id, owner="a", now=1.0, lease=60)
    lo, hi, _ = state["run"]["windows"][0]  # type: ignore[index]
    split, index, finished = claim_window(state, run_id=run_id, owner="b", now=2.0, lease=60)
    assert split is not None and index == 1 and not finished
    middle = lo + (hi - lo + 1) // 2
    assert split["run"]["windows"] == [[lo, middle - 1, lo], [middle, hi, middle]]
    # The holder of the lower half reads past its new end: its window is done there.
    done = commit_window(split, run_id=run_id, index=0, owner="a", pos=middle + 3, now=3, lease=60)
    assert done is not None and done["run"]["claims"][0] is None
    # A window too short to halve is left alone: the idle process waits.
    tiny = join_calls(None, now=NOW, since=NOW - 30, lag=0, windows=1, db_now=1.0, lease=9)
    tiny, _, _ = claim_window(tiny, run_id=tiny["run"]["id"], owner="a", now=1, lease=9)  # type: ignore[index]
    assert claim_window(tiny, run_id=tiny["run"]["id"], owner="b", now=2, lease=9) == (  # type: ignore[index]
        None, None, False,
    )  # fmt: skip


def test_a_stream_is_run_by_one_process_and_skipped_once_done() -> None:
    held, claim = claim_stream(None, owner="a", now=10, lease=5, joined=10)
    assert claim == "mine" and held == {"owner": "a", "until": 15}
    assert claim_stream(held, owner="b", now=12, lease=5, joined=9) == (None, "wait")
    assert claim_stream(held, owner="b", now=16, lease=5, joined=9)[1] == "mine"  # a died
    assert claim_stream({"done_at": 12}, owner="b", now=13, lease=5, joined=9) == (None, "skip")
    # Done before this process's run was planned: done again (a new run).
    assert claim_stream({"done_at": 8}, owner="b", now=13, lease=5, joined=9)[1] == "mine"


async def test_a_sink_without_update_state_cannot_be_shared() -> None:
    async with FakeAircall(calls=1, rate_limit=None) as fake, fake.client() as client:
        with pytest.raises(ValueError, match="cannot be shared"):
            SyncEngine(client, JSONLinesSink(io.StringIO()), shared=True)
        with pytest.raises(ValueError, match="lease"):
            SyncEngine(client, JSONLinesSink(io.StringIO()), shared=True, lease=0)


# -- real processes ----------------------------------------------------------------------


def shared_args(fake: FakeAircall, db: str, rate: str, *more: str) -> list[str]:
    base = ["sync", "--base-url", str(fake.base_url), "--rate-limit", rate, "--db", db]
    return [*base, "--lease", "2", "--json", *more]


def calls_queries(fake: FakeAircall) -> tuple[int, int]:
    """GET /calls pages received, and how many of them began a query (page 1)."""
    calls = [r for r in fake.requests if r.path == "/calls"]
    return len(calls), sum(1 for r in calls if r.query.get("page") == "1")


@pytest.mark.slow
async def test_three_processes_one_sqlite_file_one_budget(redis_url: str, tmp_path: Path) -> None:
    db = tmp_path / "shared.db"
    url = fresh_redis_url(redis_url)
    fake = FakeAircall(calls=10_300, contacts=300, rate_limit=150, window=1.0)
    make_recent(fake.state)
    async with fake:
        args = shared_args(fake, str(db), "120/1", "--processes", "3", "--redis-url", url)
        proc = await start(args, env_for(fake))
        out, err = await proc.communicate()
        assert proc.returncode == 0, err.decode()
        summary = json.loads(out)
        assert_same(db, fake)
        pages, queries = calls_queries(fake)
    assert summary["status"] == "ok" and summary["processes"] == 3
    # The first process's last line adds up the three (the workers send it their figures).
    final = err.decode().strip().splitlines()[-1]
    assert final.startswith("done: ") and f" {summary['items']:,} items" in final, final
    assert f" {summary['pages']:,} pages" in final, final
    # Done: no page left anywhere, so a full bar and no ETA (windows another process took
    # over or split off are no longer counted by the one that started them).
    assert "[" + "#" * 24 + "]" in final and "ETA" not in final, final
    assert summary["rate_limited"] == 0  # one budget for the three: no 429
    # Past the cap (more than one query per window); one extra page per query at most.
    single = math.ceil(10_300 / 50)
    assert pages <= single + queries and pages <= single * 1.1, (pages, queries)
    by_path = pages_by_path(fake)
    for small in ("/v2/users", "/teams", "/numbers", "/tags", "/webhooks"):
        assert by_path[small] == 1, small  # one process did each
    assert by_path["/contacts"] == math.ceil(300 / 50)
    with sqlite3.connect(db) as conn:
        (state,) = conn.execute(
            f"SELECT state FROM {STATE_TABLE} WHERE stream = 'calls'"
        ).fetchone()
    assert json.loads(state)["run"] is None and json.loads(state)["high_water"] > 0


def calls_run(db: Path) -> dict[str, Any] | None:
    """The calls run in the state table (None before the sync made it, or between runs)."""
    if not db.exists():
        return None
    try:
        with sqlite3.connect(db) as conn:
            row = conn.execute(f"SELECT state FROM {STATE_TABLE} WHERE stream = 'calls'").fetchone()
    except sqlite3.OperationalError:  # no table yet, or the writers' lock held too long
        return None
    run: dict[str, Any] | None = json.loads(row[0]).get("run") if row else None
    return run


def unfinished_claims(db: Path) -> list[tuple[list[int], str]]:
    """(window, owner) for each unfinished window of the calls run that a process holds."""
    run = calls_run(db) or {"windows": [], "claims": []}
    return [
        (w, c[0]) for w, c in zip(run["windows"], run["claims"], strict=True)
        if c and w[2] <= w[1]
    ]  # fmt: skip


def held_by(db: Path, pid: int) -> list[list[int]]:
    """The unfinished windows of the calls run that process ``pid`` holds."""
    return [w for w, owner in unfinished_claims(db) if f":{pid}:" in owner]


def claimants(db: Path) -> set[str]:
    """The processes holding an unfinished window of the calls run."""
    return {owner for _, owner in unfinished_claims(db)}


@pytest.mark.slow
async def test_a_killed_process_window_is_taken_over_after_its_lease(
    redis_url: str, tmp_path: Path
) -> None:
    db = tmp_path / "killed.db"
    url = fresh_redis_url(redis_url)
    fake = FakeAircall(calls=6_000, contacts=100, rate_limit=None)
    make_recent(fake.state)
    async with fake:
        args = shared_args(fake, str(db), "60/1", "--shared", "--windows", "3", "--redis-url", url)
        procs = [await start(args, env_for(fake)) for _ in range(3)]
        victim = procs[0]
        # Mid-run, while the victim holds a window it has not finished.
        while calls_queries(fake)[0] < 40 or not held_by(db, victim.pid):
            assert victim.returncode is None and calls_queries(fake)[0] < 110, "never held one"
            await asyncio.sleep(0.01)
        assert victim.returncode is None
        victim.send_signal(signal.SIGKILL)
        await victim.communicate()
        for proc in procs[1:]:
            out, err = await proc.communicate()
            assert proc.returncode == 0, err.decode()
            assert json.loads(out)["status"] == "ok"
        assert_same(db, fake)  # nothing lost; the primary key: nothing doubled
        pages, queries = calls_queries(fake)
    assert pages <= math.ceil(6_000 / 50) + queries + 1, (pages, queries)


async def test_worker_output_is_read_as_it_comes_and_garbage_skipped() -> None:
    figures = ProgressFigures(items=7, pages=2, pages_left=3, under_way=("calls",))
    lines = [
        "not json",
        "[1, 2]",
        json.dumps({"progress": "garbled"}),
        json.dumps({"progress": figures.as_dict()}),
        "x" * 100_000,  # past the reader's line limit: the rest is drained unread
        json.dumps({"status": "ok", "items": 7}),
    ]
    script = "import sys; sys.stdout.write(sys.argv[1])"
    writer = await asyncio.create_subprocess_exec(
        sys.executable, "-c", script, "\n".join(lines[:4]) + "\n",
        stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    drained = await asyncio.create_subprocess_exec(
        sys.executable, "-c", script, "\n".join(lines[4:]) + "\n",
        stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    seen: list[int] = []
    output = WorkerOutput([writer, drained], on_progress=lambda: seen.append(1))
    ended = await asyncio.wait_for(output.collect(), 30)
    assert output.figures() == [figures] and seen == [1]
    assert ended == [(0, {}), (0, {})]  # the summary after the overlong line was dropped
    summary_only = await asyncio.create_subprocess_exec(
        sys.executable, "-c", script, lines[-1] + "\n", stdout=asyncio.subprocess.PIPE
    )
    assert await WorkerOutput([summary_only]).collect() == [(0, {"status": "ok", "items": 7})]


def test_a_worker_whose_first_process_is_gone_goes_on_without_reporting() -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # the first process died: nobody reads the worker's stdout
    with open(write_end, "w") as stream:
        reporter = WorkerReporter(interval=0.0, stream=stream)
        progress = Progress(streams={"calls": StreamProgress(items=50, pages=1)})
        reporter(progress)  # the broken pipe is absorbed, not raised into the sync
        reporter(progress)
        reporter.finish(progress)
        print(json.dumps({"status": "ok"}), file=stream, flush=True)  # the summary too


@pytest.fixture
def own_redis() -> Iterator[PrivateRedis]:
    yield from private_redis()


@pytest.mark.slow
async def test_every_process_goes_on_with_its_share_when_redis_goes_away(
    own_redis: PrivateRedis, tmp_path: Path
) -> None:
    db = tmp_path / "outage.db"
    fake = FakeAircall(calls=12_000, contacts=100, rate_limit=None)
    make_recent(fake.state)
    async with fake:
        args = shared_args(fake, str(db), "40/1", "--processes", "2", "--redis-url", own_redis.url)
        proc = await start(args, env_for(fake))
        # Mid-run: both processes hold a calls window (both use Redis) when it dies. (The
        # worker may take seconds to start on a busy machine: 240 pages at 40 a second.)
        while len(claimants(db)) < 2:
            assert proc.returncode is None and calls_queries(fake)[0] < 200, "never both"
            await asyncio.sleep(0.01)
        own_redis.kill()
        out, err = await proc.communicate()
        assert proc.returncode == 0, err.decode()
        assert_same(db, fake)
    summary = json.loads(out)
    assert summary["status"] == "ok" and summary["processes"] == 2
    # Both processes (the first and the worker it started) went on with half the budget
    # each, rather than the worker failing on its first request without Redis.
    assert err.decode().count("falls back to 20 per 1s in this process") == 2, err.decode()


@pytest.mark.slow
async def test_two_processes_share_one_postgres_schema(redis_url: str, postgres_dsn: str) -> None:
    import asyncpg  # type: ignore[import-untyped,unused-ignore]

    url = fresh_redis_url(redis_url)
    schema = f"aircall_test_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(postgres_dsn)
    fake = FakeAircall(calls=1_500, contacts=60, rate_limit=None)
    make_recent(fake.state)
    try:
        async with fake:
            args = shared_args(fake, postgres_dsn, "100/1", "--schema", schema, "--redis-url", url)
            proc = await start([*args, "--processes", "2", "--workers", "2"], env_for(fake))
            out, err = await proc.communicate()
            assert proc.returncode == 0, err.decode()
            for stream in ("calls", "contacts", "users"):
                records = await conn.fetch(f'SELECT id, raw::text FROM "{schema}"."{stream}"')
                assert {r[0]: json.loads(r[1]) for r in records} == expected(fake, stream)
        assert json.loads(out)["processes"] == 2
    finally:
        await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        await conn.close()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--processes", "3"], "--processes 3 needs one rate budget shared"),
        (["--shared"], "--shared needs one rate budget shared"),
        (["--processes", "0"], "integer >= 1"),
        (["--lease", "-1"], "seconds > 0"),
        (["--processes", "2", "--redis-url", "redis://:hunter2@127.0.0.1:1/0"], "cannot reach"),
        (["--redis-url", "http://nope"], "not a Redis URL"),
        (["--shared", "--expected-processes", "3"], "--shared needs one rate budget shared"),
        (["--expected-processes", "3"], "--expected-processes is the share of a budget on Redis"),
        (["--expected-processes", "0"], "integer >= 1"),
    ],
)
def test_shared_usage_errors_exit_2_with_one_line(
    argv: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    from aircall_async.cli import main

    monkeypatch.setenv("AIRCALL_ACCESS_TOKEN", "token-from-env")
    monkeypatch.delenv("AIRCALL_REDIS_URL", raising=False)
    status = main(["sync", "--db", str(tmp_path / "x.db"), *argv])
    err = capsys.readouterr().err
    assert status == 2
    assert err.count("\n") == 1 and message in err and "hunter2" not in err, err
    assert list(tmp_path.iterdir()) == []
