"""What the Redis-backed pieces share: the error they raise and how they name a server."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable
from typing import Any, TypeVar

from redis.exceptions import RedisError

from aircall_async.errors import TransportError

__all__ = [
    "REDIS_FAILURES",
    "RedisUnavailableError",
    "call_redis",
    "describe",
    "redis_key_part",
]

T = TypeVar("T")

#: What a call to Redis raises when the server cannot be reached or answers an error.
REDIS_FAILURES = (RedisError, OSError, asyncio.TimeoutError)


class RedisUnavailableError(TransportError):
    """Redis could not be reached (or refused a command), so nothing was sent or stored.

    Raised by :class:`~aircall_async.redis.RedisThrottler` (no request goes out without
    a slot from Redis) and by :class:`~aircall_async.redis.RedisStreamInbox`. The message
    names the server (host, port, database: never a password); ``__cause__`` holds the
    redis-py error.
    """

    def __init__(self, message: str) -> None:
        Exception.__init__(self, message)
        self.method = ""
        self.path = ""


def describe(client: Any) -> str:
    """``redis://host:port/db`` of a redis-py client, without credentials; never raises."""
    try:
        kwargs = client.connection_pool.connection_kwargs
    except AttributeError:
        return "Redis"
    if "path" in kwargs:
        return f"Redis at unix://{kwargs['path']} (db {kwargs.get('db', 0)})"
    host = kwargs.get("host", "localhost")
    return f"Redis at redis://{host}:{kwargs.get('port', 6379)}/{kwargs.get('db', 0)}"


def redis_key_part(value: str, what: str) -> str:
    """Check a name that becomes part of Redis keys: a non-empty printable string.

    Raises:
        ValueError: if ``value`` is empty, not a string or holds spaces or control
            characters (a key should be greppable and safe to log).
    """
    if not isinstance(value, str) or not value:
        raise ValueError(f"{what} must be a non-empty string, got {type(value).__name__}")
    if not value.isprintable() or any(c.isspace() for c in value):
        # The value itself stays out of the message: it may be a secret given by mistake.
        raise ValueError(f"{what} must not contain spaces or control characters")
    return value


async def call_redis(call: Awaitable[T], timeout: float) -> T:
    """Await a redis-py ``call`` for at most ``timeout`` seconds; a cancellation always wins.

    The call runs in a task of its own, awaited through a shield: redis-py waits on its
    socket with ``asyncio.wait_for``, which on Python < 3.12 swallows a cancellation that
    lands just as the wait ends, and the caller (a consumer being stopped, a task giving
    up its wait for a slot) would carry on as if never cancelled.

    Raises:
        asyncio.TimeoutError: past ``timeout``; and whatever the call raises.
    """
    task = asyncio.ensure_future(_within(call, timeout))
    task.add_done_callback(_retrieve)
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        task.cancel()
        raise


async def _within(call: Awaitable[T], timeout: float) -> T:
    if sys.version_info >= (3, 11):
        async with asyncio.timeout(timeout):
            return await call
    return await asyncio.wait_for(call, timeout)  # pragma: no cover - 3.10


def _retrieve(task: asyncio.Future[Any]) -> None:
    """Mark the outcome of a call its caller stopped waiting for as seen."""
    if not task.cancelled():
        task.exception()
