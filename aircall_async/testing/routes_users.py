"""Users, their availability, outbound calls (start_call, dial) and dialer campaigns."""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from .._rules import is_int
from .api import (
    E164,
    ApiError,
    Resource,
    body,
    check_text,
    find,
    json_answer,
    no_content,
    page_answer,
    path_id,
    query_order,
    query_time_range,
    state_of,
)
from .render import API_ROOT, user_public, user_v2
from .state import State, epoch_to_iso

__all__ = ["ROUTES", "USERS", "add_user", "change_user"]

Obj = dict[str, Any]

AVAILABILITY_STATUSES = ("available", "custom", "unavailable")
ROLES = ("owner", "supervisor", "admin", "agent")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")

USERS = Resource(
    singular="user",
    plural="users",
    label="User",
    table=lambda s: s.users,
    render=lambda s, u: user_public(s, u, with_numbers=True),
    render_item=lambda s, u: user_public(s, u, with_numbers=False),
    deleted_event="user.deleted",
)


def _check_user_fields(
    data: Obj, state: State, *, creating: bool, names_required: bool = True
) -> None:
    for name in ("first_name", "last_name"):
        check_text(data, name, required=creating and names_required, status=422)
    for name in ("time_zone", "language"):
        check_text(data, name, required=False, status=422)
    if creating:
        email = data.get("email")
        if not isinstance(email, str) or not _EMAIL.fullmatch(email):
            raise ApiError(422, "email is mandatory and must be a valid email address.")
        if any(u["email"].lower() == email.lower() for u in state.users):
            raise ApiError(422, f"email {email} is already taken.")
    status = data.get("availability_status")
    if "availability_status" in data and status not in AVAILABILITY_STATUSES:
        raise ApiError(422, "availability_status must be available, custom or unavailable.")
    roles = data.get("role_ids")
    if "role_ids" in data and (
        not isinstance(roles, list) or not roles or any(r not in ROLES for r in roles)
    ):
        raise ApiError(422, "role_ids must be a list of owner, supervisor, admin or agent.")
    wrap = data.get("wrap_up_time")
    if "wrap_up_time" in data and (not is_int(wrap) or wrap < 0):
        raise ApiError(422, "wrap_up_time must be a number of seconds (integer >= 0).")


def _apply_availability(user: Obj, status: str) -> None:
    user["availability_status"] = status
    if status == "available":
        user["_availability"] = "available"
    elif status == "unavailable":
        user["_availability"] = "do_not_disturb"
    user["available"] = user["_availability"] == "available"


def add_user(state: State, data: Obj, *, names_required: bool = True) -> Obj:
    """Validate ``data`` and store the new user (v1 and v2 create, where only ``email`` is
    mandatory); raises ApiError 422."""
    _check_user_fields(data, state, creating=True, names_required=names_required)
    uid = state.next_id("user", 456)
    first, last = data.get("first_name", ""), data.get("last_name", "")
    user: Obj = {
        "id": uid,
        "direct_link": f"{API_ROOT}/users/{uid}",
        "name": f"{first} {last}".strip() or data["email"],
        "email": data["email"],
        "available": False,
        "availability_status": "available",
        "created_at": epoch_to_iso(state.timestamp()),
        "time_zone": data.get("time_zone", "Etc/UTC"),
        "language": data.get("language", "en-US"),
        "wrap_up_time": data.get("wrap_up_time", 0),
        "_first_name": first,
        "_last_name": last,
        # Invited users have not opened their Phone yet.
        "_availability": "offline",
        "_role_ids": list(data.get("role_ids") or ["agent"]),
    }
    if "availability_status" in data:
        _apply_availability(user, data["availability_status"])
        user["available"] = False
    state.users.add(user)
    state.emit("user.created", "user", user_public(state, user, with_numbers=False))
    state.emit("user.created.v2", "user", user_v2(state, user))
    return user


def change_user(state: State, user: Obj, data: Obj) -> None:
    """Validate ``data`` and apply it to ``user`` (v1 and v2 update); raises ApiError 422."""
    _check_user_fields(data, state, creating=False)
    if "first_name" in data:
        user["_first_name"] = data["first_name"]
    if "last_name" in data:
        user["_last_name"] = data["last_name"]
    user["name"] = f"{user.get('_first_name', '')} {user.get('_last_name', '')}".strip()
    if "availability_status" in data:
        _apply_availability(user, data["availability_status"])
    if "role_ids" in data:
        user["_role_ids"] = list(data["role_ids"])
    if "wrap_up_time" in data:
        user["wrap_up_time"] = data["wrap_up_time"]
    for name in ("time_zone", "language"):
        if name in data:
            user[name] = data[name]


async def create_user(request: web.Request) -> web.StreamResponse:
    user = add_user(state_of(request), body(request))
    return USERS.answer(request, user, 201)


async def update_user(request: web.Request) -> web.StreamResponse:
    user = USERS.lookup(request)
    change_user(state_of(request), user, body(request))
    return USERS.answer(request, user)


async def delete_user(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    user = USERS.lookup(request)
    for owner in (*state.teams, *state.numbers):
        if user["id"] in owner.get("_user_ids", ()):
            owner["_user_ids"] = [i for i in owner["_user_ids"] if i != user["id"]]
    state.dialer_campaigns.pop(user["id"], None)
    data = user_v2(state, user)
    answer = await USERS.delete_handler()(request)
    state.emit("user.deleted.v2", "user", data)
    return answer


async def list_availabilities(request: web.Request) -> web.StreamResponse:
    desc = query_order(request)
    start, end = query_time_range(request)
    users = state_of(request).users.view(start, end, desc)
    return page_answer(
        request, users, "users", lambda u: {"id": u["id"], "availability": u.get("_availability")}
    )


async def get_availability(request: web.Request) -> web.StreamResponse:
    user = USERS.lookup(request)
    return json_answer({"availability": user.get("_availability", "offline")})


def _require_available(user: Obj) -> None:
    if user.get("_availability") != "available":
        raise ApiError(405, f"User {user['id']} is not available.", "Method Not Allowed")


def _require_e164(data: Obj, name: str = "to") -> None:
    value = data.get(name)
    if not isinstance(value, str) or not E164.fullmatch(value):
        raise ApiError(400, f"{name} must be a phone number in E.164 format (+18001231234).")


async def start_call(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    user = USERS.lookup(request)
    data = body(request)
    number_id = data.get("number_id")
    if isinstance(number_id, bool) or not isinstance(number_id, int | str):
        raise ApiError(400, "number_id is mandatory.")
    try:
        number = state.numbers.get(int(number_id))
    except ValueError:
        number = None
    if number is None:
        raise ApiError(400, f"Number {number_id} not found.")
    _require_e164(data)
    _require_available(user)
    return no_content()


async def dial(request: web.Request) -> web.StreamResponse:
    user = USERS.lookup(request)
    _require_e164(body(request))
    _require_available(user)
    return no_content()


def _campaign(request: web.Request) -> Obj:
    state = state_of(request)
    user = find(state.users, path_id(request), "User")
    campaign = state.dialer_campaigns.get(user["id"])
    if campaign is None:
        raise ApiError(404, f"User {user['id']} has no active campaign.")
    return campaign


def _campaign_numbers(state: State, data: Obj) -> list[Obj]:
    raw = data.get("phone_numbers")
    valid = (
        [n for n in raw if isinstance(n, str) and E164.fullmatch(n)]
        if isinstance(raw, list)
        else []
    )
    if not valid:
        raise ApiError(422, "Must include at least one valid phone number.", "Unprocessable Entity")
    created_at = epoch_to_iso(state.timestamp())
    return [
        {
            "id": state.next_id("dialer_number", 4671488),
            "number": n,
            "called": False,
            "created_at": created_at,
        }
        for n in valid
    ]


async def get_campaign(request: web.Request) -> web.StreamResponse:
    campaign = _campaign(request)
    return json_answer({k: v for k, v in campaign.items() if not k.startswith("_")})


async def create_campaign(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    user = find(state.users, path_id(request), "User")
    if user["id"] in state.dialer_campaigns:
        raise ApiError(400, f"User {user['id']} already has an active campaign.")
    numbers = _campaign_numbers(state, body(request))
    state.dialer_campaigns[user["id"]] = {
        "id": state.next_id("dialer_campaign", 75555),
        "number_id": None,
        "created_at": epoch_to_iso(state.timestamp()),
        "_numbers": numbers,
    }
    return no_content()


async def delete_campaign(request: web.Request) -> web.StreamResponse:
    _campaign(request)
    state_of(request).dialer_campaigns.pop(path_id(request))
    return no_content()


async def list_campaign_numbers(request: web.Request) -> web.StreamResponse:
    return json_answer({"numbers": list(_campaign(request)["_numbers"])})


async def add_campaign_numbers(request: web.Request) -> web.StreamResponse:
    campaign = _campaign(request)
    campaign["_numbers"].extend(_campaign_numbers(state_of(request), body(request)))
    return no_content()


async def delete_campaign_number(request: web.Request) -> web.StreamResponse:
    campaign = _campaign(request)
    number_id = path_id(request, "number_id")
    kept = [n for n in campaign["_numbers"] if n["id"] != number_id]
    if len(kept) == len(campaign["_numbers"]):
        raise ApiError(404, f"Phone number {number_id} not found in the campaign.")
    campaign["_numbers"] = kept
    return no_content()


_ID = r"/v1/users/{id:\d+}"
ROUTES = [
    web.get("/v1/users", USERS.list_handler()),
    web.post("/v1/users", create_user),
    web.get("/v1/users/availabilities", list_availabilities),
    web.get(_ID, USERS.get_handler()),
    web.put(_ID, update_user),
    web.delete(_ID, delete_user),
    web.get(_ID + "/availability", get_availability),
    web.post(_ID + "/calls", start_call),
    web.post(_ID + "/dial", dial),
    web.get(_ID + "/dialer_campaign", get_campaign),
    web.post(_ID + "/dialer_campaign", create_campaign),
    web.delete(_ID + "/dialer_campaign", delete_campaign),
    web.get(_ID + "/dialer_campaign/phone_numbers", list_campaign_numbers),
    web.post(_ID + "/dialer_campaign/phone_numbers", add_campaign_numbers),
    web.delete(_ID + r"/dialer_campaign/phone_numbers/{number_id:\d+}", delete_campaign_number),
]
