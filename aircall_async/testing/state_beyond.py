"""The fake's state for the endpoints beyond the reference (docs/COVERAGE.md): messages,
Conversation Intelligence results, AI Voice Agent calls, analytics exports. Held by
:attr:`State.beyond`; tests may change the switches (``intelligence_enabled``,
``export_outcome``, ``export_pending_polls``) to reach the other answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["SMS_TEMPLATES", "BeyondState"]

Obj = dict[str, Any]

#: The SMS templates a fresh fake starts with (the fake's own examples).
SMS_TEMPLATES: tuple[Obj, ...] = (
    {"id": 1, "name": "Welcome", "body": "Welcome aboard! Reply STOP to opt out."},
    {"id": 2, "name": "Missed call", "body": "Sorry we missed your call, we will call back."},
    {"id": 3, "name": "Order shipped", "body": "Your order is on its way."},
)


@dataclass
class BeyondState:
    """Tables and switches of the endpoints beyond the reference."""

    #: False: every Conversation Intelligence endpoint answers 404 (add-on not enabled).
    intelligence_enabled: bool = True
    #: call id -> result kind ("transcription", "summary"...) -> stored result.
    intelligence: dict[int, dict[str, Obj]] = field(default_factory=dict)
    #: Messages sent or received, oldest first.
    messages: list[Obj] = field(default_factory=list)
    #: number id -> messaging configuration.
    messaging_configurations: dict[int, Obj] = field(default_factory=dict)
    #: The company's SMS templates.
    sms_templates: list[Obj] = field(default_factory=lambda: [dict(t) for t in SMS_TEMPLATES])
    #: number id -> WhatsApp templates (only WhatsApp-capable numbers have an entry).
    whatsapp_templates: dict[int, list[Obj]] = field(default_factory=dict)
    #: idempotency key -> AI Voice Agent outbound call request.
    outbound_ai_calls: dict[str, Obj] = field(default_factory=dict)
    #: export id -> analytics export job.
    exports: dict[str, Obj] = field(default_factory=dict)
    #: What an export ends as: "COMPLETED" or "FAILED".
    export_outcome: str = "COMPLETED"
    #: How many retrievals of a new export answer PENDING before its outcome.
    export_pending_polls: int = 1
