"""Walking through list endpoints: every item, in the server's order, past the 10k cap.

The decisions (which page next, when the listing ends, how it continues past the cap,
which items were already handed out) live in :mod:`aircall_async.page_plan`; this module
runs the requests the plan asks for, a few at a time (``concurrency``), and hands the
pages out strictly in order, so memory stays at a few pages however long the listing.
"""

from __future__ import annotations

import asyncio
import weakref
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any, Generic, TypeVar

import attrs

from .errors import AircallError
from .page_plan import MAX_PER_PAGE, RESULT_CAP, PageMeta, PagePlan, PageRequest

__all__ = [
    "MAX_PER_PAGE",
    "RESULT_CAP",
    "ItemIterator",
    "Page",
    "PageIterator",
    "PageMeta",
    "Paginator",
]

T = TypeVar("T")

FetchPage = Callable[[str, Mapping[str, Any]], Awaitable[Any]]


@attrs.frozen
class Page(Generic[T]):
    """One page of a listing: its ``items`` (already converted) and its ``meta``."""

    items: list[T]
    meta: PageMeta


def _check_count(value: object, name: str, low: int, high: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if value < low or (high is not None and value > high):
        bounds = f"from {low} to {high}" if high is not None else f"at least {low}"
        raise ValueError(f"{name} must be {bounds}, got {value}")
    return value


class Paginator(Generic[T]):
    """The items of a list endpoint, fetched page by page as they are consumed.

    ``async for item in paginator`` yields every item of every page in the server's
    order; ``await paginator.collect()`` gathers them in a list; ``paginator.pages()``
    yields :class:`Page` objects; ``await paginator.first()`` fetches one item. Each
    iteration starts over from the first page. Breaking out of a loop cancels the pages
    in flight; ``await paginator.aclose()`` does it for every walk still open.

    ``limit`` caps the items yielded (and the requests: ``per_page`` shrinks to it below
    50). ``continue_by`` names the item's time field that the endpoint's ``from``/``to``
    filter on, to continue past the API's 10,000-item cap (``None``: it cannot).

    Iteration raises the client's errors (:class:`~aircall_async.errors.AircallError`
    subclasses); :class:`~aircall_async.errors.PaginationLimitError` when more than
    10,000 items match a query that cannot be continued; and
    :class:`~aircall_async.errors.PaginationStalledError` when a page brings only items
    of earlier pages (a server ignoring ``page``). The constructor raises ValueError for
    ``per_page`` outside 1..50, ``concurrency`` or ``limit`` below 1, or ``page``/
    ``per_page`` in ``params``.
    """

    def __init__(
        self,
        fetch: FetchPage,
        path: str,
        key: str,
        *,
        params: Mapping[str, Any] | None = None,
        per_page: int = MAX_PER_PAGE,
        transform: Callable[[dict[str, Any]], T] | None = None,
        concurrency: int = 4,
        continue_by: str | None = None,
        limit: int | None = None,
    ) -> None:
        _check_count(per_page, "per_page", 1, MAX_PER_PAGE)
        _check_count(concurrency, "concurrency", 1)
        if limit is not None:
            _check_count(limit, "limit", 1)
        query = dict(params or {})
        for reserved in ("page", "per_page"):
            if reserved in query:
                raise ValueError(f"{reserved!r} is set by the paginator; use per_page=")
        self._fetch = fetch
        self._path = "/" + path.strip("/")
        self._key = key
        self._params = query
        self._per_page = per_page if limit is None else min(per_page, limit)
        self._transform = transform
        self._concurrency = concurrency
        self._continue_by = continue_by
        self._limit = limit
        self._walks: weakref.WeakSet[PageIterator[T]] = weakref.WeakSet()

    @property
    def path(self) -> str:
        """The endpoint path, relative to the client's base URL."""
        return self._path

    @property
    def params(self) -> Mapping[str, Any]:
        """The query parameters of the listing (without page and per_page)."""
        return dict(self._params)

    def pages(self) -> PageIterator[T]:
        """Iterate over the pages of the listing, in order."""
        return self._walk()

    def __aiter__(self) -> ItemIterator[T]:
        return ItemIterator(self._walk())

    async def collect(self) -> list[T]:
        """Fetch every page (up to ``limit`` items) and return all the items in one list."""
        return [item async for item in self]

    async def first(self) -> T | None:
        """The first item, fetched with one request of ``per_page=1``; ``None`` when the
        listing is empty. Raises what iteration raises."""
        one = Paginator(
            self._fetch,
            self._path,
            self._key,
            params=self._params,
            per_page=1,
            transform=self._transform,
            concurrency=1,
            continue_by=self._continue_by,
            limit=1,
        )
        items = await one.collect()
        return items[0] if items else None

    async def aclose(self) -> None:
        """Stop every walk of this paginator still open and cancel their pages in flight."""
        for walk in list(self._walks):
            await walk.aclose()

    def _walk(self) -> PageIterator[T]:
        plan = PagePlan(
            self._path,
            self._params,
            per_page=self._per_page,
            continue_by=self._continue_by,
            limit=self._limit,
            window=self._per_page * (self._concurrency + 2),
        )
        walk = PageIterator(plan, self._fetch_page, self._read, self._convert, self._concurrency)
        self._walks.add(walk)
        return walk

    async def _fetch_page(self, query: Mapping[str, Any]) -> Any:
        return await self._fetch(self._path, query)

    def _read(self, body: Any) -> tuple[Any, list[Any]]:
        """The ``meta`` and the list of items of an answer; AircallError without a list."""
        if not isinstance(body, dict) or not isinstance(body.get(self._key), list):
            raise AircallError(
                f"GET {self._path} answered without a {self._key!r} list; is the key right?"
            )
        return body.get("meta"), body[self._key]

    def _convert(self, raw: dict[str, Any]) -> T:
        if self._transform is None:
            return raw  # type: ignore[return-value]
        return self._transform(raw)


class PageIterator(AsyncIterator[Page[T]]):
    """One walk through a listing (``paginator.pages()``): runs the requests its
    :class:`~aircall_async.page_plan.PagePlan` asks for, ``concurrency`` at a time, and
    yields the pages in order; ``aclose()`` stops it early. Raises what
    :class:`Paginator` iteration raises."""

    def __init__(
        self,
        plan: PagePlan,
        fetch: Callable[[Mapping[str, Any]], Awaitable[Any]],
        read: Callable[[Any], tuple[Any, list[Any]]],
        convert: Callable[[dict[str, Any]], T],
        concurrency: int,
    ) -> None:
        self._plan = plan
        self._fetch = fetch
        self._read = read
        self._convert = convert
        self._concurrency = concurrency
        self._inflight: deque[tuple[PageRequest, asyncio.Task[Any]]] = deque()
        self._finished = False
        self._closed = False
        # Raised on the next step, so that the items of the page before it are yielded.
        self._pending_error: AircallError | None = None

    def __aiter__(self) -> PageIterator[T]:
        return self

    def __del__(self) -> None:
        self._cancel(lambda _: True)

    def _cancel(self, unwanted: Callable[[PageRequest], bool]) -> None:
        kept: deque[tuple[PageRequest, asyncio.Task[Any]]] = deque()
        for request, task in self._inflight:
            if not unwanted(request):
                kept.append((request, task))
            elif task.done():
                if not task.cancelled():
                    task.exception()  # retrieved, so asyncio does not warn
            else:
                task.cancel()
        self._inflight = kept

    @property
    def closed(self) -> bool:
        """Whether ``aclose()`` stopped the walk."""
        return self._closed

    async def aclose(self) -> None:
        """Stop the walk and cancel the pages in flight."""
        self._finished = self._closed = True
        tasks = [task for _, task in self._inflight]
        self._cancel(lambda _: True)
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    def _fill(self) -> None:
        while len(self._inflight) < self._concurrency:
            request = self._plan.next_request()
            if request is None:
                return
            self._inflight.append((request, asyncio.ensure_future(self._fetch(request.query))))

    async def __anext__(self) -> Page[T]:
        if self._finished:
            raise StopAsyncIteration
        if self._pending_error is not None:
            self._finished = True
            raise self._pending_error
        try:
            while True:
                self._fill()
                if not self._inflight:
                    self._finished = True
                    raise StopAsyncIteration
                request, task = self._inflight[0]
                body = await task
                self._inflight.popleft()
                step = self._plan.receive(request, *self._read(body))
                self._cancel(lambda r: not self._plan.wants(r))
                if step.meta is None and step.error is not None:
                    raise step.error
                self._pending_error = step.error
                if step.meta is not None:
                    return Page(items=[self._convert(raw) for raw in step.items], meta=step.meta)
        except BaseException:
            self._finished = True
            self._cancel(lambda _: True)
            raise


class ItemIterator(AsyncIterator[T]):
    """An ``async for`` over the items of a listing; ``aclose()`` stops it early."""

    def __init__(self, pages: PageIterator[T]) -> None:
        self._pages = pages
        self._buffer: deque[T] = deque()

    def __aiter__(self) -> ItemIterator[T]:
        return self

    async def __anext__(self) -> T:
        if self._pages.closed:  # aclose() of the paginator: the rest of the page goes too
            self._buffer.clear()
        while not self._buffer:
            page = await self._pages.__anext__()
            self._buffer.extend(page.items)
        return self._buffer.popleft()

    async def aclose(self) -> None:
        """Stop the walk and cancel the pages in flight."""
        await self._pages.aclose()
