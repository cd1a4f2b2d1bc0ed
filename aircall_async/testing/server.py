"""FakeAircall: the fake Aircall server's lifecycle, in the running event loop or in a
background thread, and the handles tests use (credentials, recorded requests, faults...).

(Just over 400 lines: every handle a test needs is a small method of one class.)
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

from aiohttp import web
from yarl import URL

from .app import build_control, create_app
from .control import Control, Fault, RecordedRequest, Stats
from .routes_intelligence import end_call
from .routes_messages import receive_message
from .state import State
from .webhook_dispatch import DeliveryAttempt, WebhookDelivery, WebhookDispatcher

if TYPE_CHECKING:
    from aircall_async.client import AircallClient

__all__ = ["FakeAircall"]

_SHUTDOWN_TIMEOUT = 0.5  # requests still delayed by a fault are cut after this on close()

T = TypeVar("T")


class FakeAircall:
    """A fake Aircall Public API over real HTTP, with seeded in-memory data.

    ``async with FakeAircall() as fake:`` runs it in the current event loop;
    ``with FakeAircall() as fake:`` runs it in a background thread with its own loop (sync
    tests, or async tests that must not share their loop). ``start()``/``close()`` do the same
    as ``async with``.

    Seed options: ``seed``, ``calls``, ``contacts``, ``users``, ``numbers``, ``teams``, ``tags``
    (or a ready ``state``). ``rate_limit`` requests per ``window`` seconds (None: no
    limit), in Aircall's fixed windows, or as ``window_kind="sliding"`` or ``"leaky"`` says;
    ``rate_limit_headers="always"`` sends ``X-AircallApi-*`` on every answer, as the
    reference says, ``"429-only"`` only on a 429, as one capture of the service showed.
    ``port=0`` picks a free port.

    Webhooks created on it receive deliveries (see :meth:`fire` and
    :class:`~aircall_async.testing.webhook_dispatch.WebhookDispatcher`): each attempt
    times out after ``webhook_timeout`` seconds, a failed delivery is retried
    ``webhook_retries`` times ``webhook_retry_delay`` seconds apart, and
    ``webhook_max_failures`` consecutive failed attempts disable the webhook.

    Raises ValueError on negative counts, ``rate_limit < 1``, ``window <= 0``, another
    ``rate_limit_headers`` or ``window_kind``, or an invalid
    webhook option (``webhook_timeout <= 0``, negative retries or delay,
    ``webhook_max_failures < 1``).
    """

    def __init__(
        self,
        *,
        seed: int = 0,
        calls: int = 100,
        contacts: int = 50,
        users: int = 5,
        numbers: int = 3,
        teams: int = 2,
        tags: int = 4,
        rate_limit: int | None = 60,
        window: float = 60.0,
        rate_limit_headers: str = "always",
        window_kind: str = "fixed",
        host: str = "127.0.0.1",
        port: int = 0,
        api_id: str = "fake-api-id",
        api_token: str = "fake-api-token",
        client_id: str = "fake-client-id",
        client_secret: str = "fake-client-secret",
        state: State | None = None,
        webhook_timeout: float = 5.0,
        webhook_retries: int = 3,
        webhook_retry_delay: float = 1.0,
        webhook_max_failures: int = 50,
    ) -> None:
        self.control: Control = build_control(
            seed=seed,
            calls=calls,
            contacts=contacts,
            users=users,
            numbers=numbers,
            teams=teams,
            tags=tags,
            rate_limit=rate_limit,
            window=window,
            rate_limit_headers=rate_limit_headers,
            window_kind=window_kind,
            api_id=api_id,
            api_token=api_token,
            client_secret=client_secret,
            state=state,
        )
        self.app: web.Application = create_app(self.control)
        self.webhook_dispatcher = WebhookDispatcher(
            self.control.state,
            timeout=webhook_timeout,
            retries=webhook_retries,
            retry_delay=webhook_retry_delay,
            max_failures=webhook_max_failures,
        )
        self.host = host
        self.port = port
        self.client_id = client_id
        self.access_token: str = self.control.credentials.issue_access_token()
        self._runner: web.AppRunner | None = None
        self._used = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    def __repr__(self) -> str:
        where = str(self.base_url) if self._runner is not None else "not started"
        return f"<FakeAircall {where} calls={len(self.state.calls)}>"

    # -- handles ---------------------------------------------------------------------------

    @property
    def base_url(self) -> URL:
        """``http://<host>:<port>/v1``; raises RuntimeError before :meth:`start`."""
        if self._runner is None:
            raise RuntimeError("FakeAircall is not started")
        return URL.build(scheme="http", host=self.host, port=self.port, path="/v1")

    @property
    def api_id(self) -> str:
        """The Basic-auth username the server accepts."""
        return self.control.credentials.api_id

    @property
    def api_token(self) -> str:
        """The Basic-auth password the server accepts."""
        return self.control.credentials.api_token

    @property
    def client_secret(self) -> str:
        """The OAuth client secret ``POST /v1/oauth/token`` expects."""
        return self.control.credentials.client_secret

    @property
    def state(self) -> State:
        """The in-memory account (tests may read and change it directly)."""
        return self.control.state

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received, oldest first (clear it with ``fake.requests.clear()``)."""
        return self.control.requests

    @property
    def stats(self) -> Stats:
        """Counters: requests, rate_limited (429s sent), faults, dropped, by_status."""
        return self.control.stats

    def issue_access_token(self) -> str:
        """Mint another Bearer token the server accepts."""
        return self.control.credentials.issue_access_token()

    def issue_oauth_code(
        self, client_id: str | None = None, redirect_uri: str = "https://example.com/callback"
    ) -> str:
        """An authorization code that ``POST /v1/oauth/token`` exchanges once, within 10 min,
        for this ``client_id`` (default ``fake.client_id``) and ``redirect_uri``."""
        return self.control.credentials.issue_oauth_code(client_id or self.client_id, redirect_uri)

    def fail(
        self,
        path: str,
        *,
        method: str | None = None,
        status: int | None = None,
        delay: float = 0.0,
        drop: bool = False,
        times: int | None = None,
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> Fault:
        """Inject a fault on the requests whose path (relative to ``/v1``) matches ``path``.

        ``*`` matches one path segment, ``**`` anything. ``method`` restricts it (default any).
        ``delay`` seconds pass first; then ``drop`` closes the connection without answering, or
        ``status`` answers with a ``{"error", "troubleshoot"}`` body (or ``body``/``headers``);
        with neither, the request proceeds normally, late. ``times`` bounds how many requests
        it applies to (None: all). With no status, delay nor drop, the status is 500.
        Faults apply after authentication and the rate-limit count. Returns the
        :class:`Fault` (its ``hits`` counts the requests it took).
        Raises ValueError on an invalid status, a negative delay or ``times < 1``.
        """
        if status is None and not drop and delay <= 0:
            status = 500
        fault = Fault(
            path,
            method=method,
            status=status,
            delay=delay,
            drop=drop,
            times=times,
            body=body,
            headers=headers,
        )
        return self.control.faults.add(fault)

    def clear_faults(self) -> None:
        """Remove every injected fault."""
        self.control.faults.clear()

    def settle_a2p(
        self, association_id: int, status: str = "done", message: str | None = None
    ) -> None:
        """Finish the background update of an A2P association: ``update_status`` becomes
        ``status`` (done or failed) with ``update_message``. Raises KeyError when unknown,
        ValueError on another status."""
        if status not in ("pending", "done", "failed"):
            raise ValueError("status must be pending, done or failed")
        association = self.state.a2p_campaign_associations.get(association_id)
        if association is None:
            raise KeyError(association_id)
        association["update_status"] = status
        association["update_message"] = message

    def client(self, **kwargs: Any) -> AircallClient:
        """An ``AircallClient`` pointed at this server with its Basic credentials (or pass
        ``access_token=``), throttled like the server unless ``rate_limit`` is given.
        Raises RuntimeError before :meth:`start`."""
        # Imported here so that the fake server does not load the client until asked.
        from aircall_async import client as client_module
        from aircall_async import ratelimit

        kwargs.setdefault("base_url", self.base_url)
        if "access_token" not in kwargs:
            kwargs.setdefault("api_id", self.api_id)
            kwargs.setdefault("api_token", self.api_token)
        if "rate_limit" not in kwargs:
            limiter = self.control.limiter
            if limiter.limit is None:
                kwargs["rate_limit"] = None
            else:
                kwargs["rate_limit"] = ratelimit.RateLimit(limiter.limit, per=limiter.window)
        return client_module.AircallClient(**kwargs)

    # -- webhooks ------------------------------------------------------------------------------

    @property
    def webhook_deliveries(self) -> list[WebhookDelivery]:
        """Every webhook delivery scheduled (one per event and webhook), oldest first; each
        has ``webhook_id``, ``event``, ``url``, ``payload``, ``attempts`` and ``outcome``."""
        return self.webhook_dispatcher.deliveries

    @property
    def webhook_attempts(self) -> list[DeliveryAttempt]:
        """Every delivery attempt made (``webhook_id``, ``event``, ``url``, ``attempt``,
        ``status`` or ``error``, ``started_at``, ``duration``), in the order they ended."""
        return self.webhook_dispatcher.attempts

    async def fire(
        self, event: str, obj: Any = None, *, wait: bool = True
    ) -> list[WebhookDelivery]:
        """Deliver ``event`` (any of the 67) about ``obj`` to every matching active webhook:
        ``obj`` is the id of a user, call, number or contact of the state, or the ``data``
        itself (a mapping or a model); for ``integration.deleted`` an ``integration_id``, a
        mapping, or None for the fake's integration. With ``wait`` (default) returns once
        the deliveries are over (delivered or retries spent). Works from any event loop,
        also when the server runs in its own thread.

        Raises ValueError for an unknown event, KeyError for an unknown id, TypeError when
        ``obj`` is missing, RuntimeError before :meth:`start`.
        """
        return await self._in_server_loop(self.webhook_dispatcher.fire(event, obj, wait=wait))

    async def end_call(self, call_id: int) -> dict[str, Any]:
        """End a live call: ``call.ended`` fires, then its Conversation Intelligence results
        appear and fire ``transcription.created``, ``summary.created``... (beyond the
        reference). Returns the stored call. Works from any event loop.

        Raises KeyError for an unknown call, ValueError for a call already ended.
        """

        async def run() -> dict[str, Any]:
            return end_call(self.state, call_id)

        return await self._in_server_loop(run())

    async def receive_message(self, number_id: int, *, from_: str, body: str) -> dict[str, Any]:
        """An inbound message on a Number: stored, and ``message.received`` fires (beyond
        the reference). Returns the message. Works from any event loop.

        Raises KeyError for an unknown Number, ValueError for ``from_`` not in E.164.
        """

        async def run() -> dict[str, Any]:
            return receive_message(self.state, number_id, from_=from_, body=body)

        return await self._in_server_loop(run())

    async def deliveries_idle(self) -> None:
        """Wait until every webhook delivery is over (delivered, or its retries spent).
        Works from any event loop, also when the server runs in its own thread."""
        await self._in_server_loop(self.webhook_dispatcher.idle())

    async def _in_server_loop(self, coro: Coroutine[Any, Any, T]) -> T:
        loop = self._loop
        if loop is None or loop is asyncio.get_running_loop():
            return await coro
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coro, loop))

    # -- lifecycle in the current loop ------------------------------------------------------

    async def start(self) -> FakeAircall:
        """Listen on ``host:port`` (a free port when 0) in the running loop; returns self.
        Raises RuntimeError when already started, OSError when the port is taken."""
        if self._runner is not None:
            raise RuntimeError("FakeAircall is already started")
        if self._used:  # an aiohttp application cannot be set up twice
            self.app = create_app(self.control)
        self._used = True
        runner = web.AppRunner(
            self.app,
            access_log=None,
            handler_cancellation=True,
            shutdown_timeout=_SHUTDOWN_TIMEOUT,
        )
        await runner.setup()
        try:
            await web.TCPSite(runner, self.host, self.port).start()
        except BaseException:
            await runner.cleanup()
            raise
        self.port = runner.addresses[0][1]
        self._runner = runner
        await self.webhook_dispatcher.start()
        return self

    async def close(self) -> None:
        """Stop listening; requests still in flight are cut. Webhook deliveries in flight
        get up to a second to finish, then are cancelled; waiting retries are dropped.
        Safe to call twice."""
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()
            await self.webhook_dispatcher.close()

    async def __aenter__(self) -> FakeAircall:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    # -- lifecycle in a background thread ---------------------------------------------------

    def start_in_thread(self) -> FakeAircall:
        """Run the server in a daemon thread with its own event loop; returns once it listens.
        Raises RuntimeError when already started, OSError when the port is taken."""
        if self._thread is not None or self._runner is not None:
            raise RuntimeError("FakeAircall is already started")
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, name="fake-aircall", daemon=True)
        thread.start()
        try:
            asyncio.run_coroutine_threadsafe(self.start(), loop).result(timeout=30)
        except BaseException:
            loop.call_soon_threadsafe(loop.stop)
            thread.join()
            loop.close()
            raise
        self._loop, self._thread = loop, thread
        return self

    def stop_thread(self) -> None:
        """Stop a server started by :meth:`start_in_thread` and join its thread."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        try:
            asyncio.run_coroutine_threadsafe(self.close(), loop).result(timeout=30)
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join()
            loop.close()
            self._loop = self._thread = None

    def __enter__(self) -> FakeAircall:
        return self.start_in_thread()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop_thread()
