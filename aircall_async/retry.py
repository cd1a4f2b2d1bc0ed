"""When to try a request again, and how long to wait first.

The decisions are plain functions of the method and of what happened, so they read like
the rules they implement:

- a 429 is retried for any method: the server did not process the request;
- a failure to connect (refused, or no connection within the connect timeout) is retried
  for any method: the request never left;
- 5xx answers, timeouts and dropped connections are retried only for GET, PUT and DELETE,
  whose repetition is harmless. A POST may have been processed (``POST /v1/contacts``
  twice creates two contacts), so it is never blindly sent again.
"""

from __future__ import annotations

import asyncio
import random

import aiohttp
import attrs

__all__ = ["IDEMPOTENT_METHODS", "Backoff", "retry_on_exception", "retry_on_status"]

#: Methods that may be repeated without changing the outcome.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})

_NOT_SENT = (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError)


def retry_on_status(method: str, status: int) -> bool:
    """Whether an answer with ``status`` to a ``method`` request should be retried."""
    if status == 429:
        return True
    return status >= 500 and method in IDEMPOTENT_METHODS


def retry_on_exception(method: str, exc: BaseException) -> bool:
    """Whether a request that failed with ``exc`` (no HTTP answer) should be retried.

    A TLS failure (a bad certificate) will not heal by itself: never retried.
    """
    if isinstance(exc, aiohttp.ClientSSLError):
        return False
    if isinstance(exc, _NOT_SENT):
        return True
    if method not in IDEMPOTENT_METHODS:
        return False
    return isinstance(exc, (aiohttp.ClientError, asyncio.TimeoutError))


def _non_negative(instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if value < 0:
        raise ValueError(f"{attribute.name} must be >= 0, got {value!r}")


@attrs.frozen
class Backoff:
    """Exponential backoff with jitter: ``min(cap, base * 2**attempt) * jitter()``.

    ``jitter()`` is the only source of randomness in the package; subclass and override
    it (for example to return ``1.0``) to make waits predictable in tests.

    Raises:
        ValueError: if ``base`` or ``cap`` is negative.
    """

    base: float = attrs.field(default=0.5, validator=_non_negative)
    cap: float = attrs.field(default=30.0, validator=_non_negative)

    def delay(self, attempt: int) -> float:
        """Seconds to wait before retry number ``attempt + 1`` (``attempt`` counts from 0)."""
        return min(self.cap, self.base * 2.0**attempt) * self.jitter()

    def jitter(self) -> float:
        """A factor in [0.5, 1.0): spreads the retries of many clients apart."""
        return 0.5 + random.random() / 2  # not for cryptography
