"""The aiohttp sub-app that receives Aircall deliveries: :func:`webhook_app`.

Order of the checks for each request (the first that fails answers):

1. method is POST (405);
2. body within ``max_body_size`` (413: ``Content-Length`` is checked before reading, and
   the read, after decompression, stops one byte past the limit) and fully received
   within ``body_timeout`` (408);
3. JSON (400), a JSON object (400);
4. ``token`` accepted (401; the log line never holds the token, and at most one warning
   per 10 s is logged, the others at DEBUG; a failing ``token_resolver`` gives 503);
5. ``event``, ``resource``, ``timestamp`` and ``data`` usable (400 with ``{"error": ...}``).

Then, with ``ack="after_handlers"`` (default), the matching handlers run concurrently
under ``handler_timeout``: 200 if all succeed, else 500 so that Aircall redelivers (a
handler that raises, even when called with the wrong arguments, or overruns is a
failure: counted, logged with the event name and resource id). A delivery identical to
one already handled (same body: token, event, timestamp, resource id and data) is
answered 200 and runs nothing; a failed one is not remembered. When an identical
delivery arrives while the first is still running, it runs nothing and waits for the
first's outcome: 200 if it succeeded, 500 otherwise (Aircall then redelivers, and the
redelivery runs if the first failed).

With ``ack="immediate"`` the delivery is committed to the inbox and answered 200 (503
when the inbox is full), then ``workers`` background tasks run the handlers under
``background_timeout``, retry failures with ``backoff`` up to ``max_attempts`` attempts,
and hand the last failure to ``on_dead_letter`` (the delivery stays in the inbox as a
dead letter). An error of the receiver itself (the inbox failing to record an outcome,
say) takes the same retry and dead-letter path, so no delivery stays pending forever; a
stored delivery whose event no longer has a handler (the router changed across a
restart) is marked done. The inbox's atomic ``put`` is what prevents two identical
concurrent deliveries from both running.

A request is never refused because the app is stopping: aiohttp stops listening, then
waits for the requests in flight, and only then does the receiver drain its background
work (up to ``shutdown_timeout``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from typing import Any, Final, Literal

import attrs
from aiohttp import StreamReader, web

from aircall_async.retry import Backoff
from aircall_async.webhooks.dedupe import DeliveryMemory, delivery_key
from aircall_async.webhooks.events import (
    Envelope,
    InvalidDelivery,
    WebhookEvent,
    build_event,
    check_envelope,
    parse_event,
)
from aircall_async.webhooks.inbox import Inbox, InboxEntry, MemoryInbox, PutResult
from aircall_async.webhooks.router import Handler, WebhookRouter, is_coroutine_callable
from aircall_async.webhooks.verify import TokenResolver, TokenVerifier

__all__ = ["STATS_KEY", "DeadLetterHook", "WebhookStats", "webhook_app", "webhook_stats"]

logger = logging.getLogger("aircall_async.webhooks")

DeadLetterHook = Callable[[WebhookEvent[Any], BaseException], Awaitable[None]]
AckMode = Literal["after_handlers", "immediate"]

MIB: Final = 1024 * 1024
#: At most one "rejected ... token" warning per this many seconds (the rest at DEBUG).
UNAUTHORIZED_LOG_INTERVAL: Final = 10.0
_monotonic = time.monotonic  # tests replace it to step over the interval


@attrs.define(eq=False)
class WebhookStats:
    """Counters of one receiver, for health checks (read ``sub[STATS_KEY]``).

    ``rejected`` counts refused requests by reason: ``method_not_allowed``,
    ``too_large``, ``timeout`` (body not received within ``body_timeout``),
    ``invalid_json``, ``not_an_object``, ``unauthorized``, ``invalid_delivery``,
    ``inbox_full``, ``unavailable`` (the token resolver or the inbox failed).
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
    "timeout": (408, _body({"error": "body not received in time"})),
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
        background_timeout: float,
        body_timeout: float,
        max_body_size: int,
        workers: int,
        max_attempts: int,
        backoff: Backoff,
        on_dead_letter: DeadLetterHook | None,
        memory: DeliveryMemory | None,
        shutdown_timeout: float,
    ) -> None:
        self.router = router
        self.verifier = verifier
        self.immediate = ack == "immediate"
        self.inbox = inbox
        self.timeout = handler_timeout
        self.background_timeout = background_timeout
        self.body_timeout = body_timeout
        self.max_body = max_body_size
        self.workers = workers
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.on_dead_letter = on_dead_letter
        self.memory = memory
        self.shutdown_timeout = shutdown_timeout
        self.inflight: dict[int, asyncio.Future[bool]] = {}
        self.tasks: set[asyncio.Task[Any]] = set()
        self.stats = WebhookStats(depth=self._depth)
        self.unauthorized_logged_at = float("-inf")
        self.unauthorized_suppressed = 0
        # Created in startup(): they belong to the running loop.
        self.queue: asyncio.Queue[InboxEntry] | None = None
        self.timers: set[asyncio.TimerHandle] = set()
        self.outstanding = 0
        self.idle: asyncio.Event | None = None
        # Set when every unfinished delivery is only waiting for its retry timer.
        self.quiet = asyncio.Event()

    def _check_quiet(self) -> None:
        if self.outstanding <= len(self.timers):
            self.quiet.set()

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
        elif reason in ("too_large", "timeout"):
            # The rest of the body is not read: the connection cannot be reused.
            response.force_close()
        return response

    async def _read_body(self, content: StreamReader) -> bytes | None:
        """The whole (decompressed) body, or None past ``max_body_size``.

        One bounded loop whether or not ``Content-Length`` was sent: with a compressed
        body the declared length is not the length of what is read.
        """
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

    def _log_unauthorized(self, event: object) -> None:
        now = _monotonic()
        if now - self.unauthorized_logged_at < UNAUTHORIZED_LOG_INTERVAL:
            self.unauthorized_suppressed += 1
            logger.debug(
                "rejected a webhook delivery with a missing or unknown token (event %s)",
                _short(event, 60),
            )
            return
        suppressed, self.unauthorized_suppressed = self.unauthorized_suppressed, 0
        self.unauthorized_logged_at = now
        logger.warning(
            "rejected a webhook delivery with a missing or unknown token (event %s)%s",
            _short(event, 60),
            f"; {suppressed} more since the last warning" if suppressed else "",
        )

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Answer one delivery (see the module docstring for the statuses)."""
        self.stats.received += 1
        if request.method != "POST":
            return self._reject("method_not_allowed")
        length = request.content_length
        if length is not None and length > self.max_body:
            return self._reject("too_large")
        content = request.content
        if content.is_eof():
            # Already received whole (the usual small delivery): reading cannot wait.
            body = await self._read_body(content)
        else:
            try:
                body = await asyncio.wait_for(self._read_body(content), self.body_timeout)
            except asyncio.TimeoutError:
                return self._reject("timeout")
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
        except Exception as exc:
            # The exception's text may hold the token: log its type only.
            logger.error(
                "webhook token resolver failed (%s); answering 503", type(exc).__qualname__
            )
            return self._reject("unavailable")
        if not accepted:
            self._log_unauthorized(payload.get("event"))
            return self._reject("unauthorized")
        try:
            envelope = check_envelope(payload)
        except InvalidDelivery as exc:
            return self._reject("invalid_delivery", exc.reason)
        key = delivery_key(body)
        if self.immediate:
            return await self._accept(key, payload, envelope, body)
        return await self._handle_now(key, payload, envelope)

    async def _handle_now(
        self, key: int, payload: dict[str, Any], envelope: Envelope
    ) -> web.Response:
        memory = self.memory
        assert memory is not None
        if key in memory:
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
            return _handler_failed()
        handlers = self.router.handlers_for(envelope[0])
        if not handlers:
            self.stats.handled += 1
            return _ok(_OK)
        outcome: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self.inflight[key] = outcome
        succeeded = False
        try:
            failed, _error = await self._run(build_event(payload, envelope), handlers, self.timeout)
            succeeded = not failed
        finally:
            del self.inflight[key]
            outcome.set_result(succeeded)
        if not succeeded:
            self.stats.handler_failures += 1
            return _handler_failed()
        memory.add(key)
        self.stats.handled += 1
        return _ok(_OK)

    async def _accept(
        self, key: int, payload: dict[str, Any], envelope: Envelope, body: bytes
    ) -> web.Response:
        assert self.inbox is not None
        if not self.router.handlers_for(envelope[0]):
            self.stats.handled += 1
            return _ok(_OK)
        entry = InboxEntry(key, payload, body=body)
        try:
            result = await self.inbox.put(entry)
        except Exception as exc:
            logger.error(
                "could not store a webhook delivery in the inbox (%s); answering 503",
                type(exc).__qualname__,
                exc_info=exc,
            )
            return self._reject("unavailable")
        if result is PutResult.FULL:
            return self._reject("inbox_full")
        if result is PutResult.DUPLICATE:
            self.stats.duplicates += 1
            return _ok(_DUPLICATE)
        entry.body = None  # stored: the queue needs only the decoded payload
        self._enqueue(entry, new=True)
        return _ok(_OK)

    # ---- running handlers -------------------------------------------------------------

    def _track(self, task: asyncio.Task[Any]) -> None:
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _run(
        self, event: WebhookEvent[Any], handlers: Sequence[Handler], timeout: float
    ) -> tuple[list[Handler], BaseException | None]:
        """Run ``handlers`` concurrently under ``timeout``; return the failed ones."""
        if not handlers:
            return [], None
        tasks: dict[asyncio.Task[Any], Handler] = {}
        for handler in handlers:
            # Called inside the task: a handler that raises when called (wrong
            # arguments) or returns no awaitable fails like one that raises later.
            task = asyncio.ensure_future(_call(handler, event))
            self._track(task)
            tasks[task] = handler
        done, pending = await asyncio.wait(tasks, timeout=timeout)
        failed: list[Handler] = []
        first_error: BaseException | None = None
        for task in pending:
            task.cancel()
            failed.append(tasks[task])
            first_error = first_error or asyncio.TimeoutError(
                f"handler overran {timeout} s deadline"
            )
            logger.error(
                "webhook handler %s overran %.1f s for %s (resource id %s); cancelled",
                _name(tasks[task]),
                timeout,
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
        self._check_quiet()

    async def _worker(self) -> None:
        assert self.queue is not None
        queue = self.queue
        while True:
            entry = await queue.get()
            try:
                await self._process(entry)
            except Exception as exc:
                # Even the dead-letter path failed (the inbox is unusable): try later.
                logger.error(
                    "webhook delivery %s: could not record its outcome (%s); retrying later",
                    _short(entry.payload.get("event")),
                    type(exc).__qualname__,
                    exc_info=exc,
                )
                self._retry_later(entry)
            finally:
                queue.task_done()

    async def _process(self, entry: InboxEntry) -> None:
        """One attempt at ``entry``; any error takes the retry and dead-letter path."""
        try:
            await self._attempt(entry)
        except Exception as exc:
            logger.error(
                "webhook delivery %s: error in the receiver (%s)",
                _short(entry.payload.get("event")),
                type(exc).__qualname__,
                exc_info=exc,
            )
            await self._failed_attempt(entry, None, exc)

    async def _attempt(self, entry: InboxEntry) -> None:
        assert self.inbox is not None
        try:
            event = parse_event(entry.payload)
        except InvalidDelivery as exc:
            # Only possible with a hand-edited inbox: nothing to retry.
            await self._dead(entry, None, exc)
            return
        # No handler left (the router changed since it was stored): nothing to run, done.
        handlers = [h for h in self.router.handlers_for(event.event) if h not in entry.succeeded]
        failed, error = await self._run(event, handlers, self.background_timeout)
        entry.succeeded.update(h for h in handlers if h not in failed)
        if not failed:
            await self.inbox.mark_done(entry)
            self.stats.handled += 1
            self._finish()
            return
        self.stats.handler_failures += 1
        await self._failed_attempt(entry, event, error or RuntimeError("handler failed"))

    async def _failed_attempt(
        self, entry: InboxEntry, event: WebhookEvent[Any] | None, error: BaseException
    ) -> None:
        assert self.inbox is not None
        entry.attempts += 1
        if entry.attempts >= self.max_attempts:
            await self._dead(entry, event, error)
            return
        self.stats.retries += 1
        self._retry_later(entry)
        try:
            await self.inbox.mark_failed(entry)
        except Exception as exc:
            # The retry is scheduled anyway; only the persisted attempt count is stale.
            logger.error("could not record a failed webhook attempt (%s)", type(exc).__qualname__)

    def _retry_later(self, entry: InboxEntry) -> None:
        delay = self.backoff.delay(max(0, entry.attempts - 1))
        timer: asyncio.TimerHandle | None = None

        def requeue() -> None:
            self.timers.discard(timer)
            if self.queue is not None:
                self._enqueue(entry, new=False)

        timer = asyncio.get_running_loop().call_later(delay, requeue)
        self.timers.add(timer)
        self._check_quiet()

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
        if self.on_dead_letter is None:
            return
        if event is None:
            try:
                event = parse_event(entry.payload)
            except InvalidDelivery:
                return
        try:
            await self.on_dead_letter(event, error)
        except Exception:
            logger.exception("the on_dead_letter hook failed")

    # ---- lifecycle --------------------------------------------------------------------

    async def lifecycle(self, app: web.Application) -> AsyncIterator[None]:
        """cleanup_ctx: start the workers and resume pending deliveries; drain on stop."""
        workers: list[asyncio.Task[None]] = []
        if self.immediate:
            assert self.inbox is not None
            self.queue = asyncio.Queue()
            self.quiet = asyncio.Event()
            self.idle = asyncio.Event()
            self.idle.set()
            self.outstanding = 0
            for entry in await self.inbox.open():
                self._enqueue(entry, new=True)
            workers = [asyncio.ensure_future(self._worker()) for _ in range(self.workers)]
        try:
            yield
        finally:
            await self._drain(workers)

    async def _drain(self, workers: list[asyncio.Task[None]]) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.shutdown_timeout
        if self.idle is not None:
            if isinstance(self.inbox, MemoryInbox):
                # Lost once stopped: a retry due within the timeout is worth the wait.
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self.idle.wait(), self.shutdown_timeout)
            else:
                # A durable inbox keeps the deliveries waiting for a retry for the next
                # start: wait only for the ones queued or being handled.
                self.quiet.clear()
                self._check_quiet()
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self.quiet.wait(), self.shutdown_timeout)
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


def _handler_failed() -> web.Response:
    """The 500 that makes Aircall redeliver."""
    return web.Response(status=500, body=_HANDLER_FAILED, content_type="application/json")


async def _call(handler: Handler, event: WebhookEvent[Any]) -> Any:
    return await handler(event)


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
    ``body_timeout`` bounds the reading of a request's body (408 past it).
    A delivery identical to one already handled (same body: token, event, timestamp,
    resource id and data) runs nothing; ``dedupe_size``/``dedupe_age`` bound the memory
    of handled deliveries in ``after_handlers`` mode (the inbox has its own). ``backoff``
    spaces the retries of the immediate mode (default ``Backoff(base=0.5, cap=60)``);
    ``on_dead_letter(event, error)`` is awaited when a delivery fails its last attempt.
    On shutdown, in-flight work is awaited up to ``shutdown_timeout`` seconds, then
    cancelled; a delivery waiting for its next retry is left in a durable inbox for the
    next start (a :class:`MemoryInbox` has no next start: its retries are awaited within
    the same timeout). Counters: ``sub[STATS_KEY]`` or :func:`webhook_stats`.

    Raises:
        TypeError: if ``router`` is not a WebhookRouter, or ``token_resolver`` or
            ``on_dead_letter`` is not a coroutine function (``async def``).
        ValueError: if no token source is given, ``ack`` is unknown, an ``inbox`` is given
            with ``ack="after_handlers"``, or a bound is not positive.
    """
    if not isinstance(router, WebhookRouter):
        raise TypeError(f"router must be a WebhookRouter, got {type(router).__name__}")
    for label, hook in (("token_resolver", token_resolver), ("on_dead_letter", on_dead_letter)):
        if hook is not None and not is_coroutine_callable(hook):
            raise TypeError(f"{label} must be a coroutine function (async def), got {hook!r}")
    if ack not in ("after_handlers", "immediate"):
        raise ValueError(f"ack must be 'after_handlers' or 'immediate', got {ack!r}")
    if inbox is not None and ack != "immediate":
        raise ValueError("an inbox is only used with ack='immediate'")
    if min(handler_timeout, background_timeout, body_timeout, max_body_size) <= 0:
        raise ValueError(
            "handler_timeout, background_timeout, body_timeout and max_body_size must be positive"
        )
    if shutdown_timeout < 0:
        raise ValueError("shutdown_timeout must not be negative")
    if workers < 1 or max_attempts < 1:
        raise ValueError("workers and max_attempts must be at least 1")
    verifier = TokenVerifier(tokens, token_resolver)
    memory: DeliveryMemory | None = None
    if ack == "immediate":
        if inbox is None:
            inbox = MemoryInbox(dedupe_size=dedupe_size, dedupe_age=dedupe_age)
    else:
        memory = DeliveryMemory(dedupe_size, dedupe_age)
    receiver = _Receiver(
        router,
        verifier,
        ack=ack,
        inbox=inbox,
        handler_timeout=handler_timeout,
        background_timeout=background_timeout,
        body_timeout=body_timeout,
        max_body_size=max_body_size,
        workers=workers,
        max_attempts=max_attempts,
        backoff=backoff or Backoff(base=0.5, cap=60.0),
        on_dead_letter=on_dead_letter,
        memory=memory,
        shutdown_timeout=shutdown_timeout,
    )
    app = web.Application()
    app[STATS_KEY] = receiver.stats
    app.router.add_route("*", "/", receiver.handle)
    app.cleanup_ctx.append(receiver.lifecycle)
    return app
