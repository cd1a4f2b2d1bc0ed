"""One HTTP exchange with the API: the only place that touches aiohttp's request API,
and the pure rules of its form (the route, the query, the JSON of an answer).

Used by the client (inside its retry and throttle loop) and by ``oauth.exchange_code``
(once). It fixes what every request shares: redirects are never followed (one would
re-send the credentials and the body to whatever host the answer names), the body is
read up to a size cap, and a failure without an answer becomes a
:class:`~aircall_async.errors.TransportError` whose cause holds no credentials.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple
from urllib.parse import unquote

import aiohttp

from . import _json
from ._rules import drop_none, unix_seconds
from ._version import __version__
from .errors import APIError, Redact, TransportError, safe_headers

__all__ = [
    "DEFAULT_MAX_BODY_SIZE",
    "USER_AGENT",
    "Answer",
    "decode_json",
    "encode_query",
    "exchange",
    "route_of",
]

#: The largest response body read by default (32 MiB): the API's largest answers
#: (a page of 50 calls) weigh well under 1 MiB.
DEFAULT_MAX_BODY_SIZE = 32 * 1024 * 1024

#: Sent with every request.
USER_AGENT = f"aircall-async/{__version__}"

# Request headers that hold credentials: never kept on an exception.
_SECRET_HEADERS = ("Authorization", "Proxy-Authorization", "Cookie")


class Answer(NamedTuple):
    """What the server answered: the status, the headers and the whole body."""

    status: int
    headers: Mapping[str, str]
    body: bytes


async def exchange(
    session: aiohttp.ClientSession,
    method: str,
    url: str,
    *,
    path: str,
    params: Sequence[tuple[str, str]] = (),
    body: bytes | None = None,
    headers: Mapping[str, str],
    timeout: aiohttp.ClientTimeout,
    max_body_size: int = DEFAULT_MAX_BODY_SIZE,
    redact: Redact = str,
) -> Answer:
    """Send one request and read its answer, without following a redirect.

    ``path`` names the request in errors (never the query, which can hold personal data).

    Raises:
        TransportError: when no answer came (its ``__cause__`` is the aiohttp or timeout
            error, with the credentials removed from its ``request_info``).
        APIError: when the body is larger than ``max_body_size`` (the rest is not read).
    """
    try:
        async with session.request(
            method,
            url,
            params=params,
            data=body,
            headers=headers,
            timeout=timeout,
            allow_redirects=False,
        ) as response:
            declared = response.content_length
            if declared is not None and declared <= max_body_size and _identity(response):
                # The parser never reads past Content-Length: the common case, read at once.
                # (Not a compressed body: aiohttp inflates it, so its length says nothing.)
                raw = await response.read()
            else:
                raw = await _read_capped(response, max_body_size, method, path, redact)
            return Answer(response.status, response.headers, raw)
    except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
        raise TransportError.no_answer(_scrubbed(exc, redact), method, path, redact=redact) from exc


async def _read_capped(
    response: aiohttp.ClientResponse, cap: int, method: str, path: str, redact: Redact
) -> bytes:
    """The whole body, or an APIError as soon as it is known to be larger than ``cap``
    (counted as decoded: a compressed body is measured inflated)."""
    declared = response.content_length
    if declared is not None and declared > cap and _identity(response):
        raise _too_large(response, cap, method, path, redact)
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.content.iter_any():
        size += len(chunk)
        if size > cap:
            raise _too_large(response, cap, method, path, redact)
        chunks.append(chunk)
    return b"".join(chunks)


def _identity(response: aiohttp.ClientResponse) -> bool:
    """True when the body is not compressed: its ``Content-Length`` is then its size."""
    return response.headers.get("Content-Encoding", "identity") == "identity"


def _too_large(
    response: aiohttp.ClientResponse, cap: int, method: str, path: str, redact: Redact
) -> APIError:
    # Closing (not releasing) drops the connection with the unread rest of the body.
    response.close()
    return APIError(
        response.status,
        error="Response too large",
        troubleshoot=f"the answer's body exceeds max_body_size ({cap} bytes); it was not read",
        method=method,
        path=path,
        headers=safe_headers(response.headers, redact),
    )


def _scrubbed(exc: BaseException, redact: Callable[[str], str]) -> BaseException:
    """``exc`` and the exceptions behind it, without credentials (changed in place).

    Error reporters (Sentry and the like) record the attributes of every exception in a
    chain: an aiohttp ``ClientResponseError`` keeps the request's headers, and the
    message of a malformed answer quotes the server's bytes, which may echo them.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, aiohttp.ClientResponseError):
            current.request_info = _without_secrets(current.request_info)
        for name in ("message", "line"):
            value = getattr(current, name, None)
            if isinstance(value, (str, bytes, bytearray)):
                setattr(current, name, _scrub_value(value, redact))
        # The arguments too: aiohttp's own keep the request's info and raw header bytes.
        current.args = tuple(_scrub_value(a, redact) for a in current.args)
        current = current.__cause__ or current.__context__
    return exc


def _without_secrets(info: aiohttp.RequestInfo) -> aiohttp.RequestInfo:
    kept = info.headers.copy()
    for name in _SECRET_HEADERS:
        kept.popall(name, None)
    return aiohttp.RequestInfo(info.url, info.method, type(info.headers)(kept), info.real_url)


def _scrub_value(value: Any, redact: Callable[[str], str]) -> Any:
    """``value`` without credentials: texts and bytes masked, a request's info without its
    secret headers; anything else as it is."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, (bytes, bytearray)):
        return type(value)(redact(bytes(value).decode("latin-1")).encode("latin-1"))
    if isinstance(value, aiohttp.RequestInfo):
        return _without_secrets(value)
    return value


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return str(unix_seconds(value, "a datetime query parameter"))
    return str(value)


def encode_query(params: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """Turn query parameters into the pairs the API expects.

    ``None`` values are dropped, booleans become ``true``/``false``, aware datetimes
    become UNIX seconds and lists or tuples become repeated ``name[]`` pairs.

    Raises:
        ValueError: for a naive datetime.
    """
    pairs: list[tuple[str, str]] = []
    if not params:
        return pairs
    for name, value in drop_none(params).items():
        if isinstance(value, (list, tuple, set, frozenset)):
            pairs.extend((f"{name}[]", _scalar(v)) for v in value)
        else:
            pairs.append((name, _scalar(value)))
    return pairs


def route_of(path: str) -> str:
    """``path`` as a route under the base; raises ValueError for one that would leave it."""
    route = "/" + path.lstrip("/")
    if not route.isprintable():
        # yarl drops tabs and newlines from a URL (as browsers do): ".\t." would pass the
        # checks below and reach the server as "..".
        raise ValueError(f"path must not contain control characters; got {path!r}")
    if not any(c in route for c in ".%\\?#"):
        return route  # the common case: nothing that could leave the base
    # Percent-decoded (and with backslashes as slashes) as a server might read it.
    segments = unquote(route).replace("\\", "/").split("/")
    if any(segment in (".", "..") for segment in segments) or "?" in route or "#" in route:
        raise ValueError(
            f"path must be a plain path under base_url, without '.'/'..' segments, "
            f"a query or a fragment (give the query as params=); got {path!r}"
        )
    return route


def decode_json(raw: bytes, status: int, method: str, route: str) -> Any:
    """The JSON of a success body (``None`` when blank).

    Raises:
        APIError: "Invalid JSON" for a body that is not JSON or nests too deeply to read.
    """
    if not raw or raw.isspace():  # (not strip(): that copies the whole body)
        return None
    try:
        return _json.loads(raw)
    except (ValueError, RecursionError) as exc:
        deep = isinstance(exc, RecursionError)
        raise APIError(
            status,
            error="Invalid JSON",
            troubleshoot="the answer's body nests too deeply to read"
            if deep
            else "the answer's body is not JSON",
            method=method,
            path=route,
        ) from None
