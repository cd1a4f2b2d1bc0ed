"""The PostgreSQL sink (optional extra ``aircall-async[postgres]``, with asyncpg).

Same tables as the SQLite sink, in a schema of your choice: ``id`` BIGINT primary key,
typed columns (times as UNIX seconds, booleans 0/1, like SQLite), ``raw`` JSONB and
``seen_in``. A page is upserted in one statement (``INSERT ... SELECT FROM unnest(...)``),
in the same transaction as the stream's state.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from collections.abc import Awaitable, Callable, Iterator, Sequence
from typing import Any, TypeVar
from urllib.parse import unquote

from .._rules import redactor
from .sinks import STATE_TABLE, Guard, SinkError, StateChange, create_table_sql, parse_state
from .streams import Stream, column_names

__all__ = ["PostgresSink"]

T = TypeVar("T")

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")
_PG_TYPES = {"int": "BIGINT", "time": "BIGINT", "bool": "SMALLINT", "text": "TEXT"}
_ARRAYS = {"BIGINT": "bigint[]", "SMALLINT": "smallint[]", "TEXT": "text[]"}
# Where a DSN holds a password: ``scheme://user:PASSWORD@``, ``password=PASSWORD`` (libpq
# key/value form or URL query). Found by pattern: a malformed DSN cannot be parsed.
_PASSWORDS = (
    re.compile(r"://[^/@:]*:(.+)@"),  # up to the last @: an unquoted one may be in it
    re.compile(r"password\s*=\s*('(?:[^'\\]|\\.)*'|[^\s&]+)", re.IGNORECASE),
)


def _redact_dsn(dsn: str) -> Callable[[str], str]:
    """A function masking ``dsn``'s password in a text (``dsn`` itself included)."""
    secrets = [m.group(1) for pattern in _PASSWORDS for m in pattern.finditer(dsn)]
    secrets += [unquote(s.strip("'")) for s in secrets]  # as a message would show it
    return redactor(secrets)


def _load_asyncpg() -> Any:
    try:
        import asyncpg  # type: ignore[import-untyped,import-not-found,unused-ignore]
    except ImportError:  # pragma: no cover - depends on the installed extras
        raise SinkError(
            "the PostgreSQL sink needs asyncpg: pip install 'aircall-async[postgres]'"
        ) from None
    return asyncpg


class PostgresSink:
    """Rows and states in PostgreSQL, in ``schema`` (created when missing).

    Args:
        dsn: a libpq connection string or URL (``postgresql://user@host/db``); it may hold
            a password, so it is never shown in a repr or an error.
        schema: a plain identifier (letters, digits, underscores).

    Raises ValueError for a bad schema name; SinkError from :meth:`open` when asyncpg is
    missing, the DSN is malformed, the server refuses or a stored state is corrupt, and
    from every other method on a PostgreSQL error (a table of another program...).
    """

    def __init__(self, dsn: str, *, schema: str = "public") -> None:
        if not _IDENT.fullmatch(schema):
            raise ValueError(f"schema must be a plain identifier, got {schema!r}")
        self._dsn = dsn
        self.schema = schema
        self._conn: Any = None
        self._upserts: dict[str, str] = {}
        # One connection serves every stream's task: one operation at a time.
        self._lock = asyncio.Lock()

    def __repr__(self) -> str:
        return f"<PostgresSink schema={self.schema!r}>"

    def _table(self, name: str) -> str:
        return f'"{self.schema}"."{name}"'

    async def open(self, streams: Sequence[Stream]) -> None:
        """Connect, create the schema and the tables of ``streams``, and check their stored
        states. Raises SinkError (never showing the DSN's password)."""
        asyncpg = _load_asyncpg()
        if self._conn is None:
            try:
                self._conn = await asyncpg.connect(self._dsn)
            # ValueError, OverflowError: a malformed DSN (port, host, sslmode...); asyncpg's
            # ClientConfigurationError is a ValueError.
            except (OSError, ValueError, OverflowError, asyncpg.PostgresError) as exc:
                text = f"PostgreSQL {self._dsn}: cannot connect: {type(exc).__name__}: {exc}"
                raise SinkError(_redact_dsn(self._dsn)(text)) from None
        try:
            await self._conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"')
            await self._conn.execute(
                f"CREATE TABLE IF NOT EXISTS {self._table(STATE_TABLE)} (stream TEXT PRIMARY "
                "KEY, state JSONB NOT NULL, updated_at TIMESTAMPTZ NOT NULL DEFAULT now())"
            )
            for stream in streams:
                sql = create_table_sql(stream, {**_PG_TYPES, "id": "BIGINT", "raw": "JSONB"})
                await self._conn.execute(
                    sql.replace(f'EXISTS "{stream.name}"', f"EXISTS {self._table(stream.name)}")
                )
                self._upserts[stream.name] = self._upsert_sql(stream)
            for stream in streams:
                await self._read_state(stream.name)
        except (OSError, asyncpg.PostgresError) as exc:
            await self.close()
            raise SinkError(f"PostgreSQL: {type(exc).__name__}: {exc}") from None
        except SinkError:
            await self.close()
            raise

    def _upsert_sql(self, stream: Stream) -> str:
        names = [*column_names(stream), "seen_in"]
        types = ["BIGINT", *(_PG_TYPES[c.kind] for c in stream.columns), "TEXT", "BIGINT"]
        args = ", ".join(f"${i}::{_ARRAYS[t]}" for i, t in enumerate(types, 1))
        selected = ", ".join(f"u.{n}::jsonb" if n == "raw" else f"u.{n}" for n in names)
        quoted = ", ".join(f'"{n}"' for n in names)
        updates = ", ".join(f'"{n}" = excluded."{n}"' for n in names[1:-1])
        table = self._table(stream.name)
        return (
            f"INSERT INTO {table} ({quoted}) SELECT {selected} FROM unnest({args}) "
            f"AS u({', '.join(names)}) ON CONFLICT (id) DO UPDATE SET {updates}, "
            f"seen_in = greatest({table}.seen_in, excluded.seen_in)"
        )

    async def load_state(self, stream: Stream) -> dict[str, Any] | None:
        """The stored state of ``stream``, or ``None``. Raises SinkError."""
        return await self._guarded(
            f"reading the state of {stream.name}", lambda: self._read_state(stream.name)
        )

    async def _guarded(self, what: str, operation: Callable[[], Awaitable[T]]) -> T:
        """Run ``operation`` alone on the connection, to its end even when the caller is
        cancelled: a query cut half-way would leave the connection unusable. A PostgreSQL
        error becomes a SinkError saying ``what`` was being done."""

        async def locked() -> T:
            async with self._lock:
                with self._converted(what):
                    return await operation()

        return await asyncio.shield(locked())

    @contextlib.contextmanager
    def _converted(self, what: str) -> Iterator[None]:
        """Turn a PostgreSQL error (a table of another program, a lost connection...) in the
        block into a SinkError naming ``what`` and the schema."""
        try:
            yield
        except (OSError, _load_asyncpg().PostgresError) as exc:
            raise SinkError(
                f"PostgreSQL, {what} in schema {self.schema!r}: {type(exc).__name__}: {exc}"
            ) from None

    def _connection(self) -> Any:
        if self._conn is None:
            raise SinkError("the PostgreSQL sink is not open")
        return self._conn

    async def _save_state(self, stream: Stream | str, state: dict[str, Any]) -> None:
        await self._connection().execute(
            f"INSERT INTO {self._table(STATE_TABLE)} (stream, state) VALUES ($1, $2::jsonb) "
            "ON CONFLICT (stream) DO UPDATE SET state = excluded.state, updated_at = now()",
            stream if isinstance(stream, str) else stream.name,
            json.dumps(state, sort_keys=True),
        )

    async def _hold(self, key: str) -> None:
        """Take the transaction-level advisory lock on (schema, ``key``)."""
        await self._connection().execute(
            "SELECT pg_advisory_xact_lock(hashtext($1))", f"{self.schema}.{key}"
        )

    async def _read_state(self, key: str) -> dict[str, Any] | None:
        sql = f"SELECT state::text FROM {self._table(STATE_TABLE)} WHERE stream = $1"
        text = await self._connection().fetchval(sql, key)
        return parse_state(text, key, f"PostgreSQL schema {self.schema!r}")

    async def _check(self, guard: Guard | None) -> None:
        """In a transaction: hold ``guard``'s state as :meth:`update_state` does, check it."""
        if guard is not None:
            await self._hold(guard.key)
            guard.check(await self._read_state(guard.key))

    async def update_state(
        self,
        key: str,
        change: StateChange,
        stream: Stream | None = None,
        objs: Sequence[dict[str, Any]] = (),
    ) -> bool:
        """Read, change and store the state ``key`` (with ``objs`` upserted into
        ``stream``) in one transaction holding a transaction-level advisory lock on
        (schema, key); ``now`` is the server's clock, the same for every machine."""
        conn = self._connection()
        rows = [stream.row(o) for o in objs] if stream is not None else []
        columns = [list(col) for col in zip(*rows, strict=True)] if rows else []

        async def transaction() -> bool:
            async with conn.transaction():
                await self._hold(key)
                now = await conn.fetchval("SELECT extract(epoch FROM clock_timestamp())::float8")
                new = change(await self._read_state(key), float(now))
                if new is None:
                    return False
                if stream is not None and rows:
                    await conn.execute(self._upserts[stream.name], *columns, [0] * len(rows))
                await self._save_state(key, new)
                return True

        return await self._guarded(f"updating the state {key}", transaction)

    async def write(
        self,
        stream: Stream,
        objs: Sequence[dict[str, Any]],
        state: dict[str, Any],
        sweep: int,
        guard: Guard | None = None,
    ) -> None:
        """Upsert ``objs`` in one statement and store ``state``, in one transaction, once
        ``guard`` (if any) passed in it (under the advisory lock :meth:`update_state` takes
        on its key); raises what the guard raises (nothing written).

        A cancelled caller does not cut the transaction short: it completes (or fails)
        whole, and the connection stays usable.
        """
        conn = self._connection()
        rows = [stream.row(o) for o in objs]
        columns = [list(col) for col in zip(*rows, strict=True)] if rows else []

        async def transaction() -> None:
            async with conn.transaction():
                await self._check(guard)
                if rows:
                    await conn.execute(self._upserts[stream.name], *columns, [sweep] * len(rows))
                await self._save_state(stream, state)

        await self._guarded(f"writing {stream.name}", transaction)

    async def finish_sweep(
        self, stream: Stream, sweep: int, state: dict[str, Any], guard: Guard | None = None
    ) -> int:
        """Delete the rows not seen by ``sweep`` and store ``state``; returns how many.
        Under ``guard`` (if any) like :meth:`write`."""
        conn = self._connection()

        async def transaction() -> str:
            async with conn.transaction():
                await self._check(guard)
                sql = f"DELETE FROM {self._table(stream.name)} WHERE seen_in < $1"
                status = await conn.execute(sql, sweep)
                await self._save_state(stream, state)
            return str(status)

        status = await self._guarded(f"finishing the sweep of {stream.name}", transaction)
        return int(status.rsplit(" ", 1)[-1])

    async def count(self, stream: Stream) -> int:
        """How many rows ``stream`` has. Raises SinkError."""
        sql = f"SELECT count(*) FROM {self._table(stream.name)}"
        return int(
            await self._guarded(f"counting {stream.name}", lambda: self._connection().fetchval(sql))
        )

    async def close(self) -> None:
        """Close the connection (safe to call twice)."""
        async with self._lock:  # after a write in flight
            conn, self._conn = self._conn, None
            if conn is None:
                return
            try:
                await conn.close(timeout=5)
            except Exception:  # a query cut by a cancellation: drop the connection
                conn.terminate()
