"""The asynchronous client: authentication, pacing, retries and decoding of every request.

One request goes: checks (open client, same event loop, a path inside the base) ->
``Throttle.acquire`` -> :func:`~aircall_async._transport.exchange` (one HTTP exchange) ->
``Throttle.release`` -> the retry decision (:mod:`aircall_async.retry`) -> the decoded
body or an exception from :mod:`aircall_async.errors`.

Over 400 lines because the client is the one public class users read: its
options, checks, the retry loop with its request events and the typed ``paginate``
overloads stay together; the HTTP exchange and its pure rules live in
:mod:`aircall_async._transport`.
"""

from __future__ import annotations

import asyncio
import json as jsonlib
import logging
import math
import re
import time
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any, TypeVar, overload

import aiohttp
import attrs
from yarl import URL

from ._loops import running_loop
from ._rules import is_int, redactor, secure_base_url
from ._transport import (
    DEFAULT_MAX_BODY_SIZE,
    USER_AGENT,
    Answer,
    decode_json,
    encode_query,
    exchange,
    route_of,
)
from .errors import AircallError, APIError, TransportError, error_for_response
from .observe import OnRequest, RequestEvent
from .pagination import MAX_PER_PAGE, Paginator
from .ratelimit import RateLimit, RateLimitStatus, Throttle, Throttler, ThrottleWait
from .resources import ClientResources
from .retry import Backoff, retry_on_exception, retry_on_status

__all__ = ["DEFAULT_BASE_URL", "AircallClient"]

T = TypeVar("T")

#: The root endpoint of the Aircall Public API.
DEFAULT_BASE_URL = URL("https://api.aircall.io/v1")

logger = logging.getLogger("aircall_async")

_WITH_BODY = frozenset({"POST", "PUT", "DELETE", "PATCH"})
# A base URL's trailing API version ("/v1"), and a path naming its own version ("/v2/...").
_VERSION_SEGMENT = re.compile(r"/v\d+$")
_VERSIONED_PATH = re.compile(r"/v\d+/")
# How many request paths a client remembers as checked routes and full URLs.
_URL_CACHE_SIZE = 512

#: A wait for rate budget longer than this (seconds) is logged at INFO.
WAIT_LOG_THRESHOLD = 1.0


def _check_credential(name: str, value: str | None) -> None:
    """Raise ValueError (never quoting ``value``) for a credential a header cannot carry:
    a control character (a newline would end the header) or an undecodable byte."""
    if value is not None and (not isinstance(value, str) or not value.isprintable()):
        raise ValueError(f"{name} must be text without control characters")


class AircallClient(ClientResources):
    """An asyncio client of the Aircall Public API.

    Authenticate with exactly one of ``api_id`` + ``api_token`` (Basic auth, for an
    Aircall customer's own account) or ``access_token`` (OAuth Bearer token, for apps).

    Args:
        api_id, api_token: the API key pair from the company settings.
        access_token: an OAuth access token (see :mod:`aircall_async.oauth`).
        base_url: the API root, ``https://api.aircall.io/v1`` by default.
        session: an ``aiohttp.ClientSession`` to share; the client then never closes it.
        rate_limit: the client-side budget shared by every task using this client: a
            :class:`~aircall_async.ratelimit.RateLimit`, any
            :class:`~aircall_async.ratelimit.Throttle` (for example one shared by several
            processes), or ``None`` to turn client-side pacing off (the server's 429s
            and "0 remaining" are still honoured). With a ``RateLimit``, the server's
            ``X-AircallApi-Limit`` replaces the default budget (some accounts get
            120/min) but only ever lowers one set by hand. A throttle's ``key`` must
            not contain the token.
        max_retries: how many times a failed request may be retried.
        timeout: seconds allowed for each attempt of a request.
        backoff: the waits between retries.
        max_body_size: the largest answer body read, in bytes (32 MiB by default).
        on_request: an async callable awaited with a
            :class:`~aircall_async.observe.RequestEvent` after each attempt of every
            request (see :mod:`aircall_async.observe`). An exception it raises is
            logged (once per client, at WARNING) and does not affect the request.

    Raises:
        ValueError: for no or two authentication modes, a credential with a control
            character, a clear-text base URL off loopback, a base URL with a query or
            fragment, a negative ``max_retries``/``timeout``/``max_body_size`` (or a
            timeout that is not finite), or a throttle whose ``key`` contains the token.
        TypeError: for an ``on_request`` that is not callable.

    Use it as an async context manager, or call :meth:`close` when done. A client
    belongs to the event loop of its first request, and is not reopened once closed.
    """

    def __init__(
        self,
        *,
        api_id: str | None = None,
        api_token: str | None = None,
        access_token: str | None = None,
        base_url: str | URL = DEFAULT_BASE_URL,
        session: aiohttp.ClientSession | None = None,
        rate_limit: RateLimit | Throttle | None = RateLimit(),  # noqa: B008 - frozen value
        max_retries: int = 5,
        timeout: float = 30.0,
        backoff: Backoff = Backoff(),  # noqa: B008 - frozen value
        max_body_size: int = DEFAULT_MAX_BODY_SIZE,
        on_request: OnRequest | None = None,
    ) -> None:
        super().__init__(self)
        basic = api_id is not None or api_token is not None
        if basic and access_token is not None:
            raise ValueError("give either api_id and api_token, or access_token, not both")
        for name, value in (
            ("api_id", api_id),
            ("api_token", api_token),
            ("access_token", access_token),
        ):
            _check_credential(name, value)
        if basic:
            if not api_id or not api_token:
                raise ValueError("Basic auth needs both api_id and api_token")
            authorization = aiohttp.encode_basic_auth(api_id, api_token)
            self._auth_mode = "basic"
        elif access_token:
            authorization = f"Bearer {access_token}"
            self._auth_mode = "bearer"
        else:
            raise ValueError("no credentials: give api_id and api_token, or access_token")
        if not is_int(max_retries) or max_retries < 0:
            raise ValueError(f"max_retries must be an integer >= 0, got {max_retries!r}")
        if not (timeout > 0 and math.isfinite(timeout)):  # (NaN passes ``<= 0``)
            raise ValueError(f"timeout must be a positive finite number, got {timeout!r}")
        if not is_int(max_body_size) or max_body_size <= 0:
            raise ValueError(f"max_body_size must be a positive integer, got {max_body_size!r}")
        self._base_url = secure_base_url(base_url)
        self._base = str(self._base_url).rstrip("/")
        # The root the API versions hang from: "https://api.aircall.io" for ".../v1".
        self._root = _VERSION_SEGMENT.sub("", self._base)
        self._urls: dict[str, tuple[str, str]] = {}  # path -> (route, URL): checked once
        self._session = session
        self._owns_session = session is None
        self._closed = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._max_retries = max_retries
        self._max_body_size = max_body_size
        # A separate connect deadline, so that a connection that never opens is known as
        # such (ConnectionTimeoutError): that request was not sent and may be retried.
        self._timeout = aiohttp.ClientTimeout(total=timeout, sock_connect=min(timeout, 10.0))
        self._backoff = backoff
        self._rate_limit = rate_limit
        self._throttle: Throttle = (
            Throttler(rate_limit, may_raise=rate_limit == RateLimit())
            if rate_limit is None or isinstance(rate_limit, RateLimit)
            else rate_limit
        )
        # A shared throttle names its budget in the clear (a Redis key): never a secret.
        shared_key = getattr(rate_limit, "key", None)
        secret = api_token or access_token
        if isinstance(shared_key, str) and secret and secret in shared_key:
            raise ValueError("the rate limit's key contains the API token: name the budget")
        self._status: RateLimitStatus | None = None
        self._warned_headers = False
        if on_request is not None and not callable(on_request):
            raise TypeError("on_request must be an async callable taking a RequestEvent")
        self._on_request = on_request
        self._warned_hook = False
        # Whatever the server writes back is masked for every form the credentials take.
        self._redact = redactor(
            [authorization, authorization.partition(" ")[2], api_token, access_token]
        )
        common = {"Authorization": authorization, "Accept": "application/json"}
        common["User-Agent"] = USER_AGENT
        self._headers = common
        self._headers_with_body = {**common, "Content-Type": "application/json"}

    def __repr__(self) -> str:
        return f"<AircallClient {self._base_url} auth={self._auth_mode}>"

    @property
    def base_url(self) -> URL:
        """The API root every path is relative to."""
        return self._base_url

    @property
    def rate_limit(self) -> RateLimit | Throttle | None:
        """The configured client-side pacing: a budget, a throttle, or ``None`` (off)."""
        return self._rate_limit

    @property
    def rate_limit_status(self) -> RateLimitStatus | None:
        """The budget the server reported on its last answer (``None`` before any)."""
        return self._status

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called: the client then sends nothing more."""
        return self._closed

    async def __aenter__(self) -> AircallClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the HTTP session (unless the caller gave it) and refuse any later request.

        Requests still in flight end with an :class:`~aircall_async.errors.AircallError`.
        Closing twice is harmless.
        """
        self._closed = True
        if self._owns_session and self._session is not None:
            session, self._session = self._session, None
            await session.close()

    def _check_usable(self) -> None:
        """Raise AircallError for a closed client, or one used from a second event loop."""
        if self._closed:
            raise AircallError("client is closed: create a new AircallClient")
        loop = running_loop()
        if self._loop is None:
            self._loop = loop
        elif self._loop is not loop:
            raise AircallError(
                "this AircallClient is bound to the event loop of its first request and "
                "was used from another one (e.g. two asyncio.run calls): create one client "
                "per event loop"
            )

    def _get_session(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        return self._session

    async def ping(self) -> bool:
        """Check the credentials and the connection with ``GET /ping``.

        Returns ``True``; raises :class:`~aircall_async.errors.ForbiddenError` for bad
        credentials and the other client errors otherwise.
        """
        await self.request("GET", "/ping")
        return True

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
    ) -> Any:
        """Send one API request and return its decoded JSON body (``None`` when empty).

        ``path`` is relative to ``base_url`` (``"/users/456"``), unless it names an API
        version (``"/v2/users"``): it then replaces the version of ``base_url``
        (``https://api.aircall.io/v2/users``). The request waits for
        the rate limit, and is retried as :mod:`aircall_async.retry` decides.

        Raises:
            APIError: (a subclass chosen by the status) for an error answer, for a
                redirection, which is never followed, and for a body that is not JSON
                or larger than ``max_body_size``.
            RateLimitError: for a 429 once the retries are spent.
            TransportError: when no answer came, once the retries are spent.
            AircallError: when the client is closed (before or during the request), or
                used from another event loop than its first request's.
            ValueError: for a naive datetime in ``params``, or a ``path`` with ``.``/``..``
                segments, a query or a fragment.
        """
        method = method.upper()
        known = self._urls.get(path)
        if known is None:
            route = route_of(path)
            url = (self._root if _VERSIONED_PATH.match(route) else self._base) + route
            if len(self._urls) < _URL_CACHE_SIZE:  # ids in paths: a bounded memory
                self._urls[path] = (route, url)
        else:
            route, url = known
        query = encode_query(params)
        body = None if json is None else jsonlib.dumps(json).encode()
        headers = self._headers_with_body if method in _WITH_BODY else self._headers
        self._check_usable()
        hook = self._on_request
        attempt = 0
        while True:
            # One attempt inside the throttle: a slot taken, one exchange, the slot given
            # back whatever happened (inline, not a helper: this is the hot path).
            ticket = await self._throttle.acquire()
            if ticket is not None and isinstance(ticket, ThrottleWait):
                self._log_wait(method, route, attempt, ticket)
            started = time.monotonic()
            answer: Answer | None = None
            limits: RateLimitStatus | None = None
            failure: TransportError | APIError | None = None
            try:
                if self._closed:
                    raise AircallError("client is closed: create a new AircallClient")
                answer = await exchange(
                    self._get_session(),
                    method,
                    url,
                    path=route,
                    params=query,
                    body=body,
                    headers=headers,
                    timeout=self._timeout,
                    max_body_size=self._max_body_size,
                    redact=self._redact,
                )
            except TransportError as exc:
                if self._closed:
                    raise AircallError(f"client was closed during {method} {route}") from exc
                failure = exc
            except APIError as exc:  # an answer refused unread (too large): never retried
                failure = exc
            except RuntimeError as exc:
                # aiohttp says "Session is closed" when close() ran while we were on the wire.
                if not self._closed:
                    raise
                raise AircallError(f"client was closed during {method} {route}") from exc
            finally:
                # An answer refused for its size still says what the budget is (its error
                # keeps the headers): a 429 with a large body must hold everybody too.
                said: Answer | APIError | None = answer
                if answer is None and isinstance(failure, APIError):
                    said = failure
                if said is not None:
                    limits = RateLimitStatus.from_http(said.headers, on_nonsense=self._nonsense)
                    if limits is not None:
                        last = self._status
                        self._status = limits if last is None else last.updated_by(limits)
                await self._throttle.release(
                    ticket, limits, rejected=said is not None and said.status == 429
                )
            # What came of the attempt, and whether to try again: said, then acted on.
            status: int | None = None
            cause: BaseException | None = None
            if answer is not None:
                status = answer.status
                retry = status >= 300 and attempt < self._max_retries
                retry = retry and retry_on_status(method, status)
                reason = str(status) if retry else None
            else:
                assert failure is not None  # the only way here without an answer
                if isinstance(failure, APIError):  # an answer refused unread: not retried
                    status, cause, retry = failure.status, failure, False
                else:
                    cause = failure.__cause__ or failure
                    retry = attempt < self._max_retries and retry_on_exception(method, cause)
                reason = type(cause).__name__ if retry else None
            self._log(method, route, status, started, attempt, cause, reason)
            if hook is not None:
                event = RequestEvent(
                    method=method,
                    path=route,
                    params=tuple(query),
                    attempt=attempt + 1,
                    status=status,
                    elapsed=time.monotonic() - started,
                    rate_limit=limits,
                    retry_reason=reason,
                    exception=None if cause is None else type(cause),
                )
                await self._report(hook, event, ticket)
            if answer is None:
                assert failure is not None
                if retry:
                    await asyncio.sleep(self._backoff.delay(attempt))
                    attempt += 1
                    continue
                if attempt == 0 or isinstance(failure, APIError):
                    raise failure
                assert cause is not None
                raise TransportError.no_answer(
                    cause, method, route, attempts=attempt + 1, redact=self._redact
                ) from cause
            status = answer.status
            if status < 300:
                return decode_json(answer.body, status, method, route)
            if retry:
                # After a 429 the throttler holds everyone until a reset still to come; when
                # there is none (no header, or a clock behind ours) the backoff paces us.
                until_reset = limits.seconds_until_reset() if limits is not None else None
                if status != 429 or not until_reset:
                    await asyncio.sleep(self._backoff.delay(attempt))
                attempt += 1
                continue
            raise error_for_response(
                status,
                answer.body,
                method=method,
                path=route,
                reset_at=limits.reset if limits is not None else None,
                redact=self._redact,
                headers=answer.headers,
            )

    def _nonsense(self, name: str, value: str) -> None:
        """Report a rate-limit header that makes no sense, once per client."""
        if not self._warned_headers:
            self._warned_headers = True
            logger.warning(
                "ignoring a rate-limit header that makes no sense: %s: %r "
                "(the last good value stays in force; reported once)",
                name,
                self._redact(value)[:40],  # masked before cut: a cut secret would pass
            )

    def _log(
        self,
        method: str,
        route: str,
        status: int | None,
        started: float,
        attempt: int,
        exc: BaseException | None,
        retry_reason: str | None,
    ) -> None:
        """One DEBUG line per attempt (nothing is built unless DEBUG is on)."""
        if not logger.isEnabledFor(logging.DEBUG):
            return
        remaining = self._status.remaining if self._status is not None else None
        outcome = status if exc is None else type(exc).__name__
        elapsed = time.monotonic() - started
        logger.debug(
            "%s %s -> %s in %.3fs (remaining %s, attempt %d)",
            method,
            route,
            outcome,
            elapsed,
            remaining,
            attempt + 1,  # counted from 1, like RequestEvent.attempt and aircall_attempt
            extra={
                "aircall_method": method,
                "aircall_path": route,
                "aircall_status": status,
                "aircall_attempt": attempt + 1,
                "aircall_elapsed": elapsed,
                "aircall_retry": retry_reason,
            },
        )

    def _log_wait(self, method: str, route: str, attempt: int, wait: ThrottleWait) -> None:
        """Say at INFO that a request waited long for budget: how long and why."""
        if wait.seconds <= WAIT_LOG_THRESHOLD:
            return
        logger.info(
            "%s %s waited %.1fs for rate budget (%s)",
            method,
            route,
            wait.seconds,
            wait.reason,
            extra={
                "aircall_method": method,
                "aircall_path": route,
                "aircall_attempt": attempt + 1,
                "aircall_waited": wait.seconds,
                "aircall_wait_reason": wait.reason,
            },
        )

    async def _report(self, hook: OnRequest, event: RequestEvent, ticket: object) -> None:
        """Await the hook with the attempt's event; a failure of the hook is only logged."""
        if isinstance(ticket, ThrottleWait):
            event = attrs.evolve(event, waited=ticket.seconds, wait_reason=ticket.reason)
        try:
            await hook(event)
        except Exception as exc:  # the hook is the caller's code: it must not break ours
            if not self._warned_hook:
                self._warned_hook = True
                # The type only: the message is the hook's text, which may quote anything.
                logger.warning(
                    "the on_request hook raised %s; the request goes on (reported once per client)",
                    type(exc).__name__,
                    extra={"aircall_method": event.method, "aircall_path": event.path},
                )

    @overload
    def paginate(
        self,
        path: str,
        key: str,
        *,
        params: Mapping[str, Any] | None = ...,
        per_page: int = ...,
        transform: None = ...,
        concurrency: int = ...,
        continue_by: str | None = ...,
        limit: int | None = ...,
    ) -> Paginator[dict[str, Any]]: ...

    @overload
    def paginate(
        self,
        path: str,
        key: str,
        *,
        params: Mapping[str, Any] | None = ...,
        per_page: int = ...,
        transform: Callable[[dict[str, Any]], T],
        concurrency: int = ...,
        continue_by: str | None = ...,
        limit: int | None = ...,
    ) -> Paginator[T]: ...

    def paginate(
        self,
        path: str,
        key: str,
        *,
        params: Mapping[str, Any] | None = None,
        per_page: int = MAX_PER_PAGE,
        transform: Callable[[dict[str, Any]], Any] | None = None,
        concurrency: int = 4,
        continue_by: str | None = None,
        limit: int | None = None,
    ) -> Paginator[Any]:
        """A :class:`~aircall_async.pagination.Paginator` over a list endpoint.

        ``key`` names the list in the answer (``"calls"`` for ``/calls``). Without
        ``transform`` the items are the raw dicts. Nothing is fetched until iteration.
        ``continue_by`` names the item's time field the endpoint's ``from``/``to`` filter
        on (``"started_at"`` for calls), to continue past the 10,000-item cap; ``limit``
        stops after that many items.

        Raises:
            ValueError: for ``per_page`` outside 1..50, ``concurrency`` or ``limit`` below
                1, or ``page``/``per_page`` in params.
        """
        return Paginator(
            self._get_page,
            path,
            key,
            params=params,
            per_page=per_page,
            transform=transform,
            concurrency=concurrency,
            continue_by=continue_by,
            limit=limit,
        )

    async def _get_page(self, path: str, params: Mapping[str, Any]) -> Any:
        return await self.request("GET", path, params=params)
