"""Webhook delivery of the fake Aircall server: what Aircall does with the webhooks it stores.

A :class:`WebhookDispatcher` listens to :meth:`State.emit <aircall_async.testing.state.State.emit>`
and, for every active webhook subscribed to the event, POSTs the delivery
``{"event", "resource", "timestamp", "token", "data"}`` to the webhook's url in a
background task, with its own ``aiohttp.ClientSession``. The request that changed the state
never waits for it, and nothing a receiver does can fail that request.

Redelivery follows the reference's "Automatic deactivation": an attempt fails when the answer
is not 2xx or does not come within ``timeout`` seconds; a failed delivery is retried
``retries`` times, ``retry_delay`` seconds apart, with the same body (so a receiver's
deduplication sees a redelivery). ``max_failures`` consecutive failed attempts for one
webhook disable it (``active: false``): it gets no new events, but the deliveries already
failing keep their retries, and a success among them enables it again, as Aircall does.
Deleting a webhook, or disabling it through the API, stops its retries.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal

import aiohttp
from yarl import URL

from aircall_async._rules import is_int, is_loopback
from aircall_async.webhooks.events import check_event_name, resource_of

from .deliveries import build_delivery
from .render import number_public, user_public, user_v2
from .routes_calls import render_call
from .state import State, public

__all__ = ["DeliveryAttempt", "Outcome", "WebhookDelivery", "WebhookDispatcher"]

log = logging.getLogger("aircall_async.testing")

Obj = dict[str, Any]
Outcome = Literal["pending", "delivered", "failed", "abandoned", "cancelled"]

#: How long :meth:`WebhookDispatcher.close` lets attempts in flight finish before cancelling.
DRAIN_TIMEOUT: Final = 1.0
_USER_AGENT: Final = "aircall-async-fake-webhooks"


@dataclass(frozen=True)
class DeliveryAttempt:
    """One POST of a delivery: to which webhook (``webhook_id``, the integer id), which
    ``event``, which ``url``, the ``attempt`` number (1 for the first), the answer's
    ``status`` (None when there was none) or the ``error`` (``"timeout"`` or the exception's
    class name and message), ``started_at`` (UNIX seconds) and ``duration`` (seconds)."""

    webhook_id: int
    event: str
    url: str
    attempt: int
    status: int | None
    error: str | None
    started_at: float
    duration: float

    @property
    def ok(self) -> bool:
        """True when the receiver answered 2xx in time."""
        return self.status is not None and 200 <= self.status < 300


@dataclass(eq=False)
class WebhookDelivery:
    """One event delivered to one webhook, with every attempt made so far.

    ``outcome`` is ``pending`` while attempts remain, then ``delivered`` (an attempt got a
    2xx), ``failed`` (every attempt failed), ``abandoned`` (the webhook was deleted or
    disabled through the API before a retry) or ``cancelled`` (the server closed first).
    ``payload`` is the body sent, token included, so it is kept out of the repr.
    """

    webhook_id: int
    event: str
    url: str
    payload: Obj = field(repr=False)
    attempts: list[DeliveryAttempt] = field(default_factory=list)
    outcome: Outcome = "pending"

    @property
    def delivered(self) -> bool:
        """True once an attempt got a 2xx answer."""
        return self.outcome == "delivered"


class WebhookDispatcher:
    """Delivers the events of a :class:`State` to its webhooks (see the module docstring).

    ``timeout`` bounds each attempt (Aircall: 5 s); ``retries`` is the number of attempts
    after the first; ``retry_delay`` the seconds between them; ``max_failures`` the
    consecutive failed attempts that disable a webhook (Aircall: 50). Every delivery is
    recorded in :attr:`deliveries` and every attempt in :attr:`attempts`, oldest first.

    Raises ValueError when ``timeout <= 0``, ``retries < 0``, ``retry_delay < 0`` or
    ``max_failures < 1``.
    """

    def __init__(
        self,
        state: State,
        *,
        timeout: float = 5.0,
        retries: int = 3,
        retry_delay: float = 1.0,
        max_failures: int = 50,
    ) -> None:
        if timeout <= 0:
            raise ValueError("webhook timeout must be > 0")
        if retries < 0 or retry_delay < 0:
            raise ValueError("webhook retries and retry delay must be >= 0")
        if max_failures < 1:
            raise ValueError("webhook max_failures must be >= 1")
        self.state = state
        self.timeout = timeout
        self.retries = retries
        self.retry_delay = retry_delay
        self.max_failures = max_failures
        self.deliveries: list[WebhookDelivery] = []
        self.attempts: list[DeliveryAttempt] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closing: asyncio.Event | None = None
        self._unsubscribe: Callable[[], None] | None = None

    def __repr__(self) -> str:
        return f"<WebhookDispatcher deliveries={len(self.deliveries)} in_flight={len(self._tasks)}>"

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Open the HTTP session in the running loop and listen to the state's events.
        Raises RuntimeError when already started."""
        if self._session is not None:
            raise RuntimeError("the webhook dispatcher is already started")
        self._loop = asyncio.get_running_loop()
        self._closing = asyncio.Event()
        self._session = aiohttp.ClientSession(headers={"User-Agent": _USER_AGENT})
        self._unsubscribe = self.state.subscribe(self._on_emit)

    async def close(self) -> None:
        """Stop listening, stop waiting retries, let attempts in flight finish for up to
        :data:`DRAIN_TIMEOUT` seconds, cancel the rest and close the session. Safe twice."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if self._closing is not None:
            self._closing.set()
        tasks = set(self._tasks)
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=DRAIN_TIMEOUT)
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.wait(pending)
        session, self._session = self._session, None
        if session is not None:
            await session.close()
        self._loop = None

    async def idle(self) -> None:
        """Wait until no delivery is pending (every retry done), new ones included."""
        while self._tasks:
            await asyncio.wait(set(self._tasks))

    # -- producing deliveries ----------------------------------------------------------------

    def _on_emit(self, event: str, resource: str, data: Obj) -> None:
        # A listener's exception would fail the API request that changed the state.
        try:
            self.dispatch(event, data)
        except Exception:
            log.exception("fake Aircall server: could not schedule %s deliveries", event)

    def dispatch(self, event: str, data: Mapping[str, Any]) -> list[WebhookDelivery]:
        """Schedule the delivery of ``event`` with ``data`` (a mapping or a model) to every
        matching active webhook, stamped now; returns the deliveries (empty when none matches
        or the dispatcher is not started). Safe to call from another thread than the
        dispatcher's loop. Raises ValueError for an event outside the 67."""
        return self._schedule(_event_name(event), data)[0]

    def _schedule(
        self, event: str, data: Any
    ) -> tuple[list[WebhookDelivery], list[asyncio.Task[None]]]:
        loop = self._loop
        if loop is None or self._session is None:
            return [], []
        timestamp = self.state.timestamp()
        deliveries = [
            WebhookDelivery(
                webhook_id=int(hook["id"]),
                event=event,
                url=str(hook["url"]),
                payload=build_delivery(event, data, token=str(hook["token"]), timestamp=timestamp),
            )
            for hook in list(self.state.webhooks)
            if hook.get("active") and _subscribed(hook, event)
        ]
        self.deliveries.extend(deliveries)
        if _running_loop() is not loop:
            for delivery in deliveries:
                loop.call_soon_threadsafe(self._spawn, delivery)
            return deliveries, []
        return deliveries, [self._spawn(delivery) for delivery in deliveries]

    def _spawn(self, delivery: WebhookDelivery) -> asyncio.Task[None]:
        task = asyncio.ensure_future(self._deliver(delivery))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def fire(
        self, event: str, obj: Any = None, *, wait: bool = True
    ) -> list[WebhookDelivery]:
        """Deliver any of the 67 events about ``obj`` to every matching active webhook.

        ``obj`` is the id of a user, call, number or contact of the state (rendered the way
        the API renders it), or the ``data`` itself (a mapping or a model). For
        ``integration.deleted``: an ``integration_id``, a mapping, or None for the state's
        integration. With ``wait`` (default), returns once those deliveries are over
        (delivered, or their retries spent); each carries its attempts and outcome.

        Raises:
            ValueError: if ``event`` is not one of the 67 events (naming the closest).
            KeyError: if no object of the event's resource has that id.
            TypeError: if ``obj`` is None for an event about a user, call, number or contact,
                or an id for an event of another family (give its data).
            RuntimeError: if the dispatcher is not started, or runs in another loop.
        """
        name = _event_name(event)
        if self._loop is None or _running_loop() is not self._loop:
            raise RuntimeError("fire() needs the started dispatcher, in its own event loop")
        deliveries, tasks = self._schedule(name, self._data_for(name, obj))
        if wait and tasks:
            await asyncio.wait(tasks)
        return deliveries

    def _data_for(self, event: str, obj: Any) -> Any:
        state = self.state
        resource = resource_of(event)
        if resource == "integration":
            if obj is None:
                obj = state.integration.get("id")
            if is_int(obj):
                return {"integration_id": obj, "company_id": state.integration.get("company_id")}
            return obj
        if obj is None:
            raise TypeError(f"give the id or the data of the {resource} the event is about")
        if not is_int(obj):
            return obj
        tables = {
            "user": state.users,
            "call": state.calls,
            "number": state.numbers,
            "contact": state.contacts,
        }
        if resource not in tables:
            raise TypeError(f"give the data of the {resource} {event} is about, not an id")
        found = tables[resource].get(obj)
        if found is None:
            raise KeyError(f"no {resource} with id {obj}")
        if resource == "user" and event.endswith(".v2"):
            return user_v2(state, found)
        if resource == "user":
            return user_public(state, found, with_numbers=True)
        if resource == "call":
            return render_call(state, found, False)
        if resource == "number":
            return number_public(state, found, with_users=True)
        return public(found)

    # -- delivering -----------------------------------------------------------------------------

    async def _deliver(self, delivery: WebhookDelivery) -> None:
        try:
            for attempt in range(1, self.retries + 2):
                if attempt > 1:
                    if await self._closed_within(self.retry_delay):
                        delivery.outcome = "cancelled"
                        return
                    if not self._still_wanted(delivery.webhook_id):
                        delivery.outcome = "abandoned"
                        return
                result = await self._attempt(delivery, attempt)
                delivery.attempts.append(result)
                self.attempts.append(result)
                self._count(delivery.webhook_id, result.ok)
                if result.ok:
                    delivery.outcome = "delivered"
                    return
            delivery.outcome = "failed"
        except asyncio.CancelledError:
            delivery.outcome = "cancelled"
            raise

    async def _closed_within(self, delay: float) -> bool:
        closing = self._closing
        assert closing is not None
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(closing.wait(), delay)
        return closing.is_set()

    async def _attempt(self, delivery: WebhookDelivery, attempt: int) -> DeliveryAttempt:
        session = self._session
        assert session is not None
        status: int | None = None
        error: str | None = None
        started = time.time()
        clock = time.monotonic()
        if not is_loopback(URL(delivery.url).host):
            # A fake must never reach the network: tests may create webhooks on any URL.
            error = "not sent: the fake server delivers only to loopback hosts"
        else:
            try:
                async with session.post(
                    delivery.url,
                    json=delivery.payload,
                    timeout=aiohttp.ClientTimeout(total=self.timeout),
                    allow_redirects=False,
                ) as response:
                    await response.read()
                    status = response.status
            except asyncio.TimeoutError:
                error = "timeout"
            except aiohttp.ClientError as exc:
                # Connection errors name the host and port, never the body (it holds the token).
                error = f"{type(exc).__name__}: {exc}"
        return DeliveryAttempt(
            webhook_id=delivery.webhook_id,
            event=delivery.event,
            url=delivery.url,
            attempt=attempt,
            status=status,
            error=error,
            started_at=started,
            duration=time.monotonic() - clock,
        )

    def _still_wanted(self, webhook_id: int) -> bool:
        hook = self.state.webhooks.get(webhook_id)
        # Retries go on after an automatic deactivation, not after one asked through the API.
        return hook is not None and bool(hook.get("active") or hook.get("_auto_disabled"))

    def _count(self, webhook_id: int, ok: bool) -> None:
        hook = self.state.webhooks.get(webhook_id)
        if hook is None:
            return
        if ok:
            hook["_failures"] = 0
            if hook.pop("_auto_disabled", False):
                hook["active"] = True
                log.info("fake Aircall server: webhook %s enabled again", webhook_id)
            return
        hook["_failures"] = int(hook.get("_failures", 0)) + 1
        if hook["_failures"] >= self.max_failures and hook.get("active"):
            hook["active"] = False
            hook["_auto_disabled"] = True
            log.warning(
                "fake Aircall server: webhook %s disabled after %d failed deliveries",
                webhook_id,
                hook["_failures"],
            )


def _event_name(event: str) -> str:
    return check_event_name(event)


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def _subscribed(hook: Obj, event: str) -> bool:
    events = hook.get("events")
    # The API stores every event for an empty list; a webhook added to the state by a test
    # may still carry none.
    return not events or event in events
