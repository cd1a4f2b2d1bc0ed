"""Every listing of every service takes ``limit=`` and sends no request more than it needs."""

from __future__ import annotations

import inspect
import math

import pytest

from aircall_async.blocking import _codegen
from aircall_async.pagination import Paginator

from .resources_support import connect


def test_every_listing_method_takes_limit() -> None:
    listings = []
    for attr, cls, _doc in _codegen.services_of():
        for name, method in inspect.getmembers(cls, inspect.isfunction):
            if str(inspect.signature(method).return_annotation).startswith("Paginator["):
                listings.append(f"{attr}.{name}")
                parameter = inspect.signature(method).parameters.get("limit")
                assert parameter is not None, f"{attr}.{name} has no limit="
                assert parameter.default is None
    assert {"calls.list", "calls.search", "contacts.list", "tags.list"} <= set(listings)


@pytest.mark.parametrize(("limit", "per_page"), [(1, 50), (7, 50), (60, 50), (45, 20)])
async def test_limit_sends_exactly_the_requests_it_needs(limit: int, per_page: int) -> None:
    async with connect(calls=300) as (fake, client):
        fake.requests.clear()
        listing = client.calls.list(per_page=per_page, limit=limit)
        assert isinstance(listing, Paginator)
        calls = await listing.collect()
    assert len(calls) == limit
    size = min(per_page, limit)
    assert len(fake.requests) == math.ceil(limit / size)
    assert {r.query["per_page"] for r in fake.requests} == {str(size)}


async def test_limit_beyond_the_total_stops_at_the_total() -> None:
    async with connect(contacts=30) as (fake, client):
        fake.requests.clear()
        contacts = await client.contacts.search(limit=500).collect()
    assert len(contacts) == 30
    assert len(fake.requests) == 1


@pytest.mark.parametrize("bad", [0, -1, "3", True])
async def test_a_bad_limit_is_refused_before_sending(bad: object) -> None:
    async with connect() as (fake, client):
        before = len(fake.requests)
        with pytest.raises(ValueError, match="limit"):
            await client.tags.list(limit=bad).collect()  # type: ignore[arg-type]
        assert len(fake.requests) == before
