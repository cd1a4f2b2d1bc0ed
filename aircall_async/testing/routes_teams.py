"""Teams and their members."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from .api import ApiError, Resource, body, check_text, find, path_id, state_of
from .render import API_ROOT, team_public
from .state import epoch_to_iso

__all__ = ["ROUTES", "TEAMS"]

Obj = dict[str, Any]

TEAMS = Resource(
    singular="team",
    plural="teams",
    label="Team",
    table=lambda s: s.teams,
    render=team_public,
)


async def create_team(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    data = body(request)
    check_text(data, "name", required=True, limit=64)
    name = data["name"].strip()
    if any(t["name"].lower() == name.lower() for t in state.teams):
        raise ApiError(400, f"A team named {name!r} already exists: names are unique.")
    tid = state.next_id("team", 678)
    team: Obj = {
        "id": tid,
        "name": name,
        "direct_link": f"{API_ROOT}/teams/{tid}",
        "created_at": epoch_to_iso(state.timestamp()),
        "_user_ids": [],
    }
    state.teams.add(team)
    return TEAMS.answer(request, team, 201)


def _team_and_user(request: web.Request) -> tuple[Obj, Obj]:
    state = state_of(request)
    team = find(state.teams, path_id(request, "team_id"), "Team")
    user = find(state.users, path_id(request, "user_id"), "User")
    return team, user


async def add_user(request: web.Request) -> web.StreamResponse:
    team, user = _team_and_user(request)
    if user["id"] in team["_user_ids"]:
        raise ApiError(422, f"User {user['id']} is already in team {team['id']}.")
    team["_user_ids"] = [*team["_user_ids"], user["id"]]
    return TEAMS.answer(request, team, 201)


async def remove_user(request: web.Request) -> web.StreamResponse:
    team, user = _team_and_user(request)
    if user["id"] not in team["_user_ids"]:
        raise ApiError(404, f"User {user['id']} is not in team {team['id']}.")
    team["_user_ids"] = [i for i in team["_user_ids"] if i != user["id"]]
    return TEAMS.answer(request, team)


_ID = r"/v1/teams/{id:\d+}"
_MEMBER = r"/v1/teams/{team_id:\d+}/users/{user_id:\d+}"
ROUTES = [
    web.get("/v1/teams", TEAMS.list_handler()),
    web.post("/v1/teams", create_team),
    web.get(_ID, TEAMS.get_handler()),
    web.delete(_ID, TEAMS.delete_handler()),
    web.post(_MEMBER, add_user),
    web.delete(_MEMBER, remove_user),
]
