"""The background path: pull deliveries from an :class:`Inbox` and run their handlers.

:func:`consume` runs it on its own (a consumer process apart from the receivers, or a
task next to a ``webhook_app(..., workers=0)``); ``webhook_app(..., ack="immediate")``
runs the same :class:`Consumer` inside the app with ``workers`` as its concurrency.

Each delivery taken runs its handlers under ``handler_timeout``. When all succeed it is
:meth:`~Inbox.done`; when one fails it is retried after ``backoff.delay(attempt)`` up to
``max_attempts`` attempts, then moved to the dead letters and handed to
``on_dead_letter(event, error)``. A retry in this process reruns only the handlers that
failed (the job in memory tracks the ones that succeeded; another process reruns all).
An error of the consumer itself (the inbox failing to record an outcome, say) takes the
same retry and dead-letter path, and when even that cannot be recorded the delivery is
retried from memory, so none stays pending forever. A stored delivery whose event no
longer has a handler (the router changed) is done; one that is not a usable delivery at
all is a dead letter.

Draining (on cancellation): no new delivery is started once nothing is ready; the ones
running are awaited up to ``shutdown_timeout``, then cancelled. A :class:`MemoryInbox`
has no next start, so its deliveries waiting for a retry are awaited within the same
timeout; a durable inbox keeps them for the next consumer.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Final

import attrs

from aircall_async.retry import Backoff
from aircall_async.webhooks._handlers import TaskSet, run_handlers, short
from aircall_async.webhooks.events import InvalidDelivery, WebhookEvent, parse_event
from aircall_async.webhooks.inbox import Inbox, MemoryInbox, StoredDelivery
from aircall_async.webhooks.router import Handler, WebhookRouter, is_coroutine_callable
from aircall_async.webhooks.stats import DepthGauge, WebhookStats

__all__ = ["Consumer", "DeadLetterHook", "consume"]

logger = logging.getLogger("aircall_async.webhooks")

#: ``on_dead_letter(event, error)``: awaited when a delivery fails its last attempt.
DeadLetterHook = Callable[[WebhookEvent[Any], BaseException], Awaitable[None]]

#: How long one take() waits for a delivery before the loop looks around again.
_POLL: Final = 1.0
#: How often a drain looks for new work while it waits.
_DRAIN_POLL: Final = 0.05


def check_consumer_options(
    router: object,
    inbox: object,
    *,
    concurrency: int,
    max_attempts: int,
    handler_timeout: float,
    on_dead_letter: object,
    shutdown_timeout: float,
) -> None:
    """Refuse unusable options of :func:`consume` (and of ``webhook_app``'s consumer).

    Raises:
        TypeError: if ``router`` is not a WebhookRouter, ``inbox`` (unless None) lacks the
            Inbox methods, or ``on_dead_letter`` is not a coroutine function.
        ValueError: if a count or a timeout is out of range.
    """
    if not isinstance(router, WebhookRouter):
        raise TypeError(f"router must be a WebhookRouter, got {type(router).__name__}")
    if inbox is not None and not isinstance(inbox, Inbox):
        raise TypeError(f"inbox must implement the Inbox protocol, got {type(inbox).__name__}")
    if on_dead_letter is not None and not is_coroutine_callable(on_dead_letter):
        raise TypeError(
            f"on_dead_letter must be a coroutine function (async def), got {on_dead_letter!r}"
        )
    if concurrency < 1 or max_attempts < 1:
        raise ValueError("workers (concurrency) and max_attempts must be at least 1")
    if handler_timeout <= 0:
        raise ValueError("the handler timeout (background_timeout) must be positive")
    if shutdown_timeout < 0:
        raise ValueError("shutdown_timeout must not be negative")


class Consumer:
    """Takes deliveries from an inbox and runs their handlers (module docstring)."""

    def __init__(
        self,
        router: WebhookRouter,
        inbox: Inbox,
        *,
        concurrency: int,
        max_attempts: int,
        backoff: Backoff,
        handler_timeout: float,
        on_dead_letter: DeadLetterHook | None,
        shutdown_timeout: float,
        stats: WebhookStats,
    ) -> None:
        self._router = router
        self._inbox = inbox
        self._concurrency = concurrency
        self._max_attempts = max_attempts
        self._backoff = backoff
        self._timeout = handler_timeout
        self._on_dead_letter = on_dead_letter
        self._shutdown_timeout = shutdown_timeout
        self._stats = stats
        self._gauge = DepthGauge(stats, inbox.depth)
        self._deliveries = TaskSet()  # one task per delivery being attempted
        self._handlers = TaskSet()  # the handler tasks of those attempts
        # The in-process job: handlers that already succeeded, per delivery key.
        self._succeeded: dict[str, set[Handler]] = {}
        # Deliveries whose outcome the inbox could not record, retried from memory.
        self._local_retries: set[asyncio.TimerHandle] = set()

    async def run(self) -> None:
        """Take and handle deliveries until cancelled (then call :meth:`drain`)."""
        await self._gauge.refresh()
        while True:
            free = self._concurrency - len(self._deliveries)
            if free <= 0:
                await self._deliveries.wait_any(_POLL)
                continue
            self._start(await self._take(free, _POLL))

    async def drain(self) -> None:
        """Finish what is running (and a MemoryInbox's retries) up to ``shutdown_timeout``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._shutdown_timeout
        keep_retries = isinstance(self._inbox, MemoryInbox)
        while (remaining := deadline - loop.time()) > 0:
            running = len(self._deliveries)
            if not running and keep_retries and await self._inbox.depth() == 0:
                break
            free = self._concurrency - running
            taken = await self._take(free, 0.0) if free > 0 else []
            self._start(taken)
            if self._deliveries:
                await self._deliveries.wait_any(min(remaining, _DRAIN_POLL))
            elif taken:
                continue
            elif keep_retries:
                await asyncio.sleep(min(remaining, _DRAIN_POLL))  # a retry not yet due
            else:
                break
        for timer in self._local_retries:
            timer.cancel()
        self._local_retries.clear()
        interrupted = len(self._deliveries)
        await asyncio.gather(self._deliveries.settle(0.0), self._handlers.settle(0.0))
        await self._gauge.refresh()
        if keep_retries and self._stats.queue_depth:
            logger.warning(
                "webhook consumer stopped with %d deliveries unfinished (lost: MemoryInbox)",
                self._stats.queue_depth,
            )
        elif interrupted:
            logger.warning(
                "webhook consumer stopped with %d deliveries interrupted (left in the inbox)",
                interrupted,
            )

    async def _take(self, limit: int, wait: float) -> list[StoredDelivery]:
        try:
            return await self._inbox.take(limit, wait)
        except Exception as exc:
            logger.error(
                "could not take webhook deliveries from the inbox (%s); trying again",
                type(exc).__qualname__,
                exc_info=exc,
            )
            await asyncio.sleep(min(_POLL, max(wait, 0.01)))
            return []

    def _start(self, items: list[StoredDelivery]) -> None:
        for item in items:
            self._deliveries.spawn(self._process(item))

    async def _process(self, item: StoredDelivery) -> None:
        """One attempt at ``item``; any error takes the retry and dead-letter path."""
        try:
            await self._attempt(item)
        except Exception as exc:
            logger.error(
                "webhook delivery %s: error in the consumer (%s)",
                item.key,
                type(exc).__qualname__,
                exc_info=exc,
            )
            try:
                await self._failed_attempt(item, None, exc)
            except Exception as again:
                # Even the retry or dead-letter path failed (the inbox is unusable).
                logger.error(
                    "webhook delivery %s: could not record its outcome (%s); retrying later",
                    item.key,
                    type(again).__qualname__,
                )
                self._retry_locally(item)

    async def _attempt(self, item: StoredDelivery) -> None:
        try:
            payload = json.loads(item.body)
            if not isinstance(payload, dict):
                raise InvalidDelivery("not a JSON object")
            event = parse_event(payload)
        except (ValueError, RecursionError, InvalidDelivery) as exc:
            # Only possible with a hand-edited or damaged inbox: nothing to retry.
            await self._dead(item, None, exc)
            return
        succeeded = self._succeeded.get(item.key)
        handlers = self._router.handlers_for(event.event)
        if succeeded:
            handlers = tuple(h for h in handlers if h not in succeeded)
        outcome = await run_handlers(event, handlers, self._timeout, spawn=self._handlers.spawn)
        if outcome.ok:
            if handlers:
                # Remembered until done() is recorded: if it fails, the retry reruns nothing.
                self._succeeded.setdefault(item.key, set()).update(handlers)
            await self._inbox.done(item)
            self._succeeded.pop(item.key, None)
            self._stats.handled += 1
            await self._gauge.changed(-1)
            return
        self._succeeded.setdefault(item.key, set()).update(
            h for h in handlers if h not in outcome.failed
        )
        self._stats.handler_failures += 1
        await self._failed_attempt(item, event, outcome.error or RuntimeError("handler failed"))

    async def _failed_attempt(
        self, item: StoredDelivery, event: WebhookEvent[Any] | None, error: BaseException
    ) -> None:
        failed = item.attempts + 1
        if failed >= self._max_attempts:
            await self._dead(attrs.evolve(item, attempts=failed), event, error)
            return
        await self._inbox.retry(item, self._backoff.delay(failed - 1))
        self._stats.retries += 1

    def _retry_locally(self, item: StoredDelivery) -> None:
        timer: asyncio.TimerHandle | None = None

        def again() -> None:
            self._local_retries.discard(timer)
            self._deliveries.spawn(self._process(item))

        delay = self._backoff.delay(item.attempts)
        timer = asyncio.get_running_loop().call_later(delay, again)
        self._local_retries.add(timer)

    async def _dead(
        self, item: StoredDelivery, event: WebhookEvent[Any] | None, error: BaseException
    ) -> None:
        await self._inbox.dead(item)
        self._succeeded.pop(item.key, None)
        self._stats.dead_lettered += 1
        await self._gauge.changed(-1)
        logger.error(
            "webhook delivery %s (%s) dead-lettered after %d attempts",
            item.key,
            short(event.event if event is not None else "unreadable"),
            item.attempts,
        )
        if self._on_dead_letter is None or event is None:
            return
        try:
            await self._on_dead_letter(event, error)
        except Exception:
            logger.exception("the on_dead_letter hook failed")


async def consume(
    router: WebhookRouter,
    inbox: Inbox,
    *,
    concurrency: int = 8,
    max_attempts: int = 5,
    backoff: Backoff | None = None,
    handler_timeout: float = 300.0,
    on_dead_letter: DeadLetterHook | None = None,
    shutdown_timeout: float = 10.0,
    stats: WebhookStats | None = None,
) -> None:
    """Handle the deliveries stored in ``inbox`` by receivers, until cancelled.

    The consumer side of ``webhook_app(..., ack="immediate", inbox=inbox, workers=0)``,
    in the same process (a task) or in another one, when the inbox is shared between
    processes. Opens ``inbox``, runs at most ``concurrency`` deliveries at once, each
    attempt under ``handler_timeout`` seconds; retries a failed one after
    ``backoff.delay(attempt)`` (default ``Backoff(base=0.5, cap=60)``) up to
    ``max_attempts`` attempts, then moves it to the dead letters and awaits
    ``on_dead_letter(event, error)``. When cancelled it drains (see the module
    docstring; up to ``shutdown_timeout`` seconds), closes the inbox and re-raises the
    cancellation. ``stats`` (a :class:`WebhookStats`) receives the handled, failure,
    retry and dead-letter counters and the queue depth.

    Raises:
        TypeError: if ``router`` is not a WebhookRouter, ``inbox`` is not an Inbox or
            ``on_dead_letter`` is not a coroutine function.
        ValueError: if ``concurrency`` or ``max_attempts`` is below 1, ``handler_timeout``
            is not positive or ``shutdown_timeout`` is negative.
        Exception: whatever ``inbox.open()`` raises (for example RuntimeError when a
            SQLiteInbox file is used by another process).
    """
    check_consumer_options(
        router,
        inbox,
        concurrency=concurrency,
        max_attempts=max_attempts,
        handler_timeout=handler_timeout,
        on_dead_letter=on_dead_letter,
        shutdown_timeout=shutdown_timeout,
    )
    consumer = Consumer(
        router,
        inbox,
        concurrency=concurrency,
        max_attempts=max_attempts,
        backoff=backoff or Backoff(base=0.5, cap=60.0),
        handler_timeout=handler_timeout,
        on_dead_letter=on_dead_letter,
        shutdown_timeout=shutdown_timeout,
        stats=stats if stats is not None else WebhookStats(),
    )
    await inbox.open()
    try:
        await consumer.run()
    finally:
        try:
            await consumer.drain()
        finally:
            await inbox.close()
