"""Numbers, including their music & messages."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from .api import ApiError, Resource, body, check_text
from .render import number_public
from .seed import MESSAGE_KEYS

__all__ = ["NUMBERS", "ROUTES"]

Obj = dict[str, Any]

NUMBERS = Resource(
    singular="number",
    plural="numbers",
    label="Number",
    table=lambda s: s.numbers,
    render=lambda s, n: number_public(s, n, with_users=True),
    render_item=lambda s, n: number_public(s, n, with_users=False),
)


def _is_url(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(("https://", "http://")) and "." in value


def _check_number_update(data: Obj) -> None:
    check_text(data, "name", required=False)
    if "availability_status" in data and data["availability_status"] not in (
        "open",
        "custom",
        "closed",
    ):
        raise ApiError(400, "availability_status must be open, custom or closed.")
    for flag in ("is_ivr", "live_recording_activated"):
        if flag in data and not isinstance(data[flag], bool):
            raise ApiError(400, f"{flag} must be a boolean.")
    if "priority" in data and (
        isinstance(data["priority"], bool) or data["priority"] not in (None, 0, 1)
    ):
        raise ApiError(400, "priority must be null, 0 or 1.")
    if "messages" in data:
        messages = data["messages"]
        if not isinstance(messages, dict):
            raise ApiError(400, "messages must be an object.")
        for key, url in messages.items():
            if key not in MESSAGE_KEYS:
                raise ApiError(400, f"messages.{key} is not a known message.")
            if not _is_url(url):
                raise ApiError(400, f"messages.{key} must be a valid public URL.")


async def update_number(request: web.Request) -> web.StreamResponse:
    number = NUMBERS.lookup(request)
    data = body(request)
    _check_number_update(data)
    for key in ("name", "availability_status", "is_ivr", "live_recording_activated", "priority"):
        if key in data:
            number[key] = data[key]
    if "messages" in data:
        number["messages"] = {**(number.get("messages") or {}), **data["messages"]}
    return NUMBERS.answer(request, number)


_ID = r"/v1/numbers/{id:\d+}"
ROUTES = [
    web.get("/v1/numbers", NUMBERS.list_handler()),
    web.get(_ID, NUMBERS.get_handler()),
    web.put(_ID, update_number),
]
