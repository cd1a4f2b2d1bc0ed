"""One event loop for every thread of a blocking client: whichever thread calls runs it.

The blocking client owns a :class:`Portal`. All the async machinery (the session, the
throttler, the paginators) lives on the portal's one loop, so several threads share one
rate budget and one connection pool, exactly as several tasks share them in async code.

Who runs that loop is decided per call, under one lock (a baton):

- **Fast path.** A thread with no event loop of its own calls while nobody runs the loop:
  it takes the baton and runs the loop itself until its call ends (``run_forever``, stopped
  by the call's task; about 25 us a call). No thread switch at all: handing each call to a
  background thread and back cost about 190 us per call (two switches), a fifth of a
  sequential request on loopback. The work's first step
  waits one loop iteration, so that what arrived while nobody ran the loop (a keep-alive
  connection the server closed) is seen before a connection is taken from the pool. In
  the main thread, Ctrl-C cancels the work and raises ``KeyboardInterrupt`` once it has
  ended, as ``asyncio.run`` does, instead of landing inside the loop's own code
  (``_interrupt``).
- **Handoff.** A thread that finds the baton taken (another thread, or the worker, runs
  the loop), or that runs an event loop of its own (a notebook, async code calling
  blocking code), queues the call with ``call_soon_threadsafe`` and waits on a bare lock
  that the call's task releases when it ends.
- **Worker.** When a runner is done with its call and work is left on the loop (a
  paginator's prefetching pages, other threads' queued calls), it passes the baton to the
  portal's worker thread, which runs the loop until nothing is left and parks again. So a
  request in flight never waits for its caller's next call (its timeout timer would then
  fire late, all at once).

The loop reads plain (non-TLS) sockets at most 64 KiB at a time instead of asyncio's
256 KiB. asyncio allocates a fresh bytes object of that size for every read; in any thread
but the main one, glibc's per-thread malloc arena hands those 256 KiB back to the system
after each read and faults them in again on the next: two page faults and an mmap/munmap
pair per response, about 40 us of CPU per request, all gone at 64 KiB. TLS connections
(the real API) read into one persistent buffer on Python 3.11+ and are unaffected.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import threading
from _thread import allocate_lock, get_ident
from collections.abc import Awaitable, Callable, Coroutine
from types import CoroutineType
from typing import Any, Final, Generic, TypeVar

from ..errors import AircallError
from ._interrupt import Interrupt

__all__ = ["Portal"]

T = TypeVar("T")

#: The largest read of a plain socket on the portal's loop (asyncio's default: 256 KiB).
READ_SIZE = 64 * 1024

#: ``Portal._runner`` while the worker thread runs the loop (thread idents are positive).
_WORKER: Final = -1

# Python 3.12+: a handed-off call's task takes its first step inside the handoff's
# callback instead of one loop iteration later.
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

    __slots__ = ("coro", "done", "ended", "error", "finished", "lead", "result", "started", "task")

    def __init__(
        self,
        coro: Coroutine[Any, Any, T],
        lead: asyncio.AbstractEventLoop | None = None,
        ended: Callable[[], None] | None = None,
    ) -> None:
        self.coro = coro
        self.lead = lead  # the fast path's loop, stopped when the call ends
        self.ended = ended  # a handoff's bookkeeping, called when the call ends
        self.done = allocate_lock()
        self.done.acquire()  # released once: by drive(), or by never_ran()
        self.error: BaseException | None = None
        self.started = self.finished = False
        self.task: asyncio.Task[None] | None = None

    async def drive(self) -> None:
        self.started = True
        try:
            if self.lead is not None:
                await asyncio.sleep(0)  # see "Fast path" in the module docstring
            self.result = await self.coro
        except BaseException as exc:  # every outcome goes back to the calling thread
            self.error = exc
        finally:
            self._end()

    def never_ran(self, task: object = None) -> None:
        """(A done-callback.) A task cancelled before its first step never ran drive()."""
        if not self.started:
            self.started = True
            self.coro.close()
            self.error = asyncio.CancelledError()
            self._end()

    def _end(self) -> None:
        self.finished = True
        self.done.release()
        if self.lead is not None:
            self.lead.stop()  # run_forever() returns once this loop iteration is over
        elif self.ended is not None:
            self.ended()

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()

    def outcome(self, closed: bool) -> T:
        error = self.error
        if error is None:
            return self.result
        self.error = None
        try:
            if closed and isinstance(error, asyncio.CancelledError):
                raise AircallError("client is closed") from None
            raise error
        finally:
            del error


class Portal:
    """An event loop that the calling thread runs, or hands its call to (module docstring).

    Raises:
        AircallError: (from :meth:`run`) once closed, or when called from inside the
            portal's own loop, where waiting for the loop would wait forever.
    """

    def __init__(self, name: str = "aircall-async") -> None:
        self._loop = _new_loop()
        self._state = threading.Lock()
        self._changed = threading.Condition(self._state)
        self._runner: int | None = None  # who runs the loop: a thread's ident, _WORKER, None
        self._pending = 0  # calls handed off and not ended
        self._tasks: set[asyncio.Task[Any]] = set()  # the loop's other tasks, until they end
        self._loop.set_task_factory(self._track)
        self._closed = False
        self._stopping = False  # with _runner == _WORKER: the worker's last run
        self._worker = threading.Thread(target=self._serve, name=name, daemon=True)
        self._worker.start()

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._closed

    def run(self, awaitable: Awaitable[T]) -> T:
        """Run ``awaitable`` on the portal's loop and return its result (or raise its error).

        The error is raised in the calling thread with its own traceback (the frames on
        the loop) followed by the caller's. A ``KeyboardInterrupt`` (or any exception) in
        the waiting thread cancels the work on the loop and propagates.

        Raises:
            AircallError: once closed (also to a call still waiting when another thread
                closes the portal), or when called from inside the portal's own loop.
        """
        coro = awaitable if isinstance(awaitable, CoroutineType) else _as_coroutine(awaitable)
        own_loop = asyncio._get_running_loop()
        if own_loop is self._loop:
            coro.close()
            raise AircallError("a blocking call was made from inside the blocking client's loop")
        with self._state:
            if self._closed:
                coro.close()
                raise AircallError("client is closed")
            if self._runner is None and own_loop is None:
                self._runner = get_ident()
                call: _Call[T] = _Call(coro, lead=self._loop)
            else:
                call = _Call(coro, ended=self._handoff_ended)
                self._pending += 1
                if self._runner is None:  # a thread running a loop of its own: not ours
                    self._runner = _WORKER
                    self._changed.notify_all()
                self._loop.call_soon_threadsafe(self._start, call)
        if call.lead is not None:
            return self._lead(call)
        try:
            call.done.acquire()
        except BaseException:
            with self._state:
                if not self._closed:
                    self._loop.call_soon_threadsafe(call.cancel)
            raise
        return call.outcome(self._closed)

    def _lead(self, call: _Call[T]) -> T:
        """The fast path: run the loop in this thread until ``call`` ends."""
        loop = self._loop
        interrupt: Interrupt | None = None
        try:
            # Not through the loop's task factory, which keeps track of other tasks.
            call.task = asyncio.Task(call.drive(), loop=loop)
            interrupt = Interrupt.install(loop, call)
            while not call.finished:  # (a loop.stop() from the work itself: go on)
                loop.run_forever()
        except BaseException:
            # Escaped the loop (an application's SIGINT handler raised): cancel the work;
            # the worker sees it through to its end.
            call.lead = None
            call.cancel()
            raise
        finally:
            if interrupt is not None:
                interrupt.uninstall()
            with self._state:
                self._pass_baton()
        if interrupt is not None and interrupt.count:
            call.error = None
            raise KeyboardInterrupt
        return call.outcome(self._closed)

    def _pass_baton(self) -> None:
        """(Under ``_state``, by the runner whose run ended.) To the worker if work is left:
        a handed-off call, or another task (a paginator's prefetching pages)."""
        work_left = self._pending > 0 or any(not task.done() for task in self._tasks)
        self._runner = _WORKER if work_left else None
        if work_left or self._closed:  # the worker, or a closer waiting for the loop
            self._changed.notify_all()

    def _track(self, loop: asyncio.AbstractEventLoop, coro: Any, **kwargs: Any) -> Any:
        """The loop's task factory: every task but the calls' own, kept until it ends.

        (asyncio.all_tasks would tell the same, at about 13 us a call.)
        """
        task = asyncio.Task(coro, loop=loop, **kwargs)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def _start(self, call: _Call[Any]) -> None:
        """(On the loop.) Start a handed-off call's task."""
        if _eager_task is None:
            call.task = asyncio.Task(call.drive(), loop=self._loop)
        else:
            call.task = _eager_task(self._loop, call.drive())
        call.task.add_done_callback(call.never_ran)

    def _handoff_ended(self) -> None:
        with self._state:
            self._pending -= 1

    def _serve(self) -> None:
        """The worker thread: run the loop whenever the baton is passed to it; at the
        close, end what is left and close the loop."""
        asyncio.set_event_loop(self._loop)
        while True:
            with self._state:
                while self._runner != _WORKER:
                    self._changed.wait()
                final = self._stopping
            # The worker must outlive whatever a task throws out through the loop, and the
            # CancelledError of its own run when a close cancels every task: every other
            # thread would wait for it forever. It passes the baton on either way (and runs
            # again while a cancelled task has not ended yet).
            with contextlib.suppress(BaseException):
                self._loop.run_until_complete(_finish(self._loop) if final else _drain())
            if final:
                self._loop.close()
                return
            with self._state:
                self._pass_baton()

    def call(self, function: Callable[[], T]) -> T:
        """Run the plain callable ``function`` on the loop and return its result."""

        async def invoke() -> T:
            return function()

        return self.run(invoke())

    def close(self, final: Callable[[], Coroutine[Any, Any, None]] | None = None) -> None:
        """Run ``final()`` on the loop (if given), then close the loop and stop the worker.

        Calls still waiting in other threads then raise ``AircallError("client is
        closed")``. Idempotent; safe from any thread.

        Raises:
            AircallError: when called from inside the portal's own loop.
        """
        if asyncio._get_running_loop() is self._loop:
            raise AircallError("the blocking client cannot be closed from inside its own loop")
        with self._state:
            if self._closed:
                return
        try:
            if final is not None:
                self.run(final())
        finally:
            self._shut()

    def _shut(self) -> None:
        with self._state:
            if self._closed:
                return
            self._closed = True
            if self._runner is not None:
                # Whoever runs the loop now: end its calls ("client is closed").
                self._loop.call_soon_threadsafe(_cancel_all)
            while self._runner is not None:
                self._changed.wait()
            # The worker ends what is left and closes the loop (this thread may be running
            # a loop of its own, and then could not run this one).
            self._runner, self._stopping = _WORKER, True
            self._changed.notify_all()
        self._worker.join()


async def _drain() -> None:
    """The worker's run: until no task is left but this one (queued calls included)."""
    me = asyncio.current_task()
    while True:
        await asyncio.sleep(0)  # let queued handoffs create their tasks
        others = [t for t in asyncio.all_tasks() if t is not me]
        if not others:
            return
        await asyncio.wait(others)


def _cancel_all() -> None:
    for task in asyncio.all_tasks():
        task.cancel()


async def _finish(loop: asyncio.AbstractEventLoop) -> None:
    """The closer's last run: end every task, async generator and executor thread."""
    await asyncio.sleep(0)  # calls queued before the close start, and end at once below
    me = asyncio.current_task()
    pending = [t for t in asyncio.all_tasks() if t is not me]
    for task in pending:
        task.cancel()
    if pending:
        await asyncio.gather(*pending, return_exceptions=True)
    await loop.shutdown_asyncgens()
    await loop.shutdown_default_executor()


async def _await(awaitable: Awaitable[T]) -> T:
    return await awaitable


def _as_coroutine(awaitable: Awaitable[T]) -> Coroutine[Any, Any, T]:
    if asyncio.iscoroutine(awaitable):
        return awaitable
    return _await(awaitable)
