"""Where synced rows go: the :class:`Sink` protocol and the SQLite sink (the default).

A sink stores each stream in a table named after it: ``id`` (primary key), the stream's
typed columns, ``raw`` (the object's JSON) and ``seen_in`` (the last full sweep that saw
the row, see :mod:`aircall_async.sync.state`). Its state is a JSON object per stream in
``_aircall_sync_state``. Every write of rows also writes the state, in one transaction.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

import attrs

from .streams import Stream, column_names

__all__ = [
    "STATE_TABLE",
    "Guard",
    "SQLiteSink",
    "SharedSink",
    "Sink",
    "SinkError",
    "StateChange",
]

#: The table holding each stream's state.
STATE_TABLE = "_aircall_sync_state"

_SQL_TYPES = {"int": "INTEGER", "time": "INTEGER", "bool": "INTEGER", "text": "TEXT"}


class SinkError(Exception):
    """The sink cannot be opened or written (bad path, permissions, locked database, a
    table of another program, a corrupt stored state...)."""


def parse_state(text: str | None, key: str, where: str) -> dict[str, Any] | None:
    """The state stored as ``text`` under ``key`` (``None`` when there is none).

    Raises:
        SinkError: when ``text`` is not a JSON object (edited by hand, another program):
            guessing a state could re-read or skip data, so the stream stops instead.
    """
    if text is None:
        return None
    try:
        value = json.loads(text)
    except ValueError:  # (json.JSONDecodeError, and a number too large for Python)
        value = None
    if not isinstance(value, dict):
        raise corrupt_state(key, "not a JSON object", where)
    return value


def corrupt_state(key: str, problem: str, where: str = "") -> SinkError:
    """The error for the stored state of ``key`` found corrupt (``problem`` says how), with
    the way out: the state is never guessed, since a guess could re-read or skip data."""
    place = f" in {where}" if where else ""
    return SinkError(
        f"the stored state of {key!r}{place} is corrupt ({problem}); "
        f"delete its row from {STATE_TABLE} to sync it again from scratch"
    )


class Sink(Protocol):
    """What the engine needs from a store. Each method may raise :class:`SinkError`."""

    async def open(self, streams: Sequence[Stream]) -> None:
        """Create what is missing for ``streams`` (tables, state table)."""

    async def load_state(self, stream: Stream) -> dict[str, Any] | None:
        """The stored state of ``stream`` (``None`` before its first commit)."""

    async def write(
        self, stream: Stream, objs: Sequence[dict[str, Any]], state: dict[str, Any], sweep: int
    ) -> None:
        """Upsert ``objs`` by id (marking them seen by ``sweep`` when > 0) and store
        ``state``, in one transaction."""

    async def finish_sweep(self, stream: Stream, sweep: int, state: dict[str, Any]) -> int:
        """Delete the rows not seen by ``sweep``, store ``state``; returns how many went."""

    async def count(self, stream: Stream) -> int:
        """How many rows ``stream`` has."""

    async def close(self) -> None:
        """Release the connection; rolls back nothing committed."""


#: Given the stored state (``None`` when there is none) and the database's time (UNIX
#: seconds), the state to store instead, or ``None`` to change nothing.
StateChange = Callable[[dict[str, Any] | None, float], dict[str, Any] | None]


@attrs.frozen
class Guard:
    """A condition a write of a shared sync commits under: inside the write's transaction,
    holding the state ``key`` against every other writer (as :meth:`SharedSink.update_state`
    does), the sink reads that state and calls ``check(state)`` (``None`` when there is
    none). Whatever ``check`` raises aborts the transaction: nothing is written, and the
    exception reaches the caller of ``write`` or ``finish_sweep``."""

    key: str
    check: Callable[[dict[str, Any] | None], None]


class SharedSink(Sink, Protocol):
    """A sink several processes can write at once (``SyncEngine(shared=True)``): it can
    read, change and write a state atomically, with the rows that go with it, and write
    rows only under a :class:`Guard` (the claim of the stream still this process's)."""

    async def write(
        self,
        stream: Stream,
        objs: Sequence[dict[str, Any]],
        state: dict[str, Any],
        sweep: int,
        guard: Guard | None = None,
    ) -> None:
        """:meth:`Sink.write`, committed only when ``guard`` (if any) passes in the same
        transaction; raises what the guard raises."""

    async def finish_sweep(
        self, stream: Stream, sweep: int, state: dict[str, Any], guard: Guard | None = None
    ) -> int:
        """:meth:`Sink.finish_sweep`, committed only when ``guard`` (if any) passes in the
        same transaction; raises what the guard raises."""

    async def update_state(
        self,
        key: str,
        change: StateChange,
        stream: Stream | None = None,
        objs: Sequence[dict[str, Any]] = (),
    ) -> bool:
        """In one transaction that holds the state ``key`` against every other writer: read
        it, call ``change(state, now)``; when that returns a state, store it under ``key``
        and upsert ``objs`` into ``stream``'s table. Returns whether anything was written."""


def create_table_sql(stream: Stream, types: dict[str, str], quote: str = '"') -> str:
    """``CREATE TABLE IF NOT EXISTS`` for ``stream`` with the SQL ``types`` of each kind
    (``types["id"]``, ``types["raw"]`` for the two fixed columns)."""
    q = quote
    cols = [f"{q}id{q} {types['id']} PRIMARY KEY"]
    cols += [f"{q}{c.name}{q} {types[c.kind]}" for c in stream.columns]
    cols += [f"{q}raw{q} {types['raw']} NOT NULL", f"{q}seen_in{q} INTEGER NOT NULL DEFAULT 0"]
    return f"CREATE TABLE IF NOT EXISTS {q}{stream.name}{q} ({', '.join(cols)})"


class SQLiteSink:
    """A SQLite file (standard library only). Write-ahead logging: a reader (a query while
    the sync runs) never blocks it, and a killed process loses no commit.

    Raises SinkError from :meth:`open` when the file cannot be created, is no database or
    holds a corrupt state, and from every other method on a SQLite error.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._db: sqlite3.Connection | None = None
        self._upserts: dict[str, str] = {}

    def __repr__(self) -> str:
        return f"<SQLiteSink {str(self.path)!r}>"

    @property
    def connection(self) -> sqlite3.Connection:
        """The open connection; raises SinkError before :meth:`open`."""
        if self._db is None:
            raise SinkError("the SQLite sink is not open")
        return self._db

    @contextlib.contextmanager
    def converted(self, what: str) -> Iterator[None]:
        """Turn a SQLite error in the block into a SinkError saying ``what`` was being done
        (``"reading calls from"``) and naming the file."""
        try:
            yield
        except sqlite3.Error as exc:
            raise SinkError(f"{what} {self.path}: {exc}") from None

    async def open(self, streams: Sequence[Stream]) -> None:
        """Open (creating) the file and the tables of ``streams``, and check their stored
        states: a corrupt one stops the run before anything is fetched. Raises SinkError."""
        if self._db is None:
            try:
                db = sqlite3.connect(self.path, isolation_level=None, timeout=30.0)
            except sqlite3.Error as exc:
                raise SinkError(f"cannot open {self.path}: {exc}") from None
            self._db = db
        try:
            db = self._db
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute(
                f"CREATE TABLE IF NOT EXISTS {STATE_TABLE} (stream TEXT PRIMARY KEY, "
                "state TEXT NOT NULL, updated_at INTEGER)"
            )
            for stream in streams:
                db.execute(create_table_sql(stream, {**_SQL_TYPES, "id": "INTEGER", "raw": "TEXT"}))
                self._upserts[stream.name] = _upsert_sql(stream)
            for stream in streams:
                self._read_state(stream.name)
        except sqlite3.Error as exc:
            await self.close()
            raise SinkError(f"cannot use {self.path} as a SQLite database: {exc}") from None
        except SinkError:
            await self.close()
            raise

    async def load_state(self, stream: Stream) -> dict[str, Any] | None:
        """The stored state of ``stream``, or ``None``. Raises SinkError (corrupt state)."""
        with self.converted("reading the state from"):
            return self._read_state(stream.name)

    def _read_state(self, key: str) -> dict[str, Any] | None:
        row = self.connection.execute(
            f"SELECT state FROM {STATE_TABLE} WHERE stream = ?", (key,)
        ).fetchone()
        return parse_state(row[0] if row is not None else None, key, str(self.path))

    @contextlib.contextmanager
    def _transaction(self, what: str) -> Iterator[sqlite3.Connection]:
        """One ``BEGIN IMMEDIATE`` transaction (SQLite's write lock, waiting up to 30 s for
        another process'): committed when the block ends, rolled back when it raises. A
        SQLite error becomes a SinkError naming ``what`` was being written."""
        db = self.connection
        with self.converted(f"writing {what} to"):
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def _check(self, guard: Guard | None) -> None:
        if guard is not None:  # inside BEGIN IMMEDIATE: no other writer until COMMIT
            guard.check(self._read_state(guard.key))

    def _save_state(self, stream: Stream | str, state: dict[str, Any]) -> None:
        self.connection.execute(
            f"INSERT INTO {STATE_TABLE} (stream, state, updated_at) VALUES (?, ?, "
            "strftime('%s','now')) ON CONFLICT(stream) DO UPDATE SET state = excluded.state, "
            "updated_at = excluded.updated_at",
            (stream if isinstance(stream, str) else stream.name, json.dumps(state, sort_keys=True)),
        )

    async def update_state(
        self,
        key: str,
        change: StateChange,
        stream: Stream | None = None,
        objs: Sequence[dict[str, Any]] = (),
    ) -> bool:
        """Read, change and store the state ``key`` (with ``objs`` upserted into
        ``stream``) under SQLite's write lock (``BEGIN IMMEDIATE``, waiting up to 30 s for
        another process' transaction). ``now`` is this machine's clock: the processes
        sharing a SQLite file share the machine. Raises SinkError."""
        with self._transaction(key) as db:
            new = change(self._read_state(key), time.time())
            if new is not None:
                if stream is not None and objs:
                    db.executemany(self._upserts[stream.name], [(*stream.row(o), 0) for o in objs])
                self._save_state(key, new)
        return new is not None

    async def write(
        self,
        stream: Stream,
        objs: Sequence[dict[str, Any]],
        state: dict[str, Any],
        sweep: int,
        guard: Guard | None = None,
    ) -> None:
        """Upsert ``objs`` and store ``state`` in one transaction, once ``guard`` (if any)
        passed in it. Raises SinkError, or what the guard raises (nothing written)."""
        with self._transaction(stream.name) as db:
            self._check(guard)
            db.executemany(self._upserts[stream.name], [(*stream.row(o), sweep) for o in objs])
            self._save_state(stream, state)

    async def finish_sweep(
        self, stream: Stream, sweep: int, state: dict[str, Any], guard: Guard | None = None
    ) -> int:
        """Delete the rows of ``stream`` not seen by ``sweep`` and store ``state``, once
        ``guard`` (if any) passed in the same transaction. Raises SinkError, or what the
        guard raises (nothing deleted)."""
        with self._transaction(stream.name) as db:
            self._check(guard)
            gone = db.execute(f'DELETE FROM "{stream.name}" WHERE seen_in < ?', (sweep,)).rowcount
            self._save_state(stream, state)
        return int(gone)

    async def count(self, stream: Stream) -> int:
        """How many rows ``stream`` has. Raises SinkError."""
        with self.converted(f"counting {stream.name} in"):
            return int(
                self.connection.execute(f'SELECT count(*) FROM "{stream.name}"').fetchone()[0]
            )

    async def close(self) -> None:
        """Close the connection (safe to call twice)."""
        db, self._db = self._db, None
        if db is not None:
            db.close()


def _upsert_sql(stream: Stream) -> str:
    names = [*column_names(stream), "seen_in"]
    quoted = ", ".join(f'"{n}"' for n in names)
    marks = ", ".join("?" for _ in names)
    updates = ", ".join(f'"{n}" = excluded."{n}"' for n in names[1:-1])
    return (
        f'INSERT INTO "{stream.name}" ({quoted}) VALUES ({marks}) ON CONFLICT(id) DO UPDATE '
        f"SET {updates}, seen_in = max(seen_in, excluded.seen_in)"
    )
