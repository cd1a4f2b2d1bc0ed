"""Running on several processes or machines, on Redis (``pip install aircall-async[redis]``).

- :class:`RedisThrottler`: one request budget shared by every process and machine;
- :class:`RedisStreamInbox`: webhook deliveries stored in a Redis stream, received on any
  node and handled by any number of consumers.

Both take a ``redis.asyncio.Redis`` client (redis-py >= 5), which stays yours to close.
"""

from __future__ import annotations

try:
    import redis.asyncio  # noqa: F401 - fail here, with the fix, when the extra is missing
except ImportError as exc:  # pragma: no cover - the test environment has redis-py
    raise ImportError(
        "aircall_async.redis needs redis-py: pip install 'aircall-async[redis]'"
    ) from exc

from aircall_async.redis._common import RedisUnavailableError
from aircall_async.redis.stream_inbox import RedisStreamInbox
from aircall_async.redis.throttle import RedisThrottler

__all__ = ["RedisStreamInbox", "RedisThrottler", "RedisUnavailableError"]
