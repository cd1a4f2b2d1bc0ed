"""The blocking client: the async client driven from a background event loop."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any, TypeVar, overload

from yarl import URL

from .._transport import DEFAULT_MAX_BODY_SIZE
from ..client import DEFAULT_BASE_URL
from ..client import AircallClient as AsyncAircallClient
from ..observe import OnRequest
from ..pagination import MAX_PER_PAGE
from ..ratelimit import RateLimit, RateLimitStatus, Throttle
from ..retry import Backoff
from ._paginator import BlockingPaginator
from ._portal import Portal
from ._services import BlockingServices

__all__ = ["AircallClient"]

T = TypeVar("T")


class AircallClient(BlockingServices):
    """A blocking client of the Aircall Public API, for scripts, Django, Celery, notebooks.

    The same constructor, services, methods and models as
    :class:`aircall_async.AircallClient`, without ``await``: ``client.calls.get(1)``
    returns a ``Call``; listings return a :class:`BlockingPaginator` (a plain iterator
    with ``collect()``, ``first()`` and ``pages()``). The work runs on one event loop owned
    by the client, run by the calling thread itself (or, for a thread that runs an event
    loop of its own, by the client's worker thread), so any number of threads may share a
    client, its connections and its rate budget. Use it as a context manager, or call
    :meth:`close`, which also stops the worker thread.

    There is no ``session=`` argument: an ``aiohttp.ClientSession`` belongs to the event
    loop that created it, and this client's loop is its own. An ``on_request`` hook is
    still an async callable: it runs on that loop, in whichever thread runs it.

    Raises:
        ValueError: for the arguments the async client refuses.
        TypeError: for an ``on_request`` that is not callable.
        AircallError: (from any call) once the client is closed.
    """

    def __init__(
        self,
        *,
        api_id: str | None = None,
        api_token: str | None = None,
        access_token: str | None = None,
        base_url: str | URL = DEFAULT_BASE_URL,
        rate_limit: RateLimit | Throttle | None = RateLimit(),  # noqa: B008 - frozen value
        max_retries: int = 5,
        timeout: float = 30.0,
        backoff: Backoff = Backoff(),  # noqa: B008 - frozen value
        max_body_size: int = DEFAULT_MAX_BODY_SIZE,
        on_request: OnRequest | None = None,
    ) -> None:
        def build() -> AsyncAircallClient:
            return AsyncAircallClient(
                api_id=api_id,
                api_token=api_token,
                access_token=access_token,
                base_url=base_url,
                rate_limit=rate_limit,
                max_retries=max_retries,
                timeout=timeout,
                backoff=backoff,
                max_body_size=max_body_size,
                on_request=on_request,
            )

        portal = Portal()
        try:
            # Built while the loop runs: whatever it binds to a loop binds to that one.
            self._async = portal.call(build)
        except BaseException:
            portal.close()
            raise
        self._portal = portal

    def __repr__(self) -> str:
        return repr(self._async).replace("<AircallClient", "<blocking AircallClient", 1)

    def __enter__(self) -> AircallClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the HTTP session and stop the worker thread. Idempotent.

        Raises:
            AircallError: when called from inside the client's own loop (an ``on_request``
                hook).
        """
        self._portal.close(self._async.close)

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._portal.closed

    @property
    def base_url(self) -> URL:
        """The API root every path is relative to."""
        return self._async.base_url

    @property
    def rate_limit(self) -> RateLimit | Throttle | None:
        """The configured client-side pacing: a budget, a throttle, or ``None`` (off)."""
        return self._async.rate_limit

    @property
    def rate_limit_status(self) -> RateLimitStatus | None:
        """The budget the server reported on its last answer (``None`` before any)."""
        return self._async.rate_limit_status

    def ping(self) -> bool:
        """Check the credentials and the connection with ``GET /ping``.

        Returns ``True``; raises :class:`~aircall_async.errors.ForbiddenError` for bad
        credentials and the other client errors otherwise.
        """
        return self._portal.run(self._async.ping())

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
    ) -> Any:
        """Send one API request and return its decoded JSON body (``None`` when empty).

        As :meth:`aircall_async.AircallClient.request`, and raises the same errors.
        """
        return self._portal.run(self._async.request(method, path, params=params, json=json))

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
    ) -> BlockingPaginator[dict[str, Any]]: ...

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
    ) -> BlockingPaginator[T]: ...

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
    ) -> BlockingPaginator[Any]:
        """A :class:`BlockingPaginator` over a list endpoint (see the async ``paginate``).

        Raises:
            ValueError: for ``per_page`` outside 1..50, a bad ``limit``, or
                ``page``/``per_page`` in params.
        """
        paginator = self._async.paginate(
            path,
            key,
            params=params,
            per_page=per_page,
            transform=transform,
            concurrency=concurrency,
            continue_by=continue_by,
            limit=limit,
        )
        return BlockingPaginator(self._portal, paginator)
