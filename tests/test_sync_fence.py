"""The streams of a shared sync that one process runs (all but calls) are fenced by their
claim: a process that stalled past its lease and lost the stream to another one writes
nothing when it wakes up. Against the fake over loopback, into a real SQLite file and a
real PostgreSQL schema, two sinks (two connections) standing for two processes."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from aircall_async.sync import STREAMS, ClaimLostError, Progress, SQLiteSink, StreamProgress
from aircall_async.sync.shared import Coordination, run_shared
from aircall_async.sync.walkers import Context, sync_full
from aircall_async.testing import FakeAircall

from .sync_support import expected

USERS = STREAMS["users"]
CLAIM = "users:claim"


@pytest.fixture(params=["sqlite", "postgres"])
async def sinks(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[list[Any]]:
    """Two open sinks on one database (two connections: two processes), and a third to
    look with."""
    if request.param == "sqlite":
        made: list[Any] = [SQLiteSink(tmp_path / "fence.db") for _ in range(3)]
        cleanup = None
    else:
        import asyncpg  # type: ignore[import-untyped,unused-ignore]

        from aircall_async.sync.postgres import PostgresSink

        dsn = request.getfixturevalue("postgres_dsn")
        schema = f"aircall_test_{uuid.uuid4().hex[:12]}"
        made = [PostgresSink(dsn, schema=schema) for _ in range(3)]
        cleanup = (asyncpg, dsn, schema)
    for sink in made:
        await sink.open([USERS])
    try:
        yield made
    finally:
        for sink in made:
            await sink.close()
        if cleanup is not None:
            asyncpg, dsn, schema = cleanup
            conn = await asyncpg.connect(dsn)
            await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            await conn.close()


async def rows(sink: Any) -> dict[int, Any]:
    """The users stored, by id (the raw JSON)."""
    import json

    if isinstance(sink, SQLiteSink):
        found = sink.connection.execute("SELECT id, raw FROM users").fetchall()
    else:
        found = await sink._connection().fetch(f'SELECT id, raw::text FROM "{sink.schema}".users')
    return {r[0]: json.loads(r[1]) for r in found}


def context(sink: Any, get: Any) -> Context:
    progress = Progress(streams={"users": StreamProgress()})
    return Context(
        get=get, sink=sink, progress=progress, on_progress=None, now=1_800_000_000,
        since=None, updated_since=None, lag=0, workers=1, per_page=2,
    )  # fmt: skip


async def test_a_process_that_lost_its_stream_writes_nothing_when_it_wakes_up(
    sinks: list[Any],
) -> None:
    sink_a, sink_b, look = sinks
    async with FakeAircall(users=7, rate_limit=None) as fake, fake.client() as client:

        async def get(path: str, params: Mapping[str, Any]) -> Any:
            return await client.request("GET", path, params=params)

        # A first run, by one process: every user stored, sweep 1 done.
        await sync_full(context(look, get), USERS)
        assert await rows(look) == expected(fake, "users")

        stalled, wake = asyncio.Event(), asyncio.Event()
        held: list[int] = []

        async def get_a(path: str, params: Mapping[str, Any]) -> Any:
            body = await get(path, params)
            if params.get("page") == 2:  # A read page 2, then freezes before writing it
                held.extend(u["id"] for u in body["users"])
                stalled.set()
                await wake.wait()
            return body

        co_a = Coordination(sink=sink_a, owner="A", lease=60.0, windows=1)
        task_a = asyncio.ensure_future(run_shared(context(sink_a, get_a), USERS, co_a, sync_full))
        await stalled.wait()
        assert (await sink_a.load_state(USERS)) == {"sweep_no": 2, "open": True}

        # Meanwhile: a user A holds in its page is deleted; A's lease runs out (made so
        # here rather than waited for) and B takes the stream over and finishes it.
        fake.state.users.remove(held[0])
        await sink_b.update_state(CLAIM, lambda s, now: {**(s or {}), "until": now - 1})
        co_b = Coordination(sink=sink_b, owner="B", lease=60.0, windows=1)
        await run_shared(context(sink_b, get), USERS, co_b, sync_full)
        after_b = (await rows(look), await look.load_state(USERS))
        assert after_b[0] == expected(fake, "users") and held[0] not in after_b[0]
        assert after_b[1] == {"sweep_no": 2}

        # A wakes up: its write of page 2 is refused, in the write's own transaction.
        wake.set()
        with pytest.raises(ClaimLostError, match="^users: this process lost its claim") as info:
            await task_a
        assert info.value.stream == "users"
        # B's rows and state intact: the deleted user not brought back, no live one gone;
        # the claim (B's, done) neither released nor marked done by A.
        assert (await rows(look), await look.load_state(USERS)) == after_b
        assert await rows(look) == expected(fake, "users")
        assert set(await _claim(look)) == {"done_at"}


async def _claim(sink: Any) -> dict[str, Any]:
    got: dict[str, Any] = {}

    def peek(state: dict[str, Any] | None, now: float) -> None:
        got.update(state or {})

    await sink.update_state(CLAIM, peek)
    return got


async def test_a_fenced_write_or_sweep_end_checks_the_claim_in_its_transaction(
    sinks: list[Any],
) -> None:
    from aircall_async.sync.fence import claim_guard

    sink, _, look = sinks
    users = [{"id": i, "email": f"u{i}@example.com"} for i in (1, 2, 3)]
    await sink.write(USERS, users, {"sweep_no": 1}, 1)
    await sink.update_state(CLAIM, lambda s, now: {"owner": "A", "until": now + 60})
    # Held: the write commits, the sweep's end deletes what sweep 2 did not see.
    await sink.write(
        USERS, users[:2], {"sweep_no": 2, "open": True}, 2, guard=claim_guard("users", "A")
    )
    assert await sink.finish_sweep(USERS, 2, {"sweep_no": 2}, guard=claim_guard("users", "A")) == 1
    assert sorted(await rows(look)) == [1, 2]
    # Taken over by B: neither A's write nor A's sweep end changes anything.
    await sink.update_state(CLAIM, lambda s, now: {"owner": "B", "until": now + 60})
    guard = claim_guard("users", "A")
    with pytest.raises(ClaimLostError, match="now held by B"):
        await sink.write(USERS, users, {"sweep_no": 3, "open": True}, 3, guard=guard)
    with pytest.raises(ClaimLostError, match="now held by B"):
        await sink.finish_sweep(USERS, 9, {"sweep_no": 9}, guard=guard)
    assert sorted(await rows(look)) == [1, 2]
    assert await look.load_state(USERS) == {"sweep_no": 2}
    # Released (or done): no owner named, still refused; the sink is still usable after.
    await sink.update_state(CLAIM, lambda s, now: {"done_at": now})
    with pytest.raises(ClaimLostError, match="no longer held"):
        await sink.finish_sweep(USERS, 9, {"sweep_no": 9}, guard=guard)
    await sink.write(USERS, users, {"sweep_no": 2}, 2)  # unguarded: not a shared write
    assert sorted(await rows(look)) == [1, 2, 3]
