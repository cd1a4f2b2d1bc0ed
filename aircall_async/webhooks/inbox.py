"""Where ``ack="immediate"`` stores deliveries between the 200 and their processing.

An :class:`Inbox` keeps every accepted delivery until it is handled or dead-lettered,
and remembers handled ones (bounded) so that a redelivery is recognised. Two
implementations:

- :class:`MemoryInbox`: bounded, fast, lost when the process dies;
- :class:`SQLiteInbox`: a local SQLite file in WAL mode, written by one worker thread so
  the event loop never blocks on disk. A delivery is committed before it is answered
  200, so it survives a crash or ``kill -9`` and is processed when the app starts again;
  the memory of handled deliveries survives restarts too. One process per inbox file:
  a second process opening the same file gets a RuntimeError (an advisory lock on
  ``<path>.lock``), since both would run the same pending deliveries.

The inbox stores whole deliveries, token included, so the file holds secrets: it is
created readable by its owner only.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sqlite3
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from enum import Enum
from pathlib import Path
from typing import Any, Protocol, TypeVar, runtime_checkable

import attrs

from aircall_async.webhooks.dedupe import DeliveryMemory

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no advisory lock
    fcntl = None  # type: ignore[assignment]

__all__ = ["Inbox", "InboxEntry", "MemoryInbox", "PutResult", "SQLiteInbox"]

T = TypeVar("T")


@attrs.define(slots=True, eq=False)
class InboxEntry:
    """One accepted delivery: its dedupe ``key``, decoded ``payload`` and failed ``attempts``.

    ``body`` is the delivery's raw JSON body when known, for :meth:`Inbox.put` (a durable
    inbox stores it as is rather than encoding ``payload`` again; the receiver drops it
    once stored). ``succeeded`` holds the handlers that
    already succeeded, so an in-process retry only reruns the ones that failed (it is not
    persisted: after a restart all handlers run).
    """

    key: int
    payload: dict[str, Any] = attrs.field(repr=False)
    attempts: int = 0
    succeeded: set[Any] = attrs.field(factory=set, repr=False)
    body: bytes | None = attrs.field(default=None, repr=False)


class PutResult(Enum):
    """Outcome of :meth:`Inbox.put`."""

    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    FULL = "full"


@runtime_checkable
class Inbox(Protocol):
    """Storage of accepted deliveries for ``ack="immediate"``.

    Implementations must make :meth:`put` atomic with respect to the key: of two
    concurrent puts of one key, exactly one is ACCEPTED.
    """

    @property
    def depth(self) -> int:
        """Deliveries accepted and not yet handled nor dead-lettered."""
        ...

    async def open(self) -> list[InboxEntry]:
        """Prepare the storage; return the pending deliveries to process (oldest first)."""
        ...

    async def put(self, entry: InboxEntry) -> PutResult:
        """Store a new delivery; DUPLICATE if its key is pending, handled or dead; FULL if full."""
        ...

    async def mark_done(self, entry: InboxEntry) -> None:
        """The delivery was handled: drop its payload, remember its key."""
        ...

    async def mark_failed(self, entry: InboxEntry) -> None:
        """An attempt failed and will be retried: record ``entry.attempts``."""
        ...

    async def mark_dead(self, entry: InboxEntry) -> None:
        """The last attempt failed: keep the delivery as a dead letter."""
        ...

    async def dead_letters(self) -> list[dict[str, Any]]:
        """Payloads of the dead-lettered deliveries that are kept."""
        ...

    async def close(self) -> None:
        """Release the storage (pending deliveries stay for the next :meth:`open`)."""
        ...


class MemoryInbox:
    """An in-process :class:`Inbox`: at most ``max_size`` pending deliveries (then FULL).

    Handled keys are remembered in a :class:`DeliveryMemory` (``dedupe_size``,
    ``dedupe_age``); the last ``max_dead`` dead letters are kept.

    Raises:
        ValueError: (constructor) if ``max_size`` < 1 or the dedupe bounds are invalid.
    """

    def __init__(
        self,
        max_size: int = 10_000,
        *,
        dedupe_size: int = 100_000,
        dedupe_age: float = 24 * 3600.0,
        max_dead: int = 1_000,
    ) -> None:
        if max_size < 1:
            raise ValueError("max_size must be at least 1")
        self._max_size = max_size
        self._pending: dict[int, InboxEntry] = {}
        self._done = DeliveryMemory(dedupe_size, dedupe_age)
        self._dead: deque[InboxEntry] = deque(maxlen=max_dead)

    @property
    def depth(self) -> int:
        """Deliveries accepted and not yet handled nor dead-lettered."""
        return len(self._pending)

    async def open(self) -> list[InboxEntry]:
        """Return what is still pending (from a previous run of an app in this process)."""
        return list(self._pending.values())

    async def put(self, entry: InboxEntry) -> PutResult:
        """Store ``entry`` unless its key is known (DUPLICATE) or the inbox is full (FULL)."""
        if entry.key in self._pending or entry.key in self._done:
            return PutResult.DUPLICATE
        if len(self._pending) >= self._max_size:
            return PutResult.FULL
        self._pending[entry.key] = entry
        return PutResult.ACCEPTED

    async def mark_done(self, entry: InboxEntry) -> None:
        """Forget the payload, remember the key."""
        self._pending.pop(entry.key, None)
        self._done.add(entry.key)

    async def mark_failed(self, entry: InboxEntry) -> None:
        """Nothing to persist: the entry object carries its attempts."""

    async def mark_dead(self, entry: InboxEntry) -> None:
        """Move the entry to the dead letters (its key stays known)."""
        self._pending.pop(entry.key, None)
        self._done.add(entry.key)
        self._dead.append(entry)

    async def dead_letters(self) -> list[dict[str, Any]]:
        """Payloads of the last ``max_dead`` dead-lettered deliveries."""
        return [entry.payload for entry in self._dead]

    async def close(self) -> None:
        """Nothing to release."""


_PENDING, _DONE, _DEAD = 0, 1, 2
_SCHEMA = """
CREATE TABLE IF NOT EXISTS deliveries (
    key INTEGER PRIMARY KEY,
    state INTEGER NOT NULL,
    payload TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    created REAL NOT NULL,
    updated REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS deliveries_state_updated ON deliveries (state, updated);
"""


class SQLiteInbox:
    """A durable :class:`Inbox` in the SQLite file ``path`` (created if missing, mode 0600).

    ``max_pending`` bounds the pending deliveries (then FULL, answered 503). Handled keys
    are kept for ``dedupe_age`` seconds, at most the ``dedupe_size`` most recent ones.
    ``synchronous`` is SQLite's ``PRAGMA synchronous``: ``"FULL"`` (default) also survives a
    power loss, ``"NORMAL"`` only a process crash. All SQLite work runs in one worker
    thread.

    One process per inbox file: :meth:`open` takes an exclusive advisory lock
    (``flock``) on the sidecar file ``<path>.lock`` and :meth:`close` releases it, so a
    second receiver on the same file (several workers, an overlapping deploy) fails to
    start instead of running the same pending deliveries twice. Where ``fcntl`` does not
    exist (Windows) there is no lock and the rule is yours to keep.

    Raises:
        ValueError: (constructor) on a non-positive bound or an unknown ``synchronous``.
        RuntimeError: from :meth:`open` if another process (or another open inbox) uses
            the file.
        sqlite3.Error: from :meth:`open` and the other methods if the file is unusable.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        max_pending: int = 100_000,
        dedupe_size: int = 100_000,
        dedupe_age: float = 24 * 3600.0,
        synchronous: str = "FULL",
    ) -> None:
        if max_pending < 1 or dedupe_size < 1 or dedupe_age <= 0:
            raise ValueError("max_pending, dedupe_size and dedupe_age must be positive")
        if synchronous.upper() not in {"FULL", "NORMAL", "EXTRA"}:
            raise ValueError("synchronous must be FULL, NORMAL or EXTRA")
        self.path = Path(path)
        self._max_pending = max_pending
        self._dedupe_size = dedupe_size
        self._dedupe_age = dedupe_age
        self._synchronous = synchronous.upper()
        self._executor: ThreadPoolExecutor | None = None
        self._db: sqlite3.Connection | None = None
        self._lock_fd: int | None = None
        self._pending = 0
        self._done_since_prune = 0

    def __repr__(self) -> str:
        return f"SQLiteInbox({str(self.path)!r})"

    @property
    def depth(self) -> int:
        """Deliveries accepted and not yet handled nor dead-lettered."""
        return self._pending

    async def _call(self, fn: Callable[..., T], *args: Any) -> T:
        if self._executor is None:
            raise RuntimeError("SQLiteInbox is not open")
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)

    async def open(self) -> list[InboxEntry]:
        """Lock and open (or create) the file, prune old memory, return the pending deliveries.

        Raises:
            RuntimeError: if another process (or another open inbox) uses the file.
        """
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="aircall-inbox")
        try:
            return await self._call(self._open_sync)
        except BaseException:
            if self._db is None:  # nothing opened: do not leave the thread behind
                self._executor.shutdown(wait=False)
                self._executor = None
            raise

    def _conn(self) -> sqlite3.Connection:
        if self._db is None:
            raise RuntimeError("SQLiteInbox is not open")
        return self._db

    def _lock_sync(self) -> None:
        if fcntl is None or self._lock_fd is not None:
            return
        lock_path = self.path.with_name(self.path.name + ".lock")
        fd = os.open(lock_path, os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise RuntimeError(
                f"another process uses this inbox: {str(self.path)!r} is locked"
                f" ({str(lock_path)!r}); one process per SQLiteInbox file"
            ) from None
        self._lock_fd = fd

    def _unlock_sync(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # closing the descriptor releases the flock
            self._lock_fd = None

    def _open_sync(self) -> list[InboxEntry]:
        if self._db is None:
            self._lock_sync()
            try:
                with contextlib.suppress(FileExistsError):
                    os.close(os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
                db = sqlite3.connect(self.path, isolation_level=None)
                db.execute("PRAGMA journal_mode=WAL")
                db.execute(f"PRAGMA synchronous={self._synchronous}")
                db.executescript(_SCHEMA)
            except BaseException:
                self._unlock_sync()
                raise
            self._db = db
        self._prune_sync()
        rows = self._conn().execute(
            "SELECT key, payload, attempts FROM deliveries WHERE state = ? ORDER BY created",
            (_PENDING,),
        )
        entries = []
        for key, payload, attempts in rows:
            try:
                decoded = json.loads(payload)
            except (TypeError, ValueError):
                decoded = None
            # A row this code wrote is always a JSON object; anything else is a dead letter.
            if isinstance(decoded, dict):
                entries.append(InboxEntry(key, decoded, attempts))
            else:
                self._update_sync(key, _DEAD, attempts)
        self._pending = len(entries)
        return entries

    async def put(self, entry: InboxEntry) -> PutResult:
        """Commit ``entry`` (DUPLICATE if its key is known, FULL past ``max_pending``)."""
        body = entry.body if entry.body is not None else json.dumps(entry.payload).encode()
        return await self._call(self._put_sync, entry.key, body)

    def _put_sync(self, key: int, body: bytes) -> PutResult:
        db = self._conn()
        if db.execute("SELECT 1 FROM deliveries WHERE key = ?", (key,)).fetchone():
            return PutResult.DUPLICATE
        if self._pending >= self._max_pending:
            return PutResult.FULL
        now = time.time()
        db.execute(
            "INSERT INTO deliveries (key, state, payload, attempts, created, updated)"
            " VALUES (?, ?, ?, 0, ?, ?)",
            (key, _PENDING, body, now, now),
        )
        self._pending += 1
        return PutResult.ACCEPTED

    async def mark_done(self, entry: InboxEntry) -> None:
        """Drop the payload and keep the key as handled."""
        await self._call(self._done_sync, entry.key)

    def _done_sync(self, key: int) -> None:
        self._update_sync(key, _DONE, None, drop_payload=True)
        self._done_since_prune += 1
        if self._done_since_prune >= 1_000:
            self._prune_sync()

    async def mark_failed(self, entry: InboxEntry) -> None:
        """Persist ``entry.attempts`` so a restart does not reset it."""
        await self._call(self._update_sync, entry.key, _PENDING, entry.attempts)

    async def mark_dead(self, entry: InboxEntry) -> None:
        """Keep the delivery as a dead letter."""
        await self._call(self._update_sync, entry.key, _DEAD, entry.attempts)

    def _update_sync(
        self, key: int, state: int, attempts: int | None, *, drop_payload: bool = False
    ) -> None:
        db = self._conn()
        sets = "state = ?, updated = ?" + (", payload = NULL" if drop_payload else "")
        params: list[Any] = [state, time.time()]
        if attempts is not None:
            sets += ", attempts = ?"
            params.append(attempts)
        cursor = db.execute(
            f"UPDATE deliveries SET {sets} WHERE key = ? AND state = ?", (*params, key, _PENDING)
        )
        if cursor.rowcount and state != _PENDING:
            self._pending = max(0, self._pending - 1)

    def _prune_sync(self) -> None:
        db = self._conn()
        db.execute(
            "DELETE FROM deliveries WHERE state = ? AND updated < ?",
            (_DONE, time.time() - self._dedupe_age),
        )
        db.execute(
            "DELETE FROM deliveries WHERE key IN (SELECT key FROM deliveries WHERE state = ?"
            " ORDER BY updated DESC LIMIT -1 OFFSET ?)",
            (_DONE, self._dedupe_size),
        )
        self._done_since_prune = 0

    async def dead_letters(self) -> list[dict[str, Any]]:
        """Payloads of every dead-lettered delivery in the file."""
        rows = await self._call(self._dead_sync)
        out = []
        for (payload,) in rows:
            with contextlib.suppress(TypeError, ValueError):
                out.append(json.loads(payload))
        return out

    def _dead_sync(self) -> list[tuple[Any, ...]]:
        return (
            self._conn()
            .execute("SELECT payload FROM deliveries WHERE state = ? ORDER BY updated", (_DEAD,))
            .fetchall()
        )

    async def close(self) -> None:
        """Close the file and stop the worker thread."""
        if self._executor is None:
            return
        await self._call(self._close_sync)
        self._executor.shutdown(wait=True)
        self._executor = None

    def _close_sync(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
        self._unlock_sync()
