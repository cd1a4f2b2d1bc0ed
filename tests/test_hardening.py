"""The client under a hostile or broken server, over real HTTP on loopback.

Each test here failed on the client before the hardening: nonsensical rate-limit headers,
deeply nested JSON, a close() during requests, two event loops, credentials echoed by a
server, a base URL or a path that leaves the API, and a body too large to read.
"""

from __future__ import annotations

import asyncio
import base64
import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from aiohttp import web

from aircall_async import AircallClient, RateLimit
from aircall_async.errors import (
    AircallError,
    APIError,
    ForbiddenError,
    NotFoundError,
    TransportError,
    error_for_response,
)

from .conftest import Scripted, json_answer

SECRET = "secret-token-xyz"  # the scripted client's api_token
BASIC = base64.b64encode(f"id-123:{SECRET}".encode()).decode()
DEEP = b"[" * 200_000 + b"]" * 200_000


async def ok(request: web.Request) -> web.Response:
    return json_answer(200, {"ok": True})


# 14.2: rate-limit headers that make no sense


@pytest.mark.parametrize(
    "headers",
    [
        {"X-AircallApi-Limit": "-1"},
        {"X-AircallApi-Limit": "0", "X-AircallApi-Remaining": "-5"},
        {"X-AircallApi-Limit": "1.5", "X-AircallApi-Remaining": "0.5"},
        {"X-AircallApi-Limit": "99999999999999", "X-AircallApi-Reset": "-3"},
        {"X-AircallApi-Remaining": "0", "X-AircallApi-Reset": "soon"},
        {"X-AircallApi-Limit": f"echo {SECRET}"},  # reported, but never the secret
    ],
)
async def test_nonsensical_rate_limit_headers_are_ignored_with_one_warning(
    scripted: Scripted, headers: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    async def answer(request: web.Request) -> web.Response:
        return json_answer(200, {}, **headers)

    scripted.handler = answer
    caplog.set_level(logging.WARNING, logger="aircall_async")
    async with scripted.client(rate_limit=RateLimit()) as client:

        async def five() -> None:
            for _ in range(5):
                await client.request("GET", "/users")

        # A safety net only: with the header adopted, a request waited forever.
        await asyncio.wait_for(five(), timeout=10)
    assert len(scripted.requests) == 5
    warnings = [r.getMessage() for r in caplog.records if "makes no sense" in r.getMessage()]
    assert len(warnings) == 1
    assert SECRET not in warnings[0]


# 14.4: JSON nested too deeply to read


async def test_a_success_nested_too_deeply_is_a_clear_error(scripted: Scripted) -> None:
    async def answer(request: web.Request) -> web.Response:
        return web.Response(body=DEEP, content_type="application/json")

    scripted.handler = answer
    async with scripted.client() as client:
        with pytest.raises(APIError, match="nests too deeply") as caught:
            await client.request("GET", "/calls/1")
    assert caught.value.status == 200
    assert "[[[" not in str(caught.value)


async def test_a_404_whose_error_is_nested_too_deeply_is_a_not_found(scripted: Scripted) -> None:
    body = b'{"error": ' + DEEP + b', "troubleshoot": "x"}'

    async def answer(request: web.Request) -> web.Response:
        return web.Response(status=404, body=body, content_type="application/json")

    scripted.handler = answer
    async with scripted.client() as client:
        with pytest.raises(NotFoundError) as caught:
            await client.request("GET", "/calls/1")
    assert len(str(caught.value)) < 200  # the body is not echoed
    assert caught.value.error is None


def test_error_for_response_never_raises_even_on_deep_json() -> None:
    shallow_object_deep_value = b'{"error": "e", "troubleshoot": ' + b"[" * 50_000
    shallow_object_deep_value += b"]" * 50_000 + b"}"
    for body in (DEEP, shallow_object_deep_value, b"\xff\xfe", b""):
        error = error_for_response(404, body, method="GET", path="/x")
        assert isinstance(error, NotFoundError)


# 14.5: close() during requests, a closed client, two event loops


def stall(scripted: Scripted) -> asyncio.Event:
    """Script answers that wait until the returned event is set."""
    release = asyncio.Event()

    async def stalled(request: web.Request) -> web.Response:
        await release.wait()
        return json_answer(200, {})

    scripted.handler = stalled
    return release


async def test_close_during_requests_ends_them_with_an_aircall_error(scripted: Scripted) -> None:
    release = stall(scripted)
    client = scripted.client(max_retries=3)
    try:
        calls = [asyncio.ensure_future(client.request("GET", f"/users/{n}")) for n in range(3)]
        await asyncio.wait_for(until(lambda: len(scripted.requests) == 3), timeout=10)
        await client.close()
        results = await asyncio.wait_for(asyncio.gather(*calls, return_exceptions=True), timeout=10)
    finally:
        release.set()
    for result in results:
        assert isinstance(result, AircallError), repr(result)
        assert "closed" in str(result)
    assert len(scripted.requests) == 3  # nothing was retried on a closed client


async def test_a_closed_client_refuses_requests_and_opens_nothing(scripted: Scripted) -> None:
    scripted.handler = ok
    client = scripted.client()
    await client.ping()
    await client.close()
    with pytest.raises(AircallError, match="client is closed"):
        await client.request("GET", "/users")
    with pytest.raises(AircallError, match="client is closed"):
        await client.ping()
    assert len(scripted.requests) == 1


async def test_a_caller_cancelling_gets_its_cancellation(scripted: Scripted) -> None:
    release = stall(scripted)
    try:
        async with scripted.client() as client:
            call = asyncio.ensure_future(client.request("GET", "/users"))
            await asyncio.wait_for(until(lambda: len(scripted.requests) == 1), timeout=10)
            call.cancel()
            with pytest.raises(asyncio.CancelledError):
                await call
    finally:
        release.set()


def test_one_client_from_two_event_loops_is_a_clear_error(unused_tcp_port: int) -> None:
    client = AircallClient(
        api_id="id",
        api_token=SECRET,
        base_url=f"http://127.0.0.1:{unused_tcp_port}/v1",
        max_retries=0,
        rate_limit=None,
    )
    with pytest.raises(TransportError):  # nothing listens: the first loop got this far
        asyncio.run(client.ping())
    with pytest.raises(AircallError, match="event loop") as caught:
        asyncio.run(client.ping())
    assert not isinstance(caught.value, TransportError)
    asyncio.run(_close_quietly(client))


async def _close_quietly(client: AircallClient) -> None:
    # The session belongs to the first (closed) loop: only the flag can be set here.
    client._session = None
    await client.close()


# 14.6: credentials echoed by the server


@pytest.mark.parametrize("auth", ["basic", "bearer"])
async def test_credentials_echoed_by_the_server_are_redacted(scripted: Scripted, auth: str) -> None:
    async def echo(request: web.Request) -> web.Response:
        header = request.headers["Authorization"]
        token = header.partition(" ")[2]
        return json_answer(
            403,
            {"error": f"Forbidden for {token}", "troubleshoot": f"you sent '{header}' ({SECRET})"},
        )

    scripted.handler = echo
    options: dict[str, Any] = {} if auth == "basic" else {"api_id": None, "api_token": None}
    if auth == "bearer":
        options["access_token"] = SECRET
    async with scripted.client(**options) as client:
        with pytest.raises(ForbiddenError) as caught:
            await client.ping()
    shown = [str(caught.value), repr(caught.value), caught.value.error, caught.value.troubleshoot]
    for text in shown:
        assert text is not None
        assert SECRET not in text and BASIC not in text
        assert "[redacted]" in text or text == caught.value.error


def echoing_server(answer: bytes) -> Any:
    """A fixture: a loopback server answering every request with ``answer`` (what a broken
    proxy echoing the request's headers would send)."""

    @pytest.fixture
    async def server() -> AsyncIterator[str]:
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await reader.readuntil(b"\r\n\r\n")
            writer.write(answer)
            await writer.drain()
            writer.close()

        listening = await asyncio.start_server(handle, "127.0.0.1", 0)
        port = listening.sockets[0].getsockname()[1]
        try:
            yield f"http://127.0.0.1:{port}/v1"
        finally:
            listening.close()
            await listening.wait_closed()

    return server


# A malformed status line, and an over-long header line (aiohttp quotes it cut short).
garbling_server = echoing_server(f"HTTP/1.1 99x Basic {BASIC} {SECRET}\r\n\r\n".encode())
long_header_server = echoing_server(
    b"HTTP/1.1 200 OK\r\nX-Echo: "
    + f"Basic {BASIC} ".encode() * 2000
    + b"\r\nContent-Length: 2\r\n\r\n{}"
)


def chain(exc: BaseException | None) -> Iterator[BaseException]:
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


async def test_no_credentials_in_a_wrapped_aiohttp_error(garbling_server: str) -> None:
    client = AircallClient(
        api_id="id-123", api_token=SECRET, base_url=garbling_server, max_retries=0
    )
    async with client:
        with pytest.raises(TransportError) as caught:
            await client.ping()
    assert len(list(chain(caught.value))) > 1  # aiohttp's errors are chained behind ours
    for exc in chain(caught.value):
        assert SECRET not in str(exc) and BASIC not in str(exc), repr(exc)
        info = getattr(exc, "request_info", None)
        if info is not None:
            assert "Authorization" not in info.headers
            assert all(SECRET not in v and BASIC not in v for v in info.headers.values())
    assert_no_credentials(caught.value)


def assert_no_credentials(error: BaseException) -> None:
    """Not any 16 characters of the credentials anywhere in the chain: its texts, its
    ``args`` (aiohttp's keep the request's info, and raw bytes) and its attributes."""
    pieces = [BASIC[i : i + 16] for i in range(len(BASIC) - 16)] + [SECRET]
    for exc in chain(error):
        texts = [repr(arg) for arg in exc.args] + [str(exc), repr(vars(exc))]
        texts += [bytes(a).decode("latin-1") for a in exc.args if isinstance(a, bytes)]
        for text in texts:
            assert not [p for p in pieces if p in text], f"{type(exc).__name__} holds them"


async def test_no_credentials_where_aiohttp_quotes_an_echoed_header_cut_short(
    long_header_server: str,
) -> None:
    client = AircallClient(
        api_id="id-123", api_token=SECRET, base_url=long_header_server, max_retries=0
    )
    async with client:
        with pytest.raises(TransportError) as caught:
            await client.ping()
    assert len(list(chain(caught.value))) > 1
    assert_no_credentials(caught.value)


# 14.7: a base URL or a path that leaves the API


@pytest.mark.parametrize("suffix", ["?tenant=1", "#frag", "?", "#"])
def test_a_base_url_with_a_query_or_fragment_is_refused(suffix: str) -> None:
    with pytest.raises(ValueError, match="query string or fragment"):
        AircallClient(access_token="t", base_url=f"https://api.aircall.io/v1{suffix}")


@pytest.mark.parametrize(
    "path",
    [
        "/users/../../evil",
        "/users/..",
        "/users/%2e%2e/%2E%2E/evil",
        "/users/.%2e/x",
        "/./users",
        "/users\\..\\..\\evil",
        "/users?admin=1",
    ],
)
async def test_a_path_that_would_leave_the_base_is_refused(scripted: Scripted, path: str) -> None:
    scripted.handler = ok
    async with scripted.client() as client:
        with pytest.raises(ValueError, match="path"):
            await client.request("GET", path)
        assert await client.request("GET", "/users/1.2..3") == {"ok": True}
    assert [r["path"] for r in scripted.requests] == ["/v1/users/1.2..3"]


# The body size cap


async def test_a_body_over_the_cap_is_refused_unread(scripted: Scripted) -> None:
    big = b'{"x": "' + b"a" * 300_000 + b'"}'

    async def declared(request: web.Request) -> web.Response:
        return web.Response(body=big, content_type="application/json")

    scripted.handler = declared
    async with scripted.client(max_body_size=64 * 1024) as client:
        with pytest.raises(APIError, match="max_body_size") as caught:
            await client.request("GET", "/calls")
        assert caught.value.status == 200
        assert "aaaa" not in str(caught.value)
        # A body under the cap still reads, on the same client.
        scripted.handler = ok
        assert await client.request("GET", "/calls") == {"ok": True}


async def test_a_streamed_body_over_the_cap_is_cut_off(scripted: Scripted) -> None:
    written: list[int] = []

    async def streamed(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        response.enable_chunked_encoding()  # no Content-Length: counted while reading
        await response.prepare(request)
        try:
            for _ in range(10_000):
                await response.write(b" " * 16_384)
                written.append(1)
        except (ConnectionError, RuntimeError):
            return response
        return response

    scripted.handler = streamed
    async with scripted.client(max_body_size=64 * 1024, max_retries=0) as client:
        with pytest.raises(APIError, match="max_body_size"):
            await client.request("GET", "/calls")
    assert len(written) < 10_000  # the server was cut off, not read to the end


def test_max_body_size_must_be_positive() -> None:
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="max_body_size"):
            AircallClient(access_token="t", max_body_size=bad)  # type: ignore[arg-type]


async def until(condition: object) -> None:
    assert callable(condition)
    while not condition():  # noqa: ASYNC110 - the condition is the server's state
        await asyncio.sleep(0.005)
