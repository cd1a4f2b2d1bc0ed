"""AI Voice Agent outbound calls (beyond the reference, docs/COVERAGE.md).

A request is validated (E.164 ``contact_phone``, an ``idempotency_key``, ``context`` an
object, ``expiration_seconds`` 60..86400), stored by its key and answered 202 PENDING; a
key used twice is a 409.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from .api import E164, ApiError, body, check_text, json_answer, state_of

__all__ = ["ROUTES"]

Obj = dict[str, Any]


async def start_outbound_call(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    data = body(request)
    phone = data.get("contact_phone")
    if not isinstance(phone, str) or not E164.fullmatch(phone):
        raise ApiError(400, "contact_phone must be a phone number in E.164 format.")
    check_text(data, "idempotency_key", required=True)
    if "context" in data and not isinstance(data["context"], dict):
        raise ApiError(400, "context must be an object.")
    expiration = data.get("expiration_seconds", 3600)
    if isinstance(expiration, bool) or not isinstance(expiration, int):
        raise ApiError(400, "expiration_seconds must be an integer.")
    if not 60 <= expiration <= 86400:
        raise ApiError(400, "expiration_seconds must be between 60 and 86400.")
    key = data["idempotency_key"]
    if key in state.beyond.outbound_ai_calls:
        raise ApiError(409, f"idempotency_key {key} was already used.")
    queued: Obj = {
        "id": f"ovc{state.next_id('outbound_ai_call', 1)}",
        "idempotency_key": key,
        "status": "PENDING",
        "virtual_agent_id": request.match_info["agent_id"],
    }
    state.beyond.outbound_ai_calls[key] = {**queued, "_request": data}
    return json_answer(queued, 202)


ROUTES = [web.post(r"/v1/outbound-calls/agents/{agent_id:[A-Za-z0-9_.-]+}", start_outbound_call)]
