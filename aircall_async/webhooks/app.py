"""The aiohttp sub-app that receives Aircall deliveries: :func:`webhook_app`.

Order of the checks for each request (the first that fails answers):

1. method is POST (405), the app is not shutting down (503);
2. body within ``max_body_size`` (413: ``Content-Length`` is checked before reading, and
   the streamed read stops one byte past the limit);
3. JSON (400), a JSON object (400);
4. ``token`` accepted (401; the log line never holds the token);
5. ``event``, ``resource``, ``timestamp`` and ``data`` usable (400 with ``{"error": ...}``).

Then, with ``ack="after_handlers"`` (default), the matching handlers run concurrently
under ``handler_timeout``: 200 if all succeed, else 500 so that Aircall redelivers. A
delivery identical to one handled successfully (same token, event, timestamp, resource
id) is answered 200 and runs nothing; a failed one is not remembered. When an identical
delivery arrives while the first is still running, it runs nothing and waits for the
first's outcome: 200 if it succeeded, 500 otherwise (Aircall then redelivers, and the
redelivery runs if the first failed).

With ``ack="immediate"`` the delivery is committed to the inbox and answered 200 (503
when the inbox is full), then ``workers`` background tasks run the handlers, retry
failures with ``backoff`` up to ``max_attempts`` attempts, and hand the last failure to
``on_dead_letter`` (the delivery stays in the inbox as a dead letter). The inbox's
atomic ``put`` is what prevents two identical concurrent deliveries from both running.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from typing import Any, Final, Literal

import attrs
from aiohttp import web

from aircall_async.retry import Backoff
from aircall_async.webhooks.dedupe import DeliveryMemory, delivery_key
from aircall_async.webhooks.events import (
    InvalidDelivery,
    WebhookEvent,
    check_envelope,
    parse_event,
    resource_id_of,
)
from aircall_async.webhooks.inbox import Inbox, InboxEntry, MemoryInbox, PutResult
from aircall_async.webhooks.router import Handler, WebhookRouter
from aircall_async.webhooks.verify import TokenResolver, TokenVerifier

__all__ = ["STATS_KEY", "DeadLetterHook", "WebhookStats", "webhook_app", "webhook_stats"]

logger = logging.getLogger("aircall_async.webhooks")

DeadLetterHook = Callable[[WebhookEvent[Any], BaseException], Awaitable[None]]
AckMode = Literal["after_handlers", "immediate"]

MIB: Final = 1024 * 1024


@attrs.define(eq=False)
class WebhookStats:
    """Counters of one receiver, for health checks (read ``sub[STATS_KEY]``).

    ``rejected`` counts refused requests by reason: ``method_not_allowed``,
    ``too_large``, ``invalid_json``, ``not_an_object``, ``unauthorized``,
    ``invalid_delivery``, ``inbox_full``, ``unavailable``.
    """

    received: int = 0
    handled: int = 0
    duplicates: int = 0
    handler_failures: int = 0
    retries: int = 0
    dead_lettered: int = 0
    rejected: Counter[str] = attrs.field(factory=Counter)
    _depth: Callable[[], int] = attrs.field(default=lambda: 0, repr=False, alias="depth")

    @property
    def queue_depth(self) -> int:
        """Deliveries accepted and not finished (inbox depth, or in-flight deliveries)."""
        return self._depth()

    def as_dict(self) -> dict[str, Any]:
        """The counters as a JSON-ready dict."""
        return {
            "received": self.received,
            "handled": self.handled,
            "duplicates": self.duplicates,
            "handler_failures": self.handler_failures,
            "retries": self.retries,
            "dead_lettered": self.dead_lettered,
            "rejected": dict(self.rejected),
            "queue_depth": self.queue_depth,
        }


#: Where a receiver sub-app keeps its :class:`WebhookStats`.
STATS_KEY: Final = web.AppKey("aircall_webhook_stats", WebhookStats)


def webhook_stats(app: web.Application) -> WebhookStats:
    """The counters of a sub-app built by :func:`webhook_app`.

    Raises:
        KeyError: if ``app`` was not built by :func:`webhook_app`.
    """
    return app[STATS_KEY]


def _body(obj: dict[str, str]) -> bytes:
    return json.dumps(obj).encode()


_OK: Final = _body({"status": "ok"})
_DUPLICATE: Final = _body({"status": "duplicate"})
_ERRORS: Final = {
    "method_not_allowed": (405, _body({"error": "method not allowed: use POST"})),
    "too_large": (413, _body({"error": "body too large"})),
    "invalid_json": (400, _body({"error": "body is not valid JSON"})),
    "not_an_object": (400, _body({"error": "body is not a JSON object"})),
    "unauthorized": (401, _body({"error": "missing or invalid token"})),
    "inbox_full": (503, _body({"error": "inbox full, retry later"})),
    "unavailable": (503, _body({"error": "temporarily unavailable, retry later"})),
}
_HANDLER_FAILED: Final = _body({"error": "handler failed"})


def _short(value: object, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _name(handler: object) -> str:
    return str(getattr(handler, "__qualname__", None) or type(handler).__qualname__)


class _Receiver:
    """The request handler and background machinery of one sub-app."""

    def __init__(
        self,
        router: WebhookRouter,
        verifier: TokenVerifier,
        *,
        ack: AckMode,
        inbox: Inbox | None,
        handler_timeout: float,
        max_body_size: int,
        workers: int,
        max_attempts: int,
        backoff: Backoff,
        on_dead_letter: DeadLetterHook | None,
        memory: DeliveryMemory,
        shutdown_timeout: float,
    ) -> None:
        self.router = router
        self.verifier = verifier
        self.immediate = ack == "immediate"
        self.inbox = inbox
        self.timeout = handler_timeout
        self.max_body = max_body_size
        self.workers = workers
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.on_dead_letter = on_dead_letter
        self.memory = memory
        self.shutdown_timeout = shutdown_timeout
        self.inflight: dict[int, asyncio.Future[bool]] = {}
        self.tasks: set[asyncio.Task[Any]] = set()
        self.closing = False
        self.stats = WebhookStats(depth=self._depth)
        # Created in startup(): they belong to the running loop.
        self.queue: asyncio.Queue[InboxEntry] | None = None
        self.timers: set[asyncio.TimerHandle] = set()
        self.outstanding = 0
        self.idle: asyncio.Event | None = None

    def _depth(self) -> int:
        if self.inbox is not None:
            return self.inbox.depth
        return len(self.inflight)

    # ---- request handling -------------------------------------------------------------

    def _reject(self, reason: str, message: str | None = None) -> web.Response:
        self.stats.rejected[reason] += 1
        if message is None:
            status, body = _ERRORS[reason]
        else:
            status, body = 400, _body({"error": message})
        response = web.Response(status=status, body=body, content_type="application/json")
        if reason == "method_not_allowed":
            response.headers["Allow"] = "POST"
        elif reason == "too_large":
            # The rest of the body is not read: the connection cannot be reused.
            response.force_close()
        return response

    async def _read_body(self, request: web.Request) -> bytes | None:
        content = request.content
        length = request.content_length
        if length is not None:
            # Declared and within the limit (checked by the caller): one read.
            try:
                return await content.readexactly(length)
            except asyncio.IncompleteReadError:
                return b""
        chunks: list[bytes] = []
        size = 0
        while True:
            chunk = await content.read(self.max_body + 1 - size)
            if not chunk:
                return b"".join(chunks)
            size += len(chunk)
            if size > self.max_body:
                return None
            chunks.append(chunk)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Answer one delivery (see the module docstring for the statuses)."""
        self.stats.received += 1
        if request.method != "POST":
            return self._reject("method_not_allowed")
        if self.closing:
            return self._reject("unavailable")
        length = request.content_length
        if length is not None and length > self.max_body:
            return self._reject("too_large")
        body = await self._read_body(request)
        if body is None:
            return self._reject("too_large")
        try:
            payload = json.loads(body)
        except (ValueError, RecursionError):
            return self._reject("invalid_json")
        if not isinstance(payload, dict):
            return self._reject("not_an_object")
        token = payload.get("token")
        try:
            accepted = await self.verifier.verify(token)
        except Exception:
            logger.exception("webhook token resolver failed; answering 503")
            return self._reject("unavailable")
        if not accepted:
            logger.warning(
                "rejected a webhook delivery with a missing or unknown token (event %s)",
                _short(payload.get("event"), 60),
            )
            return self._reject("unauthorized")
        assert isinstance(token, str)  # verify() accepts strings only
        try:
            event_name, _resource, _timestamp, data = check_envelope(payload)
        except InvalidDelivery as exc:
            return self._reject("invalid_delivery", exc.reason)
        key = delivery_key(token, event_name, payload["timestamp"], resource_id_of(data))
        if self.immediate:
            return await self._accept(key, payload, event_name)
        return await self._handle_now(key, payload, event_name)

    async def _handle_now(self, key: int, payload: dict[str, Any], name: str) -> web.Response:
        if key in self.memory:
            self.stats.duplicates += 1
            return _ok(_DUPLICATE)
        first = self.inflight.get(key)
        if first is not None:
            try:
                succeeded = await asyncio.wait_for(asyncio.shield(first), self.timeout + 1.0)
            except asyncio.TimeoutError:
                succeeded = False
            if succeeded:
                self.stats.duplicates += 1
                return _ok(_DUPLICATE)
            return web.Response(status=500, body=_HANDLER_FAILED, content_type="application/json")
        handlers = self.router.handlers_for(name)
        if not handlers:
            self.stats.handled += 1
            return _ok(_OK)
        outcome: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self.inflight[key] = outcome
        succeeded = False
        try:
            failed, _error = await self._run(parse_event(payload), handlers)
            succeeded = not failed
        finally:
            del self.inflight[key]
            outcome.set_result(succeeded)
        if not succeeded:
            self.stats.handler_failures += 1
            return web.Response(status=500, body=_HANDLER_FAILED, content_type="application/json")
        self.memory.add(key)
        self.stats.handled += 1
        return _ok(_OK)

    async def _accept(self, key: int, payload: dict[str, Any], name: str) -> web.Response:
        assert self.inbox is not None
        if not self.router.handlers_for(name):
            self.stats.handled += 1
            return _ok(_OK)
        entry = InboxEntry(key, payload)
        try:
            result = await self.inbox.put(entry)
        except Exception:
            logger.exception("could not store a webhook delivery in the inbox; answering 503")
            return self._reject("unavailable")
        if result is PutResult.FULL:
            return self._reject("inbox_full")
        if result is PutResult.DUPLICATE:
            self.stats.duplicates += 1
            return _ok(_DUPLICATE)
        self._enqueue(entry, new=True)
        return _ok(_OK)

    # ---- running handlers -------------------------------------------------------------

    def _track(self, task: asyncio.Task[Any]) -> None:
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _run(
        self, event: WebhookEvent[Any], handlers: Sequence[Handler]
    ) -> tuple[list[Handler], BaseException | None]:
        """Run ``handlers`` concurrently under the deadline; return the failed ones."""
        tasks: dict[asyncio.Task[Any], Handler] = {}
        for handler in handlers:
            task = asyncio.ensure_future(handler(event))
            self._track(task)
            tasks[task] = handler
        done, pending = await asyncio.wait(tasks, timeout=self.timeout)
        failed: list[Handler] = []
        first_error: BaseException | None = None
        for task in pending:
            task.cancel()
            failed.append(tasks[task])
            first_error = first_error or asyncio.TimeoutError(
                f"handler overran {self.timeout} s deadline"
            )
            logger.error(
                "webhook handler %s overran %.1f s for %s (resource id %s); cancelled",
                _name(tasks[task]),
                self.timeout,
                event.event,
                _short(event.resource_id),
            )
        for task in done:
            error = task.exception() if not task.cancelled() else asyncio.CancelledError()
            if error is not None:
                failed.append(tasks[task])
                first_error = first_error or error
                logger.error(
                    "webhook handler %s failed for %s (resource id %s)",
                    _name(tasks[task]),
                    event.event,
                    _short(event.resource_id),
                    exc_info=error,
                )
        return failed, first_error

    def _enqueue(self, entry: InboxEntry, *, new: bool) -> None:
        assert self.queue is not None
        assert self.idle is not None
        if new:
            self.outstanding += 1
            self.idle.clear()
        self.queue.put_nowait(entry)

    def _finish(self) -> None:
        assert self.idle is not None
        self.outstanding -= 1
        if self.outstanding <= 0:
            self.outstanding = 0
            self.idle.set()

    async def _worker(self) -> None:
        assert self.queue is not None
        while True:
            entry = await self.queue.get()
            try:
                await self._process(entry)
            except Exception:
                logger.exception("webhook worker error (the delivery stays pending)")
            finally:
                self.queue.task_done()

    async def _process(self, entry: InboxEntry) -> None:
        assert self.inbox is not None
        try:
            event = parse_event(entry.payload)
        except InvalidDelivery as exc:
            # Only possible with a hand-edited inbox: nothing to retry.
            await self._dead(entry, None, exc)
            return
        handlers = [h for h in self.router.handlers_for(event.event) if h not in entry.succeeded]
        failed, error = await self._run(event, handlers)
        entry.succeeded.update(h for h in handlers if h not in failed)
        if not failed:
            await self.inbox.mark_done(entry)
            self.stats.handled += 1
            self._finish()
            return
        self.stats.handler_failures += 1
        entry.attempts += 1
        if entry.attempts >= self.max_attempts:
            await self._dead(entry, event, error or RuntimeError("handler failed"))
            return
        await self.inbox.mark_failed(entry)
        self.stats.retries += 1
        delay = self.backoff.delay(entry.attempts - 1)
        loop = asyncio.get_running_loop()
        timer: asyncio.TimerHandle | None = None

        def requeue() -> None:
            self.timers.discard(timer)
            if self.queue is not None:
                self._enqueue(entry, new=False)

        timer = loop.call_later(delay, requeue)
        self.timers.add(timer)

    async def _dead(
        self, entry: InboxEntry, event: WebhookEvent[Any] | None, error: BaseException
    ) -> None:
        assert self.inbox is not None
        await self.inbox.mark_dead(entry)
        self.stats.dead_lettered += 1
        self._finish()
        name = entry.payload.get("event")
        logger.error(
            "webhook delivery %s dead-lettered after %d attempts", _short(name), entry.attempts
        )
        if self.on_dead_letter is not None and event is not None:
            try:
                await self.on_dead_letter(event, error)
            except Exception:
                logger.exception("the on_dead_letter hook failed")

    # ---- lifecycle --------------------------------------------------------------------

    async def lifecycle(self, app: web.Application) -> AsyncIterator[None]:
        """cleanup_ctx: start the workers and resume pending deliveries; drain on stop."""
        self.closing = False
        workers: list[asyncio.Task[None]] = []
        if self.immediate:
            assert self.inbox is not None
            self.queue = asyncio.Queue()
            self.idle = asyncio.Event()
            self.idle.set()
            self.outstanding = 0
            for entry in await self.inbox.open():
                self._enqueue(entry, new=True)
            workers = [asyncio.ensure_future(self._worker()) for _ in range(self.workers)]
        try:
            yield
        finally:
            self.closing = True
            await self._drain(workers)

    async def _drain(self, workers: list[asyncio.Task[None]]) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.shutdown_timeout
        if self.idle is not None:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.idle.wait(), self.shutdown_timeout)
        for timer in self.timers:
            timer.cancel()
        self.timers.clear()
        for worker in workers:
            worker.cancel()
        if self.tasks:
            remaining = max(0.0, deadline - loop.time())
            _, pending = await asyncio.wait(set(self.tasks), timeout=remaining)
            for task in pending:
                task.cancel()
        leftovers = {*workers, *self.tasks}
        if leftovers:
            # A handler that swallows cancellation must not hang the shutdown.
            _, stuck = await asyncio.wait(leftovers, timeout=1.0)
            if stuck:
                logger.warning("%d webhook tasks ignored cancellation", len(stuck))
        if self.outstanding:
            logger.warning(
                "webhook receiver stopped with %d deliveries unfinished%s",
                self.outstanding,
                "" if not isinstance(self.inbox, MemoryInbox) else " (lost: MemoryInbox)",
            )
        self.queue = None
        self.idle = None
        if self.inbox is not None:
            await self.inbox.close()


def _ok(body: bytes) -> web.Response:
    return web.Response(body=body, content_type="application/json")


def webhook_app(
    router: WebhookRouter,
    *,
    tokens: Iterable[str] | None = None,
    token_resolver: TokenResolver | None = None,
    ack: AckMode = "after_handlers",
    inbox: Inbox | None = None,
    handler_timeout: float = 4.0,
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
    ``dedupe_size``/``dedupe_age`` bound the memory of handled deliveries in
    ``after_handlers`` mode (the inbox has its own). ``backoff`` spaces the retries of
    the immediate mode (default ``Backoff(base=0.5, cap=60)``); ``on_dead_letter(event,
    error)`` is awaited when a delivery fails its last attempt. On shutdown, in-flight
    work is awaited up to ``shutdown_timeout`` seconds, then cancelled. Counters:
    ``sub[STATS_KEY]`` or :func:`webhook_stats`.

    Raises:
        TypeError: if ``router`` is not a WebhookRouter.
        ValueError: if no token source is given, ``ack`` is unknown, an ``inbox`` is given
            with ``ack="after_handlers"``, or a bound is not positive.
    """
    if not isinstance(router, WebhookRouter):
        raise TypeError(f"router must be a WebhookRouter, got {type(router).__name__}")
    if ack not in ("after_handlers", "immediate"):
        raise ValueError(f"ack must be 'after_handlers' or 'immediate', got {ack!r}")
    if inbox is not None and ack != "immediate":
        raise ValueError("an inbox is only used with ack='immediate'")
    if handler_timeout <= 0 or max_body_size <= 0 or shutdown_timeout < 0:
        raise ValueError("handler_timeout, max_body_size and shutdown_timeout must be positive")
    if workers < 1 or max_attempts < 1:
        raise ValueError("workers and max_attempts must be at least 1")
    verifier = TokenVerifier(tokens, token_resolver)
    if ack == "immediate" and inbox is None:
        inbox = MemoryInbox(dedupe_size=dedupe_size, dedupe_age=dedupe_age)
    receiver = _Receiver(
        router,
        verifier,
        ack=ack,
        inbox=inbox,
        handler_timeout=handler_timeout,
        max_body_size=max_body_size,
        workers=workers,
        max_attempts=max_attempts,
        backoff=backoff or Backoff(base=0.5, cap=60.0),
        on_dead_letter=on_dead_letter,
        memory=DeliveryMemory(dedupe_size, dedupe_age),
        shutdown_timeout=shutdown_timeout,
    )
    app = web.Application()
    app[STATS_KEY] = receiver.stats
    app.router.add_route("*", "/", receiver.handle)
    app.cleanup_ctx.append(receiver.lifecycle)
    return app
