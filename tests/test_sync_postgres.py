"""The PostgreSQL sink against a real server (the ``postgres_dsn`` fixture: 127.0.0.1:5432,
database ``test``, trust auth, or ``AIRCALL_TEST_POSTGRES_DSN``); skipped with the reason
when none answers, failed instead under CI."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from aircall_async.sync import Progress, SinkError, SyncEngine
from aircall_async.sync.postgres import PostgresSink
from aircall_async.testing import FakeAircall
from aircall_async.testing.history import make_recent

from .sync_support import expected


@pytest.fixture
async def schema(postgres_dsn: str) -> AsyncIterator[tuple[Any, str]]:
    """A connection and the name of a schema of this test's own, dropped at the end."""
    import asyncpg  # type: ignore[import-untyped,unused-ignore]

    conn = await asyncpg.connect(postgres_dsn)
    name = f"aircall_test_{uuid.uuid4().hex[:12]}"
    try:
        yield conn, name
    finally:
        await conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
        await conn.close()


@pytest.fixture
def dsn(postgres_dsn: str) -> str:
    return postgres_dsn


async def rows(conn: Any, name: str, stream: str) -> dict[int, Any]:
    records = await conn.fetch(f'SELECT id, raw::text FROM "{name}"."{stream}"')
    return {r[0]: json.loads(r[1]) for r in records}


async def run(fake: FakeAircall, sink: PostgresSink, **kwargs: Any) -> Progress:
    try:
        async with fake.client() as client:
            return await SyncEngine(client, sink, **kwargs).run()
    finally:
        await sink.close()


async def test_postgres_sink_syncs_resumes_and_deletes(schema: tuple[Any, str], dsn: str) -> None:
    conn, name = schema
    fake = FakeAircall(calls=1_200, contacts=300, rate_limit=None)
    make_recent(fake.state)
    async with fake:
        holder: dict[str, asyncio.Future[Any]] = {}

        def cut(progress: Progress) -> None:
            if progress.pages == 9:
                holder["task"].cancel()

        holder["task"] = asyncio.ensure_future(
            run(fake, PostgresSink(dsn, schema=name), on_progress=cut)
        )
        with pytest.raises(asyncio.CancelledError):
            await holder["task"]
        await run(fake, PostgresSink(dsn, schema=name))
        for stream in ("calls", "contacts", "users", "tags"):
            assert await rows(conn, name, stream) == expected(fake, stream), stream
        typed = await conn.fetchrow(
            f'SELECT started_at, direction, user_id, number_id FROM "{name}".calls '
            "ORDER BY id LIMIT 1"
        )
        first = next(iter(fake.state.calls))
        assert tuple(typed) == (
            first["started_at"],
            first["direction"],
            (first["user"] or {}).get("id"),
            (first["number"] or {}).get("id"),
        )
        gone = list(fake.state.contacts)[:3]
        for contact in gone:
            fake.state.contacts.remove(contact["id"])
        progress = await run(fake, PostgresSink(dsn, schema=name), streams=["contacts"])
        assert progress.streams["contacts"].deleted == 3
        assert await rows(conn, name, "contacts") == expected(fake, "contacts")
        state = await conn.fetchval(
            f"SELECT state::text FROM \"{name}\"._aircall_sync_state WHERE stream = 'calls'"
        )
        assert json.loads(state)["run"] is None


async def test_postgres_sink_errors_are_clear() -> None:
    with pytest.raises(ValueError, match="plain identifier"):
        PostgresSink("postgresql://127.0.0.1/test", schema='x"; DROP TABLE y; --')
    sink = PostgresSink("postgresql://nobody:secret-pw@127.0.0.1:1/none")
    with pytest.raises(SinkError) as info:
        await sink.open([])
    assert "secret-pw" not in str(info.value) and "secret-pw" not in repr(sink)
    with pytest.raises(SinkError, match="not open"):
        await sink.count(next(iter(__import__("aircall_async.sync").sync.STREAMS.values())))


async def test_cli_syncs_into_postgres(schema: tuple[Any, str], dsn: str) -> None:
    from .test_cli import FAST, cli

    conn, name = schema
    fake = FakeAircall(calls=150, contacts=20, rate_limit=None)
    make_recent(fake.state)
    async with fake:
        args = ["sync", "--base-url", str(fake.base_url), *FAST, "--db", dsn, "--schema", name]
        status, _, err = await cli(args, fake)
        assert status == 0, err
        assert await rows(conn, name, "calls") == expected(fake, "calls")
        status, _, err = await cli([*args[:-1], "bad-name;"], fake)
        assert status == 2 and "--schema" in err
