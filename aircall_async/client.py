"""The asynchronous client: authentication, pacing, retries and decoding of every request."""

from __future__ import annotations

import asyncio
import json as jsonlib
import logging
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from types import TracebackType
from typing import Any, TypeVar, overload

import aiohttp
from yarl import URL

from ._net import secure_base_url
from ._version import __version__
from .errors import APIError, TransportError, error_for_response
from .pagination import MAX_PER_PAGE, Paginator
from .ratelimit import RateLimit, RateLimitStatus, Throttler
from .resources import ClientResources
from .retry import Backoff, retry_on_exception, retry_on_status

__all__ = ["DEFAULT_BASE_URL", "AircallClient", "encode_params"]

T = TypeVar("T")

#: The root endpoint of the Aircall Public API.
DEFAULT_BASE_URL = URL("https://api.aircall.io/v1")

logger = logging.getLogger("aircall_async")

_WITH_BODY = frozenset({"POST", "PUT", "DELETE", "PATCH"})


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("datetime query parameters must be timezone-aware")
        return str(int(value.timestamp()))
    return str(value)


def encode_params(params: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """Turn query parameters into the pairs the API expects.

    ``None`` values are dropped, booleans become ``true``/``false``, aware datetimes
    become UNIX seconds and lists or tuples become repeated ``name[]`` pairs.

    Raises:
        ValueError: for a naive datetime.
    """
    pairs: list[tuple[str, str]] = []
    if not params:
        return pairs
    for name, value in params.items():
        if value is None:
            continue
        if isinstance(value, (list, tuple, set, frozenset)):
            pairs.extend((f"{name}[]", _scalar(v)) for v in value)
        else:
            pairs.append((name, _scalar(value)))
    return pairs


class AircallClient(ClientResources):
    """An asyncio client of the Aircall Public API.

    Authenticate with exactly one of ``api_id`` + ``api_token`` (Basic auth, for an
    Aircall customer's own account) or ``access_token`` (OAuth Bearer token, for apps).

    Args:
        api_id, api_token: the API key pair from the company settings.
        access_token: an OAuth access token (see :mod:`aircall_async.oauth`).
        base_url: the API root, ``https://api.aircall.io/v1`` by default.
        session: an ``aiohttp.ClientSession`` to share; the client then never closes it.
        rate_limit: the client-side budget shared by every task using this client;
            ``None`` turns client-side pacing off (the server's 429s are still honoured).
            The server's ``X-AircallApi-Limit`` replaces the default budget (some accounts
            get 120/min) but only ever lowers one set by hand.
        max_retries: how many times a failed request may be retried.
        timeout: seconds allowed for each attempt of a request.
        backoff: the waits between retries.

    Raises:
        ValueError: for no or two authentication modes, a clear-text base URL off
            loopback, or a negative ``max_retries``/``timeout``.

    Use it as an async context manager, or call :meth:`close` when done.
    """

    def __init__(
        self,
        *,
        api_id: str | None = None,
        api_token: str | None = None,
        access_token: str | None = None,
        base_url: str | URL = DEFAULT_BASE_URL,
        session: aiohttp.ClientSession | None = None,
        rate_limit: RateLimit | None = RateLimit(),  # noqa: B008 - frozen value
        max_retries: int = 5,
        timeout: float = 30.0,
        backoff: Backoff = Backoff(),  # noqa: B008 - frozen value
    ) -> None:
        basic = api_id is not None or api_token is not None
        if basic and access_token is not None:
            raise ValueError("give either api_id and api_token, or access_token, not both")
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
        if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
            raise ValueError(f"max_retries must be an integer >= 0, got {max_retries!r}")
        if timeout <= 0:
            raise ValueError(f"timeout must be positive, got {timeout!r}")
        self._base_url = secure_base_url(base_url)
        self._base = str(self._base_url).rstrip("/")
        self._session = session
        self._owns_session = session is None
        self._max_retries = max_retries
        # A separate connect deadline, so that a connection that never opens is known as
        # such (ConnectionTimeoutError): that request was not sent and may be retried.
        self._timeout = aiohttp.ClientTimeout(total=timeout, sock_connect=min(timeout, 10.0))
        self._backoff = backoff
        self._rate_limit = rate_limit
        self._throttler = Throttler(rate_limit, may_raise=rate_limit == RateLimit())
        self._status: RateLimitStatus | None = None
        common = {
            "Authorization": authorization,
            "Accept": "application/json",
            "User-Agent": f"aircall-async/{__version__}",
        }
        self._headers = common
        self._headers_with_body = {**common, "Content-Type": "application/json"}

    def __repr__(self) -> str:
        return f"<AircallClient {self._base_url} auth={self._auth_mode}>"

    @property
    def base_url(self) -> URL:
        """The API root every path is relative to."""
        return self._base_url

    @property
    def rate_limit(self) -> RateLimit | None:
        """The configured client-side budget (``None`` when pacing is off)."""
        return self._rate_limit

    @property
    def rate_limit_status(self) -> RateLimitStatus | None:
        """The budget the server reported on its last answer (``None`` before any)."""
        return self._status

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
        """Close the HTTP session, unless it was given to the client by the caller."""
        if self._owns_session and self._session is not None:
            await self._session.close()
            self._session = None

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

        ``path`` is relative to ``base_url`` (``"/users/456"``). The request waits for
        the rate limit, and is retried as :mod:`aircall_async.retry` decides.

        Raises:
            APIError: (a subclass chosen by the status) for an error answer, and for a
                redirection, which is never followed.
            RateLimitError: for a 429 once the retries are spent.
            TransportError: when no answer came, once the retries are spent.
            ValueError: for a naive datetime in ``params``.
        """
        method = method.upper()
        route = "/" + path.lstrip("/")
        url = self._base + route
        query = encode_params(params)
        body = None if json is None else jsonlib.dumps(json).encode()
        headers = self._headers_with_body if method in _WITH_BODY else self._headers
        session = self._get_session()
        attempt = 0
        while True:
            await self._throttler.acquire()
            started = time.monotonic()
            try:
                async with session.request(
                    method,
                    url,
                    params=query,
                    data=body,
                    headers=headers,
                    timeout=self._timeout,
                    # The API never redirects; following one would send the body elsewhere.
                    allow_redirects=False,
                ) as response:
                    raw = await response.read()
                    status = response.status
                    limits = RateLimitStatus.from_http(response.headers)
            except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                self._throttler.release()
                self._log(method, route, None, started, attempt, exc)
                if attempt < self._max_retries and retry_on_exception(method, exc):
                    await asyncio.sleep(self._backoff.delay(attempt))
                    attempt += 1
                    continue
                reason = type(exc).__name__ if not str(exc) else f"{type(exc).__name__}: {exc}"
                raise TransportError(
                    f"no answer after {attempt + 1} attempt(s): {reason}",
                    method=method,
                    path=route,
                ) from exc
            except BaseException:
                self._throttler.release()
                raise
            self._throttler.release(limits, rejected=status == 429)
            if limits is not None:
                self._status = limits
            self._log(method, route, status, started, attempt, None)
            if status < 300:
                return _decode(raw, status, method, route)
            if attempt < self._max_retries and retry_on_status(method, status):
                # After a 429 the throttler holds everyone until a reset still to come; when
                # there is none (no header, or a clock behind ours) the backoff paces us.
                until_reset = limits.seconds_until_reset() if limits is not None else None
                if status != 429 or not until_reset:
                    await asyncio.sleep(self._backoff.delay(attempt))
                attempt += 1
                continue
            raise error_for_response(
                status,
                raw,
                method=method,
                path=route,
                reset_at=limits.reset if limits is not None else None,
            )

    def _log(
        self,
        method: str,
        route: str,
        status: int | None,
        started: float,
        attempt: int,
        exc: BaseException | None,
    ) -> None:
        if not logger.isEnabledFor(logging.DEBUG):
            return
        remaining = self._status.remaining if self._status is not None else None
        outcome = status if exc is None else type(exc).__name__
        logger.debug(
            "%s %s -> %s in %.3fs (remaining %s, retry %d)",
            method,
            route,
            outcome,
            time.monotonic() - started,
            remaining,
            attempt,
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


def _decode(raw: bytes, status: int, method: str, route: str) -> Any:
    if not raw.strip():
        return None
    try:
        return jsonlib.loads(raw)
    except ValueError:
        raise APIError(
            status,
            error="Invalid JSON",
            troubleshoot="the answer's body is not JSON",
            method=method,
            path=route,
        ) from None
