"""The fake server behaves like the service where captures of it show (docs/SOURCES.md),
and the SDK works whichever way the rate-limit headers are sent."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import pytest

from aircall_async.models import Call
from aircall_async.ratelimit import RateLimit
from aircall_async.testing import FakeAircall
from aircall_async.testing.api import CAP_MESSAGE

from .resources_support import connect, last
from .test_fake_server import Api

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:aiohttp.*")

HEADER_MODES = ["always", "429-only"]
LIMIT_HEADERS = ("X-AircallApi-Limit", "X-AircallApi-Remaining", "X-AircallApi-Reset")


@pytest.fixture
async def api() -> AsyncIterator[Api]:
    """A bare session on a fake server without rate limit (``api.fake``)."""
    async with FakeAircall(rate_limit=None) as fake, aiohttp.ClientSession() as session:
        yield Api(session, fake)


async def test_calls_from_is_exclusive_and_contacts_from_inclusive(api: Api) -> None:
    fake = api.fake
    call = fake.state.calls.by_position(10)
    at = call["started_at"]
    calls = (await api("GET", "/calls", params={"from": at, "to": at + 3_600})).body["calls"]
    assert call["id"] not in [c["id"] for c in calls]
    assert all(c["started_at"] > at for c in calls)
    before = (await api("GET", "/calls", params={"from": at - 1, "to": at})).body["calls"]
    assert call["id"] in [c["id"] for c in before]  # and ``to`` is inclusive
    contact = fake.state.contacts.by_position(5)
    created = contact["created_at"]
    window = {"from": created, "to": created}
    contacts = (await api("GET", "/contacts", params=window)).body["contacts"]
    assert contact["id"] in [c["id"] for c in contacts]


async def test_the_cap_is_positional_even_with_nothing_to_list(api: Api) -> None:
    empty = {"from": 4_000_000_000, "per_page": 50}
    assert (await api("GET", "/calls", params=empty)).body["meta"]["total"] == 0
    past = await api("GET", "/calls", params={**empty, "page": 201})
    assert (past.status, past.body["troubleshoot"]) == (400, CAP_MESSAGE)
    at_cap = await api("GET", "/tags", params={"per_page": 50, "page": 200})
    assert (at_cap.status, at_cap.body["tags"]) == (200, [])
    assert (await api("GET", "/tags", params={"per_page": 20, "page": 501})).status == 400


async def test_shapes_of_company_tags_webhooks_users_and_teams(api: Api) -> None:
    company = (await api("GET", "/company")).body["company"]
    assert set(company) == {"name", "users_count", "numbers_count"}
    tags = (await api("GET", "/tags")).body["tags"]
    assert tags and all(set(t) == {"id", "name", "color", "description"} for t in tags)
    created = await api(
        "POST", "/webhooks", json={"url": "https://hooks.example.com/a", "custom_name": "Mine"}
    )
    listed = (await api("GET", "/webhooks")).body["webhooks"]
    for hook in (created.body["webhook"], *listed):
        assert isinstance(hook["id"], int) and hook["webhook_id"] and hook["token"]
        assert "custom_name" not in hook
    users = (await api("GET", "/users")).body["users"]
    assert users and all("numbers" not in u for u in users)
    assert all(u["state"] and u["extension"] for u in users)
    team = (await api("GET", "/teams")).body["teams"][0]
    assert team["users"] and all("default_number_id" in u for u in team["users"])
    call = (await api("GET", "/calls")).body["calls"][0]
    assert call["sid"].startswith("CA") and "country_code_a2" in call and "pricing_type" in call
    assert isinstance(call["cost"], str)
    assert call["number"]["flow_editor_enabled"] is True


async def test_tagging_a_call_records_tagged_at(api: Api) -> None:
    fake = api.fake
    call = fake.state.calls.by_position(0)
    tag = fake.state.tags.by_position(0)
    call["tags"] = []
    fake.state.now = lambda: 1_950_000_000.0
    path = f"/calls/{call['id']}"
    assert (await api("POST", path + "/tags", json={"tags": [tag["id"]]})).status == 201
    got = (await api("GET", path)).body["call"]["tags"]
    expected = {"id": tag["id"], "name": tag["name"], "tagged_by": None, "tagged_at": 1_950_000_000}
    assert got == [expected]


async def test_short_urls_only_when_asked(api: Api) -> None:
    fake = api.fake
    recorded = next(c for c in fake.state.calls if c.get("recording"))
    path = f"/calls/{recorded['id']}"
    plain = (await api("GET", path)).body["call"]
    assert plain["recording_short_url"] is None
    asked = (await api("GET", path, params={"fetch_short_urls": "true"})).body["call"]
    assert asked["recording_short_url"].startswith("https://")
    assert asked["voicemail_short_url"] is None  # no voicemail on this call


async def test_the_sdk_asks_for_short_urls() -> None:
    async with connect() as (fake, client):
        recorded = next(c["id"] for c in fake.state.calls if c.get("recording"))
        call = await client.calls.get(recorded, fetch_short_urls=True)
        get = last(fake)
        listed = await client.calls.list(fetch_short_urls=True, per_page=50).collect()
        listing = last(fake)
        found = await client.calls.search(direction="outbound", fetch_short_urls=True).collect()
        search = last(fake)
    assert get.query["fetch_short_urls"] == "true" and call.recording_short_url
    assert listing.query["fetch_short_urls"] == "true"
    assert any(c.recording_short_url for c in listed)
    assert search.query["fetch_short_urls"] == "true" and all(isinstance(c, Call) for c in found)


@pytest.mark.parametrize("mode", HEADER_MODES)
async def test_rate_limit_headers_follow_the_switch(mode: str) -> None:
    async with (
        FakeAircall(rate_limit=2, window=60.0, rate_limit_headers=mode) as fake,
        aiohttp.ClientSession() as session,
    ):
        api = Api(session, fake)
        ok = await api("GET", "/company")
        bad = await api("GET", "/calls", params={"order": "sideways"})
        limited = await api("GET", "/company")
    assert (ok.status, bad.status, limited.status) == (200, 400, 429)
    on_normal = mode == "always"
    for answer in (ok, bad):
        assert all((h in answer.headers) is on_normal for h in LIMIT_HEADERS)
    assert all(h in limited.headers for h in LIMIT_HEADERS)


def test_an_unknown_header_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="rate_limit_headers"):
        FakeAircall(rate_limit_headers="sometimes")


@pytest.mark.parametrize("mode", HEADER_MODES)
@pytest.mark.slow
async def test_the_sdk_paces_itself_under_both_header_modes(mode: str) -> None:
    limit, per = 15, 1.0
    async with FakeAircall(rate_limit=limit, window=per, rate_limit_headers=mode) as fake:
        async with fake.client(rate_limit=RateLimit(limit, per=per), max_retries=0) as client:

            async def worker(n: int) -> None:
                for _ in range(5):
                    await client.request("GET", f"/users/{456 + n % 5}")

            await asyncio.gather(*(worker(n) for n in range(6)))
            calls = await client.calls.list(per_page=50).collect()
        assert fake.stats.rate_limited == 0
    assert len(calls) == 100


@pytest.mark.parametrize("mode", HEADER_MODES)
async def test_the_sdk_recovers_from_a_429_under_both_header_modes(mode: str) -> None:
    # No client-side budget: with the headers on every answer the client waits when they
    # say nothing is left; without them it learns the limit from a 429 and retries.
    async with FakeAircall(rate_limit=3, window=1.0, rate_limit_headers=mode) as fake:
        async with fake.client(rate_limit=None, max_retries=3) as client:
            users = [await client.users.get(456) for _ in range(5)]
        limited = fake.stats.rate_limited
    assert [u.id for u in users] == [456] * 5
    assert limited == 0 if mode == "always" else limited >= 1


async def test_past_the_positional_cap_with_a_per_page_that_does_not_divide_it() -> None:
    # page 334 at 30 a page would end at item 10,020: refused, so the paginator stops at
    # page 333 (item 9,990) and continues from the last creation time it saw.
    async with FakeAircall(calls=10_100, rate_limit=None) as fake:
        async with fake.client(max_retries=0) as client:
            ids = [c.id async for c in client.calls.list(per_page=30)]
        assert fake.stats.by_status.get(400, 0) == 0
    assert len(ids) == 10_100 and len(set(ids)) == 10_100
