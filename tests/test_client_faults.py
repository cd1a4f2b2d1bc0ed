"""The request path under hostile answers and inputs: compressed bodies past the size cap,
a 429 with a body too large to read, paths that would leave the base through characters
yarl drops, a malformed base URL, and errors that must cross a process boundary. (The
credentials in aiohttp's chained exceptions: ``test_hardening.py``.)"""

from __future__ import annotations

import asyncio
import gzip
import pickle
import socket
from typing import Any

import pytest
from aiohttp import web

from aircall_async import AircallClient
from aircall_async.clock import ManualClock
from aircall_async.errors import (
    AmbiguousMatchError,
    APIError,
    RateLimitError,
    ResponseHeaders,
    ResponseShapeError,
    TransportError,
)
from aircall_async.ratelimit import Throttler

from .conftest import Scripted, json_answer
from .test_throttle import settle

SECRET = "secret-token-xyz"


def gzip_answer(document: bytes) -> web.Response:
    return web.Response(
        body=gzip.compress(document),
        headers={"Content-Type": "application/json", "Content-Encoding": "gzip"},
    )


async def test_a_compressed_body_is_capped_at_its_inflated_size(scripted: Scripted) -> None:
    # 5 MB once inflated, about 5 KB on the wire (its Content-Length): refused unread past
    # the cap, while a small compressed answer reads as ever.
    big = b'{"x": "' + b"a" * 5_000_000 + b'"}'

    async def answer(request: web.Request) -> web.Response:
        return gzip_answer(big if request.path.endswith("/calls") else b'{"ok": true}')

    scripted.handler = answer
    async with scripted.client(max_body_size=64 * 1024) as client:
        with pytest.raises(APIError, match="max_body_size"):
            await client.request("GET", "/calls")
        assert await client.request("GET", "/users") == {"ok": True}


async def test_a_429_with_a_body_too_large_to_read_still_holds_everybody(
    scripted: Scripted,
) -> None:
    clock = ManualClock()
    headers = {
        "X-AircallApi-Limit": "60",
        "X-AircallApi-Remaining": "0",
        "X-AircallApi-Reset": str(int(clock.time()) + 10),
    }

    async def answer(request: web.Request) -> web.Response:
        if len(scripted.requests) == 1:  # a 429 whose (HTML) body is over the cap
            return web.Response(status=429, body=b"x" * 100_000, headers=headers)
        return json_answer(200, {"ok": True})

    scripted.handler = answer
    throttle = Throttler(None, clock=clock)
    async with scripted.client(rate_limit=throttle, max_body_size=64 * 1024) as client:
        with pytest.raises(APIError, match="max_body_size") as caught:
            await client.request("GET", "/calls")
        assert caught.value.status == 429
        assert client.rate_limit_status is not None
        assert client.rate_limit_status.remaining == 0  # read from the refused answer
        later = asyncio.ensure_future(client.request("GET", "/users"))
        await settle()
        sent_before_reset = len(scripted.requests)
        clock.advance(10)
        assert await asyncio.wait_for(later, timeout=10) == {"ok": True}
    # The server said 429 and 0 remaining until its reset: nothing went before it.
    assert sent_before_reset == 1


@pytest.mark.parametrize("path", ["/users/.\t./.\t./evil", "/users/.\n./.\r./evil", "/users/1\t2"])
async def test_a_path_with_control_characters_is_refused_unsent(
    scripted: Scripted, path: str
) -> None:
    # yarl drops tabs and newlines from a URL: ".\t." would have reached the server as "..".
    async def answer(request: web.Request) -> web.Response:
        return json_answer(200, {})

    scripted.handler = answer
    async with scripted.client() as client:
        with pytest.raises(ValueError, match="control characters"):
            await client.request("GET", path)
    assert scripted.requests == []


@pytest.mark.parametrize(
    "url", [f"https:id:{SECRET}@api.aircall.io/v1", f"https:/id:{SECRET}@api.aircall.io/v1"]
)
def test_a_malformed_base_url_is_refused_without_echoing_the_token(url: str) -> None:
    with pytest.raises(ValueError, match="https://") as caught:
        AircallClient(api_id="id", api_token=SECRET, base_url=url)
    assert SECRET not in str(caught.value)


async def test_errors_cross_a_process_boundary() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nobody answers there
    client = AircallClient(
        api_id="a", api_token="b", base_url=f"http://127.0.0.1:{port}/v1", max_retries=0
    )
    async with client:
        with pytest.raises(TransportError) as caught:
            await client.ping()
    copy = pickle.loads(pickle.dumps(caught.value))
    assert (type(copy), copy.method, copy.path, str(copy)) == (
        TransportError,
        "GET",
        "/ping",
        str(caught.value),
    )
    others: list[Any] = [
        AmbiguousMatchError("two contacts", ids=[1, 2]),
        ResponseShapeError(model="Call", field="id", problem="missing"),
        RateLimitError(429, method="GET", path="/calls", headers=ResponseHeaders([("A", "1")])),
    ]
    for error in others:
        again = pickle.loads(pickle.dumps(error))
        assert type(again) is type(error) and str(again) == str(error)
        assert vars(again).keys() == vars(error).keys()
    assert pickle.loads(pickle.dumps(others[0])).ids == [1, 2]
    assert dict(pickle.loads(pickle.dumps(others[2])).headers) == {"A": "1"}
