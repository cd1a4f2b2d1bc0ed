"""Bounded memory of the deliveries already handled, to answer redeliveries without rerunning.

A delivery is identified by a 64-bit hash of its body as received: :func:`delivery_key`
(16 hex digits of a keyed BLAKE2b, stable across processes) is the key an inbox stores;
:func:`memory_key` (the interpreter's own 64-bit ``hash`` of the bytes, an int, salted per
process) is what the in-process memory holds, because it costs a twentieth of the
BLAKE2b and an int costs half a string. A delivery identical to one already handled
(same body: token, event, timestamp, resource id and data) is a redelivery, while two
real changes to one object within the same second (same timestamp and id, different
data) are two deliveries. A redelivery carries the same body (the fake server resends
identical bytes); one whose bytes differed would be handled again, which errs on the
side of at-least-once. The token is part of the body, so two accounts never shadow each
other, and only the hash is kept (never the token).

The memory is two generations of sets: new keys go into the young one; when it holds
``max_size // 2`` keys or is ``max_age / 2`` seconds old, it becomes the old one and the
previous old one is dropped. So at most ``max_size`` keys are held, each for at most
``max_age`` seconds, and every key is remembered for at least ``max_age / 2`` seconds
unless ``max_size // 2`` newer keys pushed it out. Lookups and inserts are O(1) and each
key costs about 70 bytes.
"""

from __future__ import annotations

import hashlib
import sys
import time
from collections.abc import Callable, Hashable

__all__ = ["DeliveryMemory", "delivery_key", "memory_key"]


def _digest(body: bytes) -> bytes:
    return hashlib.blake2b(body, digest_size=8, person=b"aircall-wh").digest()


def delivery_key(body: bytes) -> str:
    """The identity of a delivery's raw ``body``: 16 hex digits, stable across processes.

    It is the hex form of the signed 64-bit key that earlier inbox files stored, so
    their rows keep deduplicating after the migration.
    """
    return _digest(body).hex()


def _stable_int_key(body: bytes) -> int:
    return int.from_bytes(_digest(body), "big", signed=True)


def _process_key(body: bytes) -> int:
    return hash(body)


#: :func:`memory_key`'s implementation: ``hash`` where it has 64 bits (a false "already
#: handled" among 100,000 remembered keys is then a 1-in-10^14 event), BLAKE2b elsewhere.
_memory_key = _process_key if sys.hash_info.width >= 64 else _stable_int_key


def memory_key(body: bytes) -> int:
    """The identity of ``body`` for the in-process memory: a 64-bit int, valid in this
    process only (``hash`` is salted per process; an inbox stores :func:`delivery_key`)."""
    return _memory_key(body)


class DeliveryMemory:
    """Remembers handled delivery keys, bounded by count and age (see module docstring).

    Raises:
        ValueError: (constructor) if ``max_size`` < 2 or ``max_age`` <= 0.
    """

    __slots__ = (
        "_clock",
        "_half_age",
        "_half_size",
        "_old",
        "_old_since",
        "_young",
        "_young_since",
    )

    def __init__(
        self,
        max_size: int = 100_000,
        max_age: float = 24 * 3600.0,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_size < 2:
            raise ValueError("max_size must be at least 2")
        if max_age <= 0:
            raise ValueError("max_age must be positive")
        self._half_size = max_size // 2
        self._half_age = max_age / 2
        self._clock = clock
        self._young: set[Hashable] = set()
        self._old: set[Hashable] = set()
        self._young_since = self._old_since = clock()

    def __len__(self) -> int:
        self._rotate_if_due()
        return len(self._young) + len(self._old)

    def __contains__(self, key: Hashable) -> bool:
        self._rotate_if_due()
        return key in self._young or key in self._old

    def add(self, key: Hashable) -> None:
        """Remember ``key`` (a :func:`memory_key` or :func:`delivery_key`) as handled."""
        self._rotate_if_due()
        self._young.add(key)
        if len(self._young) >= self._half_size:
            self._rotate(self._clock())

    def _rotate_if_due(self) -> None:
        now = self._clock()
        if now - self._young_since >= self._half_age:
            self._rotate(now)
        # Keys of the old generation were added at or after _old_since.
        if self._old and now - self._old_since >= 2 * self._half_age:
            self._old = set()

    def _rotate(self, now: float) -> None:
        self._old, self._old_since = self._young, self._young_since
        self._young, self._young_since = set(), now
