"""Models against payloads shaped like what the service really sends.

The samples are written for this project from the facts recorded in docs/SOURCES.md
(which fields appear, their types and forms); names, ids and values are our own.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from aircall_async.models import (
    Call,
    Company,
    Tag,
    Team,
    User,
    Webhook,
    structure,
    unstructure,
)
from aircall_async.webhooks.events import CallEvent, parse_event

UTC = timezone.utc
BIG_ID = 7_300_000_123  # ids past 2**31 are real (calls, contacts)


def captured_user(**extra: Any) -> dict[str, Any]:
    return {
        "id": 3_100_222,
        "direct_link": "https://api.aircall.io/v1/users/3100222",
        "name": "Ada Example",
        "email": "ada@example.com",
        "available": True,
        "availability_status": "available",
        "created_at": "2031-03-04T09:10:11.000Z",
        "time_zone": "Europe/Paris",
        "language": "fr-FR",
        "state": "always_opened",
        "wrap_up_time": 15,
        "extension": "007",
        **extra,
    }


def captured_call() -> dict[str, Any]:
    return {
        "id": BIG_ID,
        "sid": "CA0123456789abcdef0123456789abcdef",
        "direct_link": f"https://api.aircall.io/v1/calls/{BIG_ID}",
        "direction": "outbound",
        "status": "done",
        "missed_call_reason": None,
        "started_at": 1_950_000_000,
        "answered_at": 1_950_000_004,
        "ended_at": 1_950_000_060,
        "duration": 60,
        "archived": False,
        "cost": "3.0",
        "voicemail": None,
        "recording": None,
        "asset": None,
        "raw_digits": "+33 1 23 45 67 89",
        "user": captured_user(),
        "contact": None,
        "assigned_to": None,
        "transferred_by": None,
        "transferred_to": None,
        "comments": [
            {"id": 990_001, "content": "call back", "posted_by": None, "posted_at": 1_950_000_100}
        ],
        "number": {
            "id": 2_200_333,
            "direct_link": "https://api.aircall.io/v1/numbers/2200333",
            "name": "Paris line",
            "digits": "+33 1 00 00 00 00",
            "country": "FR",
            "time_zone": "Europe/Paris",
            "open": True,
            "availability_status": "open",
            "is_ivr": False,
            "live_recording_activated": False,
            "priority": None,
            "messages": {"welcome": "https://media.example.com/welcome.mp3"},
            "created_at": "2031-03-04T09:12:00.000Z",
            "flow_editor_enabled": True,
        },
        "teams": [],
        "tags": [],
        "recording_short_url": None,
        "voicemail_short_url": None,
        "country_code_a2": "FR",
        "pricing_type": "in_bundle",
    }


def test_a_real_call_reads_its_captured_fields() -> None:
    call = structure(captured_call(), Call)
    assert call.id == BIG_ID and call.id > 2**31
    assert call.sid == "CA0123456789abcdef0123456789abcdef"
    assert (call.country_code_a2, call.pricing_type, call.cost) == ("FR", "in_bundle", "3.0")
    assert (call.recording_short_url, call.voicemail_short_url) == (None, None)
    assert call.user is not None
    assert (call.user.state, call.user.extension) == ("always_opened", "007")
    assert call.number is not None and call.number.flow_editor_enabled is True
    assert call.comments[0].posted_at == datetime.fromtimestamp(1_950_000_100, UTC)
    assert call.comments[0].posted_by is None


def test_a_real_call_goes_back_as_received() -> None:
    payload = captured_call()
    out = unstructure(structure(payload, Call))
    assert out == payload  # every key, same values; no participants/ivr_options added
    assert "participants" not in out and "ivr_options" not in out


def test_call_tags_carry_tagged_at_and_an_empty_tagged_by_is_none() -> None:
    payload = {
        **captured_call(),
        "archived": True,
        "tags": [{"id": 51_000, "name": "Callback", "tagged_by": {}, "tagged_at": 1_950_000_200}],
    }
    call = structure(payload, Call)
    (tag,) = call.tags
    assert tag.tagged_at == datetime.fromtimestamp(1_950_000_200, UTC)
    assert tag.tagged_by is None  # "{}" says nothing: not a User with every field None
    assert tag.created_at is None
    assert unstructure(call)["tags"] == payload["tags"]  # "{}" goes back as received


def test_a_call_webhook_carries_hangup_cause() -> None:
    data = {**captured_call(), "status": "answered", "ended_at": None, "hangup_cause": None}
    event = parse_event(
        {
            "resource": "call",
            "event": "call.answered",
            "timestamp": 1_950_000_005,
            "token": "a-webhook-token",
            "data": data,
        }
    )
    assert isinstance(event, CallEvent)
    assert event.data.hangup_cause is None
    # Only null was captured; the values are undocumented, so any string is kept.
    ended = structure({**data, "hangup_cause": "any-undocumented-value"}, Call)
    assert ended.hangup_cause == "any-undocumented-value"


def test_users_v1_and_v2_shapes() -> None:
    v1 = structure(captured_user(), User)
    assert v1.numbers == [] and v1.substatus is None
    assert "numbers" not in unstructure(v1)  # a v1 list item has none: none is invented
    v2 = structure(captured_user(substatus="always_opened", default_number_id=2_200_333), User)
    assert (v2.substatus, v2.default_number_id) == ("always_opened", 2_200_333)


def test_team_users_carry_their_default_number() -> None:
    member = {
        key: value
        for key, value in captured_user(default_number_id=2_200_333).items()
        if key not in ("available", "state", "extension")
    }
    team = structure(
        {
            "id": 400_500,
            "name": "Support",
            "direct_link": "https://api.aircall.io/v1/teams/400500",
            "created_at": "2031-03-05T10:00:00.000Z",
            "users": [member],
        },
        Team,
    )
    assert team.users[0].default_number_id == 2_200_333


def test_company_and_tag_as_really_sent() -> None:
    company = structure({"name": "Example Co", "users_count": 3, "numbers_count": 2}, Company)
    assert unstructure(company) == {"name": "Example Co", "users_count": 3, "numbers_count": 2}
    sent = {"id": 51_000, "name": "Callback", "color": "#29C8FF", "description": "cb"}
    tag = structure(sent, Tag)
    assert tag.direct_link is None
    assert set(unstructure(tag)) == {"id", "name", "color", "description"}


def test_a_webhook_token_is_left_out_unless_asked_for() -> None:
    payload = {
        "id": 55_000_111,
        "webhook_id": "0b6e0e35-1c1f-4f41-9b8e-4b3f3c1d2e10",
        "direct_link": "https://api.aircall.io/v1/webhooks/0b6e0e35-1c1f-4f41-9b8e-4b3f3c1d2e10",
        "url": "https://hooks.example.com/aircall",
        "active": True,
        "events": ["number.created"],
        "token": "tok-not-for-logs",
        "created_at": "2031-03-06T11:00:00.001Z",
    }
    hook = structure(payload, Webhook)
    assert (hook.id, hook.webhook_id) == (55_000_111, payload["webhook_id"])
    stored = unstructure(hook)
    assert "token" not in stored and "tok-not-for-logs" not in json.dumps(stored)
    assert "tok-not-for-logs" not in repr(hook)
    full = unstructure(hook, include_secrets=True)
    assert full == payload
    assert structure(full, Webhook) == hook


def test_what_could_not_be_parsed_or_was_unknown_goes_back_as_received() -> None:
    payload = {"id": 1, "duration": "long", "teams": None, "brand_new": {"x": [1]}}
    call = structure(payload, Call)
    assert (call.duration, call.teams) == (None, [])
    assert call.unparsed == frozenset({"duration"})
    assert unstructure(call) == payload
    call.duration = 42  # a value set in code wins over what was received
    assert unstructure(call)["duration"] == 42


def test_a_model_built_in_code_sends_only_what_it_holds() -> None:
    call = Call(id=BIG_ID, started_at=datetime.fromtimestamp(1_950_000_000, UTC))
    assert unstructure(call) == {"id": BIG_ID, "started_at": 1_950_000_000}
    assert structure(unstructure(call), Call) == call
