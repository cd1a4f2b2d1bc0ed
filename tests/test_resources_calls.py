"""client.calls against the fake server."""

from __future__ import annotations

from typing import Any

import pytest

from aircall_async.errors import BadRequestError, NotFoundError
from aircall_async.models import (
    Call,
    CallTag,
    Comment,
    DispatchingStrategy,
    InsightCardText,
    InsightCardTitle,
    InsightCardUser,
)
from aircall_async.testing import FakeAircall

from .resources_support import connect, last, rejected

FIRST, LIVE, RINGING = 812, 822, 823  # with 12 calls: the last three are ongoing


def _call(fake: FakeAircall, call_id: int) -> dict[str, Any]:
    call = fake.state.calls.get(call_id)
    assert call is not None
    return call


async def test_list_sends_filters_and_yields_calls() -> None:
    async with connect() as (fake, client):
        calls = await client.calls.list(
            from_=0, order="asc", fetch_contact=True, per_page=5
        ).collect()
        first_page = fake.requests[0]
    assert (first_page.method, first_page.path) == ("GET", "/calls")
    assert first_page.query["from"] == "0" and first_page.query["fetch_contact"] == "true"
    assert first_page.query["per_page"] == "5"
    assert len(calls) == 12 and all(isinstance(c, Call) for c in calls)
    assert calls[0].id == FIRST and calls[0].started_at is not None


async def test_get_with_fetch_contact() -> None:
    async with connect() as (fake, client):
        call = await client.calls.get(FIRST, fetch_contact=True)
        request = last(fake)
    assert (request.method, request.path, request.query["fetch_contact"]) == (
        "GET",
        f"/calls/{FIRST}",
        "true",
    )
    assert isinstance(call, Call) and call.id == FIRST


async def test_search_encodes_tags_and_filters() -> None:
    async with connect() as (fake, client):
        tagged = await client.calls.search(
            direction="inbound", user_id=456, phone_number="+18001231234", tags=[678, 679]
        ).collect()
        request = last(fake)
    assert (request.method, request.path) == ("GET", "/calls/search")
    assert request.query.getall("tags[]") == ["678", "679"]
    assert request.query["direction"] == "inbound" and request.query["user_id"] == "456"
    assert request.query["phone_number"] == "+18001231234"
    assert all(isinstance(c, Call) for c in tagged)


async def test_search_by_tag_finds_a_tagged_call() -> None:
    async with connect() as (_, client):
        await client.calls.tag(FIRST, tags=[680])
        found = await client.calls.search(tags=[680]).collect()
    assert FIRST in [c.id for c in found]


async def test_transfer_to_user_team_and_number() -> None:
    async with connect() as (fake, client):
        await client.calls.transfer(LIVE, user_id=457)
        to_user = last(fake)
        await client.calls.transfer(
            LIVE, team_id=678, dispatching_strategy=DispatchingStrategy.LONGEST_IDLE
        )
        to_team = last(fake)
        ringing = _call(fake, RINGING)
        ringing["direction"] = "inbound"
        await client.calls.transfer(RINGING, number="+18001231234")
        to_number = last(fake)
    assert (to_user.method, to_user.path, to_user.json) == (
        "POST",
        f"/calls/{LIVE}/transfers",
        {"user_id": 457},
    )
    assert to_team.json == {"team_id": 678, "dispatching_strategy": "longest_idle"}
    assert to_number.json == {"number": "+18001231234"}


async def test_transfer_of_an_ended_call_is_400() -> None:
    async with connect() as (_, client):
        with pytest.raises(BadRequestError):
            await client.calls.transfer(FIRST, user_id=457)


async def test_transfer_validation() -> None:
    async with connect() as (fake, client):
        calls = client.calls
        await rejected(fake, lambda: calls.transfer(LIVE), "exactly one")
        await rejected(fake, lambda: calls.transfer(LIVE, user_id=1, team_id=2), "exactly one")
        await rejected(fake, lambda: calls.transfer(LIVE, number="0601020304"), "number")
        await rejected(
            fake,
            lambda: calls.transfer(LIVE, user_id=457, dispatching_strategy="random"),
            "dispatching_strategy",
        )
        await rejected(
            fake,
            lambda: calls.transfer(LIVE, team_id=678, dispatching_strategy=" "),
            "dispatching_strategy",
        )
        await rejected(
            fake,
            lambda: calls.transfer(LIVE, team_id=678, dispatching_strategy=3),  # type: ignore[arg-type]
            "dispatching_strategy",
        )


async def test_transfer_sends_a_strategy_the_sdk_does_not_list() -> None:
    # Dispatching strategies are an open set: an unlisted one goes to Aircall as given
    # (the fake, like Aircall today, answers 400 for it).
    async with connect() as (fake, client):
        sent = []
        for strategy in ("round_robin", DispatchingStrategy("skills_based")):
            with pytest.raises(BadRequestError):
                await client.calls.transfer(LIVE, team_id=678, dispatching_strategy=strategy)
            sent.append(last(fake).json)
    assert sent == [
        {"team_id": 678, "dispatching_strategy": "round_robin"},
        {"team_id": 678, "dispatching_strategy": "skills_based"},
    ]


async def test_comment_then_sixth_comment_is_400() -> None:
    async with connect() as (fake, client):
        _call(fake, FIRST)["comments"] = []
        for i in range(5):
            await client.calls.comment(FIRST, content=f"note {i}")
        request = last(fake)
        call = await client.calls.get(FIRST)
        with pytest.raises(BadRequestError):
            await client.calls.comment(FIRST, content="one too many")
    assert (request.method, request.path, request.json) == (
        "POST",
        f"/calls/{FIRST}/comments",
        {"content": "note 4"},
    )
    assert len(call.comments) == 5 and all(isinstance(c, Comment) for c in call.comments)
    assert call.comments[-1].content == "note 4" and call.comments[-1].posted_by is None


async def test_tag_sends_ids_and_call_carries_tag() -> None:
    async with connect() as (fake, client):
        await client.calls.tag(FIRST, tags=[679])
        request = last(fake)
        call = await client.calls.get(FIRST)
    assert (request.method, request.path, request.json) == (
        "POST",
        f"/calls/{FIRST}/tags",
        {"tags": [679]},
    )
    assert 679 in [t.id for t in call.tags] and all(isinstance(t, CallTag) for t in call.tags)


async def test_archive_and_unarchive_are_puts() -> None:
    async with connect() as (fake, client):
        archived = await client.calls.archive(FIRST)
        archive = last(fake)
        unarchived = await client.calls.unarchive(FIRST)
        unarchive = last(fake)
    assert (archive.method, archive.path) == ("PUT", f"/calls/{FIRST}/archive")
    assert (unarchive.method, unarchive.path) == ("PUT", f"/calls/{FIRST}/unarchive")
    assert isinstance(archived, Call) and archived.archived is True
    assert unarchived.archived is False


async def test_recording_controls() -> None:
    async with connect() as (fake, client):
        await client.calls.pause_recording(LIVE)
        paused = last(fake)
        await client.calls.resume_recording(LIVE)
        resumed = last(fake)
    assert (paused.method, paused.path) == ("POST", f"/calls/{LIVE}/pause_recording")
    assert (resumed.method, resumed.path) == ("POST", f"/calls/{LIVE}/resume_recording")


async def test_delete_recording_and_voicemail() -> None:
    async with connect() as (fake, client):
        await client.calls.delete_recording(FIRST)
        recording = last(fake)
        await client.calls.delete_voicemail(FIRST)
        voicemail = last(fake)
        with pytest.raises(NotFoundError):
            await client.calls.delete_recording(99_999)
    assert (recording.method, recording.path) == ("DELETE", f"/calls/{FIRST}/recording")
    assert (voicemail.method, voicemail.path) == ("DELETE", f"/calls/{FIRST}/voicemail")


async def test_insight_cards_accept_models_and_dicts() -> None:
    async with connect() as (fake, client):
        await client.calls.insight_cards(
            LIVE,
            contents=[
                InsightCardTitle(text="My Custom CRM", link="https://my-custom-crm.com"),
                InsightCardText(label="Account ID", text="6789"),
                {"type": "shortText", "label": "Company name", "text": "Acme Inc."},
                InsightCardUser(label="Account Owner", user_id=456),
            ],
        )
        request = last(fake)
    assert (request.method, request.path) == ("POST", f"/calls/{LIVE}/insight_cards")
    assert request.json == {
        "contents": [
            {"type": "title", "text": "My Custom CRM", "link": "https://my-custom-crm.com"},
            {"type": "shortText", "label": "Account ID", "text": "6789"},
            {"type": "shortText", "label": "Company name", "text": "Acme Inc."},
            {"type": "user", "label": "Account Owner", "user_id": 456},
        ]
    }


async def test_validation_of_comment_tags_cards_and_search() -> None:
    async with connect() as (fake, client):
        calls = client.calls
        await rejected(fake, lambda: calls.comment(FIRST, content="  "), "content")
        await rejected(fake, lambda: calls.tag(FIRST, tags=[]), "tags")
        await rejected(fake, lambda: calls.tag(FIRST, tags=["678"]), "tags[0]")  # type: ignore[list-item]
        await rejected(fake, lambda: calls.insight_cards(LIVE, contents=[]), "contents")
        await rejected(
            fake,
            lambda: calls.insight_cards(LIVE, contents=[{"type": "video"}]),
            "contents[0].type",
        )
        await rejected(
            fake,
            lambda: calls.insight_cards(LIVE, contents=[InsightCardTitle(), {"type": "title"}]),
            "contents[0].text",
        )
        await rejected(
            fake,
            lambda: calls.insight_cards(LIVE, contents=[InsightCardUser(label="Owner")]),
            "contents[0].user_id",
        )
        await rejected(
            fake,
            lambda: calls.insight_cards(LIVE, contents=[{"type": "user", "user_id": 1}]),
            "contents[0].label",
        )
        await rejected(fake, lambda: calls.search(direction="sideways"), "direction")  # type: ignore[arg-type]
        await rejected(fake, lambda: calls.search(tags=[1, -2]), "tags[1]")
        await rejected(fake, lambda: calls.search(phone_number=""), "phone_number")
        await rejected(fake, lambda: calls.get(-1), "call_id")
