"""Which page of a listing to ask for next, and when a listing ends: decisions only, no I/O.

:class:`PagePlan` is fed the answers of a listing one page at a time, in page order
(``receive(request, meta, items)``), and says what to request next (``next_request()``),
which items to hand out, and when to stop. The paginator runs the requests; tests drive
a plan with canned ``meta`` and items, no sockets. (A little over 400 lines: the rules
below are one state machine, and splitting it would scatter the state they share.)

The rules, in the order they matter:

- **The server says when the listing ends**: a page without items, a page that reaches the
  latest ``meta.total`` (every page's total counts, not only the first page's), or, when
  the server gives no total, a short page or a null ``next_page_link``.
- **A live account listed newest first** shifts the older items down one place per new
  item. When the total grows, the plan follows the pages one at a time (so the server
  answers them in order), asks again a page the server answered before the page ahead of
  it (it skipped items), goes on until the latest total is reached, and drops by id the
  items it already handed out.
- **A page that brings nothing new** (every item already handed out, with no growth of the
  total nor a continued query to explain it) means the server ignores ``page``: the
  listing ends with :class:`~aircall_async.errors.PaginationStalledError` instead of
  asking for page after page forever.
- **Past the 10,000-item cap** (positional: the API refuses a page when ``page * per_page``
  exceeds 10,000), a listing declared ``continue_by`` a time field starts a new query at
  the time of the last item handed out: ``from=`` that time when ascending, ``to=`` when
  descending. The items of that second handed out already are dropped by id. If the first
  page of the new query holds none of them, the server's bound is exclusive, and the query
  is asked again one second further out (and every later one starts there). Without
  ``continue_by`` the listing ends with :class:`~aircall_async.errors.PaginationLimitError`.
- **A limit** of N items: no request is started once the pages asked for can bring N items.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Mapping
from typing import Any

import attrs
from yarl import URL

from ._rules import is_int, parse_datetime
from .errors import AircallError, PaginationLimitError, PaginationStalledError

__all__ = ["MAX_PER_PAGE", "RESULT_CAP", "PageMeta", "PagePlan", "PageRequest", "Step", "time_of"]

#: The API cuts any larger ``per_page`` to this.
MAX_PER_PAGE = 50
#: How many items of one query the API lets a client page through.
RESULT_CAP = 10_000


def _link(value: object) -> URL | None:
    return URL(value) if isinstance(value, str) and value else None


def _int(value: object) -> int | None:
    return value if is_int(value) else None


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
            count=_pick(_int(data.get("count")), items),
            total=_pick(_int(data.get("total")), items),
            current_page=_pick(_int(data.get("current_page")), page),
            per_page=_pick(_int(data.get("per_page")), per_page),
            next_page_link=_link(data.get("next_page_link")),
            previous_page_link=_link(data.get("previous_page_link")),
        )


def _says_last(meta: object) -> bool:
    """Whether a ``meta`` object says explicitly that no page follows."""
    return isinstance(meta, dict) and "next_page_link" in meta and not meta["next_page_link"]


def _pick(value: int | None, default: int) -> int:
    return default if value is None else value


def time_of(item: Mapping[str, Any], field: str) -> int | None:
    """The time ``item[field]`` in UNIX seconds (``None`` when absent or unreadable).

    Accepts UNIX seconds or ISO 8601 strings (read by :func:`_rules.parse_datetime`).
    """
    value = item.get(field)
    if value is None or isinstance(value, bool):
        return None
    try:
        return math.floor(
            parse_datetime(value.strip() if isinstance(value, str) else value).timestamp()
        )
    except (TypeError, ValueError, OverflowError, OSError):
        return None


@attrs.frozen
class PageRequest:
    """One page to fetch: ``query`` holds every parameter, ``page`` and ``per_page`` too.

    ``epoch`` numbers the plan's restarts; a request of an older epoch is no longer wanted.
    """

    page: int
    query: Mapping[str, Any]
    epoch: int


@attrs.frozen
class Step:
    """What one answer gave: the ``items`` to hand out, in order, and the page's ``meta``
    (``None`` when the answer was set aside and asked again); ``error``, when set, ends the
    listing once ``items`` are handed out."""

    items: list[dict[str, Any]]
    meta: PageMeta | None
    error: AircallError | None = None


class _Seen:
    """Ids recently handed out, to drop an item a listing returns twice.

    Two ways an item comes back: a continued query starts at the time of the last item
    handed out, so it returns again the items of that second; and offset pages shift when
    items arrive while a live account is listed newest first. The ids of the last second
    are kept whatever their number; other recent ids in a window that widens with the
    growth of the total (the shift it can cause).
    """

    def __init__(self, window: int) -> None:
        self.base_window = window
        self.window = window
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
        while len(self._recent) > self.window:
            self._recent_set.discard(self._recent.popleft())
        if when is None:
            return
        if when != self.last_time:
            self.last_time = when
            self.at_last_time = set()
        self.at_last_time.add(item_id)


@attrs.define
class _Continuation:
    """Where the current query starts past the cap, and what the server's bounds are."""

    start: int | None = None  # the time the current continued query starts at
    exclusive: bool = False  # the server's from/to turned out to exclude the bound
    check_overlap: bool = False  # the first page of a continued query is still to come

    def bound(self, when: int, *, descending: bool) -> dict[str, int]:
        """The ``from``/``to`` parameter of a query starting at ``when``."""
        if descending:
            return {"to": when + 1 if self.exclusive else when}
        return {"from": when - 1 if self.exclusive else when}


class PagePlan:
    """The decisions of one walk through a listing (see the module's docstring).

    ``params`` is the query without ``page``/``per_page``; ``continue_by`` names the time
    field a query past the cap continues by (``None``: it cannot); ``limit`` caps the items
    handed out; ``window`` is how many recent ids are remembered to drop a repeated item.
    Pure: it never does I/O and raises nothing; errors come back in :class:`Step`.
    """

    def __init__(
        self,
        path: str,
        params: Mapping[str, Any],
        *,
        per_page: int,
        continue_by: str | None = None,
        limit: int | None = None,
        window: int = 6 * MAX_PER_PAGE,
    ) -> None:
        self._path = path
        self._query = dict(params)
        self._per_page = per_page  # asked for; the server's answer may cut it
        self._page_size = per_page  # what the server said it uses
        self._continue_by = continue_by
        self._descending = str(params.get("order", "asc")).lower() == "desc"
        self._remaining = limit  # items still to hand out, None: no limit
        self._seen = _Seen(window)
        self._continuation = _Continuation()
        # The walk through the current query.
        self._epoch = 0
        self._next_page = 1  # the next page to request
        self._last_page = 1  # the last page known to hold items; page 1 comes alone
        self._received = 0  # the last page answered (answers come in page order)
        self._sequential = False  # one page at a time: no total, or a newest-first growth
        self._first_total: int | None = None
        self._previous_total: int | None = None
        self._asked_again = 0  # a page asked again (answered out of order), at most once
        self.done = False

    def next_request(self) -> PageRequest | None:
        """The next page to request now, or ``None`` until an answer comes (or when done)."""
        if self.done or self._next_page > self._last_page:
            return None
        in_flight = self._next_page - 1 - self._received
        if in_flight and (self._sequential or self._received == 0):
            return None
        if self._remaining is not None and in_flight * self._page_size >= self._remaining:
            return None
        page = self._next_page
        self._next_page += 1
        query = {**self._query, "page": page, "per_page": self._per_page}
        return PageRequest(page=page, query=query, epoch=self._epoch)

    def wants(self, request: PageRequest) -> bool:
        """Whether an answer to ``request`` is still wanted (else its fetch can be cancelled)."""
        return not self.done and request.epoch == self._epoch and request.page <= self._last_page

    def receive(self, request: PageRequest, meta: object, items: list[Any]) -> Step:
        """Take the answer to ``request`` (its raw ``meta`` and list of items) in."""
        if not self.wants(request):
            return Step([], None)
        self._received = request.page
        page = PageMeta.from_dict(
            meta, items=len(items), page=request.page, per_page=self._per_page
        )
        total = (
            page.total if isinstance(meta, dict) and _int(meta.get("total")) is not None else None
        )
        if page.per_page > 0:
            self._page_size = page.per_page
        if self._continuation.check_overlap and request.page == 1:
            self._continuation.check_overlap = False
            if not self._overlaps(items):
                self._restart(exclusive=True)
                return Step([], None)
        if self._out_of_order(request.page, total):
            self._ask_again(request.page)
            return Step([], None)
        self._follow(total)
        fresh, stalled = self._fresh(items, total)
        if stalled:
            self.done = True
            return Step([], page, self._stalled_error(request.page))
        if self._remaining is not None:
            fresh = fresh[: self._remaining]
            self._remaining -= len(fresh)
            if self._remaining <= 0:
                self.done = True
                return Step(fresh, page)
        return Step(fresh, page, self._after(request.page, meta, total, len(items)))

    # What the totals say.

    def _out_of_order(self, page: int, total: int | None) -> bool:
        """A newest-first page the server answered before the page ahead of it: with fewer
        new items ahead of it, it started further up, and the items between were skipped."""
        return (
            self._descending
            and total is not None
            and self._previous_total is not None
            and total < self._previous_total
            and self._asked_again != page
        )

    def _ask_again(self, page: int) -> None:
        self._asked_again = page
        self._sequential = True
        self._epoch += 1
        self._next_page = page
        self._received = page - 1

    def _follow(self, total: int | None) -> None:
        """Note the total: a growing newest-first listing goes one page at a time."""
        if total is None:
            self._sequential = True
            return
        if self._first_total is None:
            self._first_total = total
        growth = total - self._first_total
        if self._descending and growth > 0:
            self._sequential = True
            self._seen.window = self._seen.base_window + growth
        self._previous_total = total

    # Which items are new.

    def _fresh(self, items: list[Any], total: int | None) -> tuple[list[dict[str, Any]], bool]:
        """The items not handed out already (remembered now), and whether the page brought
        nothing new without a reason (the server ignores ``page``)."""
        track = self._continue_by is not None and (total is None or total > self._reachable())
        field = self._continue_by or ""
        seen = self._seen
        # A continued query starts with the items of its first second again.
        expected = seen.at_last_time if self._continuation.start is not None else set()
        kept: list[dict[str, Any]] = []
        unexplained = 0
        for raw in items:
            if not isinstance(raw, dict):
                continue
            item_id = raw.get("id")
            if item_id is not None and item_id in seen:
                if item_id not in expected:
                    unexplained += 1
                continue
            kept.append(raw)
            seen.add(item_id, time_of(raw, field) if track else None)
        grew = total is not None and self._first_total is not None and total > self._first_total
        return kept, not kept and unexplained > 0 and not grew

    def _overlaps(self, items: list[Any]) -> bool:
        """Whether a continued query returned again an item handed out at its start time."""
        at_start = self._seen.at_last_time
        return not at_start or any(
            isinstance(raw, dict) and raw.get("id") in at_start for raw in items
        )

    # Where the listing goes next.

    def _reachable(self) -> int:
        """How many items of one query can be paged through with the server's page size."""
        return max(1, RESULT_CAP // self._page_size) * self._page_size

    def _after(self, page: int, meta: object, total: int | None, count: int) -> AircallError | None:
        """Plan what follows ``page``; the error that ends the listing, if any."""
        size = self._page_size
        max_page = max(1, RESULT_CAP // size)  # the API refuses page * per_page > 10,000
        if count == 0:
            known = page - 1
        elif total is not None:
            known = math.ceil(total / size)
        elif count >= size and not _says_last(meta):
            known = page + 1
        else:
            known = page
        self._last_page = max(page, min(known, max_page)) if count else page
        if page < self._last_page:
            self._next_page = min(self._next_page, self._last_page + 1)
            return None
        if known <= max_page or count == 0:
            self.done = True
            return None
        return self._continue_past_cap(total)

    def _continue_past_cap(self, total: int | None) -> AircallError | None:
        path = self._path
        last_time = self._seen.last_time
        what = f"matches {total} items" if total is not None else "has more items"
        if self._continue_by is None:
            self.done = True
            return PaginationLimitError(
                f"GET {path} {what} and the API stops at {RESULT_CAP}; this listing cannot "
                "be continued by creation time (narrow it with from/to)"
            )
        if last_time is None:
            self.done = True
            return PaginationLimitError(
                f"GET {path}: items carry no {self._continue_by!r} to continue past {RESULT_CAP}"
            )
        if last_time == self._continuation.start:
            self.done = True
            return PaginationLimitError(
                f"GET {path}: more than {RESULT_CAP} items share the creation time "
                f"{last_time} ({self._continue_by}); the API cannot page through them"
            )
        self._continuation.start = last_time
        self._continuation.check_overlap = True
        self._restart(exclusive=self._continuation.exclusive)
        return None

    def _restart(self, *, exclusive: bool) -> None:
        """A new query from the continuation's start (a second further out if exclusive)."""
        start = self._continuation.start
        assert start is not None  # only called once a continuation started
        self._continuation.exclusive = exclusive
        self._query.update(self._continuation.bound(start, descending=self._descending))
        self._epoch += 1
        self._next_page = 1
        self._last_page = 1
        self._received = 0
        self._first_total = None
        self._previous_total = None

    def _stalled_error(self, page: int) -> PaginationStalledError:
        return PaginationStalledError(
            200,
            error="Repeated page",
            troubleshoot=(
                f"page {page} brought only items of earlier pages; the server seems to "
                "ignore the page parameter"
            ),
            method="GET",
            path=self._path,
        )
