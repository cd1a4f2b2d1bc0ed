"""Sample ``data`` of the webhook events beyond the reference (docs/COVERAGE.md), built
only from the fields the sources evidence; :data:`SAMPLE_DATA_BEYOND` is merged into
:data:`aircall_async.testing.deliveries.SAMPLE_DATA`."""

from __future__ import annotations

from typing import Any, Final

__all__ = ["SAMPLE_DATA_BEYOND"]

_NUMBER: Final = {
    "id": 1234,
    "name": "Support Line",
    "digits": "+1 415-555-0100",
    "country": "US",
    "time_zone": "America/Chicago",
    "availability_status": "open",
}

_TRANSCRIPT: Final = {
    "language": "en-US",
    "utterances": [
        {
            "start_time": 0.4,
            "end_time": 2.9,
            "text": "Hello, how can I help?",
            "participant_type": "internal",
            "user_id": 456,
        },
        {
            "start_time": 3.1,
            "end_time": 5.0,
            "text": "My order has not arrived.",
            "participant_type": "external",
            "phone_number": "+14155550199",
        },
    ],
}


def _intelligence(content: Any, **extra: Any) -> dict[str, Any]:
    return {
        "id": 501,
        "call_id": 812,
        "call_uuid": "c9a1-812",
        "number_id": 1234,
        "type": "call",
        "content": content,
        "call_created_at": 1704067200,
        "created_at": 1704067260,
        "ai_generated": True,
        **extra,
    }


#: ``data`` samples keyed by event family (the part of the name before the dot).
SAMPLE_DATA_BEYOND: Final[dict[str, dict[str, Any]]] = {
    "message": {
        "id": "msg-0001",
        "direct_link": "https://api.aircall.io/v1/messages/msg-0001",
        "direction": "inbound",
        "external_number": "+14155550199",
        "body": "Is my order on its way?",
        "status": "received",
        "raw_digits": "+1 415-555-0199",
        "origin": "native",
        "media_details": [
            {
                "file_name": "photo.jpg",
                "file_type": "image/jpeg",
                "presigned_url": "https://example.com/media/photo.jpg",
            }
        ],
        "created_at": "2024-01-01T00:00:00Z",
        "updated_at": "2024-01-01T00:00:01Z",
        "number": _NUMBER,
    },
    "group_message": {
        "group_message_id": "gm-0001",
        "group_conversation_id": "gc-0001",
        "direction": "outbound",
        "status": "sent",
        "participants": ["+14155550199", "+14155550198"],
        "body": "The shop opens at 9.",
        "created_at": "2024-01-01T00:00:00Z",
        "number": _NUMBER,
    },
    "transcription": _intelligence(
        _TRANSCRIPT,
        participants=[
            {"participant_type": "internal", "user_id": "456"},
            {"participant_type": "external", "phone_number": "+14155550199"},
        ],
    ),
    "summary": _intelligence("The customer asked where the order is."),
    "topics": _intelligence(["delivery", "order"]),
    "sentiment": _intelligence(
        None,
        participants=[
            {"participant_type": "external", "phone_number": "+14155550199", "value": "NEGATIVE"}
        ],
    ),
    "action_item": _intelligence("Send the tracking number."),
    "playbook_result": _intelligence(
        None,
        adherence_score=0.75,
        playbook_result_topics=[{"name": "Greeting", "result": "done"}],
    ),
    "custom_summary": {"call_id": 812, "call_uuid": "c9a1-812", "created_at": 1704067260},
    "call_evaluation": {"call_id": 812, "call_uuid": "c9a1-812", "created_at": 1704067260},
    "realtime_transcription": {
        "id": "rt-0001",
        "call": {"id": 812, "uuid": "c9a1-812", "number_id": 1234, "direction": "inbound"},
        "utterances": [
            {
                "participant_type": "external",
                "timestamp": 1704067201,
                "duration_ms": 1800,
                "text": "Hello?",
                "language": "en",
            }
        ],
    },
    "ai_voice_agent": {
        "id": 812,
        "call_id": 812,
        "call_uuid": "c9a1-812",
        "ai_voice_agent_id": "agent-7",
        "ai_voice_agent_name": "Front desk",
        "ai_voice_agent_session_id": "session-3",
        "number_id": 1234,
        "external_caller_number": "+14155550199",
        "aircall_number": "+14155550100",
        "created_at": 1704067200,
        "started_at": 1704067201,
        "ended_at": 1704067290,
        "call_end_reason": "answered",
    },
    "analytics": {
        "report_id": "export-1",
        "status": "created",
        "download_url": "https://example.com/exports/export-1.csv",
        "created_at": "2024-01-01T00:00:00Z",
    },
}
