"""The OAuth flow of Aircall apps: the consent URL, and the exchange of the code it yields
for an access token.

1. Send the Admin to :func:`authorize_url` (from your ``install_uri``);
2. Aircall calls your ``redirect_uri`` with ``?code=...`` (and your ``state``);
3. ``token = await exchange_code(client_id=..., client_secret=..., code=..., redirect_uri=...)``;
4. ``AircallClient(access_token=token.access_token)``: the token does not expire.

The client secret and the code never appear in a repr, a log line or an exception message.
"""

from __future__ import annotations

import asyncio
import json as jsonlib
from typing import Any

import aiohttp
from yarl import URL

from ._rules import is_secure_url, secure_base_url
from ._version import __version__
from .client import DEFAULT_BASE_URL
from .errors import APIError, TransportError, error_for_response
from .models import AccessToken, structure

__all__ = ["AUTHORIZE_URL", "authorize_url", "exchange_code"]

#: The Dashboard page where an Admin consents to install an app.
AUTHORIZE_URL = URL("https://dashboard.aircall.io/oauth/authorize")

_TOKEN_PATH = "/oauth/token"
_REDACTED = "[redacted]"


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
    url = str(root).rstrip("/") + _TOKEN_PATH
    headers = {
        "Accept": "application/json",
        "Content-Type": "application/json",
        "User-Agent": f"aircall-async/{__version__}",
    }
    own = session is None
    http = aiohttp.ClientSession() if session is None else session
    try:
        # Never follow a redirect: it would re-send the secret and the code to whatever
        # host the answer names.
        async with http.post(
            url,
            data=jsonlib.dumps(body).encode(),
            headers=headers,
            timeout=aiohttp.ClientTimeout(total=timeout),
            allow_redirects=False,
        ) as response:
            raw = await response.read()
            status = response.status
    except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
        # The exception's text could only hold the URL, never the body; the type suffices.
        raise TransportError(
            f"no answer: {type(exc).__name__}", method="POST", path=_TOKEN_PATH
        ) from exc
    finally:
        if own:
            await http.close()
    if status >= 400:
        raise _redacted(error_for_response(status, raw, method="POST", path=_TOKEN_PATH), body)
    if status >= 300:
        raise APIError(
            status,
            error="Unexpected redirect",
            troubleshoot=f"the token endpoint answered {status}; the redirect was not followed",
            method="POST",
            path=_TOKEN_PATH,
        )
    return _read_token(raw, status)


def _redacted(exc: APIError, body: dict[str, str]) -> APIError:
    """``exc`` with the client secret and the code masked in what its message shows.

    An error answer may echo the request. The masking runs on the decoded ``error`` and
    ``troubleshoot`` (a JSON-escaped secret is decoded there), never on a successful
    answer, whose token must come back intact.
    """
    secrets = [body["client_secret"], body["code"]]
    # The longer first: one secret may contain the other.
    secrets.sort(key=len, reverse=True)

    def mask(text: str | None) -> str | None:
        if text is None:
            return None
        for secret in secrets:
            text = text.replace(secret, _REDACTED)
        return text

    exc.error = mask(exc.error)
    exc.troubleshoot = mask(exc.troubleshoot)
    # The message was written from the unmasked fields when the exception was built.
    exc.args = (exc._describe(),)
    return exc


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
