"""Pagination over real HTTP: order, concurrency, the 10k cap, early exit."""

from __future__ import annotations

import asyncio
import bisect
import math
from typing import Any

import pytest
from aiohttp import web

from aircall_async import Page, PageMeta
from aircall_async.errors import NotFoundError, PaginationLimitError, PaginationStalledError
from aircall_async.testing import FakeAircall

from .conftest import Scripted, client_tasks_alive, json_answer

CAP_MESSAGE = (
    "Your query is limited to 10k results and pagination is out of bound, "
    "please use timestamps or other filters."
)


class ListServer:
    """A list endpoint with the API's rules: per_page cut to 50, 10k cap, from/to, order."""

    def __init__(
        self,
        items: list[dict[str, Any]],
        *,
        key: str = "calls",
        time_key: str = "started_at",
        inclusive: bool = True,
        from_inclusive: bool | None = None,
        delays: dict[int, float] | None = None,
        max_per_page: int = 50,
        with_total: bool = True,
        new_item_per_request: bool = False,
    ) -> None:
        self.items = sorted(items, key=lambda i: (i[time_key], i["id"]))
        self.times = [i[time_key] for i in self.items]
        self.key = key
        self.time_key = time_key
        self.inclusive = inclusive
        # Real /v1/calls filters (from, to]: from exclusive, to inclusive.
        self.from_inclusive = inclusive if from_inclusive is None else from_inclusive
        self.delays = delays or {}
        self.max_per_page = max_per_page
        self.with_total = with_total
        self.new_item_per_request = new_item_per_request
        self.out_of_bound = 0

    def _add_newest(self) -> None:
        newest = {"id": self.items[-1]["id"] + 1, self.time_key: self.times[-1] + 1}
        self.items.append(newest)
        self.times.append(newest[self.time_key])

    async def __call__(self, request: web.Request) -> web.Response:
        q = request.query
        page = int(q.get("page", "1"))
        await asyncio.sleep(self.delays.get(page, 0))  # before the page is read: reorders
        per_page = min(int(q.get("per_page", "20")), self.max_per_page)
        lo, hi = 0, len(self.items)
        if "from" in q:
            t = int(q["from"])
            lo = bisect.bisect_left(self.times, t if self.from_inclusive else t + 1)
        if "to" in q:
            t = int(q["to"])
            hi = bisect.bisect_right(self.times, t if self.inclusive else t - 1)
        selected = self.items[lo:hi]
        if q.get("order") == "desc":
            selected = selected[::-1]
        start = (page - 1) * per_page
        if page * per_page > 10_000:  # the API's cap is positional
            self.out_of_bound += 1
            return json_answer(400, {"error": "Bad Request", "troubleshoot": CAP_MESSAGE})
        chunk = selected[start : min(start + per_page, 10_000)]
        more = start + per_page < len(selected)
        meta = {
            "count": len(chunk),
            "total": len(selected),
            "current_page": page,
            "per_page": per_page,
            "next_page_link": f"http://x/v1/calls?page={page + 1}" if more else None,
            "previous_page_link": None,
        }
        if not self.with_total:
            del meta["total"]
        if self.new_item_per_request:  # a live account: a call arrives after each answer
            self._add_newest()
        return json_answer(200, {"meta": meta, self.key: chunk})


def calls(n: int, *, same_second_every: int = 7, per_second: int = 0) -> list[dict[str, Any]]:
    """``n`` calls with non-decreasing start times, some sharing a second.

    With ``per_second``, exactly that many calls start in each second (a dense account).
    """
    out = []
    t = 1_700_000_000
    for i in range(1, n + 1):
        if per_second:
            t = 1_700_000_000 + i // per_second
        elif i % same_second_every:
            t += 1 + i % 3
        out.append({"id": i, "started_at": t})
    return out


async def test_items_in_order_with_pages_fetched_concurrently(scripted: Scripted) -> None:
    # Later pages answer first: order must still be the server's.
    delays = {2: 0.15, 3: 0.10, 4: 0.05}
    scripted.handler = ListServer(calls(230), delays=delays)
    async with scripted.client() as client:
        got = await client.paginate("/calls", "calls").collect()
    assert [c["id"] for c in got] == list(range(1, 231))
    assert scripted.max_in_flight >= 3
    pages = [int(r["query"]["page"]) for r in scripted.requests]
    assert sorted(pages) == [1, 2, 3, 4, 5]
    assert all(r["query"]["per_page"] == "50" for r in scripted.requests)


async def test_pages_expose_meta(scripted: Scripted) -> None:
    scripted.handler = ListServer(calls(120))
    async with scripted.client() as client:
        pages = [p async for p in client.paginate("/calls", "calls", per_page=50).pages()]
    assert [len(p.items) for p in pages] == [50, 50, 20]
    first = pages[0]
    assert isinstance(first, Page)
    assert isinstance(first.meta, PageMeta)
    assert (first.meta.total, first.meta.current_page, first.meta.per_page) == (120, 1, 50)
    assert first.meta.next_page_link is not None
    assert str(first.meta.next_page_link).endswith("page=2")
    assert pages[-1].meta.next_page_link is None


async def test_transform_and_params(scripted: Scripted) -> None:
    scripted.handler = ListServer(calls(30))
    async with scripted.client() as client:
        ids = await client.paginate(
            "/calls", "calls", params={"order": "desc"}, per_page=7, transform=lambda c: c["id"]
        ).collect()
    assert ids == list(range(30, 0, -1))
    assert scripted.requests[0]["query"]["order"] == "desc"


async def test_empty_listing(scripted: Scripted) -> None:
    scripted.handler = ListServer([])
    async with scripted.client() as client:
        assert await client.paginate("/calls", "calls").collect() == []
    assert len(scripted.requests) == 1


@pytest.mark.parametrize("per_page", [0, 51, -1, 2.5, True])
def test_per_page_outside_1_to_50_is_refused_before_any_request(per_page: Any) -> None:
    from aircall_async import AircallClient

    client = AircallClient(access_token="t")
    with pytest.raises(ValueError, match="per_page"):
        client.paginate("/calls", "calls", per_page=per_page)


def test_page_params_belong_to_the_paginator() -> None:
    from aircall_async import AircallClient

    client = AircallClient(access_token="t")
    with pytest.raises(ValueError, match="page"):
        client.paginate("/calls", "calls", params={"page": 3})


@pytest.mark.parametrize("order", ["asc", "desc"])
@pytest.mark.parametrize(
    ("inclusive", "from_inclusive"), [(True, True), (False, False), (True, False)]
)
async def test_past_the_10k_cap_every_item_once(
    scripted: Scripted, order: str, inclusive: bool, from_inclusive: bool
) -> None:
    n = 23_456
    server = ListServer(calls(n), inclusive=inclusive, from_inclusive=from_inclusive)
    scripted.handler = server
    async with scripted.client() as client:
        listing = client.paginate(
            "/calls", "calls", params={"order": order}, continue_by="started_at"
        )
        seen = [c["id"] async for c in listing]
    expected = list(range(1, n + 1))
    assert seen == (expected if order == "asc" else expected[::-1])
    assert server.out_of_bound == 0
    assert len(scripted.requests) <= math.ceil(n / 50) * 1.02
    continued = [r for r in scripted.requests if {"from", "to"} & set(r["query"])]
    assert continued, "the listing must have been continued by creation time"


async def test_cap_on_an_endpoint_without_time_filter_is_a_clear_error(
    scripted: Scripted,
) -> None:
    server = ListServer(calls(10_060), key="tags")
    scripted.handler = server
    async with scripted.client() as client:
        seen = 0
        with pytest.raises(PaginationLimitError, match="10000"):
            async for _ in client.paginate("/tags", "tags"):
                seen += 1
    assert seen == 10_000
    assert server.out_of_bound == 0


async def test_more_than_the_cap_in_one_second_is_a_clear_error(scripted: Scripted) -> None:
    same = [{"id": i, "started_at": 1_700_000_000} for i in range(1, 10_102)]
    scripted.handler = ListServer(same)
    async with scripted.client() as client:
        with pytest.raises(PaginationLimitError, match="share the creation time"):
            await client.paginate("/calls", "calls", continue_by="started_at").collect()


async def test_break_cancels_pages_in_flight(scripted: Scripted) -> None:
    scripted.handler = ListServer(calls(500), delays={n: 0.5 for n in range(2, 11)})
    async with scripted.client() as client:
        async for call in client.paginate("/calls", "calls"):
            if call["id"] == 10:
                break
        assert not await client_tasks_alive()
    assert len(scripted.requests) <= 5  # page 1 and at most `concurrency` more


async def test_an_error_on_a_page_propagates_and_stops_the_rest(scripted: Scripted) -> None:
    listing = ListServer(calls(400))

    async def answer(request: web.Request) -> web.Response:
        if request.query.get("page") == "3":
            return json_answer(404, {"error": "Not found"})
        return await listing(request)

    scripted.handler = answer
    async with scripted.client() as client:
        got = []
        with pytest.raises(NotFoundError):
            async for call in client.paginate("/calls", "calls"):
                got.append(call["id"])
        assert got == list(range(1, 101))
        assert not await client_tasks_alive()


@pytest.mark.parametrize("order", ["asc", "desc"])
async def test_past_the_cap_against_the_fake_server(order: str) -> None:
    async with FakeAircall(calls=10_400, rate_limit=None) as fake:
        async with fake.client() as client:
            ids = [c.id async for c in client.calls.list(order=order)]
        pages = [r for r in fake.requests if r.path == "/calls"]
        assert fake.stats.by_status.get(400, 0) == 0  # never a page past the cap
    assert len(ids) == 10_400
    assert len(set(ids)) == 10_400
    assert ids == sorted(ids, reverse=order == "desc")
    assert len(pages) <= math.ceil(10_400 / 50) * 1.02


@pytest.mark.parametrize("order", ["asc", "desc"])
async def test_past_the_cap_with_dense_creation_times(scripted: Scripted, order: str) -> None:
    n = 30_000
    server = ListServer(calls(n, per_second=100))
    scripted.handler = server
    async with scripted.client() as client:
        listing = client.paginate(
            "/calls", "calls", params={"order": order}, continue_by="started_at"
        )
        seen = [c["id"] async for c in listing]
    assert sorted(seen) == list(range(1, n + 1))
    assert len(scripted.requests) <= math.ceil(n / 50) * 1.02
    assert server.out_of_bound == 0


@pytest.mark.parametrize("concurrency", [1, 4])
async def test_newest_first_listing_of_a_live_account_loses_nothing(
    scripted: Scripted, concurrency: int
) -> None:
    # One call arrives after each page answered: every page shifts the older calls down.
    server = ListServer(calls(1_000), new_item_per_request=True)
    scripted.handler = server
    async with scripted.client() as client:
        listing = client.paginate(
            "/calls", "calls", params={"order": "desc"}, concurrency=concurrency
        )
        seen = [c["id"] async for c in listing]
    assert len(seen) == len(set(seen))  # no duplicate
    assert set(range(1, 1_001)) <= set(seen)  # nothing lost: the oldest calls too
    assert seen == sorted(seen, reverse=True)  # newest first throughout


async def test_a_newest_first_page_served_out_of_order_is_asked_again(
    scripted: Scripted,
) -> None:
    # Page 2 is read last, after the calls that arrived with pages 3, 4 and 5: those were
    # read higher up, and the calls between the two would be skipped.
    server = ListServer(calls(1_000), new_item_per_request=True, delays={2: 0.3})
    scripted.handler = server
    async with scripted.client() as client:
        seen = [c["id"] async for c in client.paginate("/calls", "calls", params={"order": "desc"})]
    assert len(seen) == len(set(seen))
    assert set(range(1, 1_001)) <= set(seen)
    assert seen == sorted(seen, reverse=True)
    asked = [int(r["query"]["page"]) for r in scripted.requests]
    assert asked.count(3) == 2  # page 3 asked again once page 2 showed the growth


async def test_listing_without_a_total_follows_full_pages(scripted: Scripted) -> None:
    scripted.handler = ListServer(calls(120), with_total=False)
    async with scripted.client() as client:
        seen = [c["id"] async for c in client.paginate("/calls", "calls")]
    assert seen == list(range(1, 121))
    assert [int(r["query"]["page"]) for r in scripted.requests] == [1, 2, 3]


async def test_a_server_cutting_per_page_lower_still_yields_everything(
    scripted: Scripted,
) -> None:
    scripted.handler = ListServer(calls(95), max_per_page=20)
    async with scripted.client() as client:
        seen = [c["id"] async for c in client.paginate("/calls", "calls")]
    assert seen == list(range(1, 96))


@pytest.mark.parametrize("with_total", [False, True])
async def test_a_server_ignoring_page_ends_with_a_clear_error(
    scripted: Scripted, with_total: bool
) -> None:
    # Every page answers page 1 again: full, with a next link (and a total or not).
    first = calls(50)

    async def same_page(request: web.Request) -> web.Response:
        meta: dict[str, Any] = {"count": 50, "per_page": 50, "current_page": 1}
        meta["next_page_link"] = "http://x/v1/calls?page=2"
        if with_total:
            meta["total"] = 5_000
        return json_answer(200, {"meta": meta, "calls": first})

    scripted.handler = same_page
    got: list[int] = []
    async with scripted.client() as client:
        with pytest.raises(PaginationStalledError, match="page 2") as raised:
            async for call in client.paginate("/calls", "calls", continue_by="started_at"):
                got.append(call["id"])
    assert got == list(range(1, 51))  # page 1 was handed out before the error
    assert len(scripted.requests) <= 1 + 4  # page 2 (and what was in flight with it)
    assert raised.value.status == 200
    assert raised.value.path == "/calls"


@pytest.mark.parametrize(
    ("limit", "per_page", "requests"),
    [(120, 50, 3), (100, 50, 2), (5, 50, 1), (30, 20, 2), (1_000, 50, 5), (230, 50, 5)],
)
async def test_limit_sends_exactly_the_requests_it_needs(
    limit: int, per_page: int, requests: int
) -> None:
    async with FakeAircall(calls=230, rate_limit=None) as fake:
        async with fake.client() as client:
            ids = [
                c.id
                async for c in client.paginate(
                    "/calls", "calls", per_page=per_page, limit=limit, transform=_call
                )
            ]
            everything = [c.id async for c in client.calls.list()]
        sent = [r for r in fake.requests if r.path == "/calls"][:-5]  # not the full listing
    assert ids == everything[: min(limit, 230)]
    assert len(sent) == requests == math.ceil(min(limit, 230) / min(per_page, limit))
    assert {r.query["per_page"] for r in sent} == {str(min(per_page, limit))}


async def test_first_sends_one_request_of_one_item() -> None:
    async with FakeAircall(calls=230, contacts=0, rate_limit=None) as fake:
        async with fake.client() as client:
            newest = await client.calls.list(order="desc").first()
            nobody = await client.contacts.list().first()
            oldest = await client.calls.list().first()
        sent = list(fake.requests)
    assert newest is not None and oldest is not None
    assert newest.id == max(c["id"] for c in fake.state.calls)
    assert oldest.id == min(c["id"] for c in fake.state.calls)
    assert nobody is None
    assert [(r.path, r.query["per_page"], r.query["page"]) for r in sent] == [
        ("/calls", "1", "1"),
        ("/contacts", "1", "1"),
        ("/calls", "1", "1"),
    ]


@pytest.mark.parametrize("order", ["asc", "desc"])
async def test_limit_past_the_cap(order: str) -> None:
    limit = 10_049
    async with FakeAircall(calls=10_400, rate_limit=None) as fake:
        async with fake.client() as client:
            ids = [
                c.id
                async for c in client.paginate(
                    "/calls",
                    "calls",
                    params={"order": order},
                    continue_by="started_at",
                    limit=limit,
                    transform=_call,
                )
            ]
        sent = [r for r in fake.requests if r.path == "/calls"]
        assert fake.stats.by_status.get(400, 0) == 0
        every = sorted((c["id"] for c in fake.state.calls), reverse=order == "desc")
    assert ids == every[:limit]
    # 200 pages reach the cap; the continued query asks again the calls of the second it
    # starts at (the fake's bounds are inclusive), so one more page at most.
    assert math.ceil(limit / 50) <= len(sent) <= math.ceil(limit / 50) + 1


async def test_a_per_page_that_does_not_divide_the_cap_never_asks_past_it(
    scripted: Scripted,
) -> None:
    # 10,000 / 30 is not whole: page 334 would end at item 10,020, which the API refuses.
    n = 10_100
    server = ListServer(calls(n))
    scripted.handler = server
    async with scripted.client() as client:
        listing = client.paginate("/calls", "calls", per_page=30, continue_by="started_at")
        seen = [c["id"] async for c in listing]
    assert seen == list(range(1, n + 1))
    assert server.out_of_bound == 0


async def test_without_continue_by_a_raw_listing_stops_at_the_cap_with_a_clear_error(
    scripted: Scripted,
) -> None:
    server = ListServer(calls(10_060))
    scripted.handler = server
    async with scripted.client() as client:
        with pytest.raises(PaginationLimitError, match="cannot be continued"):
            await client.paginate("/calls", "calls").collect()
    assert server.out_of_bound == 0


async def test_paginator_aclose_stops_every_open_walk(scripted: Scripted) -> None:
    scripted.handler = ListServer(calls(500), delays={n: 0.5 for n in range(2, 11)})
    async with scripted.client() as client:
        listing = client.paginate("/calls", "calls")
        items = aiter(listing)
        pages = listing.pages()
        assert (await anext(items))["id"] == 1
        assert (await anext(pages)).meta.current_page == 1
        await listing.aclose()
        assert not await client_tasks_alive()
        with pytest.raises(StopAsyncIteration):
            await anext(items)


def _call(raw: dict[str, Any]) -> Any:
    from aircall_async.models import Call, structure

    return structure(raw, Call)
