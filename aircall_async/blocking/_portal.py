"""One event loop in one background thread, and a way for any thread to run a coroutine on it.

The blocking client owns a :class:`Portal`: every call made by any thread is handed to the
portal's loop and waited for. All the async machinery (the session, the throttler, the
paginators) therefore lives on one loop, so several threads share one rate budget and one
connection pool, exactly as several tasks share them in async code.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

from ..errors import AircallError

__all__ = ["Portal"]

T = TypeVar("T")


class Portal:
    """An event loop running in a daemon thread until :meth:`close`.

    Raises:
        AircallError: (from :meth:`run`) once closed, or when called from the portal's own
            thread, where waiting for the loop would wait forever.
    """

    def __init__(self, name: str = "aircall-async") -> None:
        self._loop = asyncio.new_event_loop()
        self._closed = False
        self._lock = threading.Lock()
        ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, args=(ready,), name=name, daemon=True)
        self._thread.start()
        ready.wait()

    def _serve(self, ready: threading.Event) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.call_soon(ready.set)
        try:
            self._loop.run_forever()
        finally:
            self._loop.close()

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._closed

    def run(self, awaitable: Awaitable[T]) -> T:
        """Run ``awaitable`` on the portal's loop and return its result (or raise its error).

        A ``KeyboardInterrupt`` (or any exception) in the waiting thread cancels the work
        on the loop before it propagates.
        """
        coro = _as_coroutine(awaitable)
        if threading.current_thread() is self._thread:
            coro.close()
            raise AircallError("a blocking call was made from inside the blocking client's loop")
        with self._lock:
            if self._closed:
                coro.close()
                raise AircallError("client is closed")
            future = asyncio.run_coroutine_threadsafe(coro, self._loop)
        try:
            return future.result()
        except BaseException:
            future.cancel()
            raise

    def call(self, function: Callable[[], T]) -> T:
        """Run the plain callable ``function`` on the loop's thread and return its result."""

        async def invoke() -> T:
            return function()

        return self.run(invoke())

    def close(self, final: Callable[[], Coroutine[Any, Any, None]] | None = None) -> None:
        """Run ``final()`` on the loop (if given), then stop the loop and join the thread.

        Idempotent; safe from any thread but the portal's own.
        """
        with self._lock:
            if self._closed:
                return
        try:
            if final is not None:
                self.run(final())
        finally:
            with self._lock:
                self._closed = True
            self._loop.call_soon_threadsafe(self._loop.stop)
            if threading.current_thread() is not self._thread:
                self._thread.join()


async def _await(awaitable: Awaitable[T]) -> T:
    return await awaitable


def _as_coroutine(awaitable: Awaitable[T]) -> Coroutine[Any, Any, T]:
    if asyncio.iscoroutine(awaitable):
        return awaitable
    return _await(awaitable)
