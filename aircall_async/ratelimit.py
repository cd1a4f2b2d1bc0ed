"""Staying inside the API's request budget.

Three pieces, from pure to stateful:

- :class:`RateLimit`, the configured budget (a frozen value);
- :class:`RateLimitStatus`, what the server last said, read ``from_http(headers)``;
- :class:`Throttle`, the protocol of what paces a client's requests (``acquire`` before
  sending, ``release`` after), and :class:`Throttler`, the in-process one every request
  of a client passes through by default. Another implementation (a Redis-backed one,
  shared by several processes) plugs into ``AircallClient(rate_limit=...)``.

The server counts requests in fixed windows whose alignment the client cannot see, so
the throttler keeps a sliding log instead: a request may start only when fewer than
``limit`` requests finished in the last ``per`` seconds and are still running. Any window
of ``per`` seconds, however aligned, then holds at most ``limit`` arrivals at the server,
because a request reaches the server before it finishes. The headers stay the truth: a
different limit replaces the configured one, and "0 remaining" or a 429 stops everybody
until the server's reset. While the server's limit is the client's own, its count beats
the log: requests go while ``X-AircallApi-Remaining`` says there is room, and once its
reset passes one request goes to learn the new count. So a client started in the middle
of a fixed window uses the next window from its start instead of a full ``per`` after its
first request, and a server counting in a sliding window or a leaky bucket (whose reset
is when one more request fits) still never answers 429. A budget set by hand below the
server's (one process's share of a key) keeps the log in charge.

A header that makes no sense (a negative, fractional or absurd number) is ignored, so the
last good budget stays in force (the reading lives in :mod:`aircall_async._rate_status`),
and no wait is ever longer than ``_MAX_RESET_WAIT``.
"""

from __future__ import annotations

import asyncio
import math
from collections import deque
from datetime import datetime
from typing import Any, Literal, Protocol, runtime_checkable

import attrs

from ._rate_status import RateLimitStatus
from .clock import Clock, SystemClock, Timer

__all__ = ["RateLimit", "RateLimitStatus", "Throttle", "ThrottleWait", "Throttler", "WaitReason"]

#: The longest the throttler believes a server-announced reset can be away, so that a
#: skewed clock or a bogus header cannot stall a client for hours.
_MAX_RESET_WAIT = 65.0


#: The largest budget accepted: far past any account's, and still a count a log can hold.
_MAX_LIMIT = 1_000_000_000


def _positive(instance: object, attribute: attrs.Attribute[Any], value: float) -> None:
    # (not ``value <= 0``: NaN compares false to everything and would pass it)
    if not (value > 0 and math.isfinite(value)):
        raise ValueError(f"{attribute.name} must be a positive finite number, got {value!r}")


def _not_absurd(instance: object, attribute: attrs.Attribute[Any], value: int) -> None:
    if value > _MAX_LIMIT:
        raise ValueError(f"{attribute.name} must be at most {_MAX_LIMIT:,}, got {value!r}")


@attrs.frozen
class RateLimit:
    """A request budget: at most ``limit`` requests in any ``per`` seconds.

    The API documents 60 per minute per company; some accounts get more, and the
    server's ``X-AircallApi-Limit`` header overrides ``limit`` once seen.

    Raises:
        ValueError: if ``limit`` or ``per`` is not a positive finite number, or ``limit``
            is over a billion.
    """

    limit: int = attrs.field(default=60, validator=[_positive, _not_absurd])
    per: float = attrs.field(default=60.0, validator=_positive)


#: Why a request waited for budget: the client-side budget was spent, the server said
#: "0 remaining" in its window, or a 429 holds every request until the server's reset.
WaitReason = Literal["local budget", "server's 0 remaining", "429 hold"]


@attrs.frozen
class ThrottleWait:
    """How long :meth:`Throttle.acquire` waited for a slot, and why.

    :class:`Throttler` returns one as its ticket when it had to wait (``None`` when the
    slot was free); the client reports it (the ``waited`` of its request events, and an
    INFO log line past one second). A custom :class:`Throttle` may return one (or a
    subclass carrying its own data) to have its waits reported the same way.
    """

    seconds: float
    reason: WaitReason


@runtime_checkable
class Throttle(Protocol):
    """What paces the requests of a client: the client's only view of a rate limiter.

    The client calls :meth:`acquire` before each attempt of a request and :meth:`release`
    exactly once after it, whatever happened (an answer, a failure, a cancellation).
    Give one to ``AircallClient(rate_limit=...)``; :class:`Throttler` is the in-process
    implementation.
    """

    async def acquire(self) -> object:
        """Wait for a slot and take it; return a ticket to give back to :meth:`release`.

        A task cancelled while waiting takes no slot (the CancelledError propagates).
        A :class:`ThrottleWait` as the ticket tells the client how long and why it waited.
        """

    async def release(
        self, ticket: object, status: RateLimitStatus | None = None, *, rejected: bool = False
    ) -> None:
        """Give the slot of ``ticket`` back, learning from the answer's ``status``.

        ``rejected`` marks a 429: the server refused the request for the rate limit.
        Must not raise for the client's sake (it runs in a ``finally``).
        """


class Throttler:
    """Paces the requests of one client, shared by all its tasks, first come first served.

    The in-process :class:`Throttle`. Use :meth:`acquire` before sending and
    :meth:`release` once the answer (or the failure) is in. A task cancelled while
    waiting never takes a slot. Besides the local budget (none with ``rate_limit=None``),
    the server's word holds requests back: what ``X-AircallApi-Remaining`` says is left
    in its window (another process may share the key), and a 429.
    ``X-AircallApi-Limit`` lowers the local budget, and raises it only with
    ``may_raise`` (the client sets it when the budget is the documented default).
    All waiting follows ``clock`` (the system's by default; tests give a
    :class:`~aircall_async.clock.ManualClock`).

    Raises:
        TypeError: for a ``clock`` that is not a :class:`~aircall_async.clock.Clock`.
    """

    def __init__(
        self,
        rate_limit: RateLimit | None,
        *,
        may_raise: bool = False,
        clock: Clock | None = None,
    ) -> None:
        if clock is not None and not isinstance(clock, Clock):
            # A bare callable could tell the time but not wake a waiter at a time of its own.
            raise TypeError("clock must be a Clock (now, time, call_later), e.g. ManualClock()")
        self._clock: Clock = SystemClock() if clock is None else clock
        self._limit = rate_limit.limit if rate_limit else None
        # A header may always lower the budget; it raises it only when the caller kept the
        # documented default (a lower budget set by hand may be one process's share of a key).
        self._may_raise = may_raise
        self._per = rate_limit.per if rate_limit else 0.0
        # When each recent request finished, oldest first. Only the last ``limit`` of them
        # can ever decide a wait (the one ``excess`` places from the end), so the log keeps
        # no more: while the server's count is trusted nothing else trims it, and a server
        # whose reset keeps moving ahead would otherwise grow it by a float a request.
        self._finished: deque[float] = deque(maxlen=self._limit)
        self._in_flight = 0
        self._blocked_until = 0.0
        # What the server's current window still allows, and when that window ends.
        self._server_left: int | None = None
        self._server_window: datetime | None = None
        self._server_reset = 0.0
        # The server's limit, once said; while it equals ours, its count is trusted.
        self._server_limit: int | None = None
        # One request may go to learn the server's count once its window is over.
        self._probe = False
        self._lock: asyncio.Lock | None = None
        self._queue = 0  # tasks inside acquire()'s locked path (holding or waiting)
        # What the task at the head of the queue waits on: a release, or its delay.
        self._waiter: asyncio.Future[None] | None = None
        # Why the head of the queue last waited: the reason of those queued behind it.
        self._last_reason: WaitReason = "local budget"

    @property
    def limit(self) -> int | None:
        """The budget per window in force now (the server's, once it said one)."""
        return self._limit

    def _delay(self, now: float) -> float | None:
        """Seconds to wait before the next request may start; ``None``: until a release."""
        wait = self._blocked_until - now
        if self._server_left is not None and now >= self._server_reset:
            # The server's window is over: a fixed window gives its whole budget back, a
            # sliding window or a leaky bucket at least one request (what their reset
            # means). One request may go, whatever our own log says, to learn the count.
            self._server_left = None
            self._probe = True
        trusted = self._server_limit == self._limit
        if self._server_left is not None:
            if self._server_left <= 0:
                wait = max(wait, self._server_reset - now)
            if trusted:
                # The server's word on a budget the same as ours beats our log, which
                # cannot see where the server's windows start: go while it says there is
                # room, else wait for its reset (and look again then).
                return max(wait, 0.0)
        if self._limit is None or (self._probe and trusted and not self._in_flight):
            return max(wait, 0.0)
        horizon = now - self._per
        finished = self._finished
        while finished and finished[0] <= horizon:
            finished.popleft()
        excess = len(finished) + self._in_flight - self._limit
        if excess < 0:
            return max(wait, 0.0)
        if excess >= len(finished):
            # Only a release frees a slot: one is sure to come while requests are out.
            # With none out (nothing can release), fall back to a full window.
            return None if self._in_flight else self._per
        return max(wait, finished[excess] + self._per - now)

    async def acquire(self) -> object:
        """Wait for a slot and take it. Cancellation while waiting takes nothing.

        Returns ``None`` when the slot was free at once, else a :class:`ThrottleWait`
        (how long the wait was on the clock, and why); give it back to :meth:`release`.
        """
        lock = self._lock
        if lock is None:
            lock = self._lock = asyncio.Lock()
        elif not self._queue:
            # The common case, decided without the lock: nobody holds or waits for it,
            # and nothing below suspends, so no other task can come in between.
            now = self._clock.now()
            if self._delay(now) == 0.0:
                self._take_slot()
                return None
        clock = self._clock
        # Queueing behind the waiters holding the lock is waiting too: timed from here.
        queued = lock.locked()
        entered = clock.now() if queued else 0.0
        self._queue += 1
        try:
            async with lock:
                now = clock.now()
                if not queued:
                    entered = now
                reason: WaitReason | None = None
                while (delay := self._delay(now)) != 0.0:
                    reason = self._reason(now)  # only on the slow path
                    await self._sleep(delay)
                    now = clock.now()
                self._take_slot()
                if reason is not None:
                    self._last_reason = reason
        finally:
            self._queue -= 1
        if queued or reason is not None:
            return ThrottleWait(now - entered, reason or self._last_reason)
        return None  # no wait, nothing built

    def _take_slot(self) -> None:
        self._in_flight += 1
        self._probe = False
        if self._server_left is not None:
            self._server_left -= 1

    def _reason(self, now: float) -> WaitReason:
        """Why the next request cannot start at ``now`` (its delay is not zero)."""
        server_hold = (
            self._server_reset if self._server_left is not None and self._server_left <= 0 else 0.0
        )
        if self._blocked_until > now and self._blocked_until >= server_hold:
            return "429 hold"
        if server_hold > now:
            return "server's 0 remaining"
        return "local budget"

    async def _sleep(self, delay: float | None) -> None:
        """Sleep ``delay`` seconds (``None``: until a release) on the clock, or until a
        release wakes us up.

        A bare future rather than ``asyncio.wait_for``: on Python < 3.12 ``wait_for`` can
        swallow a cancellation that lands just as the wait ends, and the cancelled task
        would then take a slot.
        """
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[None] = loop.create_future()
        timer: Timer | None = None
        if delay is not None:
            timer = self._clock.call_later(min(delay, _MAX_RESET_WAIT), lambda: _wake(waiter))
        self._waiter = waiter
        try:
            await waiter
        finally:
            self._waiter = None
            if timer is not None:
                timer.cancel()

    async def release(
        self,
        ticket: object = None,
        status: RateLimitStatus | None = None,
        *,
        rejected: bool = False,
    ) -> None:
        """Give the slot back, learning from the server's headers. Never suspends.

        ``rejected`` marks a 429: nobody sends again before the server's reset (or, when
        the answer did not say, before a full window has passed).
        """
        now = self._clock.now()
        self._in_flight = max(0, self._in_flight - 1)
        if self._limit is not None:
            self._finished.append(now)
        until_reset = status.seconds_until_reset(self._clock.time()) if status else None
        if status is not None:
            if self._limit is not None and self._adopts(status.limit):
                self._limit = status.limit
                self._finished = deque(self._finished, maxlen=self._limit)
            if status.limit is not None:
                self._server_limit = status.limit
            if status.remaining is not None and until_reset:
                self._learn_remaining(status, now + min(until_reset, _MAX_RESET_WAIT))
        if rejected:
            self.block_for(until_reset if until_reset is not None else (self._per or 1.0))
        if self._waiter is not None:
            _wake(self._waiter)

    def _adopts(self, limit: int | None) -> bool:
        if not limit or limit == self._limit:
            return False
        return self._may_raise or (self._limit is not None and limit < self._limit)

    def _learn_remaining(self, status: RateLimitStatus, reset: float) -> None:
        # Requests still on the wire may not be counted yet: assume they will be. Answers
        # can arrive out of order: within one window a count only ever goes down, and an
        # answer from an earlier window than the one known (its reset is earlier) is stale.
        assert status.remaining is not None
        assert status.reset is not None
        left = status.remaining - self._in_flight
        known = self._server_window
        if self._server_left is not None and known is not None:
            if status.reset < known:
                return
            if status.reset == known:
                left = min(left, self._server_left)
        self._server_left = left
        self._server_window = status.reset
        self._server_reset = reset

    def block_for(self, seconds: float) -> None:
        """Hold every request back for ``seconds`` from now (bounded by a sane maximum)."""
        until = self._clock.now() + min(max(seconds, 0.0), _MAX_RESET_WAIT)
        self._blocked_until = max(self._blocked_until, until)


def _wake(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)
