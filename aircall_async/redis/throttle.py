"""One request budget shared by every process and machine: :class:`RedisThrottler`.

The decisions live in Lua scripts that Redis runs atomically on its own clock (see
:mod:`aircall_async.redis._throttle_lua`); this module is the process' side: one task of
the process at a time asks Redis for a slot (its other tasks queue behind it, in order),
leases of the requests still out are renewed, answers' headers are written back.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
import uuid
from collections import deque
from collections.abc import Awaitable, Sequence
from typing import Any, Final, TypeVar

from redis.asyncio import Redis
from redis.commands.core import AsyncScript

from aircall_async.ratelimit import RateLimit, RateLimitStatus, Throttler
from aircall_async.redis import _throttle_lua as lua
from aircall_async.redis._common import (
    REDIS_FAILURES,
    RedisUnavailableError,
    call_redis,
    describe,
    redis_key_part,
)

__all__ = ["RedisThrottler"]

logger = logging.getLogger("aircall_async.redis")

T = TypeVar("T")

#: The longest a server-announced reset is believed to be away (as in the in-process one).
MAX_RESET_WAIT: Final = 65.0
#: A waiter that has not polled this long after the time it announced has left the queue.
WAITER_GRACE: Final = 1.0
#: The longest a waiter sleeps between two polls (less for short windows).
MAX_POLL: Final = 1.0
#: How long a waiter with free slots but earlier waiters ahead waits, per waiter ahead.
QUEUE_STEP: Final = 0.002


class _LocalTicket:
    """A slot of the per-process fallback budget (taken while Redis was unreachable)."""

    __slots__ = ()


_LOCAL: Final = _LocalTicket()


class RedisThrottler:
    """Paces the requests of every client, in any process on any machine, sharing ``key``.

    Give it to ``AircallClient(rate_limit=...)``. At most ``limit`` requests start in any
    ``per`` seconds across all of them, however the windows are aligned; the admission is
    decided by one atomic Lua script on Redis's own clock (``TIME``), never a local one.
    What the ``X-AircallApi-*`` headers say, in any process, holds everybody: a lower
    limit, "0 remaining" until the server's reset, a 429 until the reset. Waiting processes
    are served in order of arrival, and a process' tasks in order among themselves. The
    slots of a process that died expire within ``per`` seconds (a live process renews the
    lease of its requests still out every ``per / 4`` seconds).

    ``key`` names the budget (the Aircall company, say ``"acme"``): never put the API
    token in it (it is stored in the clear in Redis key names). The keys are
    ``<prefix>{<key>}:*`` and expire when unused.

    When Redis cannot be reached, :meth:`acquire` raises :class:`RedisUnavailableError`
    (a :class:`~aircall_async.errors.TransportError` naming the server) and no request
    is sent; with ``expected_processes`` set, each process instead falls back to its share
    ``limit // expected_processes`` (at least 1) of the budget, kept in the process, and
    goes back to Redis (trying again at most every ``retry_after`` seconds) as soon as it
    answers, carrying the slots used meanwhile. It never fails open. ``timeout`` bounds
    each call to Redis.

    Raises:
        ValueError: (constructor) on an empty key or one with spaces, a ``limit`` below
            1, a non-positive ``per``/``timeout``/``retry_after``, or an
            ``expected_processes`` below 1.
    """

    def __init__(
        self,
        redis: Redis,
        *,
        key: str,
        limit: int = 60,
        per: float = 60.0,
        expected_processes: int | None = None,
        timeout: float = 5.0,
        retry_after: float = 1.0,
        prefix: str = "aircall:throttle:",
    ) -> None:
        redis_key_part(key, "key")
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise ValueError(f"limit must be an integer >= 1, got {limit!r}")
        if per <= 0 or timeout <= 0 or retry_after <= 0:
            raise ValueError("per, timeout and retry_after must be positive")
        if expected_processes is not None and expected_processes < 1:
            raise ValueError(f"expected_processes must be >= 1, got {expected_processes!r}")
        self.key = key
        self.limit = limit
        self.per = per
        self._redis = redis
        self._timeout = timeout
        self._retry_after = retry_after
        base = f"{prefix}{{{key}}}"
        inflight, finished, queue, deadlines, state = (
            f"{base}:{name}" for name in ("inflight", "finished", "queue", "deadlines", "state")
        )
        self._acquire_keys = [inflight, finished, queue, deadlines, state]
        self._release_keys = [inflight, finished, state]
        self._inflight_key, self._finished_key = inflight, finished
        self._abandon_keys = [inflight, queue, deadlines]
        per_ms = round(per * 1000)
        self._per_ms = per_ms
        self._lease_ms = per_ms
        self._max_poll_ms = max(1, round(min(MAX_POLL, per / 4) * 1000))
        self._ttl_ms = 2 * per_ms + round(MAX_RESET_WAIT * 1000) + 60_000
        self._acquire_script: AsyncScript = redis.register_script(lua.ACQUIRE)
        self._release_script: AsyncScript = redis.register_script(lua.RELEASE)
        self._renew_script: AsyncScript = redis.register_script(lua.RENEW)
        self._abandon_script: AsyncScript = redis.register_script(lua.ABANDON)
        self._carry_script: AsyncScript = redis.register_script(lua.CARRY)
        self._id = uuid.uuid4().hex[:16]
        self._seq = itertools.count()
        self._lock: asyncio.Lock | None = None
        # Tickets of this process' requests still out, whose leases the heartbeat renews.
        self._tickets: set[str] = set()
        self._heartbeat: asyncio.Task[None] | None = None
        self._background: set[asyncio.Task[Any]] = set()
        self._fallback = (
            None
            if expected_processes is None
            else Throttler(RateLimit(max(1, limit // expected_processes), per))
        )
        self._degraded = False
        self._next_redis_try = 0.0  # monotonic: while degraded, when to try Redis again
        # Monotonic finish times of the fallback's requests, carried to Redis on return.
        # The last ``limit`` decide the shared log's admissions just as all of them would,
        # and a long outage must not grow it by a float a request.
        self._local_finished: deque[float] = deque(maxlen=limit)

    def __repr__(self) -> str:
        return f"<RedisThrottler key={self.key!r} {self.limit} per {self.per:g}s>"

    @property
    def degraded(self) -> bool:
        """True while Redis is unreachable and the per-process fallback budget is in use."""
        return self._degraded

    async def acquire(self) -> object:
        """Wait for a slot of the shared budget and take it; return its ticket.

        A task cancelled while waiting takes no slot.

        Raises:
            RedisUnavailableError: if Redis cannot be reached (and no fallback is set).
        """
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if self._degraded and time.monotonic() < self._next_redis_try:
                return await self._acquire_local()
            ticket = f"{self._id}:{next(self._seq)}"
            try:
                await self._acquire_redis(ticket)
            except REDIS_FAILURES as exc:
                # No abandon: Redis is away. A slot it may have granted expires unrenewed.
                return await self._redis_failed(exc)
            except BaseException:
                self._abandon(ticket)
                raise
            if self._degraded:
                await self._recovered()
        self._tickets.add(ticket)
        if self._heartbeat is None:
            self._heartbeat = asyncio.ensure_future(self._renew_leases())
        return ticket

    async def _acquire_redis(self, ticket: str) -> None:
        args = (
            ticket,
            self.limit,
            self._lease_ms,
            round(WAITER_GRACE * 1000),
            self._max_poll_ms,
            self._ttl_ms,
            max(1, round(QUEUE_STEP * 1000)),
        )
        while True:
            admitted, wait_ms = await self._call(self._acquire_script(self._acquire_keys, args))
            if admitted:
                return
            await asyncio.sleep(int(wait_ms) / 1000)

    async def _redis_failed(self, exc: BaseException) -> object:
        where = describe(self._redis)
        reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        if self._fallback is None:
            raise RedisUnavailableError(
                f"{where} unreachable, so no request was sent (throttle key {self.key!r}): {reason}"
            ) from exc
        if not self._degraded:
            logger.warning(
                "%s unreachable (%s): throttle key %r falls back to %d per %gs in this process",
                where,
                reason,
                self.key,
                self._fallback.limit,
                self.per,
            )
            self._degraded = True
        self._next_redis_try = time.monotonic() + self._retry_after
        return await self._acquire_local()

    async def _acquire_local(self) -> object:
        assert self._fallback is not None
        await self._fallback.acquire()
        return _LOCAL

    async def _recovered(self) -> None:
        """Redis answers again: hand it the slots the fallback budget still holds."""
        self._degraded = False
        now = time.monotonic()
        args: list[str | int] = []
        for finished in self._local_finished:
            left_ms = round((finished + self.per - now) * 1000)
            if left_ms > 0:
                args += [left_ms, f"{self._id}:{next(self._seq)}"]
        self._local_finished.clear()
        if args:
            await self._call(self._carry_script([self._finished_key], args))
        logger.warning(
            "%s reachable again: throttle key %r shared again", describe(self._redis), self.key
        )

    async def release(
        self, ticket: object, status: RateLimitStatus | None = None, *, rejected: bool = False
    ) -> None:
        """Give the slot of ``ticket`` back and write what the answer said to Redis.

        ``status`` is the answer's ``X-AircallApi-*`` headers; ``rejected`` marks a 429.
        Never raises: when Redis cannot be reached the slot simply expires within
        ``per`` seconds (its lease is no longer renewed).
        """
        if isinstance(ticket, _LocalTicket):
            assert self._fallback is not None
            await self._fallback.release(None, status, rejected=rejected)
            if self._degraded:
                self._local_finished.append(time.monotonic())
                return
            ticket = f"{self._id}:{next(self._seq)}"  # Redis is back: count it there
        if not isinstance(ticket, str):
            return
        self._tickets.discard(ticket)
        if not self._tickets and self._heartbeat is not None:
            self._heartbeat.cancel()  # nothing left to renew
            self._heartbeat = None
        args = self._release_args(ticket, status, rejected)
        task = asyncio.ensure_future(self._call(self._release_script(self._release_keys, args)))
        try:
            # Shielded: a caller cancelled just now must not leave its slot unrecorded.
            await asyncio.shield(task)
        except REDIS_FAILURES as exc:
            logger.warning(
                "%s unreachable, the answer's budget was not shared (throttle key %r): %s",
                describe(self._redis),
                self.key,
                type(exc).__name__,
            )
            if rejected and self._fallback is not None:
                until = status.seconds_until_reset() if status is not None else None
                self._fallback.block_for(self.per if until is None else until)
        except asyncio.CancelledError:
            self._keep(task)
            raise

    def _release_args(
        self, ticket: str, status: RateLimitStatus | None, rejected: bool
    ) -> Sequence[str | int]:
        limit = remaining = reset = ""
        if status is not None:
            limit = "" if status.limit is None else str(status.limit)
            remaining = "" if status.remaining is None else str(status.remaining)
            reset = "" if status.reset is None else str(round(status.reset.timestamp() * 1000))
        return (
            ticket,
            self._per_ms,
            limit,
            remaining,
            reset,
            "1" if rejected else "0",
            round(MAX_RESET_WAIT * 1000),
            self._ttl_ms,
            2 * self._per_ms,
        )

    async def _renew_leases(self) -> None:
        """While requests are out, renew their leases every quarter of a lease."""
        try:
            while self._tickets:
                await asyncio.sleep(self._lease_ms / 4000)
                tickets = sorted(self._tickets)
                if not tickets:
                    break
                try:
                    await self._call(
                        self._renew_script([self._inflight_key], [self._lease_ms, *tickets])
                    )
                except REDIS_FAILURES as exc:
                    logger.debug("lease renewal failed: %s", type(exc).__name__)
        finally:
            if self._heartbeat is asyncio.current_task():
                self._heartbeat = None

    def _abandon(self, ticket: str) -> None:
        """Take ``ticket`` out of the queue and give back its slot, in the background."""
        coro = self._call(self._abandon_script(self._abandon_keys, [ticket]))
        self._keep(asyncio.ensure_future(coro))

    def _keep(self, task: asyncio.Task[Any]) -> None:
        self._background.add(task)
        task.add_done_callback(_forget_result(self._background))

    async def _call(self, call: Awaitable[T]) -> T:
        return await call_redis(call, self._timeout)

    async def aclose(self) -> None:
        """Stop renewing leases (the slots still out then expire) and wait for the
        background calls to Redis. The Redis client stays open: it is yours."""
        if self._heartbeat is not None:
            self._heartbeat.cancel()
        pending = [*self._background, *([self._heartbeat] if self._heartbeat else [])]
        await asyncio.gather(*pending, return_exceptions=True)


def _forget_result(tasks: set[asyncio.Task[Any]]) -> Any:
    def done(task: asyncio.Task[Any]) -> None:
        tasks.discard(task)
        if not task.cancelled():
            task.exception()  # retrieved: a failed background call is already logged

    return done
