"""The fake Aircall server's cross-cutting behaviour over real HTTP with a bare aiohttp session:
auth, rate limit, pagination, the 10k cap, from/to/order, faults, recording, seeding."""

from __future__ import annotations

import asyncio
import itertools
import json
import math
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
from multidict import CIMultiDictProxy

from aircall_async.testing import FakeAircall, State, seed_state
from aircall_async.testing.api import CAP_MESSAGE

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:aiohttp.*")


@dataclass
class Answer:
    status: int
    body: Any
    headers: CIMultiDictProxy[str]


class Api:
    """A bare aiohttp session speaking to a fake server (the SDK client is not used here)."""

    def __init__(self, session: aiohttp.ClientSession, fake: FakeAircall) -> None:
        self.session = session
        self.fake = fake
        self.basic = aiohttp.encode_basic_auth(fake.api_id, fake.api_token)

    async def __call__(
        self, method: str, path: str, *, auth: str | None = "basic", **kwargs: Any
    ) -> Answer:
        headers = dict(kwargs.pop("headers", {}))
        if auth == "basic":
            headers.setdefault("Authorization", self.basic)
        elif auth is not None:
            headers.setdefault("Authorization", f"Bearer {auth}")
        url = f"{self.fake.base_url}{path}"
        async with self.session.request(method, url, headers=headers, **kwargs) as resp:
            raw = await resp.read()
            return Answer(resp.status, json.loads(raw) if raw else None, resp.headers)


@pytest.fixture
async def fake() -> AsyncIterator[FakeAircall]:
    async with FakeAircall(rate_limit=None) as server:
        yield server


@pytest.fixture
async def api(fake: FakeAircall) -> AsyncIterator[Api]:
    async with aiohttp.ClientSession() as session:
        yield Api(session, fake)


# -- auth ------------------------------------------------------------------------------------


async def test_basic_and_bearer_auth(fake: FakeAircall, api: Api) -> None:
    assert (await api("GET", "/ping")).body == {"ping": "pong"}
    assert (await api("GET", "/ping", auth=fake.access_token)).status == 200
    minted = fake.issue_access_token()
    assert minted != fake.access_token
    assert (await api("GET", "/ping", auth=minted)).status == 200
    assert str(fake.base_url) == f"http://127.0.0.1:{fake.port}/v1"


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        aiohttp.encode_basic_auth("fake-api-id", "wrong"),
        aiohttp.encode_basic_auth("other-id", "fake-api-token"),
        "Bearer not-a-token",
        "Basic !!!notbase64",
        "Token abc",
    ],
)
async def test_bad_credentials_are_403_json(api: Api, authorization: str | None) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    answer = await api("GET", "/calls", auth=None, headers=headers)
    assert answer.status == 403
    assert answer.body["error"] == "Forbidden"
    assert answer.body["troubleshoot"]


async def test_unknown_route_404_and_wrong_method_405_are_json(api: Api) -> None:
    missing = await api("GET", "/nothing/here")
    assert missing.status == 404
    assert set(missing.body) == {"error", "troubleshoot"}
    wrong = await api("DELETE", "/calls")
    assert wrong.status == 405
    assert wrong.body["error"] == "Method Not Allowed"
    assert (await api("PUT", "/contacts/710", json={})).status == 405  # update is a POST


async def test_unauthenticated_unknown_route_is_403(api: Api) -> None:
    assert (await api("GET", "/nothing", auth=None)).status == 403


# -- rate limit ------------------------------------------------------------------------------


async def test_rate_limit_headers_and_429() -> None:
    async with FakeAircall(rate_limit=3, window=10.0, calls=5) as fake:
        now = [1_000_003.5]
        fake.control.limiter.clock = lambda: now[0]
        async with aiohttp.ClientSession() as session:
            api = Api(session, fake)
            seen = [await api("GET", "/ping") for _ in range(3)]
            assert [a.headers["X-AircallApi-Remaining"] for a in seen] == ["2", "1", "0"]
            assert {a.headers["X-AircallApi-Limit"] for a in seen} == {"3"}
            # Windows are aligned on multiples of the window since the epoch.
            assert {a.headers["X-AircallApi-Reset"] for a in seen} == {"1000010"}
            over = await api("GET", "/calls")
            assert over.status == 429
            assert over.body["error"] == "Too Many Requests"
            assert over.headers["X-AircallApi-Remaining"] == "0"
            assert over.headers["X-AircallApi-Reset"] == "1000010"
            # A 403 does not consume the budget but still tells it.
            denied = await api("GET", "/ping", auth="nope")
            assert denied.status == 403
            assert denied.headers["X-AircallApi-Remaining"] == "0"
            now[0] = 1_000_010.0
            fresh = await api("GET", "/ping")
            assert fresh.status == 200
            assert fresh.headers["X-AircallApi-Remaining"] == "2"
            assert fresh.headers["X-AircallApi-Reset"] == "1000020"
            assert fake.stats.rate_limited == 1
            assert fake.stats.by_status[429] == 1
            assert fake.stats.by_status[403] == 1


async def test_fractional_window_resets_on_ceil_and_errors_carry_headers() -> None:
    async with FakeAircall(rate_limit=2, window=2.5, calls=0) as fake:
        fake.control.limiter.clock = lambda: 1_000_001.0  # window [1000000.0, 1000002.5)
        async with aiohttp.ClientSession() as session:
            answer = await Api(session, fake)("GET", "/calls/999999")
            assert answer.status == 404
            assert answer.headers["X-AircallApi-Reset"] == "1000003"
            assert answer.headers["X-AircallApi-Remaining"] == "1"


async def test_rate_limit_none_sends_no_headers(api: Api) -> None:
    answer = await api("GET", "/ping")
    assert "X-AircallApi-Limit" not in answer.headers


# -- pagination ------------------------------------------------------------------------------


async def test_pagination_meta_links_and_per_page_cut(fake: FakeAircall, api: Api) -> None:
    first = await api("GET", "/calls", params={"order": "desc", "fetch_contact": "true"})
    meta = first.body["meta"]
    assert meta["per_page"] == 20
    assert meta["count"] == 20
    assert meta["total"] == 100
    assert meta["current_page"] == 1
    assert meta["previous_page_link"] is None
    next_link = meta["next_page_link"]
    assert next_link.startswith(f"http://127.0.0.1:{fake.port}/v1/calls?")
    assert "order=desc" in next_link
    assert "fetch_contact=true" in next_link
    assert "page=2" in next_link

    cut = await api("GET", "/calls", params={"per_page": 500})
    assert cut.body["meta"]["per_page"] == 50
    assert len(cut.body["calls"]) == 50

    # Following next links visits every call once, in order.
    ids: list[int] = []
    link: str | None = f"{fake.base_url}/calls?per_page=30&order=desc"
    pages = 0
    while link:
        async with api.session.get(link, headers={"Authorization": api.basic}) as resp:
            body = await resp.json()
        ids += [c["id"] for c in body["calls"]]
        if body["meta"]["current_page"] > 1:
            assert body["meta"]["previous_page_link"] is not None
        link = body["meta"]["next_page_link"]
        pages += 1
    assert pages == 4
    assert ids == sorted(fake.state.calls.ids(), reverse=True)

    beyond = await api("GET", "/calls", params={"page": 9})
    assert beyond.status == 200
    assert beyond.body["calls"] == []
    assert beyond.body["meta"]["next_page_link"] is None


@pytest.mark.parametrize(
    "params", [{"per_page": "0"}, {"per_page": "x"}, {"page": "0"}, {"page": "1.5"}]
)
async def test_bad_paging_is_400(api: Api, params: dict[str, str]) -> None:
    answer = await api("GET", "/users", params=params)
    assert answer.status == 400
    assert set(answer.body) == {"error", "troubleshoot"}


async def test_ten_thousand_cap() -> None:
    async with (
        FakeAircall(calls=10_100, contacts=3, rate_limit=None) as fake,
        aiohttp.ClientSession() as session,
    ):
        api = Api(session, fake)
        last = await api("GET", "/calls", params={"per_page": 50, "page": 200})
        assert last.status == 200
        assert last.body["meta"]["total"] == 10_100
        assert last.body["meta"]["count"] == 50
        assert last.body["meta"]["next_page_link"] is None
        past = await api("GET", "/calls", params={"per_page": 50, "page": 201})
        assert past.status == 400
        assert past.body["troubleshoot"] == CAP_MESSAGE
        # The cap is positional: a page ending past 10,000 is refused, not cut; the
        # page before it is the last one linked.
        straddle = await api("GET", "/calls", params={"per_page": 30, "page": 334})
        assert straddle.status == 400
        before = await api("GET", "/calls", params={"per_page": 30, "page": 333})
        assert before.body["meta"]["count"] == 30
        assert before.body["meta"]["next_page_link"] is None
        assert before.body["calls"][-1]["id"] == fake.state.calls.ids()[9_989]
        desc = await api(
            "GET", "/calls/search", params={"per_page": 50, "page": 201, "order": "desc"}
        )
        assert desc.status == 400
        # On every list, even one holding 3 items or none.
        for path in ("/contacts", "/tags", "/webhooks", "/users/availabilities"):
            past = await api("GET", path, params={"per_page": 50, "page": 201})
            assert (path, past.status, past.body["troubleshoot"]) == (path, 400, CAP_MESSAGE)
        # Filtering brings the rest back within reach (from is exclusive on calls).
        from_ = fake.state.calls.by_position(10_000)["started_at"] - 1
        rest = await api("GET", "/calls", params={"from": from_, "per_page": 50, "page": 3})
        assert rest.status == 200
        assert rest.body["meta"]["total"] >= 100


async def test_calls_from_exclusive_to_inclusive_and_order_with_ties(
    fake: FakeAircall, api: Api
) -> None:
    # As captured from the service: a call started exactly at ``from`` is left out, one
    # started exactly at ``to`` is kept.
    calls = list(fake.state.calls)
    tie_index = next(
        i for i, c in enumerate(calls) if i and calls[i - 1]["started_at"] == c["started_at"]
    )
    start = calls[tie_index]["started_at"]
    end = calls[tie_index + 30]["started_at"]
    expected = [c["id"] for c in calls if start < c["started_at"] <= end]
    assert calls[tie_index]["id"] not in expected and calls[tie_index + 30]["id"] in expected
    got: list[int] = []
    page = 1
    while True:
        answer = await api(
            "GET", "/calls", params={"from": start, "to": end, "per_page": 7, "page": page}
        )
        got += [c["id"] for c in answer.body["calls"]]
        if not answer.body["meta"]["next_page_link"]:
            break
        page += 1
    assert got == expected
    assert answer.body["meta"]["total"] == len(expected)
    desc = await api(
        "GET", "/calls", params={"from": start, "to": end, "order": "desc", "per_page": 50}
    )
    desc_ids = [c["id"] for c in desc.body["calls"]]
    assert desc_ids == expected[::-1]
    assert (await api("GET", "/calls", params={"order": "sideways"})).status == 400
    assert (await api("GET", "/calls", params={"from": "yesterday"})).status == 400


async def test_from_to_on_iso_created_at(fake: FakeAircall, api: Api) -> None:
    everyone = (await api("GET", "/users", params={"order": "desc"})).body["users"]
    assert [u["id"] for u in everyone] == sorted((u["id"] for u in everyone), reverse=True)
    second = fake.state.users.by_position(1)
    created = second["created_at"]
    epoch = int(time.mktime(time.strptime(created[:19], "%Y-%m-%dT%H:%M:%S"))) - time.timezone
    only = await api("GET", "/users", params={"from": epoch, "to": epoch})
    assert [u["id"] for u in only.body["users"]] == [second["id"]]
    for path, key in (("/numbers", "numbers"), ("/teams", "teams")):
        answer = await api("GET", path, params={"to": 0})
        assert answer.body[key] == []


# -- faults ----------------------------------------------------------------------------------


async def test_fault_status_times_and_method(fake: FakeAircall, api: Api) -> None:
    fault = fake.fail("/calls", method="GET", status=503, times=1)
    failed = await api("GET", "/calls")
    assert failed.status == 503
    assert set(failed.body) == {"error", "troubleshoot"}
    assert (await api("GET", "/calls")).status == 200
    assert fault.hits == 1
    fake.fail("/contacts", method="POST", status=500)
    assert (await api("GET", "/contacts")).status == 200
    assert (await api("POST", "/contacts", json={})).status == 500
    fake.fail("/calls/*", status=502, body={"custom": True}, headers={"Retry-After": "1"})
    assert (await api("GET", "/calls")).status == 200  # * needs one segment
    custom = await api("GET", "/calls/812")
    assert (custom.status, custom.body, custom.headers["Retry-After"]) == (
        502,
        {"custom": True},
        "1",
    )
    fake.clear_faults()
    assert (await api("GET", "/calls/812")).status == 200
    assert fake.stats.faults == 3


async def test_fault_delay(fake: FakeAircall, api: Api) -> None:
    # No clock is read: an answer held for 0.3 s cannot beat a 0.1 s client timeout, whatever
    # the machine's load, and a held answer still arrives in full.
    fake.fail("/ping", delay=0.3, times=2)
    with pytest.raises(asyncio.TimeoutError):
        await api("GET", "/ping", timeout=aiohttp.ClientTimeout(total=0.1))
    assert (await api("GET", "/ping")).status == 200  # the second delayed answer
    assert (await api("GET", "/ping")).status == 200  # the fault is spent
    assert fake.stats.faults == 2


async def test_fault_drop_closes_without_answer(fake: FakeAircall, api: Api) -> None:
    fake.fail("/contacts", method="POST", drop=True)
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await api("POST", "/contacts", json={"phone_numbers": []})
    # aiohttp retries an idempotent request once on a dropped keep-alive connection: two
    # drops are needed before a GET fails.
    fake.fail("/users", drop=True, times=2)
    with pytest.raises(aiohttp.ClientError):
        await api("GET", "/users")
    assert (await api("GET", "/users")).status == 200
    assert fake.stats.dropped == 3


def test_fault_validation() -> None:
    fake = FakeAircall(calls=0, contacts=0)
    with pytest.raises(ValueError, match="status"):
        fake.fail("/x", status=42)
    with pytest.raises(ValueError, match="times"):
        fake.fail("/x", times=0)
    assert fake.fail("/x").status == 500


# -- recording and bodies ----------------------------------------------------------------------


async def test_requests_are_recorded(fake: FakeAircall, api: Api) -> None:
    await api(
        "POST",
        "/calls/812/comments",
        json={"content": "hi"},
        params={"x": "1"},
        headers={"User-Agent": "aircall-async/test"},
    )
    rec = fake.requests[-1]
    assert (rec.method, rec.path, rec.full_path) == (
        "POST",
        "/calls/812/comments",
        "/v1/calls/812/comments",
    )
    assert rec.query["x"] == "1"
    assert rec.json == {"content": "hi"}
    assert rec.headers["User-Agent"] == "aircall-async/test"
    assert rec.headers["Content-Type"] == "application/json"
    assert rec.headers["Authorization"] == api.basic
    assert "fake-api-token" not in repr(rec)
    assert "Basic" not in repr(rec)
    assert fake.api_token not in repr(fake)
    assert fake.stats.requests == len(fake.requests)


async def test_non_json_bodies_are_400(api: Api) -> None:
    broken = await api(
        "POST", "/contacts", data=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert broken.status == 400
    assert "JSON" in broken.body["troubleshoot"]
    form = await api("POST", "/tags", data={"name": "x", "color": "#fff"})
    assert form.status == 400
    listed = await api("POST", "/tags", json=[1, 2])
    assert listed.status == 400


async def test_oauth_token_needs_no_credentials_and_root_answers(
    fake: FakeAircall, api: Api
) -> None:
    async with api.session.get(f"http://127.0.0.1:{fake.port}/") as resp:
        assert (await resp.json())["resource"] == "Aircall Documentation"


# -- seeding ---------------------------------------------------------------------------------


def test_seed_is_deterministic_and_shaped() -> None:
    one = seed_state(State(), seed=7, calls=300, contacts=40)
    two = seed_state(State(), seed=7, calls=300, contacts=40)
    other = seed_state(State(), seed=8, calls=300, contacts=40)
    assert list(one.calls) == list(two.calls)
    assert list(one.contacts) == list(two.contacts)
    assert list(one.calls) != list(other.calls)
    calls = list(one.calls)
    starts = [c["started_at"] for c in calls]
    assert starts == sorted(starts)
    assert [c["id"] for c in calls] == sorted(c["id"] for c in calls)
    assert sum(1 for a, b in itertools.pairwise(starts) if a == b) >= 40
    keys = set(
        [
            "id",
            "direct_link",
            "direction",
            "status",
            "missed_call_reason",
            "started_at",
            "answered_at",
            "ended_at",
            "duration",
            "voicemail",
            "recording",
            "asset",
            "raw_digits",
            "user",
            "contact",
            "archived",
            "assigned_to",
            "transferred_by",
            "transferred_to",
            "cost",
            "number",
            "comments",
            "tags",
            "participants",
            "teams",
        ]
    )
    assert keys <= set(calls[0])
    assert any(c["comments"] for c in calls)
    assert any(c["tags"] for c in calls)
    assert any(c["participants"] for c in calls)
    assert any(c["missed_call_reason"] for c in calls)
    assert calls[-1]["status"] == "initial"


def test_seeding_25000_calls() -> None:
    # Its speed is measured by bench/bench_fake.py, not asserted here.
    state = seed_state(State(), calls=25_000, contacts=500)
    assert len(state.calls) == 25_000
    assert math.isclose(len(state.contacts), 500)
