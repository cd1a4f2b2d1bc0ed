"""Webhook deliveries in a Redis stream, for receivers and consumers on any node.

:class:`RedisStreamInbox` is an inbox of the pull kind: receivers ``put`` (answering 200
only once Redis stored the delivery), consumers in one consumer group ``take``, then
report ``done``, ``retry`` or ``dead``. The steps are Lua scripts run atomically by Redis
(:mod:`aircall_async.redis._stream_lua`); this module calls them and decodes answers.

(Over 400 lines on purpose: one method per step of the Inbox protocol, each with its Redis
error handling; the scripts themselves live in ``_stream_lua``.)
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
import uuid
from collections.abc import Awaitable, Iterable, Mapping
from typing import Any, Final, TypeVar

from redis.asyncio import Redis
from redis.exceptions import ResponseError

from aircall_async.redis import _stream_lua as lua
from aircall_async.redis._common import (
    REDIS_FAILURES,
    RedisUnavailableError,
    call_redis,
    describe,
    redis_key_part,
)
from aircall_async.webhooks.inbox import PutResult, StoredDelivery

__all__ = ["RedisStreamInbox"]

logger = logging.getLogger("aircall_async.redis")

T = TypeVar("T")

#: At most this many due retries are moved back into the stream per :meth:`take`.
PROMOTE_BATCH: Final = 100


def _b(value: bytes | str) -> bytes:
    return value if isinstance(value, bytes) else value.encode()


def _s(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _fields(raw: Any) -> dict[str, bytes]:
    """An entry's fields (a dict, or a flat list from a script) as ``str -> bytes``."""
    if isinstance(raw, Mapping):
        return {_s(k): _b(v) for k, v in raw.items()}
    items = list(raw)
    return {_s(items[i]): _b(items[i + 1]) for i in range(0, len(items) - 1, 2)}


def _delivery(entry_id: Any, raw_fields: Any, extra_attempts: int = 0) -> StoredDelivery | None:
    fields = _fields(raw_fields)
    if "key" not in fields or "body" not in fields:
        return None
    try:
        attempts = int(fields.get("attempts", b"0"))
    except ValueError:
        attempts = 0
    return StoredDelivery(
        key=fields["key"].decode(errors="replace"),
        body=fields["body"],
        attempts=attempts + extra_attempts,
        ref=_s(entry_id),
    )


class RedisStreamInbox:
    """Deliveries in the Redis stream ``stream``, handled by the consumer group ``group``.

    Receivers (``webhook_app(..., ack="immediate", inbox=inbox, workers=0)``) on any
    node :meth:`put`: a delivery whose key was seen in the last ``dedupe_ttl`` seconds
    (default: a day) by any node is a DUPLICATE, else it is appended with ``XADD`` and
    ACCEPTED once Redis has it; Redis unreachable raises :class:`RedisUnavailableError`,
    which the receiver answers 503 (Aircall retries). Consumers
    (``consume(router, inbox)``) :meth:`take` new deliveries (``XREADGROUP``), due
    retries, and the entries of a consumer silent for ``claim_idle`` seconds
    (``XAUTOCLAIM``: its process died; a live consumer renews the entries it handles
    every ``claim_idle / 3`` seconds). An entry is acknowledged (``XACK``) only by
    :meth:`done`, :meth:`retry` or :meth:`dead`, each one atomic script.

    Bounds: at most ``max_pending`` unfinished deliveries (then :meth:`put` answers
    FULL, so the receiver answers 503); the stream holds only unfinished ones and is
    also capped with ``MAXLEN ~ maxlen`` (at least ``max_pending``, so trimming never
    drops an unfinished delivery); the dead-letter stream ``<stream>:dead`` keeps about
    the last ``max_dead``. ``consumer`` names this process in the group (default: host,
    pid and a random suffix). The stream's entries hold whole deliveries, webhook token
    included: protect the Redis server accordingly.

    Raises:
        ValueError: (constructor) on an empty name or one with spaces, a non-positive
            bound or duration, or ``maxlen < max_pending``.
    """

    def __init__(
        self,
        redis: Redis,
        *,
        stream: str,
        group: str,
        claim_idle: float = 60.0,
        consumer: str | None = None,
        max_pending: int = 100_000,
        maxlen: int | None = None,
        max_dead: int = 10_000,
        dedupe_ttl: float = 24 * 3600.0,
        timeout: float = 5.0,
    ) -> None:
        redis_key_part(stream, "stream")
        redis_key_part(group, "group")
        if consumer is None:
            consumer = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        redis_key_part(consumer, "consumer")
        if min(claim_idle, dedupe_ttl, timeout) <= 0 or min(max_pending, max_dead) < 1:
            raise ValueError(
                "claim_idle, dedupe_ttl, timeout, max_pending and max_dead must be positive"
            )
        maxlen = 2 * max_pending if maxlen is None else maxlen
        if maxlen < max_pending:
            raise ValueError("maxlen must be at least max_pending")
        self.stream = stream
        self.group = group
        self.consumer = consumer
        self.claim_idle = claim_idle
        self._redis = redis
        self._max_pending = max_pending
        self._maxlen = maxlen
        self._max_dead = max_dead
        self._dedupe_ms = round(dedupe_ttl * 1000)
        self._timeout = timeout
        self._retry_key = f"{stream}:retry"
        self._delayed_key = f"{stream}:delayed"
        self._dead_key = f"{stream}:dead"
        self._scripts = {
            name: redis.register_script(getattr(lua, name))
            for name in ("PUT", "PROMOTE", "CLAIM", "TOUCH", "DONE", "RETRY", "DEAD", "LEAVE")
        }
        self._claim_cursor = "0-0"
        self._next_claim = 0.0  # monotonic
        self._next_promote = 0.0  # monotonic: when a retry may be due
        self._taken: set[str] = set()  # entries this consumer is handling
        self._renewer: asyncio.Task[None] | None = None
        self._opened = 0  # open() calls not yet closed
        self._group_ready = False

    def __repr__(self) -> str:
        return f"RedisStreamInbox(stream={self.stream!r}, group={self.group!r})"

    async def _call(self, what: str, call: Awaitable[T], *, blocking: float = 0.0) -> T:
        try:
            return await call_redis(call, self._timeout + blocking)
        except REDIS_FAILURES as exc:
            reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            raise RedisUnavailableError(
                f"{describe(self._redis)} failed to {what} (stream {self.stream!r}): {reason}"
            ) from exc

    def _script(self, name: str, keys: list[str], args: Iterable[Any]) -> Awaitable[Any]:
        return self._scripts[name](keys, list(args))

    async def open(self) -> None:
        """Create the stream and the consumer group if missing (entries already in the
        stream are then read too). Counted: each :meth:`open` needs its :meth:`close`.
        When Redis cannot be reached it only logs a warning: receivers then answer 503
        and consumers retry until it answers, and the group is created then.

        Raises:
            RedisUnavailableError: if Redis refuses the group (``stream`` holds another
                type of value, say).
        """
        self._opened += 1
        try:
            await self._ensure_group()
        except RedisUnavailableError as exc:
            if isinstance(exc.__cause__, ResponseError):
                self._opened -= 1
                raise
            logger.warning("%s; the consumer group is created once Redis answers", exc)

    async def _ensure_group(self) -> None:
        try:
            await self._call(
                "create the consumer group",
                self._redis.xgroup_create(self.stream, self.group, id="0", mkstream=True),
            )
        except RedisUnavailableError as exc:
            cause = exc.__cause__
            if not (isinstance(cause, ResponseError) and "BUSYGROUP" in str(cause)):
                raise
        self._group_ready = True

    async def put(self, key: str, body: bytes) -> PutResult:
        """Store a delivery unless its key was seen (DUPLICATE) or the inbox is full (FULL).

        ACCEPTED means Redis has stored it. Raises:
            RedisUnavailableError: if Redis cannot be reached (nothing is stored then, or
                the delivery is stored and a redelivery will be a DUPLICATE).
        """
        seen = f"{self.stream}:seen:{key}"
        answer = await self._call(
            "store a delivery",
            self._script(
                "PUT",
                [self.stream, seen, self._retry_key],
                [key, body, self._dedupe_ms, self._maxlen, self._max_pending],
            ),
        )
        return PutResult[_s(answer)]

    async def take(self, limit: int, wait: float) -> list[StoredDelivery]:
        """Up to ``limit`` deliveries to handle: due retries, entries of dead consumers,
        new ones; waits up to ``wait`` seconds when there is none.

        Raises:
            RedisUnavailableError: if Redis cannot be reached.
        """
        if limit < 1:
            return []
        if not self._group_ready:
            await self._ensure_group()
        try:
            taken = await self._take_ready(limit, wait)
        except RedisUnavailableError as exc:
            if "NOGROUP" in str(exc.__cause__):  # Redis lost it (no persistence): recreate
                self._group_ready = False
            raise
        for delivery in taken:
            self._taken.add(delivery.ref)
        if self._taken and self._renewer is None:
            self._renewer = asyncio.ensure_future(self._renew())
        return taken

    async def _take_ready(self, limit: int, wait: float) -> list[StoredDelivery]:
        deadline = time.monotonic() + max(0.0, wait)
        while True:
            await self._promote()
            taken = await self._claim(limit)
            if taken:
                break
            # Block for new entries, but wake for the next due retry or takeover check.
            block = min(deadline, self._next_claim, self._next_promote) - time.monotonic()
            taken = await self._read(limit, max(0, round(block * 1000)))
            if taken or time.monotonic() >= deadline:
                break
        return taken

    async def _promote(self) -> None:
        """Move the due retries back into the stream, when one may be due: retries this
        consumer scheduled, and every ``claim_idle / 4`` seconds those of other ones."""
        now = time.monotonic()
        if now < self._next_promote:
            return
        next_due_ms = await self._call(
            "move due retries",
            self._script(
                "PROMOTE",
                [self.stream, self._retry_key, self._delayed_key],
                [self._maxlen, PROMOTE_BATCH],
            ),
        )
        self._next_promote = now + self.claim_idle / 4
        if int(next_due_ms) >= 0:
            self._next_promote = min(self._next_promote, now + int(next_due_ms) / 1000)

    async def _claim(self, limit: int) -> list[StoredDelivery]:
        now = time.monotonic()
        if now < self._next_claim:
            return []
        self._next_claim = now + self.claim_idle / 4
        cursor, entries = await self._call(
            "take over entries of silent consumers",
            self._script(
                "CLAIM",
                [self.stream],
                [
                    self.group,
                    self.consumer,
                    round(self.claim_idle * 1000),
                    self._claim_cursor,
                    limit,
                ],
            ),
        )
        self._claim_cursor = _s(cursor)
        out = []
        for entry_id, fields, times in entries:
            if _s(entry_id) in self._taken:
                continue  # ours, being handled (its renewal came late): not a new attempt
            # Each earlier delivery of the entry was an attempt that never reported back.
            delivery = _delivery(entry_id, fields, max(0, int(times) - 1))
            if delivery is not None:
                out.append(delivery)
        if out:
            logger.info("took over %d deliveries of silent consumers", len(out))
        return out

    async def _read(self, count: int, block_ms: int) -> list[StoredDelivery]:
        answer = await self._call(
            "read new deliveries",
            self._redis.xreadgroup(
                self.group,
                self.consumer,
                {self.stream: ">"},
                count=count,
                block=block_ms if block_ms > 0 else None,
            ),
            blocking=block_ms / 1000,
        )
        if not answer:
            return []
        # RESP2 answers [[stream, entries]], RESP3 {stream: entries}.
        streams: Any = answer.items() if isinstance(answer, Mapping) else answer
        out = []
        for _name, entries in streams:
            for entry_id, fields in entries:
                delivery = _delivery(entry_id, fields) if fields is not None else None
                if delivery is not None:
                    out.append(delivery)
        return out

    async def _renew(self) -> None:
        """While this consumer handles entries, keep them from being taken over."""
        try:
            while self._taken:
                await asyncio.sleep(self.claim_idle / 3)
                refs = sorted(self._taken)
                if refs:
                    with contextlib.suppress(RedisUnavailableError):
                        await self._call(
                            "renew entries being handled",
                            self._script(
                                "TOUCH", [self.stream], [self.group, self.consumer, *refs]
                            ),
                        )
        finally:
            self._renewer = None

    async def done(self, item: StoredDelivery) -> None:
        """The delivery was handled: acknowledge and delete its entry.

        Raises:
            RedisUnavailableError: if Redis cannot be reached (the entry stays pending
                and is handled again after ``claim_idle``).
        """
        await self._call(
            "acknowledge a delivery",
            self._script("DONE", [self.stream], [self.group, item.ref]),
        )
        self._taken.discard(item.ref)

    async def retry(self, item: StoredDelivery, delay: float) -> None:
        """An attempt failed: run it again in ``delay`` seconds (``item.attempts + 1``
        failed attempts recorded).

        Raises:
            RedisUnavailableError: if Redis cannot be reached.
        """
        await self._call(
            "schedule a retry",
            self._script(
                "RETRY",
                [self.stream, self._retry_key, self._delayed_key],
                [
                    self.group,
                    item.ref,
                    item.key,
                    item.attempts + 1,
                    item.body,
                    max(0, round(delay * 1000)),
                ],
            ),
        )
        self._taken.discard(item.ref)
        self._next_promote = min(self._next_promote, time.monotonic() + max(0.0, delay))

    async def dead(self, item: StoredDelivery) -> None:
        """Move the delivery to ``<stream>:dead``, with ``item.attempts`` as given.

        Raises:
            RedisUnavailableError: if Redis cannot be reached.
        """
        await self._call(
            "dead-letter a delivery",
            self._script(
                "DEAD",
                [self.stream, self._dead_key],
                [self.group, item.ref, item.key, item.attempts, item.body, self._max_dead],
            ),
        )
        self._taken.discard(item.ref)

    async def dead_letters(self, limit: int = 100) -> list[StoredDelivery]:
        """The last ``limit`` dead letters kept, oldest first (``ref``: their id in
        ``<stream>:dead``).

        Raises:
            RedisUnavailableError: if Redis cannot be reached.
        """
        entries: Any = await self._call(
            "read dead letters", self._redis.xrevrange(self._dead_key, count=limit)
        )
        letters = [d for e_id, f in entries or () if (d := _delivery(e_id, f)) is not None]
        return letters[::-1]

    async def depth(self) -> int:
        """Deliveries accepted and not yet handled nor dead-lettered (on every node).

        Raises:
            RedisUnavailableError: if Redis cannot be reached.
        """
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.xlen(self.stream)
            pipe.zcard(self._retry_key)
            ready, delayed = await self._call("count deliveries", pipe.execute())
        return int(ready) + int(delayed)

    async def close(self) -> None:
        """Stop renewing entries (those not reported are taken over after ``claim_idle``)
        and leave the group if this consumer owns no entry. The Redis client stays open.
        Never raises for an unreachable Redis. Counted: only the last of the
        :meth:`open` calls' closes does it."""
        self._opened = max(0, self._opened - 1)
        if self._opened:
            return
        if self._renewer is not None:
            self._renewer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._renewer
        with contextlib.suppress(RedisUnavailableError):
            await self._call(
                "leave the group",
                self._script("LEAVE", [self.stream], [self.group, self.consumer]),
            )
