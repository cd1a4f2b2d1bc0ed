"""Every endpoint family of the fake Aircall server: state and validation, over real HTTP with
a bare aiohttp session."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from aircall_async.testing import FakeAircall

Obj = dict[str, Any]


class Api:
    """Sends requests with the fake's Basic credentials (or a Bearer token) and decodes JSON."""

    def __init__(self, session: aiohttp.ClientSession, fake: FakeAircall) -> None:
        self.session = session
        self.fake = fake

    async def __call__(
        self, method: str, path: str, json_body: Any = None, *, bearer: str | None = None, **kw: Any
    ) -> tuple[int, Any]:
        auth = (
            f"Bearer {bearer}"
            if bearer
            else aiohttp.encode_basic_auth(self.fake.api_id, self.fake.api_token)
        )
        url = f"{self.fake.base_url}{path}"
        async with self.session.request(
            method, url, json=json_body, headers={"Authorization": auth}, **kw
        ) as resp:
            raw = await resp.read()
            return resp.status, json.loads(raw) if raw else None


@pytest.fixture
async def fake() -> AsyncIterator[FakeAircall]:
    async with FakeAircall(rate_limit=None, calls=200, contacts=30) as server:
        yield server


@pytest.fixture
async def api(fake: FakeAircall) -> AsyncIterator[Api]:
    async with aiohttp.ClientSession() as session:
        yield Api(session, fake)


def live_call(fake: FakeAircall, status: str) -> Obj:
    return next(c for c in fake.state.calls if c["status"] == status)


def done_call(fake: FakeAircall) -> Obj:
    return next(c for c in fake.state.calls if c["status"] == "done")


# -- users -----------------------------------------------------------------------------------


async def test_users_crud_and_validation(fake: FakeAircall, api: Api) -> None:
    status, created = await api(
        "POST", "/users", {"email": "jeff@example.com", "first_name": "Jeffrey", "last_name": "C"}
    )
    assert status == 201
    user = created["user"]
    assert (user["name"], user["email"], user["numbers"]) == ("Jeffrey C", "jeff@example.com", [])
    assert (await api("GET", f"/users/{user['id']}"))[1]["user"]["name"] == "Jeffrey C"
    for missing in ("email", "first_name", "last_name"):
        payload = {"email": "new@example.com", "first_name": "A", "last_name": "B"}
        del payload[missing]
        assert (await api("POST", "/users", payload))[0] == 422
    duplicate = {"email": "jeff@example.com", "first_name": "A", "last_name": "B"}
    assert (await api("POST", "/users", duplicate))[0] == 422

    status, updated = await api("PUT", f"/users/{user['id']}", {"first_name": "Jeff"})
    assert status == 200
    assert updated["user"]["name"] == "Jeff C"
    assert updated["user"]["email"] == "jeff@example.com"
    assert (await api("PUT", f"/users/{user['id']}", {"availability_status": "busy"}))[0] == 422

    listed = (await api("GET", "/users", params={"per_page": 50}))[1]["users"]
    assert "numbers" not in listed[0]
    full = (await api("GET", f"/users/{listed[0]['id']}"))[1]["user"]
    assert full["numbers"]
    assert full["default_number_id"] == full["numbers"][0]["id"]

    assert (await api("DELETE", f"/users/{user['id']}"))[0] == 204
    assert (await api("GET", f"/users/{user['id']}"))[0] == 404
    assert (await api("DELETE", f"/users/{user['id']}"))[0] == 404


async def test_user_availability(fake: FakeAircall, api: Api) -> None:
    status, body = await api("GET", "/users/availabilities", params={"order": "desc"})
    assert status == 200
    assert body["meta"]["total"] == len(fake.state.users)
    assert set(body["users"][0]) == {"id", "availability"}
    first = fake.state.users.by_position(0)
    assert (await api("GET", f"/users/{first['id']}/availability"))[1] == {
        "availability": "available"
    }
    await api("PUT", f"/users/{first['id']}", {"availability_status": "unavailable"})
    assert (await api("GET", f"/users/{first['id']}/availability"))[1] == {
        "availability": "do_not_disturb"
    }


async def test_start_call_and_dial(fake: FakeAircall, api: Api) -> None:
    first = fake.state.users.by_position(0)
    number = fake.state.numbers.by_position(0)
    path = f"/users/{first['id']}"
    assert (await api("POST", f"{path}/calls", {"number_id": number["id"], "to": "+18001231234"}))[
        0
    ] == 204
    assert (await api("POST", f"{path}/calls", {"number_id": number["id"], "to": "0800"}))[0] == 400
    assert (await api("POST", f"{path}/calls", {"number_id": 1, "to": "+18001231234"}))[0] == 400
    assert (await api("POST", f"{path}/dial", {"to": "+18001231234"}))[0] == 204
    assert (await api("POST", f"{path}/dial", {"to": "18001231234"}))[0] == 400
    _, created = await api(
        "POST", "/users", {"email": "off@example.com", "first_name": "O", "last_name": "F"}
    )
    offline = f"/users/{created['user']['id']}"
    assert (await api("POST", f"{offline}/dial", {"to": "+18001231234"}))[0] == 405
    body = {"number_id": number["id"], "to": "+18001231234"}
    assert (await api("POST", f"{offline}/calls", body))[0] == 405
    assert (await api("POST", "/users/1/dial", {"to": "+18001231234"}))[0] == 404


async def test_dialer_campaigns(fake: FakeAircall, api: Api) -> None:
    user_id = fake.state.users.by_position(1)["id"]
    path = f"/users/{user_id}/dialer_campaign"
    assert (await api("GET", path))[0] == 404
    assert (await api("DELETE", path))[0] == 404
    assert (await api("POST", path, {"phone_numbers": ["nope"]}))[0] == 422
    assert (await api("POST", path, {}))[0] == 422
    assert (await api("POST", path, {"phone_numbers": ["+19161112222", "bad"]}))[0] == 204
    status, campaign = await api("GET", path)
    assert status == 200
    assert set(campaign) == {"id", "number_id", "created_at"}
    assert (await api("POST", path, {"phone_numbers": ["+19161112222"]}))[0] == 400
    assert (await api("POST", f"{path}/phone_numbers", {"phone_numbers": ["+18001112222"]}))[
        0
    ] == 204
    assert (await api("POST", f"{path}/phone_numbers", {"phone_numbers": []}))[0] == 422
    numbers = (await api("GET", f"{path}/phone_numbers"))[1]["numbers"]
    assert [n["number"] for n in numbers] == ["+19161112222", "+18001112222"]
    assert numbers[0]["called"] is False
    assert (await api("DELETE", f"{path}/phone_numbers/{numbers[0]['id']}"))[0] == 204
    assert (await api("DELETE", f"{path}/phone_numbers/{numbers[0]['id']}"))[0] == 404
    assert len((await api("GET", f"{path}/phone_numbers"))[1]["numbers"]) == 1
    assert (await api("DELETE", path))[0] == 204
    assert (await api("GET", path))[0] == 404


# -- teams -----------------------------------------------------------------------------------


async def test_teams(fake: FakeAircall, api: Api) -> None:
    status, created = await api("POST", "/teams", {"name": "Support USA West"})
    assert status == 201
    team = created["team"]
    assert team["users"] == []
    assert (await api("POST", "/teams", {"name": "support usa west"}))[0] == 400
    assert (await api("POST", "/teams", {"name": "x" * 65}))[0] == 400
    assert (await api("POST", "/teams", {"name": "x" * 64}))[0] == 201
    assert (await api("POST", "/teams", {"name": " "}))[0] == 400
    assert (await api("POST", "/teams", {}))[0] == 400
    user = fake.state.users.by_position(0)
    member = f"/teams/{team['id']}/users/{user['id']}"
    status, added = await api("POST", member)
    assert status == 201
    assert [u["id"] for u in added["team"]["users"]] == [user["id"]]
    assert "available" not in added["team"]["users"][0]
    assert (await api("GET", f"/teams/{team['id']}"))[1]["team"]["users"][0]["id"] == user["id"]
    assert (await api("POST", f"/teams/{team['id']}/users/1"))[0] == 404
    assert (await api("POST", f"/teams/1/users/{user['id']}"))[0] == 404
    status, removed = await api("DELETE", member)
    assert (status, removed["team"]["users"]) == (200, [])
    assert (await api("DELETE", member))[0] == 404
    listed = (await api("GET", "/teams", params={"order": "desc"}))[1]["teams"]
    assert listed[0]["name"] == "x" * 64
    assert (await api("DELETE", f"/teams/{team['id']}"))[0] == 204
    assert (await api("GET", f"/teams/{team['id']}"))[0] == 404


# -- calls -----------------------------------------------------------------------------------


async def test_call_retrieve_and_fetch_contact(fake: FakeAircall, api: Api) -> None:
    call = next(c for c in fake.state.calls if c["_contact_id"])
    status, body = await api("GET", f"/calls/{call['id']}")
    assert status == 200
    assert body["call"]["contact"] is None
    assert "_contact_id" not in body["call"]
    _, fetched = await api("GET", f"/calls/{call['id']}", params={"fetch_contact": "true"})
    assert fetched["call"]["contact"]["id"] == call["_contact_id"]
    listed = (await api("GET", "/calls", params={"fetch_contact": "true", "per_page": 50}))[1]
    assert any(c["contact"] for c in listed["calls"])
    assert (await api("GET", "/calls/1"))[0] == 404


async def test_call_search_filters(fake: FakeAircall, api: Api) -> None:
    calls = list(fake.state.calls)

    async def search(params: Any) -> list[int]:
        status, body = await api("GET", "/calls/search", params=params)
        assert status == 200
        return [c["id"] for c in body["calls"]]

    inbound = [c["id"] for c in calls if c["direction"] == "inbound"]
    assert await search({"direction": "inbound", "per_page": 50}) == inbound[:50]
    user_id = calls[0]["user"]["id"] if calls[0]["user"] else calls[1]["user"]["id"]
    mine = [c["id"] for c in calls if (c["user"] or {}).get("id") == user_id]
    assert await search({"user_id": user_id, "per_page": 50}) == mine[:50]
    with_contact = next(c for c in calls if c["_contact_id"])
    phone = with_contact["raw_digits"]
    same_phone = [c["id"] for c in calls if c["raw_digits"] == phone]
    assert await search({"phone_number": phone}) == same_phone[:20]
    tagged = next(c for c in calls if len(c["tags"]) == 2)
    tag_ids = [t["id"] for t in tagged["tags"]]
    both = [c["id"] for c in calls if set(tag_ids) <= {t["id"] for t in c["tags"]}]
    assert tagged["id"] in both
    assert await search([("tags[]", tag_ids[0]), ("tags[]", tag_ids[1])]) == both[:20]
    assert await search([("tags", tag_ids[0]), ("tags", tag_ids[1])]) == both[:20]
    one = [c["id"] for c in calls if tag_ids[0] in {t["id"] for t in c["tags"]}]
    assert len(one) >= len(both)
    assert await search({"tags[]": tag_ids[0], "per_page": 50}) == one[:50]
    assert (await api("GET", "/calls/search", params={"direction": "up"}))[0] == 400
    assert (await api("GET", "/calls/search", params={"tags[]": "x"}))[0] == 400


async def test_comments_tags_archive(fake: FakeAircall, api: Api) -> None:
    call = next(c for c in fake.state.calls if not c["comments"])
    path = f"/calls/{call['id']}"
    for i in range(5):
        assert (await api("POST", f"{path}/comments", {"content": f"note {i} 😀"}))[0] == 201
    assert (await api("POST", f"{path}/comments", {"content": "sixth"}))[0] == 400
    comments = (await api("GET", path))[1]["call"]["comments"]
    assert [c["content"] for c in comments] == [f"note {i} " for i in range(5)]
    assert comments[0]["posted_by"] is None
    other = f"/calls/{done_call(fake)['id'] + 1}"
    assert (await api("POST", f"{other}/comments", {"content": ""}))[0] == 400
    assert (await api("POST", "/calls/1/comments", {"content": "x"}))[0] == 404

    tag = fake.state.tags.by_position(0)
    untagged = next(c for c in fake.state.calls if not c["tags"])
    tag_path = f"/calls/{untagged['id']}/tags"
    assert (await api("POST", tag_path, {"tags": [tag["id"]]}))[0] == 201
    assert (await api("POST", tag_path, {"tags": [tag["id"]]}))[0] == 201
    tags = (await api("GET", f"/calls/{untagged['id']}"))[1]["call"]["tags"]
    assert [t["id"] for t in tags] == [tag["id"]]
    assert (await api("POST", tag_path, {"tags": [1]}))[0] == 404
    assert (await api("POST", tag_path, {"tags": "545"}))[0] == 400

    status, archived = await api("PUT", f"{path}/archive")
    assert (status, archived["call"]["archived"]) == (200, True)
    status, back = await api("PUT", f"{path}/unarchive")
    assert (status, back["call"]["archived"]) == (200, False)
    assert (await api("POST", f"{path}/archive"))[0] == 405


async def test_transfers(fake: FakeAircall, api: Api) -> None:
    live = live_call(fake, "answered")
    ringing = live_call(fake, "initial")
    user_id = fake.state.users.by_position(2)["id"]
    team_id = fake.state.teams.by_position(0)["id"]
    path = f"/calls/{live['id']}/transfers"
    assert (await api("POST", path, {}))[0] == 400
    assert (await api("POST", path, {"user_id": user_id, "team_id": team_id}))[0] == 400
    strategy_with_user = {"user_id": user_id, "dispatching_strategy": "random"}
    assert (await api("POST", path, strategy_with_user))[0] == 400
    bad_strategy = {"team_id": team_id, "dispatching_strategy": "loudest"}
    assert (await api("POST", path, bad_strategy))[0] == 400
    assert (await api("POST", path, {"user_id": 1}))[0] == 404
    assert (await api("POST", "/calls/1/transfers", {"user_id": user_id}))[0] == 404
    ended = f"/calls/{done_call(fake)['id']}/transfers"
    assert (await api("POST", ended, {"user_id": user_id}))[0] == 400
    assert (await api("POST", path, {"user_id": str(user_id)}))[0] == 204
    call = (await api("GET", f"/calls/{live['id']}"))[1]["call"]
    assert call["transferred_to"]["id"] == user_id
    team_strategy = {"team_id": team_id, "dispatching_strategy": "longest_idle"}
    assert (await api("POST", path, team_strategy))[0] == 204
    # External numbers: only inbound calls not yet answered, in E.164.
    assert (await api("POST", path, {"number": "+18001231234"}))[0] == 400
    ringing_path = f"/calls/{ringing['id']}/transfers"
    assert (await api("POST", ringing_path, {"number": "+18001231234"}))[0] == 204
    assert (await api("POST", ringing_path, {"number": "800123"}))[0] == 400


async def test_recordings_and_insight_cards(fake: FakeAircall, api: Api) -> None:
    live = live_call(fake, "answered")
    path = f"/calls/{live['id']}"
    assert (await api("POST", f"{path}/pause_recording"))[0] == 204
    assert live["_recording_paused"] is True
    assert (await api("POST", f"{path}/resume_recording"))[0] == 204
    done = done_call(fake)
    assert (await api("POST", f"/calls/{done['id']}/pause_recording"))[0] == 400
    assert (await api("POST", "/calls/1/resume_recording"))[0] == 404
    live["number"] = {**live["number"], "live_recording_activated": False}
    assert (await api("POST", f"{path}/pause_recording"))[0] == 405

    recorded = next(c for c in fake.state.calls if c["recording"])
    assert (await api("DELETE", f"/calls/{recorded['id']}/recording"))[0] == 200
    after = (await api("GET", f"/calls/{recorded['id']}"))[1]["call"]
    assert (after["recording"], after["asset"]) == (None, None)
    voicemail = next(c for c in fake.state.calls if c["voicemail"])
    assert (await api("DELETE", f"/calls/{voicemail['id']}/voicemail"))[0] == 200
    assert (await api("GET", f"/calls/{voicemail['id']}"))[1]["call"]["voicemail"] is None

    card = [
        {"type": "title", "text": "My CRM", "link": "https://crm.example.com"},
        {"type": "shortText", "label": "Account", "text": "6789"},
        {"type": "user", "label": "Owner", "user_id": 456},
    ]
    assert (await api("POST", f"{path}/insight_cards", {"contents": card}))[0] == 201
    assert live["_insight_cards"] == [card]
    for bad in (
        [],
        [{"type": "title"}],
        [{"type": "user", "label": "Owner"}],
        [{"type": "banner", "text": "x"}],
        ["title"],
        [{"type": "shortText", "text": "x", "link": 5}],
    ):
        assert (await api("POST", f"{path}/insight_cards", {"contents": bad}))[0] == 400
    assert (await api("POST", "/calls/1/insight_cards", {"contents": card}))[0] == 404


# -- numbers ---------------------------------------------------------------------------------


async def test_numbers(fake: FakeAircall, api: Api) -> None:
    listed = (await api("GET", "/numbers"))[1]["numbers"]
    assert listed
    assert "users" not in listed[0]
    number_id = listed[0]["id"]
    full = (await api("GET", f"/numbers/{number_id}"))[1]["number"]
    assert full["users"]
    status, updated = await api(
        "PUT",
        f"/numbers/{number_id}",
        {"name": "Paris", "messages": {"welcome": "https://example.com/new.mp3"}, "priority": 1},
    )
    assert status == 200
    number = updated["number"]
    assert (number["name"], number["priority"]) == ("Paris", 1)
    assert number["messages"]["welcome"] == "https://example.com/new.mp3"
    assert number["messages"]["waiting"] == full["messages"]["waiting"]
    assert number["digits"] == full["digits"]
    for bad in (
        {"name": ""},
        {"name": None},
        {"priority": 2},
        {"availability_status": "sometimes"},
        {"is_ivr": "yes"},
        {"messages": {"welcome": "not a url"}},
        {"messages": {"jingle": "https://example.com/x.mp3"}},
    ):
        assert (await api("PUT", f"/numbers/{number_id}", bad))[0] == 400
    assert (await api("GET", "/numbers/1"))[0] == 404


# -- contacts --------------------------------------------------------------------------------


async def test_contacts_crud(fake: FakeAircall, api: Api) -> None:
    payload = {
        "first_name": "Gary",
        "last_name": "Jennings",
        "information": "external_custom_id:87123",
        "phone_numbers": [{"label": "Work", "value": "+19001112222"}],
        "emails": [{"label": "Office", "value": "gary.jennings@acme.com"}],
    }
    status, created = await api("POST", "/contacts", payload)
    assert status == 201
    contact = created["contact"]
    assert contact["phone_numbers"][0]["value"] == "+19001112222"
    assert contact["is_shared"] is True
    assert contact["company_name"] is None
    got = (await api("GET", f"/contacts/{contact['id']}"))[1]["contact"]
    assert got == contact

    assert (await api("POST", "/contacts", {"first_name": "No phone"}))[0] == 400
    assert (await api("POST", "/contacts", {**payload, "phone_numbers": []}))[0] == 400
    many = [{"label": "Work", "value": f"+1900111{i:04d}"} for i in range(21)]
    assert (await api("POST", "/contacts", {**payload, "phone_numbers": many}))[0] == 400
    assert (await api("POST", "/contacts", {**payload, "emails": many}))[0] == 400
    no_label = {**payload, "phone_numbers": [{"value": "+19001112222"}]}
    assert (await api("POST", "/contacts", no_label))[0] == 400
    assert (await api("POST", "/contacts", {**payload, "first_name": ""}))[0] == 400
    assert (await api("POST", "/contacts", {**payload, "last_name": "x" * 256}))[0] == 400

    status, updated = await api(
        "POST", f"/contacts/{contact['id']}", {"company_name": "Lerox Inc."}
    )
    assert status == 200
    assert updated["contact"]["company_name"] == "Lerox Inc."
    assert updated["contact"]["first_name"] == "Gary"
    assert updated["contact"]["information"] == "external_custom_id:87123"
    assert (await api("POST", f"/contacts/{contact['id']}", {"first_name": ""}))[0] == 400

    assert (await api("DELETE", f"/contacts/{contact['id']}"))[0] == 204
    assert (await api("GET", f"/contacts/{contact['id']}"))[0] == 404
    assert (await api("POST", f"/contacts/{contact['id']}", {"first_name": "x"}))[0] == 404


async def test_contacts_search_and_order(fake: FakeAircall, api: Api) -> None:
    target = fake.state.contacts.by_position(3)
    phone = target["phone_numbers"][0]["value"]
    found = (await api("GET", "/contacts/search", params={"phone_number": phone}))[1]
    assert target["id"] in [c["id"] for c in found["contacts"]]
    with_email = next(c for c in fake.state.contacts if c["emails"])
    email = with_email["emails"][0]["value"].upper()
    found = (await api("GET", "/contacts/search", params={"email": email}))[1]
    assert [c["id"] for c in found["contacts"]] == [with_email["id"]]
    by_updated = (
        await api("GET", "/contacts", params={"order_by": "updated_at", "order": "desc"})
    )[1]["contacts"]
    stamps = [(c["updated_at"], c["id"]) for c in by_updated]
    assert stamps == sorted(stamps, reverse=True)
    assert (await api("GET", "/contacts", params={"order_by": "name"}))[0] == 400
    created = [c["created_at"] for c in (await api("GET", "/contacts"))[1]["contacts"]]
    assert created == sorted(created)


@pytest.mark.parametrize(
    ("kind", "field", "key", "value", "stored"),
    [
        ("phone_details", "phone_numbers", "phone_detail", "+19161110000", "19161110000"),
        ("email_details", "emails", "email_detail", "v@example.com", "v@example.com"),
    ],
)
async def test_contact_details(
    fake: FakeAircall, api: Api, kind: str, field: str, key: str, value: str, stored: str
) -> None:
    contact = fake.state.contacts.by_position(0)
    path = f"/contacts/{contact['id']}/{kind}"
    status, added = await api("POST", path, {"value": value})
    assert status == 201
    detail = added[key]
    assert (detail["label"], detail["value"]) == ("Work", stored)
    assert (await api("POST", path, {"label": "Home"}))[0] == 400
    status, changed = await api("PUT", f"{path}/{detail['id']}", {"label": "Home", "value": value})
    assert status == 202
    assert changed[key] == {"id": detail["id"], "label": "Home", "value": stored}
    assert (await api("PUT", f"{path}/{detail['id']}", {"label": "Home"}))[0] == 400
    current = (await api("GET", f"/contacts/{contact['id']}"))[1]["contact"][field]
    assert changed[key] in current
    while len(fake.state.contacts.get(contact["id"])[field]) < 20:  # type: ignore[index]
        assert (await api("POST", path, {"value": value}))[0] == 201
    assert (await api("POST", path, {"value": value}))[0] == 409
    assert (await api("DELETE", f"{path}/{detail['id']}"))[0] == 204
    assert (await api("DELETE", f"{path}/{detail['id']}"))[0] == 404
    assert (await api("PUT", f"{path}/{detail['id']}", {"value": value}))[0] == 404


# -- tags ------------------------------------------------------------------------------------


async def test_tags(fake: FakeAircall, api: Api) -> None:
    assert (await api("POST", "/tags", {"name": "VIP", "color": "green"}))[0] == 400
    assert (await api("POST", "/tags", {"name": "VIP"}))[0] == 400
    assert (await api("POST", "/tags", {"color": "#00B388"}))[0] == 400
    status, created = await api("POST", "/tags", {"name": "VIP", "color": "#00B388"})
    assert status == 201
    tag = created["tag"]
    assert tag["description"] is None
    status, updated = await api("PUT", f"/tags/{tag['id']}", {"name": "Tier 2"})
    assert (status, updated["tag"]["name"], updated["tag"]["color"]) == (200, "Tier 2", "#00B388")
    assert (await api("PUT", f"/tags/{tag['id']}", {"color": "#12345"}))[0] == 400
    assert (await api("GET", "/tags"))[1]["meta"]["total"] == len(fake.state.tags)
    seeded = next(c for c in fake.state.calls if c["tags"])
    seeded_tag = seeded["tags"][0]["id"]
    assert (await api("DELETE", f"/tags/{seeded_tag}"))[0] == 204
    assert (await api("GET", f"/tags/{seeded_tag}"))[0] == 404
    assert all(seeded_tag not in {t["id"] for t in c["tags"]} for c in fake.state.calls)


# -- webhooks --------------------------------------------------------------------------------


async def test_webhooks(fake: FakeAircall, api: Api) -> None:
    events = ["contact.created", "contact.updated"]
    status, created = await api(
        "POST", "/webhooks", {"url": "https://example.com/hook", "events": events}
    )
    assert status == 201
    hook = created["webhook"]
    assert uuid.UUID(hook["webhook_id"])
    assert hook["token"]
    assert (hook["active"], hook["events"]) == (True, events)
    assert "custom_name" not in hook  # accepted, never echoed (captured behaviour)
    assert hook["direct_link"].endswith("/webhooks/" + hook["webhook_id"])
    for ident in (hook["webhook_id"], hook["id"]):
        assert (await api("GET", f"/webhooks/{ident}"))[1]["webhook"] == hook
    status, updated = await api(
        "PUT", f"/webhooks/{hook['webhook_id']}", {"active": False, "custom_name": "Mine"}
    )
    assert status == 200
    assert updated["webhook"]["active"] is False
    # As the reference warns: without "events", an update subscribes to every event.
    assert len(updated["webhook"]["events"]) > 30
    assert updated["webhook"]["url"] == "https://example.com/hook"
    assert (await api("POST", "/webhooks", {"events": events}))[0] == 400
    assert (await api("POST", "/webhooks", {"url": "not a url"}))[0] == 400
    bad_events = {"url": "https://example.com", "events": ["call.exploded"]}
    assert (await api("POST", "/webhooks", bad_events))[0] == 400
    assert (await api("GET", f"/webhooks/{uuid.uuid4()}"))[0] == 404
    assert (await api("DELETE", f"/webhooks/{hook['webhook_id']}"))[0] == 204
    assert (await api("GET", f"/webhooks/{hook['id']}"))[0] == 404


async def test_webhooks_are_capped_at_100(fake: FakeAircall, api: Api) -> None:
    for _ in range(100):
        assert (await api("POST", "/webhooks", {"url": "https://example.com/h"}))[0] == 201
    status, body = await api("POST", "/webhooks", {"url": "https://example.com/h"})
    assert status == 400
    assert "100" in body["troubleshoot"]
    assert (await api("GET", "/webhooks"))[1]["meta"]["total"] == 100


# -- company, integrations, a2p, oauth -------------------------------------------------------


async def test_company_and_integrations(fake: FakeAircall, api: Api) -> None:
    company = (await api("GET", "/company"))[1]["company"]
    assert company["users_count"] == len(fake.state.users)
    assert company["numbers_count"] == len(fake.state.numbers)
    assert (await api("GET", "/integrations/me"))[0] == 403
    assert (await api("POST", "/integrations/disable"))[0] == 403
    assert (await api("POST", "/integrations/enable"))[0] == 403
    token = fake.access_token
    status, me = await api("GET", "/integrations/me", bearer=token)
    assert status == 200
    integration = me["integration"]
    assert (integration["active"], integration["numbers_count"]) == (True, len(fake.state.numbers))
    assert integration["user"]["id"] == fake.state.users.by_position(0)["id"]
    assert (await api("POST", "/integrations/disable", bearer=token))[0] == 204
    assert (await api("GET", "/integrations/me", bearer=token))[1]["integration"]["status"] == (
        "disabled"
    )
    enable = await api("POST", "/integrations/enable", bearer=token, params={"install": "true"})
    assert enable[0] == 204
    assert (await api("GET", "/integrations/me", bearer=token))[1]["integration"]["active"] is True
    assert fake.state.integration["_install"] is True


async def test_a2p_campaign_associations(fake: FakeAircall, api: Api) -> None:
    path = "/a2p_campaign_associations"
    status, created = await api(path=path, method="POST", json_body={
        "external_campaign_id": "CNXIO", "numbers": [1279876456]
    })  # fmt: skip
    assert status == 201
    association = created["a2p_campaign_association"]
    assert (association["external_id"], association["update_status"]) == ("CNXIO", "pending")
    again = {"external_campaign_id": "OTHER", "numbers": ["1279876456"]}
    assert (await api("POST", path, again))[0] == 400
    assert (await api("POST", path, {"external_campaign_id": "CNXIO", "numbers": [14155550100]}))[
        0
    ] == 400
    assert (await api("POST", path, {"numbers": [14155550100]}))[0] == 400
    assert (await api("POST", path, {"external_campaign_id": "X", "numbers": ["+1415"]}))[0] == 400
    item = f"{path}/{association['id']}"
    status, updated = await api("PUT", item, {"numbers": [14155550100, 14155550101]})
    assert status == 200
    assert updated["a2p_campaign_association"]["numbers"] == [14155550100, 14155550101]
    assert (await api("PUT", item, {}))[0] == 400
    fake.settle_a2p(association["id"], "failed", "TCR rejected the campaign")
    got = (await api("GET", item))[1]["a2p_campaign_association"]
    assert (got["update_status"], got["update_message"]) == ("failed", "TCR rejected the campaign")
    assert (await api("GET", path))[1]["meta"]["total"] == 1
    assert (await api("DELETE", item))[0] == 204
    assert (await api("GET", item))[0] == 404


async def test_oauth_token_exchange(fake: FakeAircall, api: Api) -> None:
    code = fake.issue_oauth_code(client_id="app-1", redirect_uri="https://app.example.com/cb")
    request = {
        "client_id": "app-1",
        "client_secret": "fake-client-secret",
        "code": code,
        "redirect_uri": "https://app.example.com/cb",
        "grant_type": "authorization_code",
    }
    assert (await api("POST", "/oauth/token", {**request, "client_secret": "nope"}))[0] == 401
    wrong_uri = {**request, "redirect_uri": "https://evil.example.com"}
    assert (await api("POST", "/oauth/token", wrong_uri))[0] == 400
    assert (await api("POST", "/oauth/token", {**request, "grant_type": "password"}))[0] == 400
    assert (await api("POST", "/oauth/token", {"code": code}))[0] == 400
    async with api.session.post(f"{fake.base_url}/oauth/token", json=request) as resp:
        assert resp.status == 200
        token = await resp.json()
    assert token["token_type"] == "Bearer"
    assert isinstance(token["created_at"], int)
    status, _ = await api("GET", "/integrations/me", bearer=token["access_token"])
    assert status == 200
    assert (await api("POST", "/oauth/token", request))[0] == 400  # codes are single use


# -- the seam for webhook delivery -----------------------------------------------------------


async def test_state_changes_are_emitted(fake: FakeAircall, api: Api) -> None:
    seen: list[tuple[str, str, int]] = []
    unsubscribe = fake.state.subscribe(
        lambda event, res, data: seen.append((event, res, data["id"]))
    )
    _, created = await api(
        "POST", "/contacts", {"phone_numbers": [{"label": "Work", "value": "+19001112222"}]}
    )
    contact_id = created["contact"]["id"]
    await api("POST", f"/contacts/{contact_id}", {"first_name": "Z"})
    await api("DELETE", f"/contacts/{contact_id}")
    call_id = done_call(fake)["id"]
    await api("POST", f"/calls/{call_id}/comments", {"content": "hi"})
    await api("PUT", f"/calls/{call_id}/archive")
    unsubscribe()
    await api("PUT", f"/calls/{call_id}/archive")
    assert seen == [
        ("contact.created", "contact", contact_id),
        ("contact.updated", "contact", contact_id),
        ("contact.deleted", "contact", contact_id),
        ("call.commented", "call", call_id),
        ("call.archived", "call", call_id),
    ]
