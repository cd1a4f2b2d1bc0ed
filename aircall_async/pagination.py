"""Walking through list endpoints: every item, in the server's order, past the 10k cap.

The first page tells the total; the following pages of the same query are then fetched a
few at a time (``concurrency``) and handed out strictly in order, so memory stays at a
few pages however long the listing is.

The API refuses to page past the 10,000th item of a query. For endpoints that filter on
the creation time (``from``/``to``), the paginator then starts a new query from the last
creation time it yielded (``from`` when ascending, ``to`` when descending). Timestamps are
whole seconds and the bounds may be inclusive or exclusive, so the new query starts one
second early and the items already yielded in that overlap are skipped by id: no gap, no
duplicate, and only the overlap is fetched twice.
"""

from __future__ import annotations

import asyncio
import math
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any, Generic, TypeVar

import attrs
from yarl import URL

from .errors import AircallError, PaginationLimitError

__all__ = ["MAX_PER_PAGE", "RESULT_CAP", "Page", "PageMeta", "Paginator"]

T = TypeVar("T")

#: The API cuts any larger ``per_page`` to this.
MAX_PER_PAGE = 50
#: How many items of one query the API lets a client page through.
RESULT_CAP = 10_000

#: List endpoints whose ``from``/``to`` filter on the creation time.
TIME_FILTERED_PATHS = frozenset(
    {
        "/calls",
        "/calls/search",
        "/contacts",
        "/contacts/search",
        "/users",
        "/numbers",
        "/teams",
    }
)

FetchPage = Callable[[str, Mapping[str, Any]], Awaitable[Any]]


def _link(value: object) -> URL | None:
    return URL(value) if isinstance(value, str) and value else None


def _int(value: object, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


@attrs.frozen
class PageMeta:
    """The ``meta`` object of a list answer.

    ``total`` counts every item matching the query (not only the reachable 10,000).
    """

    count: int
    total: int
    current_page: int
    per_page: int
    next_page_link: URL | None = None
    previous_page_link: URL | None = None

    @classmethod
    def from_dict(cls, meta: object, *, items: int, page: int, per_page: int) -> PageMeta:
        """Read a ``meta`` object, falling back on what the request implied. Never raises."""
        data = meta if isinstance(meta, dict) else {}
        return cls(
            count=_int(data.get("count"), items),
            total=_int(data.get("total"), items),
            current_page=_int(data.get("current_page"), page),
            per_page=_int(data.get("per_page"), per_page),
            next_page_link=_link(data.get("next_page_link")),
            previous_page_link=_link(data.get("previous_page_link")),
        )


@attrs.frozen
class Page(Generic[T]):
    """One page of a listing: its ``items`` (already converted) and its ``meta``."""

    items: list[T]
    meta: PageMeta


def creation_time(item: Mapping[str, Any]) -> int | None:
    """The creation time of a raw item in UNIX seconds (``created_at``, else ``started_at``).

    Accepts UNIX seconds or ISO 8601 strings; ``None`` when absent or unreadable.
    """
    value = item.get("created_at", item.get("started_at"))
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        if text.isdigit():
            return int(text)
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            return math.floor(datetime.fromisoformat(text).timestamp())
        except (ValueError, OverflowError, OSError):
            return None
    return None


class Paginator(Generic[T]):
    """The items of a list endpoint, fetched page by page as they are consumed.

    ``async for item in paginator`` yields every item of every page in the server's
    order; ``await paginator.collect()`` gathers them in a list; ``paginator.pages()``
    yields :class:`Page` objects. Each iteration starts over from the first page.
    Breaking out of a loop cancels the pages in flight.

    Iteration raises the client's errors (:class:`~aircall_async.errors.AircallError`
    subclasses), and :class:`~aircall_async.errors.PaginationLimitError` when more than
    10,000 items match a query that cannot be continued by creation time.
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
    ) -> None:
        if isinstance(per_page, bool) or not isinstance(per_page, int):
            raise ValueError(f"per_page must be an integer from 1 to 50, got {per_page!r}")
        if not 1 <= per_page <= MAX_PER_PAGE:
            raise ValueError(f"per_page must be from 1 to {MAX_PER_PAGE}, got {per_page}")
        if concurrency < 1:
            raise ValueError(f"concurrency must be at least 1, got {concurrency}")
        query = dict(params or {})
        for reserved in ("page", "per_page"):
            if reserved in query:
                raise ValueError(f"{reserved!r} is set by the paginator; use per_page=")
        self._fetch = fetch
        self._path = "/" + path.strip("/")
        self._key = key
        self._params = query
        self._per_page = per_page
        self._transform = transform
        self._concurrency = concurrency

    @property
    def path(self) -> str:
        """The endpoint path, relative to the client's base URL."""
        return self._path

    @property
    def params(self) -> Mapping[str, Any]:
        """The query parameters of the listing (without page and per_page)."""
        return dict(self._params)

    def pages(self) -> AsyncIterator[Page[T]]:
        """Iterate over the pages of the listing, in order."""
        return _PageStream(self)

    def __aiter__(self) -> AsyncIterator[T]:
        return _ItemStream(_PageStream(self))

    async def collect(self) -> list[T]:
        """Fetch every page and return all the items in one list."""
        return [item async for item in self]

    def _continuable(self) -> bool:
        return self._path in TIME_FILTERED_PATHS and self._params.get("order_by") in (
            None,
            "created_at",
        )

    def _descending(self) -> bool:
        return str(self._params.get("order", "asc")).lower() == "desc"

    def _convert(self, raw: dict[str, Any]) -> T:
        if self._transform is None:
            return raw  # type: ignore[return-value]
        return self._transform(raw)


class _Seen:
    """Ids recently yielded, to drop an item a listing returns twice.

    Two ways an item comes back: a continued query (past the cap) starts at the last
    creation time yielded, so it returns again the items yielded at that second; and
    offset pages shift when items are added to a live account while it is listed (newest
    first, every new call pushes the older ones one place down). The ids at the last
    creation time are kept whatever their number; other recent ids in a bounded window.
    """

    def __init__(self, window: int) -> None:
        self._window = window
        self._recent: deque[Any] = deque()
        self._recent_set: set[Any] = set()
        self.last_time: int | None = None
        self.at_last_time: set[Any] = set()

    def __contains__(self, item_id: Any) -> bool:
        return item_id in self._recent_set or item_id in self.at_last_time

    def add(self, item_id: Any, when: int | None) -> None:
        if item_id is None:
            return
        self._recent.append(item_id)
        self._recent_set.add(item_id)
        if len(self._recent) > self._window:
            self._recent_set.discard(self._recent.popleft())
        if when is None:
            return
        if when != self.last_time:
            self.last_time = when
            self.at_last_time = set()
        self.at_last_time.add(item_id)


class _PageStream(Generic[T]):
    """The state of one walk through a listing (one ``async for``)."""

    def __init__(self, paginator: Paginator[T]) -> None:
        self._p = paginator
        self._query = dict(paginator._params)
        self._finished = False
        self._next_page = 1  # the next page to request; page 1 of a query is fetched alone
        self._last_page = 1  # the last page of this query that can be requested
        self._inflight: deque[tuple[int, asyncio.Task[Any]]] = deque()
        self._seen = _Seen(paginator._per_page * (paginator._concurrency + 2))
        self._descending = paginator._descending()
        # Continuing past the cap: where the current query starts, whether the server's
        # from/to turned out exclusive (then a query starts a second early), and whether
        # the first page of a continued query is still to be checked for overlap.
        self._segment_start: int | None = None
        self._exclusive = False
        self._check_overlap = False
        self._track_time = False  # creation times matter only to continue past the cap
        self._sequential = False
        # Raised on the next step, so that the items of the page before it are yielded.
        self._pending_error: AircallError | None = None

    def __aiter__(self) -> _PageStream[T]:
        return self

    def __del__(self) -> None:
        self._cancel()

    def _cancel(self) -> None:
        while self._inflight:
            _, task = self._inflight.popleft()
            if task.done():
                if not task.cancelled():
                    task.exception()  # retrieved, so asyncio does not warn
            else:
                task.cancel()

    async def aclose(self) -> None:
        """Stop the walk and cancel the pages in flight."""
        self._finished = True
        tasks = [task for _, task in self._inflight]
        self._cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    def _request(self, page: int) -> asyncio.Task[Any]:
        query = {**self._query, "page": page, "per_page": self._p._per_page}
        return asyncio.ensure_future(self._p._fetch(self._p._path, query))

    def _fill(self) -> None:
        while len(self._inflight) < self._p._concurrency and self._next_page <= self._last_page:
            self._inflight.append((self._next_page, self._request(self._next_page)))
            self._next_page += 1

    async def __anext__(self) -> Page[T]:
        if self._finished:
            raise StopAsyncIteration
        if self._pending_error is not None:
            self._finished = True
            raise self._pending_error
        try:
            while True:
                if not self._inflight and self._next_page > self._last_page:
                    self._finished = True
                    raise StopAsyncIteration
                if not self._inflight:
                    self._fill()
                page_no, task = self._inflight[0]
                body = await task
                self._inflight.popleft()
                page = self._read(body, page_no)
                if page is not None:
                    return page
        except BaseException:
            self._finished = True
            self._cancel()
            raise

    def _read(self, body: Any, page_no: int) -> Page[T] | None:
        """Take one page in; ``None`` when it is discarded (a query started anew)."""
        p = self._p
        if not isinstance(body, dict) or not isinstance(body.get(p._key), list):
            raise AircallError(
                f"GET {p._path} answered without a {p._key!r} list; is the key right?"
            )
        raw_items: list[Any] = body[p._key]
        meta = PageMeta.from_dict(
            body.get("meta"), items=len(raw_items), page=page_no, per_page=p._per_page
        )
        per_page = meta.per_page if meta.per_page > 0 else p._per_page
        if page_no == 1:
            if self._check_overlap and not self._overlaps(raw_items):
                self._restart_a_second_early()
                return None
            raw_meta = body.get("meta")
            # Without a total, follow the pages one at a time while they come full.
            self._sequential = not (isinstance(raw_meta, dict) and "total" in raw_meta)
            # The cap is positional (page * per_page <= 10,000): with a per_page that does
            # not divide 10,000, the last few items before it are out of reach too.
            reachable = RESULT_CAP // per_page * per_page
            self._last_page = max(1, math.ceil(min(meta.total, reachable) / per_page))
            if self._segment_start is None:
                self._track_time = p._continuable() and meta.total > reachable
        items = [p._convert(raw) for raw in self._fresh(raw_items)]
        if not raw_items:
            self._cancel()  # the listing shrank under us: nothing further
            self._last_page = 0
        elif page_no >= self._last_page:
            if self._sequential and meta.count >= per_page:
                self._last_page += 1
            else:
                self._end_of_query(meta, per_page)
        self._fill()
        return Page(items=items, meta=meta)

    def _fresh(self, raw_items: list[Any]) -> list[dict[str, Any]]:
        """The items not yielded already; remember them."""
        kept: list[dict[str, Any]] = []
        seen = self._seen
        for raw in raw_items:
            if not isinstance(raw, dict):
                continue
            item_id = raw.get("id")
            if item_id is not None and item_id in seen:
                continue
            kept.append(raw)
            seen.add(item_id, creation_time(raw) if self._track_time else None)
        return kept

    def _overlaps(self, raw_items: list[Any]) -> bool:
        """Whether a continued query returned again an item yielded at its start time."""
        self._check_overlap = False
        at_start = self._seen.at_last_time
        return not at_start or any(
            isinstance(raw, dict) and raw.get("id") in at_start for raw in raw_items
        )

    def _restart_a_second_early(self) -> None:
        """The server's from/to are exclusive: query again from one second earlier."""
        self._exclusive = True
        assert self._segment_start is not None
        self._continue_from(self._segment_start)

    def _end_of_query(self, meta: PageMeta, per_page: int) -> None:
        """The last reachable page of a query: finish, or continue by creation time."""
        self._last_page = 0
        if meta.total <= RESULT_CAP // per_page * per_page:
            return
        path = self._p._path
        last_time = self._seen.last_time
        if not self._p._continuable():
            self._pending_error = PaginationLimitError(
                f"GET {path} matches {meta.total} items and the API stops at {RESULT_CAP}; "
                "this listing cannot be continued by creation time (narrow it with from/to)"
            )
        elif last_time is None:
            self._pending_error = PaginationLimitError(
                f"GET {path}: items carry no creation time to continue past {RESULT_CAP}"
            )
        elif last_time == self._segment_start:
            self._pending_error = PaginationLimitError(
                f"GET {path}: more than {RESULT_CAP} items share the creation time "
                f"{last_time}; the API cannot page through them"
            )
        else:
            self._segment_start = last_time
            self._check_overlap = True
            self._continue_from(last_time)

    def _continue_from(self, when: int) -> None:
        """Start a new query at creation time ``when`` (a second early if exclusive)."""
        if self._descending:
            self._query["to"] = when + 1 if self._exclusive else when
        else:
            self._query["from"] = when - 1 if self._exclusive else when
        self._next_page = 1
        self._last_page = 1


class _ItemStream(Generic[T]):
    """Flattens a page stream into its items."""

    def __init__(self, pages: _PageStream[T]) -> None:
        self._pages = pages
        self._buffer: deque[T] = deque()

    def __aiter__(self) -> _ItemStream[T]:
        return self

    async def __anext__(self) -> T:
        while not self._buffer:
            page = await self._pages.__anext__()
            self._buffer.extend(page.items)
        return self._buffer.popleft()

    async def aclose(self) -> None:
        """Stop the walk and cancel the pages in flight."""
        await self._pages.aclose()
