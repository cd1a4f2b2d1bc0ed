"""How stored objects look on the wire: the summaries nested in other objects, and the full
objects whose relations (a team's users, a number's users, a user's numbers) are computed at
answer time so that they never go stale."""

from __future__ import annotations

from typing import Any

from .state import State, public

__all__ = [
    "API_ROOT",
    "API_ROOT_V2",
    "default_number_id",
    "integration_public",
    "number_public",
    "number_summary",
    "team_public",
    "team_summary",
    "team_user",
    "user_brief",
    "user_public",
    "user_summary",
    "user_v2",
]

Obj = dict[str, Any]

API_ROOT = "https://api.aircall.io/v1"
"""The real service's root: direct links point there, as the reference's examples show."""

API_ROOT_V2 = "https://api.aircall.io/v2"
"""The root of Users v2, where their direct links point (as captured)."""

_BRIEF_USER = (
    "id",
    "direct_link",
    "name",
    "email",
    "available",
    "availability_status",
    "created_at",
)
_SUMMARY_USER = (*_BRIEF_USER, "time_zone", "language")
# As captured (docs/SOURCES.md): a team's users carry their availability status and
# default number, which the reference's 1.23.0 example does not show.
_TEAM_USER = (
    "id",
    "direct_link",
    "name",
    "email",
    "availability_status",
    "default_number_id",
    "created_at",
    "time_zone",
    "language",
    "wrap_up_time",
)


def _pick(obj: Obj, keys: tuple[str, ...]) -> Obj:
    return {k: obj.get(k) for k in keys}


def user_brief(user: Obj) -> Obj:
    """The user as nested in a comment's ``posted_by`` or a tag's ``tagged_by``."""
    return _pick(user, _BRIEF_USER)


def user_summary(user: Obj) -> Obj:
    """The user as nested in a call, an integration or a number."""
    return _pick(user, _SUMMARY_USER)


def team_user(state: State, user: Obj) -> Obj:
    """The user as listed in a team, with its ``default_number_id``."""
    return _pick({**user, "default_number_id": default_number_id(state, user)}, _TEAM_USER)


def default_number_id(state: State, user: Obj) -> int | None:
    """The id of the first number the user belongs to (None when there is none)."""
    return next((n["id"] for n in state.numbers if user["id"] in n.get("_user_ids", ())), None)


def team_summary(team: Obj) -> Obj:
    """The team as nested in a call."""
    return {k: team.get(k) for k in ("id", "name", "direct_link", "created_at")}


def number_summary(number: Obj) -> Obj:
    """The number as nested in a call or a user (without its users)."""
    out = public(number)
    out.pop("users", None)
    return out


def _users_of(state: State, obj: Obj) -> list[Obj]:
    users = (state.users.get(uid) for uid in obj.get("_user_ids", ()))
    return [u for u in users if u is not None]


def user_public(state: State, user: Obj, *, with_numbers: bool) -> Obj:
    """The full user; ``with_numbers`` adds ``numbers`` and ``default_number_id`` (retrieve)."""
    out = public(user)
    if with_numbers:
        numbers = [number_summary(n) for n in state.numbers if user["id"] in n.get("_user_ids", ())]
        out["default_number_id"] = numbers[0]["id"] if numbers else None
        out["numbers"] = numbers
    return out


def _substatus(user: Obj) -> str:
    # Available or custom: always_opened (as captured); unavailable: the reason chosen,
    # else always_closed.
    if user.get("availability_status") == "unavailable":
        return str(user.get("_substatus") or "always_closed")
    return "always_opened"


def user_v2(state: State, user: Obj) -> Obj:
    """The user as Users v2 and the ``user.*.v2`` events show it: no ``numbers``, but
    ``default_number_id`` and ``substatus``."""
    out = user_public(state, user, with_numbers=True)
    out.pop("numbers", None)
    out["substatus"] = _substatus(user)
    out["direct_link"] = f"{API_ROOT_V2}/users/{user['id']}"
    return out


def team_public(state: State, team: Obj) -> Obj:
    """The full team with its users."""
    out = public(team)
    out["users"] = [team_user(state, u) for u in _users_of(state, team)]
    return out


def number_public(state: State, number: Obj, *, with_users: bool) -> Obj:
    """The full number; ``with_users`` adds its users (retrieve and update, not list)."""
    out = public(number)
    if with_users:
        out["users"] = [
            {k: v for k, v in user_summary(u).items() if k != "language"}
            for u in _users_of(state, number)
        ]
    return out


def integration_public(state: State) -> Obj:
    """The integration reached through ``/v1/integrations/me``."""
    out = public(state.integration)
    number_ids = state.numbers.ids()
    out["number_ids"] = number_ids
    out["numbers_count"] = len(number_ids)
    installer = state.users.get(state.integration.get("_user_id", -1))
    out["user"] = user_summary(installer) if installer is not None else None
    return out
