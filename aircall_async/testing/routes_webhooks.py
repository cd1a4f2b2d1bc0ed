"""Webhooks, addressed by their ``webhook_id`` (uuid) or their deprecated integer ``id``.

As captured from the service (docs/SOURCES.md): answers carry both ids, ``direct_link`` is
built on ``webhook_id``, the ``token`` is in every answer (the list too) and ``custom_name``
is accepted but never echoed (kept privately).
"""

from __future__ import annotations

import secrets
import uuid
from typing import Any

from aiohttp import web

from aircall_async.webhooks.events import EventName

from .api import ApiError, Resource, body, no_content, state_of
from .render import API_ROOT
from .state import epoch_to_iso, public

__all__ = ["EVENTS", "MAX_WEBHOOKS", "ROUTES", "WEBHOOKS"]

Obj = dict[str, Any]

MAX_WEBHOOKS = 100
# Every event of the reference, in its order: what an empty "events" subscribes to.
EVENTS = tuple(event.value for event in EventName)

WEBHOOKS = Resource(
    singular="webhook",
    plural="webhooks",
    label="Webhook",
    table=lambda s: s.webhooks,
    render=lambda s, w: public(w),
)


def _lookup(request: web.Request) -> Obj:
    key = request.match_info["id"]
    state = state_of(request)
    if key.isdigit():
        found = state.webhooks.get(int(key))
    else:
        found = next((w for w in state.webhooks if w.get("webhook_id") == key), None)
    if found is None:
        raise ApiError(404, f"Webhook {key} not found.")
    return found


def _check_webhook(data: Obj, *, creating: bool) -> list[str]:
    """Validate and return the events (all of them when the field is absent or empty)."""
    if creating or "url" in data:
        url = data.get("url")
        if (
            not isinstance(url, str)
            or not url.startswith(("https://", "http://"))
            or "." not in url
        ):
            raise ApiError(400, "url is mandatory and must be a valid URL.")
    if "custom_name" in data and not isinstance(data["custom_name"], str):
        raise ApiError(400, "custom_name must be a string.")
    if "active" in data and not isinstance(data["active"], bool):
        raise ApiError(400, "active must be a boolean.")
    events = data.get("events")
    if events is None or events == []:
        return list(EVENTS)
    if not isinstance(events, list) or any(e not in EVENTS for e in events):
        raise ApiError(400, "events are not valid: see the list of webhook events.")
    return list(dict.fromkeys(events))


async def create_webhook(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    data = body(request)
    events = _check_webhook(data, creating=True)
    if len(state.webhooks) >= MAX_WEBHOOKS:
        raise ApiError(400, f"Company reached their maximum Webhooks count ({MAX_WEBHOOKS}).")
    wid = state.next_id("webhook", 1001)
    webhook_id = str(uuid.uuid4())
    webhook: Obj = {
        "id": wid,
        "webhook_id": webhook_id,
        "direct_link": f"{API_ROOT}/webhooks/{webhook_id}",
        "created_at": epoch_to_iso(state.timestamp()),
        "_custom_name": data.get("custom_name") or "Webhook",
        "url": data["url"],
        "active": True,
        "events": events,
        "token": secrets.token_hex(10),
    }
    state.webhooks.add(webhook)
    return WEBHOOKS.answer(request, webhook, 201)


async def get_webhook(request: web.Request) -> web.StreamResponse:
    return WEBHOOKS.answer(request, _lookup(request))


async def update_webhook(request: web.Request) -> web.StreamResponse:
    webhook = _lookup(request)
    data = body(request)
    # The reference: without "events", the webhook is registered to all events again.
    webhook["events"] = _check_webhook(data, creating=False)
    for key in ("url", "active"):
        if key in data:
            webhook[key] = data[key]
    if "custom_name" in data:
        webhook["_custom_name"] = data["custom_name"]
    if "active" in data:
        # Set by hand: the count toward automatic deactivation starts again, and a webhook
        # disabled by hand is not re-enabled by a late successful redelivery.
        webhook["_failures"] = 0
        webhook.pop("_auto_disabled", None)
    return WEBHOOKS.answer(request, webhook)


async def delete_webhook(request: web.Request) -> web.StreamResponse:
    webhook = _lookup(request)
    state_of(request).webhooks.remove(webhook["id"])
    return no_content()


ROUTES = [
    web.get("/v1/webhooks", WEBHOOKS.list_handler()),
    web.post("/v1/webhooks", create_webhook),
    web.get("/v1/webhooks/{id}", get_webhook),
    web.put("/v1/webhooks/{id}", update_webhook),
    web.delete("/v1/webhooks/{id}", delete_webhook),
]
