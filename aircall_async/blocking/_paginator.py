"""Listings for blocking code: a plain iterator over an async :class:`Paginator`."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Generic, TypeVar

from ..pagination import Page, Paginator
from ._portal import Portal

__all__ = ["BlockingPaginator"]

T = TypeVar("T")


class BlockingPaginator(Generic[T]):
    """The items of a list endpoint, for blocking code.

    ``for item in paginator`` yields every item in the server's order, fetching a page
    (several concurrently, as the async paginator does) each time the previous ones are
    used up; ``collect()`` returns them all in a list; ``first()`` fetches only the first;
    ``pages()`` yields :class:`~aircall_async.pagination.Page` objects. Each iteration
    starts over. Leaving a ``for`` loop early cancels the pages in flight.

    Raises the async paginator's errors (:class:`~aircall_async.errors.AircallError`
    subclasses), and ``AircallError("client is closed")`` once the client is closed.
    """

    __slots__ = ("_paginator", "_portal")

    def __init__(self, portal: Portal, paginator: Paginator[T]) -> None:
        self._portal = portal
        self._paginator = paginator

    def __repr__(self) -> str:
        return f"<BlockingPaginator {self._paginator.path}>"

    @property
    def path(self) -> str:
        """The endpoint path, relative to the client's base URL."""
        return self._paginator.path

    @property
    def params(self) -> Mapping[str, Any]:
        """The query parameters of the listing (without page and per_page)."""
        return self._paginator.params

    def collect(self) -> list[T]:
        """Fetch every page and return all the items in one list."""
        return self._portal.run(self._paginator.collect())

    def first(self) -> T | None:
        """The first item of the listing (one request), or ``None`` when it is empty."""
        return self._portal.run(self._paginator.first())

    def pages(self) -> Iterator[Page[T]]:
        """Iterate over the pages of the listing, in order."""
        stream = self._portal.call(self._paginator.pages)
        try:
            while True:
                try:
                    yield self._portal.run(stream.__anext__())
                except StopAsyncIteration:
                    return
        finally:
            if not self._portal.closed:
                self._portal.run(stream.aclose())

    def __iter__(self) -> Iterator[T]:
        for page in self.pages():
            yield from page.items
