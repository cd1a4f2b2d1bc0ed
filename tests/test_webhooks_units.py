"""Pure parts of the webhook toolkit: events, router, token check, dedupe memory, builder."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aircall_async.models import (
    AIVoiceAgentSession,
    AnalyticsReport,
    Call,
    Contact,
    ConversationIntelligence,
    GroupMessage,
    Message,
    Number,
    RealtimeTranscription,
    User,
    structure,
)
from aircall_async.testing.deliveries import SAMPLE_DATA, build_delivery, sample_data
from aircall_async.webhooks import (
    KNOWN_EVENTS,
    CallEvent,
    ContactEvent,
    EventName,
    IntegrationDeleted,
    IntegrationEvent,
    InvalidDelivery,
    NumberEvent,
    UserEvent,
    WebhookEvent,
    WebhookRouter,
    parse_event,
)
from aircall_async.webhooks import events as events_module
from aircall_async.webhooks._dedupe import DeliveryMemory, delivery_key, memory_key
from aircall_async.webhooks._verify import TokenVerifier
from aircall_async.webhooks.events import (
    REFERENCE_EVENTS,
    AIVoiceAgentEvent,
    AnalyticsEvent,
    ConversationIntelligenceEvent,
    GroupMessageEvent,
    MessageEvent,
    RealtimeTranscriptionEvent,
    check_event_name,
    resource_of,
)

TOKEN = "45XXYYZZa08"


REFERENCE = Path(__file__).resolve().parent.parent.parent / "shared" / "aircall-api-reference.txt"


def test_the_catalog_is_the_reference_s_34_and_33_more() -> None:
    assert len(REFERENCE_EVENTS) == 34 and REFERENCE_EVENTS < KNOWN_EVENTS
    assert len(KNOWN_EVENTS) == 67
    assert "integration.deleted" in REFERENCE_EVENTS and "message.sent" not in REFERENCE_EVENTS


def test_the_reference_lists_34_events_in_five_families() -> None:
    if not REFERENCE.is_file():
        pytest.skip(f"the API reference is not here ({REFERENCE}): only in the project's workspace")
    # Each event of the reference has an example body: { "event": "call.created", ... }
    documented = set(re.findall(r'"event": "([a-z_]+\.[a-z_]+)"', REFERENCE.read_text()))
    assert documented == REFERENCE_EVENTS
    assert {name.split(".")[0] for name in REFERENCE_EVENTS} == {
        "user",
        "call",
        "number",
        "contact",
        "integration",
    }


def test_event_names_are_strings() -> None:
    assert EventName.CALL_ENDED.value == "call.ended"
    assert "call.ended" in {EventName.CALL_ENDED}
    assert str(EventName.CALL_ENDED) == "call.ended"
    assert f"{EventName.USER_WUT_END}" == "user.wut_end"


def test_one_event_name_check_everywhere() -> None:
    assert check_event_name(EventName.CALL_ENDED) == "call.ended"
    for check in (
        check_event_name,
        lambda name: build_delivery(name, token=TOKEN),
        WebhookRouter().on,
    ):
        with pytest.raises(ValueError, match=r"unknown webhook event 'call\.endd'; did you mean"):
            check(*("call.endd",))


EXPECTED_TYPES: dict[str, tuple[type[WebhookEvent[Any]], type[Any]]] = {
    "user": (UserEvent, User),
    "call": (CallEvent, Call),
    "number": (NumberEvent, Number),
    "contact": (ContactEvent, Contact),
    "integration": (IntegrationEvent, IntegrationDeleted),
    "message": (MessageEvent, Message),
    "group_message": (GroupMessageEvent, GroupMessage),
    "realtime_transcription": (RealtimeTranscriptionEvent, RealtimeTranscription),
    "ai_voice_agent": (AIVoiceAgentEvent, AIVoiceAgentSession),
    "analytics": (AnalyticsEvent, AnalyticsReport),
    **{
        family: (ConversationIntelligenceEvent, ConversationIntelligence)
        for family in (
            "transcription",
            "summary",
            "topics",
            "sentiment",
            "action_item",
            "playbook_result",
            "custom_summary",
            "call_evaluation",
        )
    },
}


@pytest.mark.parametrize("name", sorted(KNOWN_EVENTS))
def test_parse_event_types_every_known_event(name: str) -> None:
    payload = build_delivery(name, token=TOKEN, timestamp=1585001020)
    event = parse_event(payload)
    event_cls, data_cls = EXPECTED_TYPES[payload["resource"]]
    assert type(event) is event_cls
    assert isinstance(event.data, data_cls)
    assert event.event == name
    assert event.timestamp == datetime(2020, 3, 23, 22, 3, 40, tzinfo=timezone.utc)
    assert event.token == TOKEN
    assert event.raw is payload


def test_parse_event_keeps_unknown_events_raw() -> None:
    payload = {
        "event": "call.teleported",
        "resource": "call",
        "timestamp": 1,
        "token": TOKEN,
        "data": {"id": 3},
    }
    event = parse_event(payload)
    assert type(event) is WebhookEvent
    assert event.data == {"id": 3}
    assert event.resource_id == 3


def test_parse_event_is_lenient_with_data_that_does_not_fit_the_model() -> None:
    payload = build_delivery("call.ended", {"id": 812, "duration": {"no": 1}}, token=TOKEN)
    event = parse_event(payload)
    assert isinstance(event, CallEvent)
    assert (event.data.id, event.data.duration) == (812, None)
    assert event.data.raw["duration"] == {"no": 1}


def test_typed_data_is_structured_on_its_first_read_only(monkeypatch: pytest.MonkeyPatch) -> None:
    structured: list[type[Any]] = []
    real = events_module.structure

    def counting(data: Any, model: type[Any]) -> Any:
        structured.append(model)
        return real(data, model)

    monkeypatch.setattr(events_module, "structure", counting)
    payload = build_delivery("call.ended", token=TOKEN)
    event = parse_event(payload)
    assert (event.event, event.resource_id, event.token) == ("call.ended", 812, TOKEN)
    assert structured == []  # a handler that never reads data never pays for it
    data = event.data
    assert event.data is data and structured == [Call]
    eager = CallEvent(
        event=event.event,
        resource=event.resource,
        timestamp=event.timestamp,
        token=TOKEN,
        data=real(payload["data"], Call),
        raw=payload,
    )
    assert parse_event(payload) == eager  # equality reads (and builds) data too


def test_data_that_cannot_be_structured_reaches_handlers_raw(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(data: Any, model: type[Any]) -> Any:
        raise RuntimeError("a bug in a model")

    monkeypatch.setattr(events_module, "structure", broken)
    payload = build_delivery("call.ended", token=TOKEN)
    event = parse_event(payload)
    with caplog.at_level("ERROR", logger="aircall_async.webhooks"):
        assert event.data == payload["data"]
        assert event.data is payload["data"]
    assert caplog.text.count("could not structure call.ended data") == 1


@pytest.mark.parametrize(
    "event", ["call.ended", "user.created", "number.opened", "contact.updated"]
)
@pytest.mark.parametrize("bad", [{}, {"id": None}, {"id": "812"}, {"id": True}])
def test_data_without_the_id_its_model_requires_is_an_invalid_delivery(
    event: str, bad: dict[str, Any]
) -> None:
    data = {**{k: v for k, v in sample_data(resource_of(event)).items() if k != "id"}, **bad}
    with pytest.raises(InvalidDelivery, match=r"^missing or invalid data\.id$"):
        parse_event(build_delivery(event, data, token=TOKEN))


def test_families_whose_model_has_no_required_id_still_parse_without_one() -> None:
    for name in ("message.sent", "ai_voice_agent.started", "transcription.created"):
        data = {k: v for k, v in sample_data(resource_of(name)).items() if k != "id"}
        event = parse_event(build_delivery(name, data, token=TOKEN))
        assert event.data.id is None, name
    unknown = {"event": "call.teleported", "resource": "call", "timestamp": 1, "data": {}}
    assert parse_event(unknown).data == {}  # an unknown event's data stays raw


def test_every_sample_delivery_of_the_fake_parses_with_its_id() -> None:
    for name in sorted(KNOWN_EVENTS):
        event = parse_event(build_delivery(name, token=TOKEN))
        data = event.data
        assert not getattr(data, "unparsed", ()), name
        if isinstance(data, (Call, User, Number, Contact)):
            assert type(data.id) is int, name


def test_integration_deleted_data() -> None:
    event = parse_event(build_delivery("integration.deleted", token=TOKEN))
    assert isinstance(event, IntegrationEvent)
    assert (event.data.integration_id, event.data.company_id) == (42, 1)
    assert event.resource_id == 42


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"event": None}, "missing or invalid event"),
        ({"event": ""}, "missing or invalid event"),
        ({"event": "x" * 101}, "missing or invalid event"),
        ({"resource": 3}, "missing or invalid resource"),
        ({"data": [1]}, "missing or invalid data"),
        ({"timestamp": "soon"}, "missing or invalid timestamp"),
        ({"timestamp": True}, "missing or invalid timestamp"),
        ({"timestamp": 10**30}, "missing or invalid timestamp"),
    ],
)
def test_parse_event_rejects_unusable_envelopes(change: dict[str, Any], reason: str) -> None:
    payload = {**build_delivery("user.created", token=TOKEN), **change}
    with pytest.raises(InvalidDelivery, match=reason):
        parse_event(payload)


def test_event_repr_hides_the_token() -> None:
    event = parse_event(build_delivery("contact.created", token="s3cr3t-token"))
    assert "s3cr3t-token" not in repr(event)


# ---- router ---------------------------------------------------------------------------


async def _noop(event: WebhookEvent[Any]) -> None:
    return None


def test_router_refuses_plain_functions() -> None:
    router = WebhookRouter()

    def sync_handler(event: object) -> None:
        return None

    with pytest.raises(TypeError, match="coroutine"):
        router.on("call.ended")(sync_handler)  # type: ignore[type-var]
    assert router.handlers_for("call.ended") == ()


def test_router_suggests_the_closest_known_name() -> None:
    router = WebhookRouter()
    with pytest.raises(ValueError, match=r"did you mean 'call\.ended'"):
        router.on("call.endd")
    with pytest.raises(ValueError, match=r"did you mean 'call\.\*'"):
        router.on("calls.*")
    with pytest.raises(ValueError, match="at least one"):
        router.on()


def test_router_matches_names_families_and_star_once_each() -> None:
    router = WebhookRouter()
    calls: list[str] = []

    async def exact(event: object) -> None:
        calls.append("exact")

    async def family(event: object) -> None:
        calls.append("family")

    async def every(event: object) -> None:
        calls.append("every")

    router.on(EventName.CALL_ENDED, "call.voicemail_left")(exact)
    router.on("call.*", "call.ended")(family)
    router.on("*")(every)
    assert router.handlers_for("call.ended") == (exact, family, every)
    assert router.handlers_for("call.created") == (family, every)
    assert router.handlers_for("user.created") == (every,)
    # Unknown names only reach "*": a "call.*" handler always gets a CallEvent.
    assert router.handlers_for("call.teleported") == (every,)
    assert router.handlers_for("robot.created") == (every,)

    async def later(event: object) -> None:
        return None

    router.on("*")(later)  # the shared entry of unknown names is refreshed too
    assert router.handlers_for("call.teleported") == (every, later)


def test_routers_compose_live() -> None:
    a, b = WebhookRouter(), WebhookRouter()
    parent = WebhookRouter(a)
    parent.include(b)
    a.on("user.created")(_noop)
    assert parent.handlers_for("user.created") == (_noop,)

    async def later(event: object) -> None:
        return None

    b.on("user.created")(later)
    assert parent.handlers_for("user.created") == (_noop, later)
    with pytest.raises(ValueError, match="cycle"):
        a.include(parent)
    with pytest.raises(TypeError):
        parent.include("not a router")  # type: ignore[arg-type]


# ---- token verification ---------------------------------------------------------------


async def test_verifier_accepts_any_configured_token_only() -> None:
    verifier = TokenVerifier({"old-token", "new-token"})
    assert await verifier.verify("old-token")
    assert await verifier.verify("new-token")
    for bad in ("old-toke", "", None, 42, "\ud800", "x" * 5000):
        assert not await verifier.verify(bad)
    assert "old-token" not in repr(verifier)


async def test_verifier_consults_the_resolver() -> None:
    seen: list[str] = []

    async def resolver(token: str) -> bool:
        seen.append(token)
        return token.startswith("acct-")

    verifier = TokenVerifier(resolver=resolver)
    assert await verifier.verify("acct-1")
    assert not await verifier.verify("other")
    assert not await verifier.verify(None)
    assert seen == ["acct-1", "other"]


def test_verifier_needs_a_source() -> None:
    with pytest.raises(ValueError, match="tokens"):
        TokenVerifier()
    with pytest.raises(ValueError, match="collection"):
        TokenVerifier("single-string")
    with pytest.raises(ValueError, match="non-empty"):
        TokenVerifier({""})


# ---- dedupe memory --------------------------------------------------------------------


def test_delivery_key_is_a_hash_of_the_whole_body() -> None:
    body = json.dumps(build_delivery("contact.updated", token="t", timestamp=1)).encode()
    base = delivery_key(body)
    assert base == delivery_key(bytes(body))
    changed = body.replace(b'"Vicente"', b'"Vincent"')
    assert changed != body
    assert delivery_key(changed) != base
    assert delivery_key(body.replace(b'"t"', b'"u"')) != base
    assert re.fullmatch("[0-9a-f]{16}", base)
    # The in-process memory's key tells the same bodies apart, as an int.
    assert memory_key(body) == memory_key(bytes(body))
    assert len({memory_key(body), memory_key(changed), memory_key(body + b" ")}) == 3
    assert isinstance(memory_key(body), int) and memory_key(body).bit_length() <= 64


def test_memory_is_bounded_by_size() -> None:
    memory = DeliveryMemory(max_size=100, max_age=3600)
    for key in range(1000):
        memory.add(key)
        assert len(memory) <= 100
    assert 999 in memory
    assert 950 in memory  # the newest max_size/2 are always kept
    assert 0 not in memory


def test_memory_is_bounded_by_age() -> None:
    now = [0.0]
    memory = DeliveryMemory(max_size=1000, max_age=10, clock=lambda: now[0])
    memory.add(1)
    now[0] = 4.9
    memory.add(2)
    assert 1 in memory
    now[0] = 6.0  # rotation: 1 and 2 move to the old generation
    assert 1 in memory
    assert 2 in memory
    now[0] = 10.0
    assert 1 not in memory  # 10 s old
    now[0] = 16.0
    assert 2 not in memory
    assert len(memory) == 0


# ---- delivery builder -----------------------------------------------------------------


def test_build_delivery_shapes_and_checks() -> None:
    payload = build_delivery(
        "number.closed",
        token=TOKEN,
        timestamp=datetime(2020, 3, 23, 22, 3, 40, tzinfo=timezone.utc),
    )
    assert payload["resource"] == "number"
    assert payload["timestamp"] == 1585001020
    assert payload["data"] == SAMPLE_DATA["number"]
    with pytest.raises(ValueError, match=r"did you mean 'number\.closed'"):
        build_delivery("number.close", token=TOKEN)
    with pytest.raises(ValueError, match="aware"):
        build_delivery("user.created", token=TOKEN, timestamp=datetime(2020, 1, 1))
    model = structure(sample_data("contact"), Contact)
    from_model = build_delivery("contact.updated", model, token=TOKEN)
    assert from_model["data"]["id"] == 710
    assert from_model["data"]["phone_numbers"][0]["value"] == "+34664673697"
    fresh = sample_data("call")
    fresh["id"] = 1
    assert SAMPLE_DATA["call"]["id"] == 812


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(
    name=st.sampled_from(sorted(KNOWN_EVENTS)) | st.text(max_size=12),
    data=st.dictionaries(
        st.sampled_from(["id", "user", "number", "tags", "started_at", "emails", "users"])
        | st.text(max_size=6),
        JSON,
        max_size=6,
    ),
    envelope=st.dictionaries(st.sampled_from(["resource", "timestamp", "token"]), JSON),
)
def test_parse_event_only_ever_raises_invalid_delivery(
    name: str, data: dict[str, Any], envelope: dict[str, Any]
) -> None:
    payload = {"event": name, "resource": "call", "timestamp": 1, "data": data, **envelope}
    try:
        event = parse_event(payload)
    except InvalidDelivery:
        return
    assert event.data is not None
    if isinstance(event, CallEvent):
        assert type(event.data.id) is int  # else check_envelope refused the delivery
    repr(event)
