"""The models beyond the reference (docs/COVERAGE.md) are as lenient as the others: every
field optional, wrong types degrade, structure() never raises for a JSON-like dict, and
unstructure() gives JSON back."""

from __future__ import annotations

import json
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aircall_async.models import (
    AIVoiceAgentSession,
    AnalyticsExport,
    AnalyticsReport,
    CallEvaluations,
    ConversationIntelligence,
    CustomSummaryResult,
    GroupMessage,
    MediaDetail,
    Message,
    MessagingConfiguration,
    Model,
    OutboundCallRequest,
    PredictedCsat,
    RealtimeTranscription,
    SmsTemplate,
    WhatsAppLineStatus,
    WhatsAppTemplatePage,
    structure,
    unstructure,
)
from aircall_async.testing import sample_data

from .test_models_behaviour import payloads

MODELS: list[type[Model]] = [
    AIVoiceAgentSession,
    AnalyticsExport,
    AnalyticsReport,
    CallEvaluations,
    ConversationIntelligence,
    CustomSummaryResult,
    GroupMessage,
    MediaDetail,
    Message,
    MessagingConfiguration,
    OutboundCallRequest,
    PredictedCsat,
    RealtimeTranscription,
    SmsTemplate,
    WhatsAppLineStatus,
    WhatsAppTemplatePage,
]


@pytest.mark.parametrize("cls", MODELS)
def test_every_field_defaults_to_none_or_empty(cls: type[Model]) -> None:
    model = structure({}, cls)
    for field in attrs.fields(cls):
        if field.name not in ("raw", "unparsed"):
            assert getattr(model, field.name) in (None, []), (cls.__name__, field.name)


@pytest.mark.parametrize("cls", MODELS)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_structure_never_raises_for_a_json_like_dict(cls: type[Model], data: st.DataObject) -> None:
    payload = data.draw(payloads(cls))
    model = structure(payload, cls)
    assert isinstance(model, cls) and model.raw is payload
    json.dumps(unstructure(model))


@pytest.mark.parametrize(
    ("family", "cls"),
    [
        ("message", Message),
        ("group_message", GroupMessage),
        ("transcription", ConversationIntelligence),
        ("playbook_result", ConversationIntelligence),
        ("realtime_transcription", RealtimeTranscription),
        ("ai_voice_agent", AIVoiceAgentSession),
        ("analytics", AnalyticsReport),
    ],
)
def test_samples_keep_every_evidenced_field(family: str, cls: type[Model]) -> None:
    sample = sample_data(family)
    model = structure(sample, cls)
    known = {f.name for f in attrs.fields(cls)}
    assert set(sample) <= known, f"{family}: {set(sample) - known} have no field"
    assert all(getattr(model, name) not in (None, []) for name in sample if sample[name])
    back: dict[str, Any] = unstructure(model)
    assert structure(back, cls) == model


def test_wrong_types_degrade_one_field() -> None:
    message = structure(
        {"id": "m1", "body": 5, "media_url": "https://x", "created_at": "soon"}, Message
    )
    assert (message.id, message.body, message.media_url, message.created_at) == (
        "m1",
        None,
        [],
        None,
    )
    assert message.raw["body"] == 5
    export = structure(
        {"exportID": "e", "status": "QUEUED", "isZipCompressed": "no"}, AnalyticsExport
    )
    assert export.status == "QUEUED" and not export.status.is_known
    assert export.isZipCompressed is None and not export.is_pending
