"""The aiohttp application of the fake Aircall server and the middleware that authenticates,
rate-limits, injects faults, records and counts every request.

Order of the checks for each request (decided here, documented in the README):

1. record it (``control.requests``) and count it (``stats.requests``);
2. authenticate (Basic or Bearer): 403 otherwise. ``POST /v1/oauth/token``, ``GET /`` and the
   export files under ``/downloads/`` (presigned URLs) need
   no credentials and do not touch the budget;
3. count it against the fixed-window budget: 429 when over. Unauthenticated requests never
   consume the budget (their answer still carries the headers);
4. apply an injected fault, if one matches: so a faulted request *has* consumed budget and
   its answer carries the rate-limit headers, like a real server failing after accepting it;
5. reject a body that is not JSON (400), then route: unknown path 404, wrong method 405.

Every answer, success or error, carries ``X-AircallApi-Limit/-Remaining/-Reset`` (unless the
limit is off, or ``rate_limit_headers="429-only"``: then only a 429 does) and a
``{"error", "troubleshoot"}`` JSON body when it is an error.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import logging
import secrets
from typing import Any

from aiohttp import web

from . import (
    routes_ai_voice_agents,
    routes_analytics,
    routes_calls,
    routes_contacts,
    routes_intelligence,
    routes_messages,
    routes_misc,
    routes_numbers,
    routes_tags,
    routes_teams,
    routes_users,
    routes_users_v2,
    routes_webhooks,
)
from .api import CONTROL_KEY, REQUEST_AUTH, REQUEST_JSON, ApiError, error_body
from .control import Control, Fault, RecordedRequest, relative_path
from .routes_analytics import DOWNLOAD_PREFIX
from .seed import seed_state
from .state import State

__all__ = ["build_control", "create_app"]

log = logging.getLogger("aircall_async.testing")

_OPEN_PATHS = frozenset({"/", "/v1/oauth/token"})
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class _Dropped(Exception):
    """Raised after closing a connection on purpose: nothing must be answered."""


def _authenticate(control: Control, header: str | None) -> str | None:
    if not header:
        return None
    scheme, _, value = header.strip().partition(" ")
    scheme = scheme.lower()
    value = value.strip()
    creds = control.credentials
    if scheme == "basic":
        try:
            decoded = base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        api_id, sep, api_token = decoded.partition(":")
        ok_id = secrets.compare_digest(api_id.encode(), creds.api_id.encode())
        ok_token = secrets.compare_digest(api_token.encode(), creds.api_token.encode())
        return "basic" if sep and ok_id and ok_token else None
    if scheme == "bearer" and value in creds.access_tokens:
        return "bearer"
    return None


def _parse_body(request: web.Request, raw: bytes) -> tuple[Any, str | None]:
    if not raw.strip():
        return None, None
    content_type = request.headers.get("Content-Type")
    if content_type is not None:
        mime = content_type.split(";", 1)[0].strip().lower()
        if mime != "application/json" and not mime.endswith("+json"):
            return None, f"Content-Type must be application/json, got {mime!r}."
    try:
        return json.loads(raw), None
    except (ValueError, UnicodeDecodeError):
        return None, "The request body is not valid JSON."


def _error(status: int, troubleshoot: str, error: str | None = None) -> web.Response:
    return web.json_response(error_body(status, troubleshoot, error), status=status)


async def _apply_fault(request: web.Request, control: Control, fault: Fault) -> web.Response | None:
    control.stats.faults += 1
    if fault.delay > 0:
        await asyncio.sleep(fault.delay)
    if fault.drop:
        control.stats.dropped += 1
        transport = request.transport
        if transport is not None:
            transport.abort()
        raise _Dropped
    if fault.status is None:
        return None
    if fault.body is None:
        response = _error(fault.status, f"Injected fault on {request.method} {request.path}.")
    elif isinstance(fault.body, bytes | str):
        response = web.Response(status=fault.status, body=fault.body)
    else:
        response = web.json_response(fault.body, status=fault.status)
    if fault.headers:
        response.headers.update(fault.headers)
    return response


@web.middleware
async def _fake_middleware(request: web.Request, handler: Any) -> web.StreamResponse:
    control = request.app[CONTROL_KEY]
    control.stats.requests += 1
    # Keep-alive requests may share a task (and so a context): start each one clean.
    REQUEST_AUTH.set(None)
    REQUEST_JSON.set(None)
    raw = await request.read() if request.method in _BODY_METHODS and request.can_read_body else b""
    parsed, body_error = _parse_body(request, raw)
    rel = relative_path(request.path)
    if control.record:
        control.requests.append(
            RecordedRequest(
                method=request.method,
                path=rel,
                query=request.rel_url.query.copy(),
                json=parsed,
                headers=request.headers.copy(),
                body=raw,
                full_path=request.path,
            )
        )
    limit_headers: dict[str, str] = {}
    response: web.StreamResponse | None = None
    try:
        # Export files are reached through presigned URLs: no credentials.
        if request.path in _OPEN_PATHS or request.path.startswith(DOWNLOAD_PREFIX):
            limit_headers = control.limiter.peek()
        else:
            auth = _authenticate(control, request.headers.get("Authorization"))
            if auth is None:
                limit_headers = control.limiter.peek()
                raise ApiError(
                    403,
                    "Invalid API key or Bearer access token: send Basic api_id:api_token "
                    "or a Bearer access token in the Authorization header.",
                )
            REQUEST_AUTH.set(auth)
            allowed, limit_headers = control.limiter.hit()
            if not allowed:
                control.stats.rate_limited += 1
                raise ApiError(
                    429,
                    f"Rate limit of {control.limiter.limit} requests per "
                    f"{control.limiter.window:g}s reached, retry after X-AircallApi-Reset.",
                    "Too Many Requests",
                )
        fault = control.faults.take(request.method, rel)
        if fault is not None:
            response = await _apply_fault(request, control, fault)
        if response is None:
            if body_error is not None:
                raise ApiError(400, body_error)
            REQUEST_JSON.set(parsed)
            response = await handler(request)
    except _Dropped:
        # The connection is gone; aiohttp must not try to answer on it.
        raise asyncio.CancelledError from None
    except ApiError as exc:
        response = _error(exc.status, exc.troubleshoot, exc.error)
    except web.HTTPException as exc:
        if exc.status == 405:
            troubleshoot = f"{request.method} is not supported on {rel}."
        elif exc.status == 404:
            troubleshoot = f"No route matches {request.method} {rel}."
        else:
            troubleshoot = exc.text or exc.reason
        response = _error(exc.status, troubleshoot)
    except Exception:
        log.exception("fake Aircall server: unexpected error on %s %s", request.method, rel)
        response = _error(500, "Unexpected error in the fake server.")
    assert response is not None
    if control.rate_limit_headers == "always" or response.status == 429:
        response.headers.update(limit_headers)
    control.stats.by_status[response.status] += 1
    return response


async def _root(request: web.Request) -> web.StreamResponse:
    return web.json_response({"resource": "Aircall Documentation", "contact": "support@aircall.io"})


def build_control(
    *,
    rate_limit: int | None = 60,
    window: float = 60.0,
    rate_limit_headers: str = "always",
    window_kind: str = "fixed",
    api_id: str = "fake-api-id",
    api_token: str = "fake-api-token",
    client_secret: str = "fake-client-secret",
    state: State | None = None,
    **seed_options: int,
) -> Control:
    """A :class:`Control` over a freshly seeded state (``seed_options`` go to
    :func:`~aircall_async.testing.seed.seed_state`: seed, users, numbers, teams, tags, contacts,
    calls), or over the ``state`` given, left as is.

    ``rate_limit_headers`` is ``"always"`` or ``"429-only"``, ``window_kind`` ``"fixed"``,
    ``"sliding"`` or ``"leaky"`` (see :class:`Control`).

    Raises ValueError on negative counts, ``rate_limit < 1``, ``window <= 0``, another
    ``rate_limit_headers`` or ``window_kind``; TypeError on an unknown option.
    """
    if state is None:
        state = seed_state(State(), **seed_options)
    return Control(
        state,
        api_id=api_id,
        api_token=api_token,
        client_secret=client_secret,
        rate_limit=rate_limit,
        window=window,
        rate_limit_headers=rate_limit_headers,
        window_kind=window_kind,
    )


def create_app(control: Control | None = None, **options: Any) -> web.Application:
    """The fake Aircall server as an aiohttp application (host it with any aiohttp runner or
    ``aiohttp_client``). Without ``control``, ``options`` go to :func:`build_control`.
    ``app[CONTROL_KEY]`` gives the control back.

    Raises ValueError on invalid options (see :func:`build_control`).
    """
    if control is None:
        control = build_control(**options)
    elif options:
        raise TypeError("pass either a control or options, not both")
    app = web.Application(middlewares=[_fake_middleware])
    app[CONTROL_KEY] = control
    app.router.add_get("/", _root)
    for module in (
        routes_misc,
        routes_users,
        routes_teams,
        routes_calls,
        routes_numbers,
        routes_contacts,
        routes_tags,
        routes_webhooks,
        routes_users_v2,
        routes_intelligence,
        routes_messages,
        routes_ai_voice_agents,
        routes_analytics,
    ):
        app.router.add_routes(module.ROUTES)
    return app
