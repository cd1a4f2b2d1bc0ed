"""Where ``ack="immediate"`` stores deliveries between the 200 and their handling.

The :class:`Inbox` protocol has two sides. The receiver side is :meth:`Inbox.put`: a
delivery is durable (as durable as the inbox) before Aircall gets its 200. The consumer
side is a pull loop that a separate process can run as well (:func:`consume`)::

    items = await inbox.take(limit, wait)    # ready: new, due for retry, or abandoned
    ...run the handlers of each item...
    await inbox.done(item)                   # all handlers succeeded: key remembered
    await inbox.retry(item, delay)           # failed attempt: attempts + 1, ready after delay
    await inbox.dead(item)                   # kept as a dead letter, key remembered

An item taken and never settled (its consumer died or stopped mid-attempt) becomes ready
again: at the next :meth:`Inbox.open` for the in-process inboxes, after the inbox's own
idle time for a shared one. So a delivery is handled at least once, and twice only when a
consumer dies between running its handlers and settling it.

``open`` and ``close`` are counted: an inbox shared by a :func:`webhook_app` and a
:func:`consume` task in one process is opened by each and released by the last ``close``.

Implementations here: :class:`MemoryInbox` (bounded, lost with the process) and
:class:`SQLiteInbox` (a local file, one process per file; in :mod:`.sqlite_inbox`).
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
from collections import deque
from enum import Enum
from typing import Protocol, runtime_checkable

import attrs

from aircall_async._loops import running_loop
from aircall_async.webhooks._dedupe import DeliveryMemory

__all__ = ["Inbox", "MemoryInbox", "PutResult", "StoredDelivery"]


class PutResult(Enum):
    """Outcome of :meth:`Inbox.put`: stored, already known, or no room (answered 503)."""

    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    FULL = "full"


@attrs.frozen
class StoredDelivery:
    """One stored delivery, as an :class:`Inbox` hands it to a consumer.

    ``key`` is the dedupe key (the hex digest of the body, stable across processes);
    ``body`` the raw JSON body as received (it holds the webhook token: kept out of the
    repr); ``attempts`` the failed attempts so far; ``ref`` the inbox's own handle (a row
    id, a stream entry id), empty when the inbox needs none.
    """

    key: str
    body: bytes = attrs.field(repr=False)
    attempts: int = 0
    ref: str = ""


@runtime_checkable
class Inbox(Protocol):
    """Storage of accepted deliveries: receivers :meth:`put`, consumers pull (module doc).

    Implementations make :meth:`put` atomic with respect to the key: of two concurrent
    puts of one key, exactly one is ACCEPTED; and a key stays known (DUPLICATE) while
    pending, after :meth:`done` and after :meth:`dead`, within the inbox's dedupe bounds.
    """

    async def open(self) -> None:
        """Prepare the storage (counted: see the module docstring).

        Raises:
            Exception: whatever the storage raises when it is unusable.
        """
        ...

    async def put(self, key: str, body: bytes) -> PutResult:
        """Store a new delivery, durably before returning ACCEPTED.

        DUPLICATE if ``key`` is pending, done or dead; FULL when there is no room.

        Raises:
            Exception: when the storage fails (the receiver answers 503).
        """
        ...

    async def take(self, limit: int, wait: float) -> list[StoredDelivery]:
        """Up to ``limit`` deliveries ready to run, oldest first.

        Ready means new, due for retry, or abandoned by a dead consumer. Waits at most
        ``wait`` seconds when none is ready, then returns ``[]``. A delivery taken is not
        returned again until it is settled with :meth:`retry` or abandoned.
        """
        ...

    async def done(self, item: StoredDelivery) -> None:
        """All handlers succeeded: drop the body, remember the key."""
        ...

    async def retry(self, item: StoredDelivery, delay: float) -> None:
        """A failed attempt: store ``item.attempts + 1``; ready again after ``delay`` s."""
        ...

    async def dead(self, item: StoredDelivery) -> None:
        """Move the delivery to the dead letters, with ``item.attempts`` as given."""
        ...

    async def dead_letters(self, limit: int = 100) -> list[StoredDelivery]:
        """The last ``limit`` dead letters, oldest first."""
        ...

    async def depth(self) -> int:
        """Deliveries accepted and not yet done nor dead (taken ones included)."""
        ...

    async def close(self) -> None:
        """Release the storage; pending deliveries stay for the next :meth:`open`."""
        ...


class ReadySchedule:
    """Which keys are ready now, which wait for a retry, which a consumer holds.

    The in-process part shared by :class:`MemoryInbox` and :class:`SQLiteInbox`: both
    keep their records elsewhere and use this to answer :meth:`Inbox.take` in order,
    wake a waiting consumer on a new delivery, and time the retries on the loop's clock.
    """

    def __init__(self) -> None:
        self._ready: deque[str] = deque()
        self._delayed: list[tuple[float, int, str]] = []
        self._seq = itertools.count()
        self.taken: set[str] = set()
        self._wakeup: asyncio.Event | None = None

    def reset(self, keys: list[str]) -> None:
        """Start over with ``keys`` ready (at open: nothing is held by anyone)."""
        self._ready = deque(keys)
        self._delayed = []
        self.taken = set()
        self._wakeup = asyncio.Event()

    def add(self, key: str, delay: float = 0.0) -> None:
        """Make ``key`` ready after ``delay`` seconds (now when not positive)."""
        self.taken.discard(key)
        if delay > 0:
            due = running_loop().time() + delay
            heapq.heappush(self._delayed, (due, next(self._seq), key))
        else:
            self._ready.append(key)
        if self._wakeup is not None:
            self._wakeup.set()  # a waiting consumer recomputes how long to wait

    def settle(self, key: str) -> None:
        """``key`` is done or dead: no longer held."""
        self.taken.discard(key)

    async def take(self, limit: int, wait: float) -> list[str]:
        """Up to ``limit`` ready keys, now marked taken; waits up to ``wait`` s for one."""
        loop = running_loop()
        deadline = loop.time() + max(0.0, wait)
        while True:
            now = loop.time()
            while self._delayed and self._delayed[0][0] <= now:
                self._ready.append(heapq.heappop(self._delayed)[2])
            if self._ready:
                keys: list[str] = []
                while self._ready and len(keys) < limit:
                    keys.append(self._ready.popleft())
                self.taken.update(keys)
                return keys
            timeout = deadline - now
            if self._delayed:
                timeout = min(timeout, self._delayed[0][0] - now)
            if now >= deadline:
                return []
            if self._wakeup is None:
                self._wakeup = asyncio.Event()
            self._wakeup.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), max(0.0, timeout))


class MemoryInbox:
    """An in-process :class:`Inbox`: at most ``max_size`` pending deliveries (then FULL).

    Handled and dead keys are remembered in a bounded memory (``dedupe_size``,
    ``dedupe_age``); the last ``max_dead`` dead letters are kept. Everything is lost with
    the process; deliveries still pending when an app stops are handled by the next app
    of the same process that opens this inbox.

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
        self._pending: dict[str, StoredDelivery] = {}
        self._known = DeliveryMemory(dedupe_size, dedupe_age)
        self._dead: deque[StoredDelivery] = deque(maxlen=max_dead)
        self._schedule = ReadySchedule()
        self._opened = 0

    def __repr__(self) -> str:
        return f"MemoryInbox(<{len(self._pending)} pending>)"

    async def open(self) -> None:
        """Make every pending delivery ready again on the first open (none is held)."""
        if self._opened == 0:
            self._schedule.reset(list(self._pending))
        self._opened += 1

    async def put(self, key: str, body: bytes) -> PutResult:
        """Store the delivery unless ``key`` is known (DUPLICATE) or the inbox is full (FULL)."""
        if key in self._pending or key in self._known:
            return PutResult.DUPLICATE
        if len(self._pending) >= self._max_size:
            return PutResult.FULL
        self._pending[key] = StoredDelivery(key, body)
        self._schedule.add(key)
        return PutResult.ACCEPTED

    async def take(self, limit: int, wait: float) -> list[StoredDelivery]:
        """Up to ``limit`` ready deliveries; waits up to ``wait`` seconds for one."""
        keys = await self._schedule.take(limit, wait)
        items = [self._pending[key] for key in keys if key in self._pending]
        if len(items) < len(keys):  # settled meanwhile: not held by anyone
            for key in keys:
                if key not in self._pending:
                    self._schedule.settle(key)
        return items

    async def done(self, item: StoredDelivery) -> None:
        """Forget the body, remember the key."""
        self._pending.pop(item.key, None)
        self._known.add(item.key)
        self._schedule.settle(item.key)

    async def retry(self, item: StoredDelivery, delay: float) -> None:
        """Count the failed attempt; the delivery is ready again after ``delay`` seconds."""
        if item.key not in self._pending:
            return
        self._pending[item.key] = attrs.evolve(item, attempts=item.attempts + 1)
        self._schedule.add(item.key, delay)

    async def dead(self, item: StoredDelivery) -> None:
        """Move the delivery to the dead letters (its key stays known)."""
        self._pending.pop(item.key, None)
        self._known.add(item.key)
        self._schedule.settle(item.key)
        self._dead.append(item)

    async def dead_letters(self, limit: int = 100) -> list[StoredDelivery]:
        """The last ``limit`` of the kept dead letters, oldest first."""
        kept = list(self._dead)
        return kept[-limit:] if limit > 0 else []

    async def depth(self) -> int:
        """Deliveries accepted and not yet done nor dead."""
        return len(self._pending)

    async def close(self) -> None:
        """Nothing to release: pending deliveries stay for the next :meth:`open`."""
        self._opened = max(0, self._opened - 1)
