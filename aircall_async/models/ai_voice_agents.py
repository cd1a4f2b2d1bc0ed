"""AI Voice Agents: an outbound call request, and the session of the ``ai_voice_agent.*``
webhook events. Beyond the reference: see docs/COVERAGE.md."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

from ._base import Model, OpenStrEnum

__all__ = ["AIVoiceAgentSession", "OutboundCallRequest", "OutboundCallStatus"]


class OutboundCallStatus(OpenStrEnum):
    """Progress of a queued AI Voice Agent call; unlisted values are kept."""

    PENDING = "PENDING"
    INITIATED = "INITIATED"
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"


@attrs.define
class OutboundCallRequest(Model):
    """An outbound call queued for an AI Voice Agent (accepted with 202, PENDING first)."""

    id: str | None = None
    idempotency_key: str | None = None
    status: OutboundCallStatus | None = None
    virtual_agent_id: str | None = None


@attrs.define
class AIVoiceAgentSession(Model):
    """A call handled by an AI Voice Agent, as ``ai_voice_agent.*`` events carry it.

    Started/ended events carry the numbers and ``started_at``; ended ones ``ended_at`` and
    ``call_end_reason``; escalated ones ``escalation_reason``; summary ones
    ``extracted_data`` (answers to intake questions).
    """

    id: int | None = None
    call_id: int | None = None
    call_uuid: str | None = None
    ai_voice_agent_id: str | None = None
    ai_voice_agent_name: str | None = None
    ai_voice_agent_session_id: str | None = None
    number_id: int | None = None
    external_caller_number: str | None = None
    aircall_number: str | None = None
    created_at: datetime | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    call_end_reason: str | None = None
    escalation_reason: str | None = None
    extracted_data: dict[str, Any] | None = None
