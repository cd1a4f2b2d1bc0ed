"""Users v2 (``/v2/users``): list, retrieve, create, update, and a User's Numbers.

Beyond the reference (docs/COVERAGE.md). The same users as v1, shown the v2 way: no
``numbers``, but ``default_number_id`` and ``substatus``. Creating needs only ``email``.
Creating or deleting a user (either version) emits the ``.v2`` event besides the v1 one.
"""

from __future__ import annotations

from aiohttp import web

from .api import Resource, body, page_answer, state_of
from .render import number_public, user_v2
from .routes_users import add_user, change_user

__all__ = ["ROUTES", "USERS_V2"]


USERS_V2 = Resource(
    singular="user",
    plural="users",
    label="User",
    table=lambda s: s.users,
    render=user_v2,
)


async def create_user(request: web.Request) -> web.StreamResponse:
    user = add_user(state_of(request), body(request), names_required=False)
    return USERS_V2.answer(request, user, 201)


async def update_user(request: web.Request) -> web.StreamResponse:
    user = USERS_V2.lookup(request)
    change_user(state_of(request), user, body(request))
    return USERS_V2.answer(request, user)


async def list_numbers(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    user = USERS_V2.lookup(request)
    numbers = [n for n in state.numbers if user["id"] in n.get("_user_ids", ())]
    return page_answer(
        request, numbers, "numbers", lambda n: number_public(state, n, with_users=False)
    )


_ID = r"/v2/users/{id:\d+}"
ROUTES = [
    web.get("/v2/users", USERS_V2.list_handler()),
    web.post("/v2/users", create_user),
    web.get(_ID, USERS_V2.get_handler()),
    web.put(_ID, update_user),
    web.get(_ID + "/numbers", list_numbers),
]
