"""Bad input to the sinks never crashes: a corrupt stored state, another program's tables
(SQLite or PostgreSQL) and a malformed PostgreSQL DSN each raise a SinkError naming what
was wrong (never a password), which the command line turns into one line and exit 2.
PostgreSQL tests use the ``postgres_dsn`` fixture (skipped without a server, failed under
CI) and a schema of their own, dropped at the end."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from aircall_async.sync import STATE_TABLE, SinkError, SQLiteSink, SyncEngine
from aircall_async.sync.media import MediaDownloader
from aircall_async.sync.postgres import PostgresSink
from aircall_async.sync.state import plan_calls
from aircall_async.sync.streams import STREAMS
from aircall_async.testing import FakeAircall
from aircall_async.testing.history import make_recent

CALLS = STREAMS["calls"]
NOW = 1_700_000_000


def recent() -> FakeAircall:
    fake = FakeAircall(calls=40, contacts=5, rate_limit=None)
    make_recent(fake.state)
    return fake


def set_state(db: Path, stream: str, text: str) -> None:
    """Store ``text`` as ``stream``'s state, as another program (or a hand edit) would."""
    con = sqlite3.connect(db)
    con.execute(
        f"INSERT OR REPLACE INTO {STATE_TABLE} (stream, state) VALUES (?, ?)", (stream, text)
    )
    con.commit()
    con.close()


@pytest.mark.parametrize("text", ["not json", "[1, 2]", "null", "1e400"])
async def test_sqlite_corrupt_state_is_a_sink_error_naming_the_stream(
    tmp_path: Path, text: str
) -> None:
    db = tmp_path / "s.db"
    sink = SQLiteSink(db)
    await sink.open([CALLS])
    set_state(db, "calls", text)  # after open: load_state reads it
    with pytest.raises(SinkError, match="state of 'calls' .* is corrupt"):
        await sink.load_state(CALLS)
    await sink.close()
    with pytest.raises(SinkError, match="state of 'calls' .* is corrupt"):
        await sink.open([CALLS])  # refused before anything is fetched
    with pytest.raises(SinkError, match="not open"):
        sink.connection  # noqa: B018 - open closed what it opened


async def test_cli_on_a_corrupt_state_prints_one_line_and_exits_2(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    async with recent() as fake:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AIRCALL_")}
        env.update(AIRCALL_API_ID=fake.api_id, AIRCALL_API_TOKEN=fake.api_token)
        args = ["sync", "--base-url", str(fake.base_url), "--rate-limit", "1000000/1"]
        args += ["--db", str(db), "--streams", "calls"]
        statuses = []
        for corrupt in (False, True):
            if corrupt:
                set_state(db, "calls", "not json")
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "aircall_async", *args, env=env,
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            )  # fmt: skip
            _, err = await proc.communicate()
            statuses.append(proc.returncode)
    text = err.decode()
    assert statuses == [0, 2], text
    assert text.count("\n") == 1 and "'calls'" in text and "corrupt" in text, text


@pytest.mark.parametrize(
    "run",
    [{"windows": [[1, 2, 3]]}, {"to": "x", "windows": []}, {"to": float("inf"), "windows": []}],
    ids=["no-to", "text-to", "infinite-to"],
)
def test_calls_run_without_an_integer_bound_is_a_sink_error(run: dict[str, Any]) -> None:
    with pytest.raises(SinkError, match="state of 'calls' is corrupt"):
        plan_calls({"run": run}, now=NOW, since=None, lag=3600, workers=1)
    plan = plan_calls(
        {"run": {"to": NOW - 10, "windows": []}}, now=NOW, since=None, lag=0, workers=1
    )
    assert plan.to == NOW  # a valid run still continues


async def test_recordings_on_another_programs_sqlite_file_is_a_sink_error(tmp_path: Path) -> None:
    db = tmp_path / "other.db"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE calls (id INTEGER PRIMARY KEY, name TEXT)")
    con.commit()
    con.close()
    async with recent() as fake, fake.client() as client:
        sink = SQLiteSink(db)
        try:
            with pytest.raises(SinkError, match=r"reading the calls .*other\.db: .*recording"):
                await MediaDownloader(client, sink, tmp_path).run()
        finally:
            await sink.close()


@pytest.fixture
async def schema(postgres_dsn: str) -> AsyncIterator[tuple[Any, str]]:
    """A connection and the name of a schema of this test's own, dropped at the end."""
    import asyncpg  # type: ignore[import-untyped,unused-ignore]

    conn = await asyncpg.connect(postgres_dsn)
    name = f"aircall_test_{uuid.uuid4().hex[:12]}"
    await conn.execute(f'CREATE SCHEMA "{name}"')
    try:
        yield conn, name
    finally:
        await conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
        await conn.close()


async def test_postgres_foreign_table_is_a_sink_error(
    schema: tuple[Any, str], postgres_dsn: str
) -> None:
    conn, name = schema
    await conn.execute(f'CREATE TABLE "{name}".users (x text)')
    sink = PostgresSink(postgres_dsn, schema=name)
    try:
        async with recent() as fake, fake.client() as client:
            with pytest.raises(SinkError, match=rf"writing users in schema '{name}'.*Undefined"):
                await SyncEngine(client, sink, streams=["users"]).run()
        await sink.open([STREAMS["users"]])
        with pytest.raises(SinkError, match="finishing the sweep of users"):
            await sink.finish_sweep(STREAMS["users"], 1, {})
    finally:
        await sink.close()


@pytest.mark.parametrize("state", ["[1, 2]", '"text"'])
async def test_postgres_corrupt_or_foreign_state_table_is_a_sink_error(
    schema: tuple[Any, str], postgres_dsn: str, state: str
) -> None:
    conn, name = schema
    sink = PostgresSink(postgres_dsn, schema=name)
    await sink.open([CALLS])
    await sink.close()
    await conn.execute(
        f'INSERT INTO "{name}".{STATE_TABLE} (stream, state) VALUES ($1, $2::jsonb)', "calls", state
    )
    with pytest.raises(SinkError, match="state of 'calls' .* is corrupt"):
        await sink.open([CALLS])
        await sink.load_state(CALLS)
    await conn.execute(f'DROP TABLE "{name}".{STATE_TABLE}')
    await conn.execute(f'CREATE TABLE "{name}".{STATE_TABLE} (x text)')  # another program's
    with pytest.raises(SinkError, match="UndefinedColumnError"):
        await sink.open([CALLS])
        await sink.load_state(CALLS)
    await sink.close()


@pytest.mark.parametrize(
    "dsn",
    [
        "postgresql://u:SeCrEtPw@127.0.0.1:notaport/test",
        "postgresql://u:SeCrEtPw@127.0.0.1:99999/test",
        "postgresql://u:SeCrEtPw@127.0.0.1:5432/test?sslmode=bogus",
        "postgres://u:SeCrEtPw@[::1/test",
        "postgresql://u@127.0.0.1:5432/test?password=SeCrEtPw&sslmode=bogus",
    ],
)
async def test_malformed_dsn_is_a_sink_error_without_its_password(dsn: str) -> None:
    sink = PostgresSink(dsn, schema="never_created")
    with pytest.raises(SinkError, match="cannot connect") as caught:
        await sink.open([CALLS])
    assert "SeCrEtPw" not in str(caught.value) and "\n" not in str(caught.value)
    assert "127.0.0.1" in str(caught.value) or "::1" in str(caught.value)  # which server
