"""The aiohttp sub-app that receives Aircall deliveries: :func:`webhook_app`.

Each request goes through the intake (:mod:`._intake`: method, size, body deadline,
JSON, token, envelope; the first check that fails answers 4xx or 503), then through one
of two paths:

- ``ack="after_handlers"`` (default, :mod:`._after_handlers`): the matching handlers run
  concurrently under ``handler_timeout``; 200 if all succeed, else 500 so that Aircall
  redelivers (a handler that raises, even when called with the wrong arguments, or
  overruns is a failure: counted, logged with the event name and resource id). A
  delivery identical to one already handled (same body: token, event, timestamp,
  resource id and data) is answered 200 and runs nothing; a failed one is not
  remembered; an identical delivery arriving while the first runs waits for its outcome.
- ``ack="immediate"``: the delivery is committed to the inbox and answered 200 (503 when
  the inbox is full or failing); the inbox's atomic ``put`` is what prevents two
  identical concurrent deliveries from both running. ``workers`` background tasks of a
  :class:`~aircall_async.webhooks.consumer.Consumer` then handle it, with retries, dead
  letters and a drain (:mod:`.consumer`). With ``workers=0`` the app only receives and
  stores: a :func:`~aircall_async.webhooks.consumer.consume` task or process handles.

Both paths run handlers through one function, :func:`._handlers.run_handlers`.

A request is never refused because the app is stopping: aiohttp stops listening, then
waits for the requests in flight, and only then does the receiver drain its background
work (up to ``shutdown_timeout``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Iterable
from typing import Final, Literal

from aiohttp import web

from aircall_async.retry import Backoff
from aircall_async.webhooks._after_handlers import AfterHandlers
from aircall_async.webhooks._dedupe import DeliveryMemory, delivery_key
from aircall_async.webhooks._intake import DUPLICATE, OK, Delivery, Intake, json_response
from aircall_async.webhooks._verify import TokenResolver, TokenVerifier
from aircall_async.webhooks.consumer import Consumer, DeadLetterHook, check_consumer_options
from aircall_async.webhooks.inbox import Inbox, MemoryInbox, PutResult
from aircall_async.webhooks.router import WebhookRouter, is_coroutine_callable
from aircall_async.webhooks.stats import STATS_KEY, DepthGauge, WebhookStats

__all__ = ["webhook_app"]

logger = logging.getLogger("aircall_async.webhooks")

AckMode = Literal["after_handlers", "immediate"]
MIB: Final = 1024 * 1024


class _StoreFirst:
    """``ack="immediate"``: store the delivery in the inbox, then answer."""

    def __init__(
        self,
        router: WebhookRouter,
        inbox: Inbox,
        intake: Intake,
        stats: WebhookStats,
        *,
        store_all: bool,
    ) -> None:
        self._router = router
        self._inbox = inbox
        self._intake = intake
        self._stats = stats
        self.gauge = DepthGauge(stats, inbox.depth)
        # With no consumer here, the handlers live elsewhere: store every delivery.
        self._store_all = store_all

    async def answer(self, delivery: Delivery) -> web.Response:
        """200 once stored (or a duplicate, or nothing to run); 503 if it cannot be stored."""
        if not self._store_all and not self._router.handlers_for(delivery.envelope[0]):
            self._stats.handled += 1
            return json_response(OK)
        try:
            result = await self._inbox.put(delivery_key(delivery.body), delivery.body)
        except Exception as exc:
            logger.error(
                "could not store a webhook delivery in the inbox (%s); answering 503",
                type(exc).__qualname__,
                exc_info=exc,
            )
            return self._intake.reject("unavailable")
        if result is PutResult.FULL:
            return self._intake.reject("inbox_full")
        if result is PutResult.DUPLICATE:
            self._stats.duplicates += 1
            return json_response(DUPLICATE)
        await self.gauge.changed(+1)
        return json_response(OK)


class _Receiver:
    """The request handler and lifecycle of one sub-app: intake, then one ack path."""

    def __init__(
        self,
        intake: Intake,
        path: AfterHandlers | _StoreFirst,
        *,
        inbox: Inbox | None,
        consumer: Consumer | None,
        shutdown_timeout: float,
    ) -> None:
        self._intake = intake
        self._path = path
        self._inbox = inbox
        self._consumer = consumer
        self._shutdown_timeout = shutdown_timeout

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Answer one delivery (see the module docstring for the statuses)."""
        delivery = await self._intake.receive(request)
        if not isinstance(delivery, Delivery):  # (not isinstance Response: an abc, slower)
            return delivery
        return await self._path.answer(delivery)

    async def lifecycle(self, app: web.Application) -> AsyncIterator[None]:
        """cleanup_ctx: open the inbox and start the consumer; drain on stop."""
        if isinstance(self._path, AfterHandlers):
            try:
                yield
            finally:
                await self._path.drain(self._shutdown_timeout)
            return
        assert self._inbox is not None  # an immediate receiver always has one
        await self._inbox.open()
        await self._path.gauge.refresh()
        running: asyncio.Task[None] | None = None
        if self._consumer is not None:
            running = asyncio.ensure_future(self._consumer.run())
        try:
            yield
        finally:
            try:
                if running is not None and self._consumer is not None:
                    running.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await running
                    await self._consumer.drain()
            finally:
                await self._inbox.close()


def webhook_app(
    router: WebhookRouter,
    *,
    tokens: Iterable[str] | None = None,
    token_resolver: TokenResolver | None = None,
    ack: AckMode = "after_handlers",
    inbox: Inbox | None = None,
    handler_timeout: float = 4.0,
    background_timeout: float = 300.0,
    body_timeout: float = 10.0,
    max_body_size: int = MIB,
    workers: int = 4,
    max_attempts: int = 5,
    backoff: Backoff | None = None,
    on_dead_letter: DeadLetterHook | None = None,
    dedupe_size: int = 100_000,
    dedupe_age: float = 24 * 3600.0,
    shutdown_timeout: float = 10.0,
) -> web.Application:
    """Build the aiohttp sub-app receiving Aircall deliveries; mount it with ``add_subapp``.

    ``tokens`` are the accepted webhook tokens (several for rotation or many accounts);
    ``token_resolver`` is an async ``fn(token) -> bool`` consulted when no configured
    token matches. ``ack`` picks when Aircall gets its 200 (see the module docstring);
    ``inbox`` (``ack="immediate"`` only) defaults to a :class:`MemoryInbox`.
    ``handler_timeout`` bounds the handlers run before the answer (``after_handlers``:
    keep it under Aircall's 5 s); ``background_timeout`` bounds each attempt of the
    background workers (``immediate``), where nobody waits for the answer.
    ``workers`` is how many deliveries the background workers handle at once;
    ``workers=0`` (``immediate`` only) stores every verified delivery and handles none:
    run :func:`consume` on the same inbox (a task, or another process when the inbox is
    shared between processes).
    ``body_timeout`` bounds the reading of a request's body (408 past it).
    A delivery identical to one already handled (same body: token, event, timestamp,
    resource id and data) runs nothing; ``dedupe_size``/``dedupe_age`` bound the memory
    of handled deliveries in ``after_handlers`` mode and of the default inbox. ``backoff``
    spaces the retries of the immediate mode (default ``Backoff(base=0.5, cap=60)``);
    ``on_dead_letter(event, error)`` is awaited when a delivery fails its last attempt.
    On shutdown, in-flight work is awaited up to ``shutdown_timeout`` seconds, then
    cancelled; a delivery waiting for its next retry is left in a durable inbox for the
    next start (a :class:`MemoryInbox` has no next start: its retries are awaited within
    the same timeout). Counters: ``sub[STATS_KEY]`` or :func:`webhook_stats`.

    Raises:
        TypeError: if ``router`` is not a WebhookRouter, ``inbox`` is not an Inbox, or
            ``token_resolver`` or ``on_dead_letter`` is not a coroutine function
            (``async def``).
        ValueError: if no token source is given, ``ack`` is unknown, an ``inbox`` or
            ``workers=0`` is given with ``ack="after_handlers"``, or a bound is out of
            range.
    """
    if not isinstance(router, WebhookRouter):
        raise TypeError(f"router must be a WebhookRouter, got {type(router).__name__}")
    if token_resolver is not None and not is_coroutine_callable(token_resolver):
        raise TypeError(
            f"token_resolver must be a coroutine function (async def), got {token_resolver!r}"
        )
    if ack not in ("after_handlers", "immediate"):
        raise ValueError(f"ack must be 'after_handlers' or 'immediate', got {ack!r}")
    if inbox is not None and ack != "immediate":
        raise ValueError("an inbox is only used with ack='immediate'")
    if min(handler_timeout, body_timeout, max_body_size) <= 0:
        raise ValueError("handler_timeout, body_timeout and max_body_size must be positive")
    if workers < 0 or (workers == 0 and ack != "immediate"):
        raise ValueError("workers must be at least 1 (workers=0 only with ack='immediate')")
    if ack == "immediate" and inbox is None:
        inbox = MemoryInbox(dedupe_size=dedupe_size, dedupe_age=dedupe_age)
    check_consumer_options(
        router,
        inbox,
        concurrency=max(workers, 1),
        max_attempts=max_attempts,
        handler_timeout=background_timeout,
        on_dead_letter=on_dead_letter,
        shutdown_timeout=shutdown_timeout,
    )
    verifier = TokenVerifier(tokens, token_resolver)
    consumer: Consumer | None = None
    path: AfterHandlers | _StoreFirst
    if inbox is None:
        path = AfterHandlers(
            router, DeliveryMemory(dedupe_size, dedupe_age), handler_timeout=handler_timeout
        )
        stats = path.stats
        intake = Intake(verifier, stats, max_body_size=max_body_size, body_timeout=body_timeout)
    else:
        stats = WebhookStats()
        intake = Intake(verifier, stats, max_body_size=max_body_size, body_timeout=body_timeout)
        path = _StoreFirst(router, inbox, intake, stats, store_all=workers == 0)
        if workers:
            consumer = Consumer(
                router,
                inbox,
                concurrency=workers,
                max_attempts=max_attempts,
                backoff=backoff or Backoff(base=0.5, cap=60.0),
                handler_timeout=background_timeout,
                on_dead_letter=on_dead_letter,
                shutdown_timeout=shutdown_timeout,
                stats=stats,
            )
    receiver = _Receiver(
        intake, path, inbox=inbox, consumer=consumer, shutdown_timeout=shutdown_timeout
    )
    app = web.Application()
    app[STATS_KEY] = stats
    app.router.add_route("*", "/", receiver.handle)
    app.cleanup_ctx.append(receiver.lifecycle)
    return app
