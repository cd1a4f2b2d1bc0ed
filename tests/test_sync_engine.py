"""The sync engine over loopback against the fake server, in process."""

from __future__ import annotations

import asyncio
import math
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest

from aircall_async.sync import (
    RETENTION,
    STATE_TABLE,
    Progress,
    SinkError,
    SQLiteSink,
    SyncEngine,
    SyncError,
    render_line,
)
from aircall_async.testing import FakeAircall
from aircall_async.testing.history import forget_older_than, make_recent, settle_call

from .sync_support import assert_same, pages_by_path, stored

DAY = 86_400


def recent_fake(calls: int, contacts: int, **kwargs: Any) -> FakeAircall:
    fake = FakeAircall(calls=calls, contacts=contacts, rate_limit=None, **kwargs)
    make_recent(fake.state)
    return fake


async def run(fake: FakeAircall, db: Path, **kwargs: Any) -> Progress:
    sink = SQLiteSink(db)
    try:
        async with fake.client() as client:
            return await SyncEngine(client, sink, **kwargs).run()
    finally:
        await sink.close()


def file_bytes(*paths: Path) -> bytes:
    return b"".join(p.read_bytes() for p in paths if p.exists())


def add_webhook(fake: FakeAircall) -> None:
    wid = fake.state.next_id("webhook", 1001)
    fake.state.webhooks.add(
        {
            "id": wid,
            "webhook_id": f"c2501111-8a69-4342-bb34-{wid:012d}",
            "created_at": "2020-04-01T15:56:18.000Z",
            "url": "https://example.com/hook",
            "active": True,
            "token": "secret-webhook-token",
            "events": ["call.created"],
        }
    )


@pytest.mark.slow
async def test_past_the_cap_the_tables_equal_the_fake_and_a_second_run_reads_only_the_lag(
    tmp_path: Path,
) -> None:
    db = tmp_path / "a.db"
    async with recent_fake(10_200, 300) as fake:
        add_webhook(fake)
        seen: list[int] = []
        progress = await run(fake, db, on_progress=lambda p: seen.append(p.items))
        assert_same(db, fake)
        assert progress.streams["calls"].items == 10_200
        assert seen == sorted(seen) and seen[-1] == progress.items
        # Past the cap: more than one query, none asking for a page beyond it.
        calls = [r for r in fake.requests if r.path == "/calls"]
        assert max(int(r.query["page"]) * int(r.query["per_page"]) for r in calls) <= 10_000
        assert len(calls) <= math.ceil(10_200 / 50) + 2
        assert b"secret-webhook-token" not in file_bytes(db, Path(f"{db}-wal"))
        with sqlite3.connect(db) as conn:
            typed = conn.execute(
                "SELECT started_at, direction, status, duration, user_id, number_id "
                "FROM calls ORDER BY id LIMIT 1"
            ).fetchone()
        first = next(iter(fake.state.calls))
        assert typed == (
            first["started_at"],
            first["direction"],
            first["status"],
            first["duration"],
            (first["user"] or {}).get("id"),
            (first["number"] or {}).get("id"),
        )

        fake.requests.clear()
        await run(fake, db)
        by_path = pages_by_path(fake)
        lag_calls = len(fake.state.calls.view(int(time.time()) - DAY - 120, None))
        assert by_path["/calls"] <= math.ceil(lag_calls / 50) + 1
        assert by_path["/contacts"] == 1
        for small in ("/v2/users", "/teams", "/numbers", "/tags", "/webhooks"):
            assert by_path[small] == 1
        assert_same(db, fake)


async def test_changes_between_runs_are_picked_up(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    async with recent_fake(600, 300) as fake:
        state = fake.state
        await run(fake, db)
        assert_same(db, fake)
        now = state.timestamp()
        # A live call ends, gets tagged, and its start moves back a second.
        live = next(c for c in reversed(list(state.calls)) if c["status"] == "answered")
        state.calls.remove(live["id"])
        live.update(status="done", ended_at=now, duration=now - live["started_at"] + 1)
        live["started_at"] -= 1
        live["tags"] = [{"id": 679, "name": "Feedback", "created_at": now, "tagged_by": None}]
        state.calls.add(live)
        # An older call settles (cost, duration, start moved a second), inside the lag window.
        settled = list(state.calls)[-40]
        settle_call(state, settled["id"])
        # New calls after the last run.
        for i in range(3):
            new = dict(live, id=state.next_id("call"), started_at=now - 10 + i, status="done")
            state.calls.add(new)
        # Contacts: one updated, two deleted; a tag renamed.
        contacts = list(state.contacts)
        contacts[10].update(first_name="Renamed", updated_at=now + 5)
        state.contacts.remove(contacts[20]["id"])
        state.contacts.remove(contacts[30]["id"])
        next(iter(state.tags))["name"] = "Renamed tag"
        fake.requests.clear()
        progress = await run(fake, db)
        assert_same(db, fake)
        assert progress.streams["contacts"].deleted == 2
        assert stored(db, "contacts")[contacts[10]["id"]]["first_name"] == "Renamed"
        assert stored(db, "calls")[settled["id"]]["pricing_type"] == "in_bundle"


async def test_contacts_pages_shifting_under_the_walk_lose_nothing(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    async with recent_fake(0, 400) as fake:
        state = fake.state
        newest_first = sorted(state.contacts, key=lambda c: (c["updated_at"], c["id"]))[::-1]
        done = {"shifted": False}

        def shift(progress: Progress) -> None:
            # After the first page: delete contacts already read (the rest moves up) and
            # update one not read yet (it moves to the top, already walked past).
            if progress.streams["contacts"].pages == 1 and not done["shifted"]:
                done["shifted"] = True
                for contact in newest_first[:5]:
                    state.contacts.remove(contact["id"])
                newest_first[300]["updated_at"] = state.timestamp()
                newest_first[300]["first_name"] = "Moved"

        await run(fake, db, streams=["contacts"], on_progress=shift)
        # Nothing missed in the walk but the one updated after it began (next walk's job).
        moved = newest_first[300]["id"]
        missing = {c["id"] for c in state.contacts} - set(stored(db, "contacts"))
        assert missing <= {moved}
        await run(fake, db, streams=["contacts"])
        assert_same(db, fake, ("contacts",))


async def test_a_cancelled_run_continues_where_it_committed(tmp_path: Path) -> None:
    db = tmp_path / "k.db"
    async with recent_fake(1_500, 300) as fake:
        clean = tmp_path / "clean.db"
        await run(fake, clean)
        clean_pages = pages_by_path(fake)
        fake.requests.clear()
        for stop_at in (5, 13, 29):
            holder: dict[str, asyncio.Future[Any]] = {}

            def cut(progress: Progress, at: int = stop_at, holder: Any = holder) -> None:
                if progress.pages == at:
                    holder["task"].cancel()

            holder["task"] = asyncio.ensure_future(run(fake, db, on_progress=cut))
            with pytest.raises(asyncio.CancelledError):
                await holder["task"]
        await run(fake, db)
        assert_same(db, fake)
        total = pages_by_path(fake)
        for path in ("/calls", "/contacts"):
            assert total[path] <= clean_pages[path] + 3 * 3, path


async def test_workers_split_the_calls_and_the_state_merges(tmp_path: Path) -> None:
    db = tmp_path / "w.db"
    async with recent_fake(4_000, 10) as fake:
        await run(fake, db, streams=["calls"], workers=4)
        assert_same(db, fake, ("calls",))
        windows = {(r.query["from"], r.query["to"]) for r in fake.requests if r.path == "/calls"}
        assert len(windows) >= 4
        with sqlite3.connect(db) as conn:
            (state,) = conn.execute(
                f"SELECT state FROM {STATE_TABLE} WHERE stream='calls'"
            ).fetchone()
        assert '"run": null' in state


async def test_calls_older_than_the_horizon_are_not_asked_for(tmp_path: Path) -> None:
    recent = recent_fake(300, 0)
    # Half the calls are older than the API's horizon and answer nothing; the rest sync.
    spread = list(recent.state.calls)
    assert forget_older_than(recent.state, 0, now=spread[150]["started_at"]) == 150
    with pytest.raises(KeyError):
        settle_call(recent.state, spread[0]["id"])
    async with recent:
        await run(recent, tmp_path / "r.db", streams=["calls"])
        assert_same(tmp_path / "r.db", recent, ("calls",))
    async with FakeAircall(calls=200, contacts=0, rate_limit=None) as fake:
        # The seed's calls are from 2023: far past the retention horizon.
        before = int(time.time())
        await run(fake, tmp_path / "h.db", streams=["calls"], since="2020-01-01")
        first = next(r for r in fake.requests if r.path == "/calls")
        assert int(first.query["from"]) >= before - RETENTION - 1
        assert stored(tmp_path / "h.db", "calls") == {}


async def test_bad_inputs_raise_clear_errors(tmp_path: Path) -> None:
    async with recent_fake(10, 5) as fake, fake.client() as client:
        sink = SQLiteSink(tmp_path / "x.db")
        with pytest.raises(ValueError, match="unknown stream"):
            SyncEngine(client, sink, streams=["calls", "nope"])
        with pytest.raises(ValueError, match="not a date"):
            SyncEngine(client, sink, since="yesterday")
        with pytest.raises(ValueError, match="workers"):
            SyncEngine(client, sink, workers=0)
        with pytest.raises(ValueError, match="lag"):
            SyncEngine(client, sink, lag=-1)
        with pytest.raises(SinkError, match="cannot open"):
            await SyncEngine(client, SQLiteSink(tmp_path / "no" / "x.db")).run()
        (tmp_path / "junk.db").write_bytes(b"not a database" * 100)
        with pytest.raises(SinkError):
            await SyncEngine(client, SQLiteSink(tmp_path / "junk.db")).run()
        fake.fail("/tags", status=200, body={"oops": []})
        with pytest.raises(SyncError, match="'tags' list"):
            await SyncEngine(client, sink, streams=["tags", "users"]).run()
        engine_sink = SQLiteSink(tmp_path / "x.db")
        await engine_sink.open([])
        with sqlite3.connect(tmp_path / "x.db") as conn:
            assert conn.execute("SELECT count(*) FROM users").fetchone()[0] == 5
        await engine_sink.close()


def test_progress_line_shows_counts_and_eta() -> None:
    from aircall_async.sync import StreamProgress

    progress = Progress(
        streams={"calls": StreamProgress(items=500, pages=10, pages_left={"w": 30})}, rate=1.0
    )
    line = render_line(progress)
    assert "500 items" in line and "10 pages" in line and "ETA 0:30" in line and "(calls)" in line
    assert progress.eta() == 30.0
    assert Progress(rate=None).eta() is None
