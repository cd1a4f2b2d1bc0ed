"""run_handlers(): the one place where handlers run, for both ack modes.

A handler that raises (even because it was called with the wrong arguments) or overruns
the timeout is a failure: logged with the event name and resource id, never the token.
An overrunning handler is cancelled. Handler tasks are created by the caller's ``spawn``
so that the caller can wait for them, or cancel them, at shutdown; an overrunning task is
not waited for. The receiver (``ack="after_handlers"``) awaits a lone handler inline, in
the request's own task (aiohttp waits for requests in flight at shutdown): no task, no
``asyncio.wait``, one loop iteration less per delivery; the deadlines of those inline
handlers share one timer (:class:`InlineDeadlines`).
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

import attrs

from aircall_async._loops import running_loop
from aircall_async.clock import Clock, Timer
from aircall_async.webhooks.events import WebhookEvent
from aircall_async.webhooks.router import Handler

__all__ = [
    "HandlerOutcome",
    "InlineDeadlines",
    "Spawn",
    "TaskSet",
    "run_handlers",
    "short",
]

logger = logging.getLogger("aircall_async.webhooks")

Spawn = Callable[[Coroutine[Any, Any, Any]], "asyncio.Task[Any]"]


@attrs.frozen
class HandlerOutcome:
    """What :func:`run_handlers` found: the handlers that failed and the first error."""

    failed: tuple[Handler, ...] = ()
    error: BaseException | None = None

    @property
    def ok(self) -> bool:
        """True when every handler succeeded."""
        return not self.failed


_ALL_OK = HandlerOutcome()


def short(value: object, limit: int = 80) -> str:
    """``repr(value)``, cut to ``limit`` characters (for log lines fed by the network)."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _name(handler: object) -> str:
    return str(getattr(handler, "__qualname__", None) or type(handler).__qualname__)


async def _call(handler: Handler, event: WebhookEvent[Any]) -> Any:
    return await handler(event)


class InlineDeadlines:
    """Cancels the tasks awaiting a handler inline once they overrun ``timeout``, on one
    timer for them all.

    Why: a timer per delivery (a handle pushed on the event loop's heap, then cancelled)
    was the largest part of running a trivial handler inline. Every deadline here is the
    same ``timeout`` after its start, so deadlines come in the order the handlers start:
    a queue, whose head alone needs a timer. A finished entry stays queued until it
    reaches the head (at most ``timeout`` worth of deliveries behind a slow handler).
    Time is the event loop's, or ``clock``'s when given (tests drive a ManualClock).
    """

    __slots__ = ("_clock", "_loop", "_queue", "_timeout", "_timer")

    def __init__(self, timeout: float, *, clock: Clock | None = None) -> None:
        self._timeout = timeout
        self._clock = clock
        # Entries: [deadline, task (None once finished), expired].
        self._queue: deque[list[Any]] = deque()
        self._timer: Timer | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def __len__(self) -> int:
        return len(self._queue)

    @property
    def timeout(self) -> float:
        """Seconds a handler may run."""
        return self._timeout

    def start(self, task: asyncio.Task[Any]) -> list[Any]:
        """Put ``task`` under the deadline from now; give the entry to :meth:`finish`."""
        loop = task.get_loop()
        queue = self._queue
        if loop is not self._loop:  # (a receiver run again on a new loop: a fresh queue)
            if self._timer is not None:
                self._timer.cancel()
            self._loop, self._timer = loop, None
            queue.clear()
        while queue and queue[0][1] is None:
            queue.popleft()
        now = loop.time() if self._clock is None else self._clock.now()
        entry: list[Any] = [now + self._timeout, task, False]
        queue.append(entry)
        if self._timer is None:
            self._schedule(loop, self._timeout)
        return entry

    @staticmethod
    def finish(entry: list[Any]) -> bool:
        """Take the entry's task from under the deadline (again: harmless); True if it
        overran (its task was cancelled for it)."""
        entry[1] = None
        return bool(entry[2])

    def _schedule(self, loop: asyncio.AbstractEventLoop, delay: float) -> None:
        if self._clock is None:
            self._timer = loop.call_later(delay, self._expire)
        else:
            self._timer = self._clock.call_later(delay, self._expire)

    def _expire(self) -> None:
        """Cancel the tasks whose deadline passed; the timer moves to the next deadline."""
        self._timer = None
        loop, queue = self._loop, self._queue
        assert loop is not None
        now = loop.time() if self._clock is None else self._clock.now()
        while queue:
            entry = queue[0]
            task = entry[1]
            if task is not None:
                if entry[0] > now:
                    self._schedule(loop, entry[0] - now)
                    return
                entry[2] = True
                task.cancel()
            queue.popleft()


async def run_handlers(
    event: WebhookEvent[Any],
    handlers: Sequence[Handler],
    timeout: float,
    *,
    spawn: Spawn = asyncio.ensure_future,
    deadlines: InlineDeadlines | None = None,
) -> HandlerOutcome:
    """Run ``handlers`` concurrently on ``event`` under ``timeout``; never raises for them.

    Returns which handlers failed (raised, were cancelled, or overran and were
    cancelled) and the first error (an ``asyncio.TimeoutError`` for an overrun).

    With ``deadlines`` a lone handler is awaited in the calling task under them (their
    timeout is then the one in force) instead of in a task of its own (see
    :func:`_run_inline`); several handlers always run in tasks, concurrently.
    """
    if not handlers:
        return _ALL_OK
    if deadlines is not None and len(handlers) == 1:
        return await _run_inline(handlers[0], event, deadlines)
    tasks: dict[asyncio.Task[Any], Handler] = {}
    for handler in handlers:
        # Called inside the task: a handler that raises when called (wrong arguments)
        # or returns no awaitable fails like one that raises later.
        tasks[spawn(_call(handler, event))] = handler
    try:
        done, pending = await asyncio.wait(tasks, timeout=timeout)
    except asyncio.CancelledError:
        # The calling task was cancelled (the server stops, or the request's client left
        # under handler_cancellation): its handlers stop with it, as a lone inline handler
        # does, rather than outlive their deadline and run beside a redelivery.
        for task in tasks:
            task.cancel()
        raise
    if not pending and all(not t.cancelled() and t.exception() is None for t in done):
        return _ALL_OK
    failed: list[Handler] = []
    first_error: BaseException | None = None
    for task in pending:
        task.cancel()
        failed.append(tasks[task])
        first_error = first_error or _overran(tasks[task], event, timeout)
    for task in done:
        error = task.exception() if not task.cancelled() else asyncio.CancelledError()
        if error is not None:
            failed.append(tasks[task])
            first_error = first_error or error
            _log_failure(tasks[task], event, error)
    return HandlerOutcome(tuple(failed), first_error)


async def _run_inline(
    handler: Handler, event: WebhookEvent[Any], deadlines: InlineDeadlines
) -> HandlerOutcome:
    """Await one handler in the current task, cancelling it at the deadline.

    Why: a task of its own, with ``asyncio.wait`` and its timer, was about a tenth of the
    receiver's time per delivery. The price: a handler that suppresses its cancellation
    keeps its answer waiting until it returns (a task would have been abandoned at the
    deadline); the answer is then a 500 all the same, only later.

    A ``CancelledError`` raised by the handler itself (it awaited something another part
    of the program cancelled) is a failure like any other. Raises ``CancelledError`` when
    the current task is cancelled from outside (the server is stopping, or the client
    left under ``handler_cancellation``). Python 3.10 cannot tell the two apart (no
    ``Task.cancelling()``): there a handler's own ``CancelledError`` is raised too, the
    delivery gets no answer and the sender retries it.
    """
    timeout = deadlines.timeout
    task = asyncio.current_task(running_loop())
    if task is None:  # not in a task (cannot happen under aiohttp): no inline deadline
        return await run_handlers(event, (handler,), timeout)
    entry = deadlines.start(task)
    error: BaseException | None = None
    try:
        await handler(event)
    except asyncio.CancelledError as exc:
        if not deadlines.finish(entry):
            if _cancel_requested(task):
                raise  # cancelled from outside (the server is stopping): not ours to absorb
            error = exc  # the handler's own (no one asked to cancel this task)
    except Exception as exc:  # also a handler called with the wrong arguments
        error = exc
    finally:
        expired = deadlines.finish(entry)
    if expired:
        # The deadline's cancellation was ours and ends here, whatever the handler made
        # of it (Python 3.11+ counts the requests: one left over would pass for a
        # cancellation from outside).
        uncancel = getattr(task, "uncancel", None)
        if uncancel is not None:
            uncancel()
    if error is not None:
        _log_failure(handler, event, error)
        return HandlerOutcome((handler,), error)
    if not expired:
        return _ALL_OK
    # Overran (or swallowed the deadline's cancellation and returned late): a failure.
    return HandlerOutcome((handler,), _overran(handler, event, timeout))


def _cancel_requested(task: asyncio.Task[Any]) -> bool:
    """True if ``task`` was asked to cancel (always on Python 3.10, which cannot tell)."""
    cancelling = getattr(task, "cancelling", None)
    return cancelling is None or bool(cancelling())


def _overran(handler: Handler, event: WebhookEvent[Any], timeout: float) -> BaseException:
    logger.error(
        "webhook handler %s overran %.1f s for %s (resource id %s); cancelled",
        _name(handler),
        timeout,
        event.event,
        short(event.resource_id),
    )
    return asyncio.TimeoutError(f"handler overran {timeout} s deadline")


def _log_failure(handler: Handler, event: WebhookEvent[Any], error: BaseException) -> None:
    logger.error(
        "webhook handler %s failed for %s (resource id %s)",
        _name(handler),
        event.event,
        short(event.resource_id),
        exc_info=error,
    )


class TaskSet:
    """Background tasks kept referenced until they finish, and settled at shutdown."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    def __len__(self) -> int:
        return len(self._tasks)

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Start ``coro`` as a task held here until it finishes."""
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def wait_any(self, timeout: float) -> None:
        """Wait until one task finishes, or ``timeout`` seconds."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout, return_when="FIRST_COMPLETED")

    async def settle(self, timeout: float) -> None:
        """Wait up to ``timeout`` s for the tasks, cancel the rest, give them 1 s to stop."""
        if self._tasks and timeout > 0:
            await asyncio.wait(set(self._tasks), timeout=timeout)
        if not self._tasks:
            return
        leftovers = set(self._tasks)
        for task in leftovers:
            task.cancel()
        # A handler that swallows cancellation must not hang the shutdown.
        _, stuck = await asyncio.wait(leftovers, timeout=1.0)
        if stuck:
            logger.warning("%d webhook tasks ignored cancellation", len(stuck))
