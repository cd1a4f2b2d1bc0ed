"""Ping, company, integrations, A2P campaign associations and the OAuth token exchange."""

from __future__ import annotations

import re
import secrets
import time
from typing import Any

from aiohttp import web

from .api import (
    CONTROL_KEY,
    REQUEST_AUTH,
    ApiError,
    Resource,
    body,
    check_text,
    json_answer,
    no_content,
    query_bool,
    state_of,
)
from .render import integration_public
from .state import Obj, State, epoch_to_iso, public

__all__ = ["A2P", "ROUTES"]

A2P_STATUSES = ("pending", "done", "failed")
_A2P_NUMBER = re.compile(r"[1-9]\d{6,14}")

A2P = Resource(
    singular="a2p_campaign_association",
    plural="a2p_campaign_associations",
    label="A2P campaign association",
    table=lambda s: s.a2p_campaign_associations,
    render=lambda s, a: public(a),
    timed=False,
)


async def ping(request: web.Request) -> web.StreamResponse:
    return json_answer({"ping": "pong"})


async def company(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    return json_answer(
        {
            "company": {
                **public(state.company),
                "users_count": len(state.users),
                "numbers_count": len(state.numbers),
            }
        }
    )


def _require_bearer(request: web.Request) -> None:
    if REQUEST_AUTH.get() != "bearer":
        raise ApiError(403, "Cannot be used with API KEY (Oauth only): send a Bearer access token.")


async def integration_me(request: web.Request) -> web.StreamResponse:
    _require_bearer(request)
    return json_answer({"integration": integration_public(state_of(request))})


def _set_integration(request: web.Request, active: bool) -> None:
    _require_bearer(request)
    state = state_of(request)
    state.integration["status"] = "active" if active else "disabled"
    state.integration["active"] = active
    state.integration["updated_at"] = epoch_to_iso(state.timestamp()).replace(".000Z", ".000+00:00")


async def integration_enable(request: web.Request) -> web.StreamResponse:
    _set_integration(request, True)
    state_of(request).integration["_install"] = query_bool(request, "install")
    return no_content()


async def integration_disable(request: web.Request) -> web.StreamResponse:
    _set_integration(request, False)
    return no_content()


def _a2p_numbers(state: State, data: Obj, own_id: int | None) -> list[Any]:
    numbers = data.get("numbers")
    if not isinstance(numbers, list) or not numbers:
        raise ApiError(400, "numbers is mandatory: a non-empty array of E.164 numbers without +.")
    for number in numbers:
        if isinstance(number, bool) or not _A2P_NUMBER.fullmatch(str(number)):
            raise ApiError(400, f"{number!r} is not an E.164 number without the + prefix.")
    wanted = {str(n) for n in numbers}
    for other in state.a2p_campaign_associations:
        taken = wanted & {str(n) for n in other.get("numbers", ())}
        if other["id"] != own_id and taken:
            raise ApiError(
                400,
                f"Numbers {sorted(taken)} are already associated to {other['external_id']}.",
            )
    return list(numbers)


async def create_a2p(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    data = body(request)
    check_text(data, "external_campaign_id", required=True)
    external_id = data["external_campaign_id"]
    if any(a.get("external_id") == external_id for a in state.a2p_campaign_associations):
        raise ApiError(400, f"Campaign {external_id} is already associated.")
    numbers = _a2p_numbers(state, data, None)
    now = epoch_to_iso(state.timestamp())
    association: Obj = {
        "id": state.next_id("a2p", 458),
        "company_id": 1,
        "external_id": external_id,
        "update_status": "pending",
        "update_message": None,
        "created_at": now,
        "updated_at": now,
        "numbers": numbers,
    }
    state.a2p_campaign_associations.add(association)
    return A2P.answer(request, association, 201)


async def update_a2p(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    association = A2P.lookup(request)
    association["numbers"] = _a2p_numbers(state, body(request), association["id"])
    association["update_status"] = "pending"
    association["update_message"] = None
    association["updated_at"] = epoch_to_iso(state.timestamp())
    return A2P.answer(request, association)


async def oauth_token(request: web.Request) -> web.StreamResponse:
    control = request.app[CONTROL_KEY]
    creds = control.credentials
    data = body(request)
    for name in ("client_id", "client_secret", "code", "redirect_uri", "grant_type"):
        if not isinstance(data.get(name), str) or not data[name]:
            raise ApiError(400, f"{name} is mandatory.")
    if data["grant_type"] != "authorization_code":
        raise ApiError(400, "grant_type must be authorization_code.")
    if not secrets.compare_digest(data["client_secret"].encode(), creds.client_secret.encode()):
        raise ApiError(401, "Invalid client credentials.", "Unauthorized")
    issued = creds.oauth_codes.get(data["code"])
    if issued is None or issued[2] < time.time():
        raise ApiError(400, "The authorization code is invalid, expired or already used.")
    if (data["client_id"], data["redirect_uri"]) != issued[:2]:
        raise ApiError(400, "client_id or redirect_uri does not match the authorization code.")
    del creds.oauth_codes[data["code"]]
    token = creds.issue_access_token()
    return json_answer(
        {"access_token": token, "token_type": "Bearer", "created_at": control.state.timestamp()}
    )


_A2P_ID = r"/v1/a2p_campaign_associations/{id:\d+}"
ROUTES = [
    web.get("/v1/ping", ping),
    web.get("/v1/company", company),
    web.get("/v1/integrations/me", integration_me),
    web.post("/v1/integrations/enable", integration_enable),
    web.post("/v1/integrations/disable", integration_disable),
    web.get("/v1/a2p_campaign_associations", A2P.list_handler()),
    web.post("/v1/a2p_campaign_associations", create_a2p),
    web.get(_A2P_ID, A2P.get_handler()),
    web.put(_A2P_ID, update_a2p),
    web.delete(_A2P_ID, A2P.delete_handler()),
    web.post("/v1/oauth/token", oauth_token),
]
