"""Conversation Intelligence on calls (beyond the reference, docs/COVERAGE.md).

An ended call (status ``done``) gets its results the first time they are needed: when
:func:`end_call` ends it, or when one is first asked for. They are stored, and each kind
fires its ``*.created`` event (``transcription.created``...). A call not ended yet has
none (404); with ``state.beyond.intelligence_enabled`` False every endpoint answers 404,
as for an account without the add-on.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from .api import ApiError, find, json_answer, path_id, state_of
from .render import API_ROOT
from .state import State

__all__ = ["ROUTES", "end_call", "results_of"]

Obj = dict[str, Any]

# endpoint -> (result kind, key the answer wraps it under, event fired when it appears).
_ENDPOINTS: dict[str, tuple[str, str, str | None]] = {
    "transcription": ("transcription", "transcription", "transcription.created"),
    "summary": ("summary", "summary", "summary.created"),
    "sentiments": ("sentiment", "sentiment", "sentiment.created"),
    "topics": ("topics", "topics", "topics.created"),
    "action_items": ("action_item", "action_items", "action_item.created"),
    "playbook_result": ("playbook_result", "playbook_result", "playbook_result.created"),
    "custom_summary_result": (
        "custom_summary",
        "custom_summary_result",
        "custom_summary.result_created",
    ),
    "evaluations": ("call_evaluation", "evaluations", "call_evaluation.created"),
    "predicted_csat": ("csat", "csat", None),
}


def _participants(call: Obj) -> tuple[Obj, Obj]:
    user = call.get("user") or {}
    agent = {"participant_type": "internal", "user_id": str(user.get("id", ""))}
    caller = {"participant_type": "external", "phone_number": call.get("raw_digits")}
    return agent, caller


def _make_results(call: Obj) -> dict[str, Obj]:
    """The results of an ended call, derived from it (deterministic)."""
    cid = call["id"]
    ended = call.get("ended_at") or call.get("started_at") or 0
    agent, caller = _participants(call)
    user_id = (call.get("user") or {}).get("id")
    common = {
        "call_id": cid,
        "call_uuid": f"uuid-{cid}",
        "number_id": (call.get("number") or {}).get("id"),
        "type": "voicemail" if call.get("voicemail") else "call",
        "call_created_at": call.get("started_at"),
        "created_at": ended + 60,
        "ai_generated": True,
    }
    utterances = [
        {
            "start_time": 0.5,
            "end_time": 2.5,
            "text": "Hello, thanks for calling.",
            "participant_type": "internal",
            "user_id": user_id,
        },
        {
            "start_time": 3.0,
            "end_time": 6.0,
            "text": "I would like to follow up on my order.",
            "participant_type": "external",
            "phone_number": call.get("raw_digits"),
        },
    ]
    return {
        "transcription": {
            "id": cid * 10 + 1,
            **common,
            "participants": [agent, caller],
            "content": {"language": "en-US", "utterances": utterances},
        },
        "summary": {
            "id": cid * 10 + 2,
            **common,
            "content": "The caller followed up on an order.",
        },
        "sentiment": {
            "id": cid * 10 + 3,
            **common,
            "participants": [{**caller, "value": "POSITIVE"}],
        },
        "topics": {"id": cid * 10 + 4, **common, "content": ["order", "follow-up"]},
        "action_item": {"id": cid * 10 + 5, **common, "content": "Send the order status."},
        "playbook_result": {
            "id": cid * 10 + 6,
            **common,
            "adherence_score": 0.5,
            "playbook_result_topics": [
                {"name": "Greeting", "result": "done"},
                {"name": "Next steps", "result": "missed"},
            ],
        },
        "custom_summary": {
            "call_id": cid,
            "summary_template_results": [{"name": "Outcome", "result": "Order follow-up"}],
        },
        "call_evaluation": {"call_id": cid, "call_uuid": f"uuid-{cid}", "created_at": ended + 60},
        "csat": {"score": 4, "drivers": ["quick answer"]},
    }


def results_of(state: State, call: Obj) -> dict[str, Obj] | None:
    """The stored results of ``call``, made (and their events fired) the first time;
    None while the call is not ended."""
    stored = state.beyond.intelligence.get(call["id"])
    if stored is not None or call.get("status") != "done":
        return stored
    stored = state.beyond.intelligence[call["id"]] = _make_results(call)
    for kind, _, event in _ENDPOINTS.values():
        if event is not None:
            state.emit(event, kind, stored[kind])
    return stored


def end_call(state: State, call_id: int) -> Obj:
    """End a live call of the fake: status ``done``, ``ended_at`` now, ``call.ended``
    fired; then its Conversation Intelligence results appear (and their events fire).

    Raises KeyError for an unknown call, ValueError for a call already ended.
    """
    call = state.calls.get(call_id)
    if call is None:
        raise KeyError(f"no call {call_id}")
    if call.get("status") == "done":
        raise ValueError(f"call {call_id} has already ended")
    now = state.timestamp()
    call.update(status="done", ended_at=now, duration=now - int(call.get("started_at") or now))
    state.emit("call.ended", "call", {**call, "direct_link": f"{API_ROOT}/calls/{call_id}"})
    results_of(state, call)
    return call


def _handler(endpoint: str) -> Any:
    kind, key, _ = _ENDPOINTS[endpoint]
    label = endpoint.replace("_", " ")

    async def handler(request: web.Request) -> web.StreamResponse:
        state = state_of(request)
        if not state.beyond.intelligence_enabled:
            raise ApiError(404, "Conversation Intelligence is not enabled on this account.")
        call = find(state.calls, path_id(request), "Call")
        mode = request.query.get("mode")
        if endpoint == "transcription" and mode not in (None, "async", "realtime"):
            raise ApiError(400, "mode must be async or realtime.")
        results = results_of(state, call)
        if results is None:
            raise ApiError(404, f"No {label} for call {call['id']} yet.")
        return json_answer({key: results[kind]})

    return handler


ROUTES = [
    web.get(rf"/v1/calls/{{id:\d+}}/{endpoint}", _handler(endpoint)) for endpoint in _ENDPOINTS
]
