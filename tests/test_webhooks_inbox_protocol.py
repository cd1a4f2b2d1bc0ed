"""The Inbox pull protocol, the same contract for MemoryInbox and SQLiteInbox."""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from aircall_async.webhooks import Inbox, MemoryInbox, PutResult, SQLiteInbox, StoredDelivery
from aircall_async.webhooks._dedupe import delivery_key


@pytest.fixture(params=["memory", "sqlite"])
async def inbox(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Inbox]:
    made: Inbox = MemoryInbox() if request.param == "memory" else SQLiteInbox(tmp_path / "i.db")
    await made.open()
    yield made
    await made.close()


async def test_put_take_done(inbox: Inbox) -> None:
    assert isinstance(inbox, Inbox)
    for n in range(3):
        assert await inbox.put(f"k{n}", b'{"n": %d}' % n) is PutResult.ACCEPTED
    assert await inbox.put("k1", b"{}") is PutResult.DUPLICATE  # pending
    assert await inbox.depth() == 3
    first = await inbox.take(2, 0)
    assert [(i.key, i.body, i.attempts) for i in first] == [
        ("k0", b'{"n": 0}', 0),
        ("k1", b'{"n": 1}', 0),
    ]
    [last] = await inbox.take(5, 0)  # a taken delivery is not handed out twice
    assert last.key == "k2"
    assert await inbox.take(5, 0) == []
    for item in [*first, last]:
        await inbox.done(item)
    assert await inbox.depth() == 0
    assert await inbox.put("k0", b"{}") is PutResult.DUPLICATE  # done: remembered


async def test_retry_counts_the_attempt_and_waits_for_the_delay(inbox: Inbox) -> None:
    await inbox.put("k", b"{}")
    [item] = await inbox.take(1, 0)
    await inbox.retry(item, 0.0)
    [again] = await inbox.take(1, 0)
    assert (again.key, again.attempts) == ("k", 1)
    await inbox.retry(again, 0.2)
    assert await inbox.take(1, 0) == []  # not due yet
    [third] = await inbox.take(1, 10.0)  # waits until it is due
    assert third.attempts == 2
    assert await inbox.depth() == 1


async def test_take_waits_for_a_new_delivery(inbox: Inbox) -> None:
    waiting = asyncio.ensure_future(inbox.take(1, 10.0))
    await asyncio.sleep(0.05)
    assert not waiting.done()
    await inbox.put("late", b"{}")
    [item] = await asyncio.wait_for(waiting, 5)
    assert item.key == "late"
    assert await inbox.take(1, 0.05) == []  # nothing ready: [] once the wait is over


async def test_dead_letters_keep_the_delivery_and_its_attempts(inbox: Inbox) -> None:
    for key in ("a", "b", "c"):
        await inbox.put(key, key.encode())
    for item in await inbox.take(3, 0):
        await inbox.dead(StoredDelivery(item.key, item.body, attempts=5))
    letters = await inbox.dead_letters()
    assert [(d.key, d.body, d.attempts) for d in letters] == [
        ("a", b"a", 5),
        ("b", b"b", 5),
        ("c", b"c", 5),
    ]
    assert [d.key for d in await inbox.dead_letters(limit=2)] == ["b", "c"]
    assert await inbox.put("a", b"a") is PutResult.DUPLICATE
    assert await inbox.depth() == 0


async def test_a_delivery_taken_and_never_settled_is_ready_after_reopening(
    inbox: Inbox,
) -> None:
    await inbox.put("k", b"{}")
    [taken] = await inbox.take(1, 0)
    await inbox.close()  # the consumer died holding it
    await inbox.open()
    [again] = await inbox.take(1, 0)
    assert again.key == taken.key
    await inbox.close()
    await inbox.open()  # balanced for the fixture


async def test_open_and_close_are_counted(inbox: Inbox) -> None:
    await inbox.open()  # a second user in the same process (app + consume)
    await inbox.close()
    assert await inbox.put("still-open", b"{}") is PutResult.ACCEPTED
    assert [i.key for i in await inbox.take(1, 0)] == ["still-open"]


def test_stored_delivery_repr_hides_the_body() -> None:
    item = StoredDelivery("k", b'{"token": "s3cret"}', 2, "7")
    assert "s3cret" not in repr(item)
    assert "attempts=2" in repr(item)


async def test_sqlite_inbox_closed_refuses_work(tmp_path: Path) -> None:
    inbox = SQLiteInbox(tmp_path / "closed.db")
    with pytest.raises(RuntimeError, match="not open"):
        await inbox.put("k", b"{}")
    await inbox.open()
    await inbox.close()
    with pytest.raises(RuntimeError, match="not open"):
        await inbox.take(1, 0)
    assert oct((tmp_path / "closed.db").stat().st_mode & 0o777) == oct(0o600)


async def test_an_inbox_file_with_integer_keys_is_migrated(tmp_path: Path) -> None:
    """Files written before the pull protocol keyed rows by a signed 64-bit int."""

    def memory_key(body: bytes) -> int:  # what those files stored: delivery_key as an int
        return int.from_bytes(bytes.fromhex(delivery_key(body)), "big", signed=True)

    path = tmp_path / "old.sqlite3"
    pending = b'{"event": "call.ended", "n": 1}'
    handled = b'{"event": "call.ended", "n": 2}'
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
    os.close(fd)
    with sqlite3.connect(path) as db:
        db.executescript(
            "CREATE TABLE deliveries (key INTEGER PRIMARY KEY, state INTEGER NOT NULL,"
            " payload TEXT, attempts INTEGER NOT NULL DEFAULT 0, created REAL NOT NULL,"
            " updated REAL NOT NULL);"
            "CREATE INDEX deliveries_state_updated ON deliveries (state, updated);"
        )
        db.execute(
            "INSERT INTO deliveries VALUES (?, 0, ?, 2, 1.0, 1.0)", (memory_key(pending), pending)
        )
        db.execute(
            "INSERT INTO deliveries VALUES (?, 1, NULL, 0, 2.0, 9e99)", (memory_key(handled),)
        )
    db.close()
    inbox = SQLiteInbox(path)
    await inbox.open()
    [item] = await inbox.take(5, 0)
    assert (item.key, item.body, item.attempts) == (delivery_key(pending), pending, 2)
    assert await inbox.put(delivery_key(handled), handled) is PutResult.DUPLICATE
    await inbox.close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone() == (1,)
    db.close()
    again = SQLiteInbox(path)  # a migrated file opens as it is
    await again.open()
    assert await again.depth() == 1
    await again.close()


async def test_an_inbox_file_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 99")
    db.close()
    inbox = SQLiteInbox(path)
    with pytest.raises(sqlite3.DatabaseError, match="newer"):
        await inbox.open()
    await inbox.close()
