"""One event loop in one background thread, and a way for any thread to run a coroutine on it.

The blocking client owns a :class:`Portal`: every call made by any thread is handed to the
portal's loop and waited for. All the async machinery (the session, the throttler, the
paginators) therefore lives on one loop, so several threads share one rate budget and one
connection pool, exactly as several tasks share them in async code.

The handoff is kept lean because it is paid on every blocking call: one
``loop.call_soon_threadsafe`` that creates the task, and a bare lock (``_thread``'s) used as
a one-shot completion signal, released by the task itself the moment the coroutine ends
(no ``concurrent.futures.Future``, no done-callbacks, no extra loop iteration; on Python
3.12+ the task even takes its first step inside that callback).

The loop also reads plain (non-TLS) sockets at most 64 KiB at a time instead of asyncio's
256 KiB. asyncio allocates a fresh bytes object of that size for every read; in any thread
but the main one, glibc's per-thread malloc arena hands those 256 KiB back to the system
after each read and faults them in again on the next: two page faults and an
mmap/munmap pair per response, measured at about 40 us of CPU per request (a quarter of a
request's client-side CPU on loopback), all gone at 64 KiB. TLS connections (the real API)
read into one persistent buffer on Python 3.11+ and are unaffected either way.
"""

from __future__ import annotations

import asyncio
import sys
import threading
from _thread import allocate_lock, get_ident
from collections.abc import Awaitable, Callable, Coroutine
from types import CoroutineType
from typing import Any, Generic, TypeVar

from ..errors import AircallError

__all__ = ["Portal"]

T = TypeVar("T")

#: The largest read of a plain socket on the portal's loop (asyncio's default: 256 KiB).
READ_SIZE = 64 * 1024

# Python 3.12+: a call's task takes its first step inside the handoff's callback instead of
# one loop iteration later (the task is eager only for the calls, not for the loop).
_eager_task: Callable[..., asyncio.Task[None]] | None = getattr(asyncio, "eager_task_factory", None)


if sys.platform == "win32":  # the default (proactor) loop there

    def _new_loop() -> asyncio.AbstractEventLoop:
        return asyncio.new_event_loop()

else:

    class _Loop(asyncio.SelectorEventLoop):
        """A selector loop whose plain socket transports read at most READ_SIZE bytes."""

        def _make_socket_transport(self, *args: Any, **kwargs: Any) -> Any:
            transport = super()._make_socket_transport(*args, **kwargs)  # type: ignore[misc]
            size = getattr(transport, "max_size", None)
            if isinstance(size, int) and size > READ_SIZE:
                transport.max_size = READ_SIZE
            return transport

    def _new_loop() -> asyncio.AbstractEventLoop:
        return _Loop()


class _Call(Generic[T]):
    """One blocking call: the coroutine, its outcome and the lock its caller waits on."""

    __slots__ = ("coro", "done", "error", "result", "task")

    def __init__(self, coro: Coroutine[Any, Any, T]) -> None:
        self.coro = coro
        self.done = allocate_lock()
        self.done.acquire()  # released once, by drive(), when the outcome is known
        self.error: BaseException | None = None
        self.task: asyncio.Task[None] | None = None

    async def drive(self) -> None:
        try:
            self.result = await self.coro
        except BaseException as exc:  # every outcome goes back to the waiting thread
            self.error = exc
        finally:
            self.done.release()

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()


class Portal:
    """An event loop running in a daemon thread until :meth:`close`.

    Raises:
        AircallError: (from :meth:`run`) once closed, or when called from the portal's own
            thread, where waiting for the loop would wait forever.
    """

    def __init__(self, name: str = "aircall-async") -> None:
        self._loop = _new_loop()
        self._closed = False
        self._lock = threading.Lock()
        self._ident = 0
        ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, args=(ready,), name=name, daemon=True)
        self._thread.start()
        ready.wait()

    def _serve(self, ready: threading.Event) -> None:
        self._ident = get_ident()
        asyncio.set_event_loop(self._loop)
        self._loop.call_soon(ready.set)
        try:
            self._loop.run_forever()
            # Stopped by close(): the calls other threads still wait for end now, each
            # caller getting "client is closed" (see run) instead of waiting forever.
            pending = asyncio.all_tasks(self._loop)
            for task in pending:
                task.cancel()
            if pending:
                self._loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        finally:
            self._loop.close()
            self._ident = 0  # a later thread may get this id: it is not the loop's

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._closed

    def _start(self, call: _Call[Any]) -> None:
        if _eager_task is None:
            call.task = self._loop.create_task(call.drive())
        else:
            call.task = _eager_task(self._loop, call.drive())

    def run(self, awaitable: Awaitable[T]) -> T:
        """Run ``awaitable`` on the portal's loop and return its result (or raise its error).

        The error is raised in the calling thread with its own traceback (the frames on
        the loop) followed by the caller's. A ``KeyboardInterrupt`` (or any exception) in
        the waiting thread cancels the work on the loop and propagates.

        Raises:
            AircallError: once closed (also to a call still waiting when another thread
                closes the portal), or when called from the portal's own thread.
        """
        coro = awaitable if isinstance(awaitable, CoroutineType) else _as_coroutine(awaitable)
        if get_ident() == self._ident:
            coro.close()
            raise AircallError("a blocking call was made from inside the blocking client's loop")
        call: _Call[T] = _Call(coro)
        with self._lock:
            if self._closed:
                coro.close()
                raise AircallError("client is closed")
            self._loop.call_soon_threadsafe(self._start, call)
        try:
            call.done.acquire()
        except BaseException:
            with self._lock:
                if not self._closed:
                    self._loop.call_soon_threadsafe(call.cancel)
            raise
        error = call.error
        if error is None:
            return call.result
        call.error = None
        try:
            if self._closed and isinstance(error, asyncio.CancelledError):
                raise AircallError("client is closed") from None
            raise error
        finally:
            del error

    def call(self, function: Callable[[], T]) -> T:
        """Run the plain callable ``function`` on the loop's thread and return its result."""

        async def invoke() -> T:
            return function()

        return self.run(invoke())

    def close(self, final: Callable[[], Coroutine[Any, Any, None]] | None = None) -> None:
        """Run ``final()`` on the loop (if given), then stop the loop and join the thread.

        Calls still waiting in other threads then raise ``AircallError("client is
        closed")``. Idempotent; safe from any thread but the portal's own.
        """
        with self._lock:
            if self._closed:
                return
        try:
            if final is not None:
                self.run(final())
        finally:
            with self._lock:
                first = not self._closed
                self._closed = True
            if first:
                self._loop.call_soon_threadsafe(self._loop.stop)
            if get_ident() != self._ident:
                self._thread.join()


async def _await(awaitable: Awaitable[T]) -> T:
    return await awaitable


def _as_coroutine(awaitable: Awaitable[T]) -> Coroutine[Any, Any, T]:
    if asyncio.iscoroutine(awaitable):
        return awaitable
    return _await(awaitable)
