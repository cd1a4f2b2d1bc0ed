"""Tags: ``id``, ``name``, ``color`` and ``description`` only, as captured from the service
(no ``direct_link``, no ``created_at``; docs/SOURCES.md)."""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from .api import ApiError, Resource, body, check_text, no_content, state_of
from .state import public

__all__ = ["ROUTES", "TAGS"]

Obj = dict[str, Any]

_HEX_COLOR = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")

TAGS = Resource(
    singular="tag",
    plural="tags",
    label="Tag",
    table=lambda s: s.tags,
    render=lambda s, t: public(t),
    timed=False,
)


def _check_tag(data: Obj, *, creating: bool) -> None:
    check_text(data, "name", required=creating)
    if creating and "color" not in data:
        raise ApiError(400, "color is mandatory.")
    if "color" in data and (
        not isinstance(data["color"], str) or not _HEX_COLOR.fullmatch(data["color"])
    ):
        raise ApiError(400, "color must be a hexadecimal color like #00B388.")


async def create_tag(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    data = body(request)
    _check_tag(data, creating=True)
    tid = state.next_id("tag", 678)
    tag: Obj = {
        "id": tid,
        "name": data["name"],
        "color": data["color"],
        "description": None,
    }
    state.tags.add(tag)
    return TAGS.answer(request, tag, 201)


async def update_tag(request: web.Request) -> web.StreamResponse:
    tag = TAGS.lookup(request)
    data = body(request)
    _check_tag(data, creating=False)
    for key in ("name", "color"):
        if key in data:
            tag[key] = data[key]
    return TAGS.answer(request, tag)


async def delete_tag(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    tag = TAGS.lookup(request)
    # "Tag will be removed from Calls."
    for call in state.calls:
        tags = call.get("tags")
        if tags and any(t.get("id") == tag["id"] for t in tags):
            call["tags"] = [t for t in tags if t.get("id") != tag["id"]]
    state.tags.remove(tag["id"])
    return no_content()


_ID = r"/v1/tags/{id:\d+}"
ROUTES = [
    web.get("/v1/tags", TAGS.list_handler()),
    web.post("/v1/tags", create_tag),
    web.get(_ID, TAGS.get_handler()),
    web.put(_ID, update_tag),
    web.delete(_ID, delete_tag),
]
