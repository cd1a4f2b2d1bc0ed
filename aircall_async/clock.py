"""Time as the throttler sees it: a protocol, the system's clock and a hand-driven one.

Everything that waits on time in the client goes through a :class:`Clock`, so that a
test (or a simulation) can drive time by hand with :class:`ManualClock` instead of
sleeping, and no test needs to measure elapsed wall-clock time.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections.abc import Callable
from typing import Protocol, runtime_checkable

__all__ = ["Clock", "ManualClock", "SystemClock", "Timer"]


class Timer(Protocol):
    """A callback scheduled by :meth:`Clock.call_later`; ``cancel()`` stops it."""

    def cancel(self) -> None:
        """Stop the callback from running (no effect once it ran)."""


@runtime_checkable
class Clock(Protocol):
    """Monotonic time, wall time and timers, for the code that paces requests."""

    def now(self) -> float:
        """Monotonic seconds: only differences between two readings mean something."""

    def time(self) -> float:
        """UNIX seconds, to compare with a reset time the server announced."""

    def call_later(self, delay: float, callback: Callable[[], None]) -> Timer:
        """Run ``callback`` once ``delay`` seconds have passed on this clock."""


class SystemClock:
    """The real clocks (``time.monotonic``, ``time.time``) and the running loop's timers."""

    # The builtins themselves: the throttler reads the clock twice a request.
    now = staticmethod(time.monotonic)
    time = staticmethod(time.time)

    def call_later(self, delay: float, callback: Callable[[], None]) -> Timer:
        """``loop.call_later`` on the running loop. Raises RuntimeError outside a loop."""
        return asyncio.get_running_loop().call_later(delay, callback)


class _ManualTimer:
    __slots__ = ("callback", "cancelled")

    def __init__(self, callback: Callable[[], None]) -> None:
        self.callback = callback
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class ManualClock:
    """A clock that moves only when told to: :meth:`advance` runs the timers that fall due.

    For tests: ``clock = ManualClock(); Throttler(RateLimit(2, per=10), clock=clock)``,
    then ``clock.advance(10)`` instead of sleeping ten seconds. ``wall`` is the UNIX time
    at ``now() == 0``.
    """

    def __init__(self, start: float = 0.0, *, wall: float = 1_700_000_000.0) -> None:
        self._now = start
        self._wall_offset = wall - start
        self._timers: list[tuple[float, int, _ManualTimer]] = []
        self._order = itertools.count()

    def now(self) -> float:
        """The current reading; moves only with :meth:`advance`."""
        return self._now

    def time(self) -> float:
        """UNIX seconds matching :meth:`now`."""
        return self._now + self._wall_offset

    def call_later(self, delay: float, callback: Callable[[], None]) -> Timer:
        """Schedule ``callback`` at ``now() + delay``; it runs inside :meth:`advance`."""
        timer = _ManualTimer(callback)
        heapq.heappush(self._timers, (self._now + max(delay, 0.0), next(self._order), timer))
        return timer

    @property
    def pending(self) -> int:
        """How many timers are scheduled and not cancelled."""
        return sum(not timer.cancelled for _, _, timer in self._timers)

    def advance(self, seconds: float) -> None:
        """Move time forward by ``seconds``, running each timer due on the way, in order.

        Raises:
            ValueError: for a negative ``seconds`` (a monotonic clock never goes back).
        """
        if seconds < 0:
            raise ValueError(f"a clock only moves forward, got {seconds!r}")
        target = self._now + seconds
        while self._timers and self._timers[0][0] <= target:
            due, _, timer = heapq.heappop(self._timers)
            self._now = max(self._now, due)
            if not timer.cancelled:
                timer.callback()
        self._now = target
