"""run_handlers(): the one place where handlers run, for both ack modes.

A handler that raises (even because it was called with the wrong arguments) or overruns
the timeout is a failure: logged with the event name and resource id, never the token.
An overrunning handler is cancelled. Handler tasks are created by the caller's ``spawn``
so that the caller can wait for them, or cancel them, at shutdown; an overrunning task is
not waited for. The receiver (``ack="after_handlers"``) awaits a lone handler inline, in
the request's own task (aiohttp waits for requests in flight at shutdown): no task, no
``asyncio.wait``, one loop iteration less per delivery.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

import attrs

from aircall_async._loops import running_loop
from aircall_async.webhooks.events import WebhookEvent
from aircall_async.webhooks.router import Handler

__all__ = ["HandlerOutcome", "Spawn", "TaskSet", "run_handlers", "short"]

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


async def run_handlers(
    event: WebhookEvent[Any],
    handlers: Sequence[Handler],
    timeout: float,
    *,
    spawn: Spawn = asyncio.ensure_future,
    inline: bool = False,
) -> HandlerOutcome:
    """Run ``handlers`` concurrently on ``event`` under ``timeout``; never raises for them.

    Returns which handlers failed (raised, were cancelled, or overran and were
    cancelled) and the first error (an ``asyncio.TimeoutError`` for an overrun).

    With ``inline=True`` a lone handler is awaited in the calling task under the deadline
    instead of in a task of its own (see :func:`_run_inline`); several handlers always
    run in tasks, concurrently.
    """
    if not handlers:
        return _ALL_OK
    if inline and len(handlers) == 1:
        return await _run_inline(handlers[0], event, timeout)
    tasks: dict[asyncio.Task[Any], Handler] = {}
    for handler in handlers:
        # Called inside the task: a handler that raises when called (wrong arguments)
        # or returns no awaitable fails like one that raises later.
        tasks[spawn(_call(handler, event))] = handler
    done, pending = await asyncio.wait(tasks, timeout=timeout)
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


async def _run_inline(handler: Handler, event: WebhookEvent[Any], timeout: float) -> HandlerOutcome:
    """Await one handler in the current task, cancelling it at the deadline.

    Why: a task of its own, with ``asyncio.wait`` and its timer, was about a tenth of the
    receiver's time per delivery. The price: a handler that suppresses its cancellation
    keeps its answer waiting until it returns (a task would have been abandoned at the
    deadline); the answer is then a 500 all the same, only later.
    """
    task = asyncio.current_task(running_loop())
    if task is None:  # not in a task (cannot happen under aiohttp): no inline deadline
        return await run_handlers(event, (handler,), timeout)
    expired = False

    def expire() -> None:
        nonlocal expired
        expired = True
        task.cancel()

    timer = task.get_loop().call_later(timeout, expire)
    try:
        await handler(event)
    except asyncio.CancelledError:
        if not expired:
            raise  # cancelled from outside (the server is stopping): not ours to absorb
    except Exception as exc:  # also a handler called with the wrong arguments
        _log_failure(handler, event, exc)
        return HandlerOutcome((handler,), exc)
    finally:
        timer.cancel()
    if not expired:
        return _ALL_OK
    # Overran (or swallowed the deadline's cancellation and returned late): a failure.
    # The cancellation was ours and ends here (Python 3.11+ counts the requests).
    uncancel = getattr(task, "uncancel", None)
    if uncancel is not None:
        uncancel()
    return HandlerOutcome((handler,), _overran(handler, event, timeout))


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
