"""The OAuth flow of Aircall apps: the consent URL, and the exchange of the code it yields
for an access token.

1. Send the Admin to :func:`authorize_url` (from your ``install_uri``);
2. Aircall calls your ``redirect_uri`` with ``?code=...`` (and your ``state``);
3. ``token = await exchange_code(client_id=..., client_secret=..., code=..., redirect_uri=...)``;
4. ``AircallClient(access_token=token.access_token)``: the token does not expire.

The client secret and the code never appear in a repr, a log line or an exception message.
"""

from __future__ import annotations

import json as jsonlib
from typing import Any

import aiohttp
from yarl import URL

from ._rules import is_secure_url, redactor, secure_base_url
from ._transport import USER_AGENT, exchange
from .client import DEFAULT_BASE_URL
from .errors import APIError, error_for_response
from .models import AccessToken, structure

__all__ = ["AUTHORIZE_URL", "authorize_url", "exchange_code"]

#: The Dashboard page where an Admin consents to install an app.
AUTHORIZE_URL = URL("https://dashboard.aircall.io/oauth/authorize")

_TOKEN_PATH = "/oauth/token"


def _require(value: object, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name} must be a non-blank string")
    return value


def _check_redirect_uri(redirect_uri: str) -> str:
    _require(redirect_uri, "redirect_uri")
    try:
        url = URL(redirect_uri)
    except ValueError:
        url = None
    if url is None or not is_secure_url(url):
        raise ValueError("redirect_uri must be an https:// URL (http:// only on a loopback host)")
    return redirect_uri


def authorize_url(client_id: str, redirect_uri: str, *, state: str | None = None) -> URL:
    """The Dashboard consent URL to send an Admin to (step 3 of the OAuth flow).

    It carries ``client_id``, ``redirect_uri``, ``response_type=code``,
    ``scope=public_api`` and ``state`` when given (use one per attempt against CSRF, and
    check it in the callback). Raises ValueError for a blank ``client_id`` or a
    ``redirect_uri`` that is not https (http is accepted on loopback, for development).
    """
    query = {
        "client_id": _require(client_id, "client_id"),
        "redirect_uri": _check_redirect_uri(redirect_uri),
        "response_type": "code",
        "scope": "public_api",
    }
    if state is not None:
        query["state"] = _require(state, "state")
    return AUTHORIZE_URL.with_query(query)


async def exchange_code(
    *,
    client_id: str,
    client_secret: str,
    code: str,
    redirect_uri: str,
    base_url: str | URL | None = None,
    session: aiohttp.ClientSession | None = None,
    timeout: float = 30.0,
) -> AccessToken:
    """Exchange an authorization code for an access token (``POST /v1/oauth/token``).

    The request is sent once, never retried: a code is single-use and valid 10 minutes.
    ``base_url`` defaults to ``https://api.aircall.io/v1``; ``session`` is used (and left
    open) when given, otherwise a session is opened and closed for this call.

    Raises:
        ValueError: for a blank argument, or a clear-text ``base_url`` off loopback.
        APIError: (the subclass the status picks, e.g. BadRequestError, ForbiddenError)
            when Aircall refuses the exchange; a plain APIError naming the status for a
            redirect (3xx, never followed: it would re-send the secret elsewhere) or an
            answer without an access token.
            An APIError too for an answer body over 32 MiB (not read).
        TransportError: when no answer came (connection failure or timeout).
    """
    body = {
        "client_id": _require(client_id, "client_id"),
        "client_secret": _require(client_secret, "client_secret"),
        "code": _require(code, "code"),
        "redirect_uri": _require(redirect_uri, "redirect_uri"),
        "grant_type": "authorization_code",
    }
    if timeout <= 0:
        raise ValueError(f"timeout must be positive, got {timeout!r}")
    root = secure_base_url(DEFAULT_BASE_URL if base_url is None else base_url)
    # An error answer may echo the request: the secret and the code are masked in it
    # (never in a successful answer, whose token must come back intact).
    redact = redactor([client_secret, code])
    headers = {
        "Accept": "application/json",
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
    }
    http = aiohttp.ClientSession() if session is None else session
    try:
        answer = await exchange(
            http,
            "POST",
            str(root).rstrip("/") + _TOKEN_PATH,
            path=_TOKEN_PATH,
            body=jsonlib.dumps(body).encode(),
            headers=headers,
            timeout=aiohttp.ClientTimeout(total=timeout),
            redact=redact,
        )
    finally:
        if session is None:
            await http.close()
    status = answer.status
    if status >= 400:
        raise error_for_response(
            status,
            answer.body,
            method="POST",
            path=_TOKEN_PATH,
            redact=redact,
            headers=answer.headers,
        )
    if status >= 300:
        raise APIError(
            status,
            error="Unexpected redirect",
            troubleshoot=f"the token endpoint answered {status}; the redirect was not followed",
            method="POST",
            path=_TOKEN_PATH,
        )
    return _read_token(answer.body, status)


def _read_token(raw: bytes, status: int) -> AccessToken:
    try:
        data: Any = jsonlib.loads(raw)
    except (ValueError, UnicodeDecodeError):
        data = None
    token = structure(data, AccessToken) if isinstance(data, dict) else None
    if token is None or not token.access_token:
        raise APIError(
            status,
            error="Invalid answer",
            troubleshoot="the token answer holds no access_token",
            method="POST",
            path=_TOKEN_PATH,
        )
    return token
