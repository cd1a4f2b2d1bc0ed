"""Calls: list, search, retrieve and every action on a call.

As captured from the service (docs/SOURCES.md): ``GET /v1/calls`` keeps the calls with
``from < started_at <= to`` (``from`` exclusive, unlike contacts); the ``*_short_url``
fields are null unless ``fetch_short_urls`` is given; a call tag carries ``tagged_at``.
``/v1/calls/search`` was not probed and keeps both bounds inclusive. With
``state.quirks.calls_retention`` set, ``GET /v1/calls`` serves only the calls started within
that many seconds of the fake's clock (search and retrieve are not limited: not probed).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from aiohttp import web

from .._rules import is_int
from .api import (
    E164,
    ApiError,
    body,
    find,
    json_answer,
    no_content,
    page_answer,
    path_id,
    query_bool,
    query_order,
    query_time_range,
    state_of,
)
from .render import user_summary
from .state import State, public

__all__ = ["ROUTES", "render_call"]

Obj = dict[str, Any]

DISPATCHING_STRATEGIES = ("simultaneous", "random", "longest_idle")
MAX_COMMENTS = 5
MAX_RINGING_TEAM = 25
_EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\ufe0f]")
_NON_DIGITS = re.compile(r"\D")


def short_url(call: Obj, media: str) -> str | None:
    """The short URL of a call's ``recording`` or ``voicemail`` (None without that media)."""
    if not call.get(media):
        return None
    return f"https://short.example.com/{media}/{call['id']}"


def render_call(
    state: State, call: Obj, fetch_contact: bool, fetch_short_urls: bool = False
) -> Obj:
    """The call as sent: ``contact`` stays null unless ``fetch_contact``, the short URLs
    unless ``fetch_short_urls``."""
    out = public(call)
    if fetch_contact:
        contact = state.contacts.get(call.get("_contact_id") or -1)
        out["contact"] = public(contact) if contact is not None else None
    if fetch_short_urls:
        out["recording_short_url"] = short_url(call, "recording")
        out["voicemail_short_url"] = short_url(call, "voicemail")
    return out


def _renderer(request: web.Request) -> Callable[[Obj], Obj]:
    state = state_of(request)
    fetch = query_bool(request, "fetch_contact")
    short = query_bool(request, "fetch_short_urls")
    return lambda call: render_call(state, call, fetch, short)


async def list_calls(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    start, end = query_time_range(request)
    # started_at is in whole seconds: "after from" is "from + 1 or later".
    start = None if start is None else start + 1
    retention = state.quirks.calls_retention
    if retention is not None:  # only the last ~6 months, the edge moving with the clock
        edge = state.timestamp() - retention
        start = edge if start is None else max(start, edge)
    calls = state.calls.view(start, end, query_order(request))
    return page_answer(request, calls, "calls", _renderer(request))


def _int_list(values: list[str], name: str) -> set[int]:
    out = set()
    for value in values:
        for part in value.split(","):
            if part.strip():
                try:
                    out.add(int(part))
                except ValueError:
                    raise ApiError(400, f"{name} must be tag ids, got {part!r}.") from None
    return out


def _search_filter(request: web.Request) -> Callable[[Obj], bool]:
    query = request.query
    direction = query.get("direction") or None
    if direction is not None and direction not in ("inbound", "outbound"):
        raise ApiError(400, f"direction must be inbound or outbound, got {direction!r}.")
    raw_user = query.get("user_id") or None
    try:
        user_id = int(raw_user) if raw_user is not None else None
    except ValueError:
        raise ApiError(400, f"user_id must be an integer, got {raw_user!r}.") from None
    phone = _NON_DIGITS.sub("", query.get("phone_number", ""))
    tags = _int_list([*query.getall("tags[]", []), *query.getall("tags", [])], "tags")

    def keep(call: Obj) -> bool:
        if direction is not None and call.get("direction") != direction:
            return False
        if user_id is not None and (call.get("user") or {}).get("id") != user_id:
            return False
        if phone and _NON_DIGITS.sub("", str(call.get("raw_digits") or "")) != phone:
            return False
        return not tags or tags <= {t.get("id") for t in call.get("tags") or ()}

    return keep


async def search_calls(request: web.Request) -> web.StreamResponse:
    start, end = query_time_range(request)
    calls = state_of(request).calls.view(start, end, query_order(request))
    keep = _search_filter(request)
    return page_answer(request, [c for c in calls if keep(c)], "calls", _renderer(request))


def _call(request: web.Request) -> Obj:
    return find(state_of(request).calls, path_id(request), "Call")


def _answer_call(request: web.Request, call: Obj) -> web.Response:
    return json_answer({"call": _renderer(request)(call)})


async def get_call(request: web.Request) -> web.StreamResponse:
    return _answer_call(request, _call(request))


def _require_live(call: Obj) -> None:
    if call.get("status") == "done":
        raise ApiError(400, "Call already ended.")


def _find_by_raw_id(table_name: str, raw: Any, state: State, label: str) -> Obj:
    try:
        obj_id = int(raw)
    except (TypeError, ValueError):
        raise ApiError(400, f"{label.lower()}_id must be an integer id.") from None
    table = state.users if table_name == "users" else state.teams
    return find(table, obj_id, label)


async def transfer_call(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    call = _call(request)
    data = body(request)
    given = [k for k in ("user_id", "team_id", "number") if data.get(k) is not None]
    if len(given) != 1:
        raise ApiError(400, "Give exactly one of user_id, team_id or number.")
    strategy = data.get("dispatching_strategy")
    if strategy is not None:
        if given != ["team_id"]:
            raise ApiError(
                400, "Invalid usage of dispatching strategy with user or external phone number."
            )
        if strategy not in DISPATCHING_STRATEGIES:
            raise ApiError(
                400, "dispatching_strategy must be random, simultaneous or longest_idle."
            )
    _require_live(call)
    if given == ["user_id"]:
        user = _find_by_raw_id("users", data["user_id"], state, "User")
        call["transferred_to"] = user_summary(user)
    elif given == ["team_id"]:
        team = _find_by_raw_id("teams", data["team_id"], state, "Team")
        members = [u for u in (state.users.get(i) for i in team["_user_ids"]) if u is not None]
        if call.get("status") == "initial" and len(members) > MAX_RINGING_TEAM:
            raise ApiError(400, "Call cannot be transferred to a team with more than 25 users.")
        call["transferred_to"] = user_summary(members[0]) if members else None
    else:
        number = data["number"]
        if not isinstance(number, str) or not E164.fullmatch(number):
            raise ApiError(400, "number must be in E.164 format (+18001231234).")
        if call.get("direction") != "inbound" or call.get("status") != "initial":
            raise ApiError(400, "Only inbound calls not yet answered can go to an external number.")
    call["transferred_by"] = None
    state.emit("call.transferred", "call", render_call(state, call, False))
    return no_content()


async def comment_call(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    call = _call(request)
    content = body(request).get("content")
    if not isinstance(content, str) or not content.strip():
        raise ApiError(400, "content is mandatory and can't be blank.")
    if len(call.get("comments") or ()) >= MAX_COMMENTS:
        raise ApiError(400, "Maximum of 5 notes can be added to a Call.")
    comment = {
        "id": state.next_id("comment", 735),
        "content": _EMOJI.sub("", content),
        "posted_at": state.timestamp(),
        "posted_by": None,
    }
    call["comments"] = [*(call.get("comments") or ()), comment]
    state.emit("call.commented", "call", render_call(state, call, False))
    return no_content(201)


async def tag_call(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    call = _call(request)
    tag_ids = body(request).get("tags")
    if not isinstance(tag_ids, list) or not tag_ids or any(not is_int(t) for t in tag_ids):
        raise ApiError(400, "tags must be a non-empty array of tag ids.")
    tags = [find(state.tags, t, "Tag") for t in tag_ids]
    present = {t.get("id") for t in call.get("tags") or ()}
    now = state.timestamp()
    added = [
        {"id": t["id"], "name": t["name"], "tagged_by": None, "tagged_at": now}
        for t in tags
        if t["id"] not in present
    ]
    call["tags"] = [*(call.get("tags") or ()), *added]
    state.emit("call.tagged", "call", render_call(state, call, False))
    return no_content(201)


async def archive_call(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    call = _call(request)
    call["archived"] = True
    state.emit("call.archived", "call", render_call(state, call, False))
    return _answer_call(request, call)


async def unarchive_call(request: web.Request) -> web.StreamResponse:
    call = _call(request)
    call["archived"] = False
    return _answer_call(request, call)


def _recording_call(request: web.Request) -> Obj:
    call = _call(request)
    _require_live(call)
    if not (call.get("number") or {}).get("live_recording_activated"):
        raise ApiError(405, "Recording is disabled on the Call's number.", "Method Not Allowed")
    return call


async def pause_recording(request: web.Request) -> web.StreamResponse:
    _recording_call(request)["_recording_paused"] = True
    return no_content()


async def resume_recording(request: web.Request) -> web.StreamResponse:
    _recording_call(request)["_recording_paused"] = False
    return no_content()


def _delete_media(call: Obj, field: str) -> None:
    if call.get(field) is not None:
        call[field] = None
        if str(call.get("asset") or "").startswith(f"https://assets.aircall.io/{field}/"):
            call["asset"] = None


async def delete_recording(request: web.Request) -> web.StreamResponse:
    _delete_media(_call(request), "recording")
    return no_content(200)


async def delete_voicemail(request: web.Request) -> web.StreamResponse:
    _delete_media(_call(request), "voicemail")
    return no_content(200)


def _check_card_line(line: Any, index: int) -> None:
    where = f"contents[{index}]"
    if not isinstance(line, dict):
        raise ApiError(400, f"Payload malformed: {where} must be an object.")
    kind = line.get("type")
    if kind in ("title", "shortText"):
        if not isinstance(line.get("text"), str) or not line["text"]:
            raise ApiError(400, f"Payload malformed: {where}.text is mandatory.")
    elif kind == "user":
        if not isinstance(line.get("label"), str) or not line["label"]:
            raise ApiError(400, f"Payload malformed: {where}.label is mandatory.")
        user_id = line.get("user_id")
        if not is_int(user_id):
            raise ApiError(400, f"Payload malformed: {where}.user_id is mandatory.")
    else:
        raise ApiError(400, f"Payload malformed: {where}.type must be title, shortText or user.")
    for optional in ("link", "label"):
        if optional in line and not isinstance(line[optional], str):
            raise ApiError(400, f"Payload malformed: {where}.{optional} must be a string.")


async def insight_cards(request: web.Request) -> web.StreamResponse:
    call = _call(request)
    contents = body(request).get("contents")
    if not isinstance(contents, list) or not contents:
        raise ApiError(400, "Payload malformed: contents must be a non-empty array.")
    for index, line in enumerate(contents):
        _check_card_line(line, index)
    call["_insight_cards"] = [*call.get("_insight_cards", ()), contents]
    return no_content(201)


_ID = r"/v1/calls/{id:\d+}"
ROUTES = [
    web.get("/v1/calls", list_calls),
    web.get("/v1/calls/search", search_calls),
    web.get(_ID, get_call),
    web.post(_ID + "/transfers", transfer_call),
    web.post(_ID + "/comments", comment_call),
    web.post(_ID + "/tags", tag_call),
    web.put(_ID + "/archive", archive_call),
    web.put(_ID + "/unarchive", unarchive_call),
    web.post(_ID + "/pause_recording", pause_recording),
    web.post(_ID + "/resume_recording", resume_recording),
    web.delete(_ID + "/recording", delete_recording),
    web.delete(_ID + "/voicemail", delete_voicemail),
    web.post(_ID + "/insight_cards", insight_cards),
]
