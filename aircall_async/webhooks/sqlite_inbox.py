"""SQLiteInbox: a durable :class:`~aircall_async.webhooks.inbox.Inbox` in a local file.

A local SQLite file in WAL mode, written by one worker thread so the event loop never
blocks on disk. A delivery is committed before it is answered 200, so it survives a
crash or ``kill -9`` and is handled when the app starts again; the memory of handled
deliveries survives restarts too. One process per inbox file: a second process opening
the same file gets a RuntimeError (an advisory lock on ``<path>.lock``), since both would
run the same pending deliveries. Because only one process uses the file, which deliveries
are taken and when a retry is due are kept in memory: at the next start every pending
delivery is ready at once.

The inbox stores whole deliveries, token included, so the file holds secrets: it is
created readable by its owner only.

File format: ``PRAGMA user_version`` 1, table ``deliveries`` keyed by the delivery key as
text. A file written before (version 0, the key as a signed 64-bit integer) is migrated
in place at :meth:`SQLiteInbox.open`: the key becomes its 16 hex digits, which is what
the receiver now computes for the same body, so its memory of handled deliveries holds.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from aircall_async.webhooks.inbox import PutResult, ReadySchedule, StoredDelivery

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no advisory lock
    fcntl = None  # type: ignore[assignment]

__all__ = ["SQLiteInbox"]

T = TypeVar("T")

_PENDING, _DONE, _DEAD = 0, 1, 2
_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS deliveries (
    key TEXT PRIMARY KEY,
    state INTEGER NOT NULL,
    payload BLOB,
    attempts INTEGER NOT NULL DEFAULT 0,
    created REAL NOT NULL,
    updated REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS deliveries_state_updated ON deliveries (state, updated);
"""
# Version 0 keyed rows by the signed 64-bit int; printf('%016x') gives its two's
# complement hex, the same 16 digits as delivery_key() of the same body.
_MIGRATE_FROM_0 = f"""
BEGIN IMMEDIATE;
ALTER TABLE deliveries RENAME TO deliveries_v0;
DROP INDEX IF EXISTS deliveries_state_updated;
{_SCHEMA}
INSERT INTO deliveries (key, state, payload, attempts, created, updated)
    SELECT printf('%016x', key), state, payload, attempts, created, updated FROM deliveries_v0;
DROP TABLE deliveries_v0;
PRAGMA user_version = {_VERSION};
COMMIT;
"""


class SQLiteInbox:
    """A durable :class:`Inbox` in the SQLite file ``path`` (created if missing, mode 0600).

    ``max_pending`` bounds the pending deliveries (then FULL, answered 503). Handled keys
    are kept for ``dedupe_age`` seconds, at most the ``dedupe_size`` most recent ones.
    ``synchronous`` is SQLite's ``PRAGMA synchronous``: ``"FULL"`` (default) also survives a
    power loss, ``"NORMAL"`` only a process crash. All SQLite work runs in one worker
    thread.

    One process per inbox file: :meth:`open` takes an exclusive advisory lock
    (``flock``) on the sidecar file ``<path>.lock`` and the last :meth:`close` releases
    it, so a second receiver on the same file (several workers, an overlapping deploy)
    fails to start instead of running the same pending deliveries twice. Where ``fcntl``
    does not exist (Windows) there is no lock and the rule is yours to keep. Within the
    process, one SQLiteInbox object may be shared by a ``webhook_app(..., workers=0)`` and
    a ``consume`` task.

    Raises:
        ValueError: (constructor) on a non-positive bound or an unknown ``synchronous``.
        RuntimeError: from :meth:`open` if another process (or another open inbox) uses
            the file; from the other methods if the inbox is not open.
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
        self._schedule = ReadySchedule()
        self._opened = 0

    def __repr__(self) -> str:
        return f"SQLiteInbox({str(self.path)!r})"

    async def _call(self, fn: Callable[..., T], *args: Any) -> T:
        if self._executor is None:
            raise RuntimeError("SQLiteInbox is not open")
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)

    async def open(self) -> None:
        """Lock and open (or create, or migrate) the file; prune old memory.

        Every pending delivery is ready at the first open. Counted: each open needs a
        :meth:`close`.

        Raises:
            RuntimeError: if another process (or another open inbox) uses the file.
            sqlite3.Error: if the file is unusable.
        """
        if self._opened:
            self._opened += 1
            return
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="aircall-inbox")
        try:
            keys = await self._call(self._open_sync)
        except BaseException:
            if self._db is None:  # nothing opened: do not leave the thread behind
                self._executor.shutdown(wait=False)
                self._executor = None
            raise
        self._schedule.reset(keys)
        self._opened = 1

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

    def _open_sync(self) -> list[str]:
        if self._db is None:
            self._lock_sync()
            try:
                with contextlib.suppress(FileExistsError):
                    os.close(os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
                db = sqlite3.connect(self.path, isolation_level=None)
                db.execute("PRAGMA journal_mode=WAL")
                db.execute(f"PRAGMA synchronous={self._synchronous}")
                _prepare_schema(db)
            except BaseException:
                self._unlock_sync()
                raise
            self._db = db
        self._prune_sync()
        rows = self._conn().execute(
            "SELECT key FROM deliveries WHERE state = ? ORDER BY created", (_PENDING,)
        )
        keys = [key for (key,) in rows]
        self._pending = len(keys)
        return keys

    async def put(self, key: str, body: bytes) -> PutResult:
        """Commit the delivery (DUPLICATE if ``key`` is known, FULL past ``max_pending``).

        Raises:
            RuntimeError: if the inbox is not open.
            sqlite3.Error: if the write fails (nothing is stored).
        """
        result = await self._call(self._put_sync, key, body)
        if result is PutResult.ACCEPTED:
            self._schedule.add(key)
        return result

    def _put_sync(self, key: str, body: bytes) -> PutResult:
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

    async def take(self, limit: int, wait: float) -> list[StoredDelivery]:
        """Up to ``limit`` ready deliveries, oldest first; waits up to ``wait`` s for one.

        Raises:
            RuntimeError: if the inbox is not open.
        """
        if self._db is None:
            raise RuntimeError("SQLiteInbox is not open")
        keys = await self._schedule.take(limit, wait)
        if not keys:
            return []
        try:
            return await self._call(self._rows_sync, keys)
        except BaseException:
            for key in keys:  # not handed out: ready for the next take
                self._schedule.add(key)
            raise

    def _rows_sync(self, keys: list[str]) -> list[StoredDelivery]:
        marks = ",".join("?" * len(keys))
        rows = self._conn().execute(
            f"SELECT key, payload, attempts FROM deliveries WHERE state = ? AND key IN ({marks})",
            (_PENDING, *keys),
        )
        found = {key: StoredDelivery(key, _as_bytes(body), n) for key, body, n in rows}
        return [found[key] for key in keys if key in found]

    async def done(self, item: StoredDelivery) -> None:
        """Drop the body and keep the key as handled."""
        await self._call(self._done_sync, item.key)
        self._schedule.settle(item.key)

    def _done_sync(self, key: str) -> None:
        self._update_sync(key, _DONE, None, drop_payload=True)
        self._done_since_prune += 1
        if self._done_since_prune >= 1_000:
            self._prune_sync()

    async def retry(self, item: StoredDelivery, delay: float) -> None:
        """Persist ``item.attempts + 1``; the delivery is ready again after ``delay`` s."""
        await self._call(self._update_sync, item.key, _PENDING, item.attempts + 1)
        self._schedule.add(item.key, delay)

    async def dead(self, item: StoredDelivery) -> None:
        """Keep the delivery as a dead letter, with ``item.attempts``."""
        await self._call(self._update_sync, item.key, _DEAD, item.attempts)
        self._schedule.settle(item.key)

    def _update_sync(
        self, key: str, state: int, attempts: int | None, *, drop_payload: bool = False
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

    async def dead_letters(self, limit: int = 100) -> list[StoredDelivery]:
        """The last ``limit`` dead letters in the file, oldest first.

        Raises:
            RuntimeError: if the inbox is not open.
        """
        return await self._call(self._dead_sync, limit)

    def _dead_sync(self, limit: int) -> list[StoredDelivery]:
        rows = self._conn().execute(
            "SELECT key, payload, attempts FROM deliveries WHERE state = ?"
            " ORDER BY updated DESC, rowid DESC LIMIT ?",
            (_DEAD, max(0, limit)),
        )
        return [StoredDelivery(key, _as_bytes(body), attempts) for key, body, attempts in rows][
            ::-1
        ]

    async def depth(self) -> int:
        """Deliveries accepted and not yet done nor dead (this process owns the file)."""
        return self._pending

    async def close(self) -> None:
        """Release one :meth:`open`; the last closes the file and stops the worker thread."""
        if self._opened > 1:
            self._opened -= 1
            return
        self._opened = 0
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


def _prepare_schema(db: sqlite3.Connection) -> None:
    """Create the tables, or migrate a version-0 file (integer keys) to text keys."""
    (version,) = db.execute("PRAGMA user_version").fetchone()
    exists = db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'deliveries'"
    ).fetchone()
    if exists and version == 0:
        db.executescript(_MIGRATE_FROM_0)
        return
    if version > _VERSION:
        raise sqlite3.DatabaseError(
            f"inbox file format {version} is newer than this version understands ({_VERSION})"
        )
    db.executescript(_SCHEMA)
    db.execute(f"PRAGMA user_version = {_VERSION}")


def _as_bytes(body: object) -> bytes:
    """The stored body as bytes (older files may hold it as text)."""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8", "surrogatepass")
    return b""
