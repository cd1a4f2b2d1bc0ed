"""AI Voice Agents (beyond the reference, docs/COVERAGE.md): queue an outbound call placed
by an Outbound Voice Agent configured in the Aircall Dashboard."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..models import OutboundCallRequest
from ._base import Resource, body_of, check_e164, check_text

__all__ = ["AIVoiceAgents"]

# An agent id lands in the URL path: letters, digits and - _ . only.
_AGENT_ID = re.compile(r"[A-Za-z0-9_.-]+")


def _expiration(value: int | None) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 60 <= value <= 86400:
        raise ValueError(f"expiration_seconds must be an integer from 60 to 86400, got {value!r}")
    return value


class AIVoiceAgents(Resource):
    """``client.ai_voice_agents``: outbound calls placed by AI Voice Agents."""

    __slots__ = ()

    async def start_outbound_call(
        self,
        agent_id: str,
        *,
        contact_phone: str,
        idempotency_key: str,
        context: Mapping[str, Any] | None = None,
        expiration_seconds: int | None = None,
    ) -> OutboundCallRequest:
        """Queue a call from an Outbound Voice Agent to ``contact_phone``
        (``POST /v1/outbound-calls/agents/:agent_id``, answered 202 with status PENDING).

        ``idempotency_key`` makes a retry safe (reusing one is a 409); ``context`` fills the
        agent's ``{{variable}}`` placeholders; ``expiration_seconds`` (60 to 86,400) is how
        long to keep trying while the concurrency limit is reached.

        Raises ValueError for a bad ``agent_id``, a ``contact_phone`` not in E.164, a blank
        ``idempotency_key``, a ``context`` that is not a dict or an out-of-range
        ``expiration_seconds``, before sending; ConflictError for a reused key.
        """
        agent = check_text(agent_id, "agent_id")
        if _AGENT_ID.fullmatch(agent) is None:
            raise ValueError("agent_id may hold only letters, digits, '-', '_' and '.'")
        if context is not None and not isinstance(context, Mapping):
            raise ValueError("context must be a dict of the agent's variables")
        body = body_of(
            contact_phone=check_e164(contact_phone, "contact_phone"),
            idempotency_key=check_text(idempotency_key, "idempotency_key"),
            context=None if context is None else dict(context),
            expiration_seconds=_expiration(expiration_seconds),
        )
        path = f"/outbound-calls/agents/{agent}"
        return await self._send("POST", path, None, OutboundCallRequest, body)
