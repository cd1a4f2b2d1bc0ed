"""The client over real HTTP: auth, headers, errors, retries, logging, secrets."""

from __future__ import annotations

import asyncio
import base64
import logging
import socket
import time
from datetime import datetime, timezone
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from aircall_async import AircallClient, Backoff
from aircall_async.clock import ManualClock
from aircall_async.errors import (
    AircallError,
    APIError,
    BadRequestError,
    ConflictError,
    ForbiddenError,
    MethodNotAllowedError,
    NotFoundError,
    RateLimitError,
    ServerError,
    TransportError,
    UnprocessableEntityError,
)
from aircall_async.ratelimit import Throttler
from aircall_async.retry import retry_on_exception, retry_on_status

from .conftest import NoJitter, RecordingBackoff, Scripted, json_answer

SECRET = "secret-token-xyz"


async def test_basic_auth_and_common_headers(scripted: Scripted) -> None:
    async def answer(request: web.Request) -> web.Response:
        return json_answer(200, {"user": {"id": 456}})

    scripted.handler = answer
    async with scripted.client() as client:
        body = await client.request("GET", "/users/456", params={"fetch": True})
    assert body == {"user": {"id": 456}}
    seen = scripted.requests[0]
    assert seen["path"] == "/v1/users/456"
    assert seen["query"]["fetch"] == "true"
    expected = base64.b64encode(f"id-123:{SECRET}".encode()).decode()
    assert seen["headers"]["Authorization"] == f"Basic {expected}"
    assert seen["headers"]["Accept"] == "application/json"
    assert seen["headers"]["User-Agent"].startswith("aircall-async/")
    assert "Content-Type" not in seen["headers"]


async def test_bearer_auth(scripted: Scripted) -> None:
    async def answer(request: web.Request) -> web.Response:
        return json_answer(200, {"ping": "pong"})

    scripted.handler = answer
    async with scripted.client(api_id=None, api_token=None, access_token="tok-789") as client:
        assert await client.ping() is True
    assert scripted.requests[0]["headers"]["Authorization"] == "Bearer tok-789"


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
async def test_content_type_on_every_write_even_without_body(
    scripted: Scripted, method: str
) -> None:
    async def answer(request: web.Request) -> web.Response:
        return json_answer(204)

    scripted.handler = answer
    async with scripted.client() as client:
        assert await client.request(method, "/calls/1/archive") is None
        assert await client.request(method, "/contacts", json={"first_name": "Gary"}) is None
    for seen in scripted.requests:
        assert seen["headers"]["Content-Type"] == "application/json"
    assert scripted.requests[0]["body"] == b""
    assert scripted.requests[1]["body"] == b'{"first_name": "Gary"}'


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"api_id": "a"},
        {"api_token": "b"},
        {"api_id": "a", "api_token": "b", "access_token": "c"},
        {"access_token": ""},
    ],
)
def test_exactly_one_auth_mode(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="api_id|access_token|credentials"):
        AircallClient(**kwargs)


def test_clear_text_refused_off_loopback() -> None:
    with pytest.raises(ValueError, match="https"):
        AircallClient(api_id="a", api_token="b", base_url="http://api.example.com/v1")
    for url in ("http://127.0.0.1:8080/v1", "http://localhost:1/v1", "http://[::1]:8/v1"):
        assert str(AircallClient(api_id="a", api_token="b", base_url=url).base_url) == url


def test_invalid_settings() -> None:
    with pytest.raises(ValueError, match="max_retries"):
        AircallClient(access_token="t", max_retries=-1)
    with pytest.raises(ValueError, match="timeout"):
        AircallClient(access_token="t", timeout=0)


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequestError),
        (403, ForbiddenError),
        (404, NotFoundError),
        (405, MethodNotAllowedError),
        (409, ConflictError),
        (422, UnprocessableEntityError),
        (429, RateLimitError),
        (500, ServerError),
        (503, ServerError),
        (418, APIError),
    ],
)
async def test_status_to_exception(scripted: Scripted, status: int, cls: type[APIError]) -> None:
    async def answer(request: web.Request) -> web.Response:
        return json_answer(status, {"error": "Some title", "troubleshoot": "What to do"})

    scripted.handler = answer
    async with scripted.client(max_retries=0) as client:
        with pytest.raises(cls) as caught:
            await client.request("POST", "/contacts/710", params={"email": "x@y.z"})
    error = caught.value
    assert type(error) is cls
    assert isinstance(error, AircallError)
    assert (error.status, error.error, error.troubleshoot) == (status, "Some title", "What to do")
    assert (error.method, error.path) == ("POST", "/contacts/710")
    text = str(error)
    for part in (str(status), "Some title", "What to do", "POST", "/contacts/710"):
        assert part in text
    assert "x@y.z" not in text  # the query string (personal data) stays out


@pytest.mark.parametrize("body", [b"", b"<html>Bad Gateway</html>", b"[1, 2]", b"{"])
@pytest.mark.parametrize(("status", "cls"), [(404, NotFoundError), (502, ServerError)])
async def test_unreadable_error_body_still_gives_the_class(
    scripted: Scripted, body: bytes, status: int, cls: type[APIError]
) -> None:
    async def answer(request: web.Request) -> web.Response:
        return web.Response(status=status, body=body, content_type="text/html")

    scripted.handler = answer
    async with scripted.client(max_retries=0) as client:
        with pytest.raises(cls) as caught:
            await client.request("GET", "/numbers/1")
    assert caught.value.status == status
    assert caught.value.error is None


async def test_success_body_not_json_is_a_clear_error(scripted: Scripted) -> None:
    async def answer(request: web.Request) -> web.Response:
        return web.Response(status=200, text="<html>")

    scripted.handler = answer
    async with scripted.client() as client:
        with pytest.raises(APIError, match="not JSON"):
            await client.request("GET", "/company")


async def test_429_then_success_waits_for_the_reset(scripted: Scripted) -> None:
    clock = ManualClock()
    reset = int(clock.time()) + 10

    async def answer(request: web.Request) -> web.Response:
        if len(scripted.requests) == 1:
            return json_answer(
                429,
                {"error": "Too Many Requests", "troubleshoot": "slow down"},
                **{
                    "X-AircallApi-Limit": "60",
                    "X-AircallApi-Remaining": "0",
                    "X-AircallApi-Reset": str(reset),
                },
            )
        return json_answer(201, {"contact": {"id": 1}})

    scripted.handler = answer
    async with scripted.client(rate_limit=Throttler(None, clock=clock)) as client:
        call = asyncio.ensure_future(
            client.request("POST", "/contacts", json={"phone_numbers": []})
        )
        for _ in range(40):  # let the retry reach the throttle, which holds it
            await asyncio.sleep(0.005)
        assert len(scripted.requests) == 1  # not before the server's reset
        clock.advance(10)
        body = await asyncio.wait_for(call, timeout=10)
        assert body == {"contact": {"id": 1}}
        status = client.rate_limit_status
    assert len(scripted.requests) == 2  # a POST too: the 429 was not processed
    assert status is not None
    assert status.limit == 60


async def test_429_after_retries_carries_the_reset(scripted: Scripted) -> None:
    reset = int(time.time())  # already passed: no wait

    async def answer(request: web.Request) -> web.Response:
        return json_answer(
            429,
            {"error": "Too Many Requests"},
            **{"X-AircallApi-Remaining": "0", "X-AircallApi-Reset": str(reset)},
        )

    scripted.handler = answer
    async with scripted.client(max_retries=2) as client:
        with pytest.raises(RateLimitError) as caught:
            await client.request("GET", "/calls")
    assert len(scripted.requests) == 3
    assert caught.value.reset_at == datetime.fromtimestamp(reset, tz=timezone.utc)
    assert caught.value.reset_at.isoformat() in str(caught.value)


async def test_get_is_retried_on_503(scripted: Scripted) -> None:
    async def answer(request: web.Request) -> web.Response:
        if len(scripted.requests) < 3:
            return json_answer(503, {"error": "Unavailable"})
        return json_answer(200, {"calls": []})

    scripted.handler = answer
    backoff = RecordingBackoff(base=0.001, cap=0.001)
    async with scripted.client(backoff=backoff) as client:
        assert await client.request("GET", "/calls") == {"calls": []}
    assert len(scripted.requests) == 3
    assert backoff.asked == [0, 1]  # a backoff wait before each retry


@pytest.mark.parametrize("method", ["PUT", "DELETE"])
async def test_put_and_delete_are_retried_on_5xx(scripted: Scripted, method: str) -> None:
    async def answer(request: web.Request) -> web.Response:
        return json_answer(500 if len(scripted.requests) == 1 else 204)

    scripted.handler = answer
    async with scripted.client() as client:
        assert await client.request(method, "/tags/1") is None
    assert len(scripted.requests) == 2


async def test_post_is_not_retried_on_503(scripted: Scripted) -> None:
    async def answer(request: web.Request) -> web.Response:
        return json_answer(503, {"error": "Unavailable"})

    scripted.handler = answer
    async with scripted.client() as client:
        with pytest.raises(ServerError):
            await client.request("POST", "/contacts", json={"first_name": "A"})
    assert len(scripted.requests) == 1


async def test_retries_are_bounded_then_server_error(scripted: Scripted) -> None:
    async def answer(request: web.Request) -> web.Response:
        return json_answer(502)

    scripted.handler = answer
    async with scripted.client(max_retries=2) as client:
        with pytest.raises(ServerError):
            await client.request("GET", "/calls")
    assert len(scripted.requests) == 3


async def _drop(request: web.Request) -> web.Response:
    assert request.transport is not None
    request.transport.close()
    await asyncio.sleep(0.05)
    return web.Response()


async def test_dropped_connection_is_retried_for_get_only(scripted: Scripted) -> None:
    scripted.handler = _drop
    async with scripted.client(max_retries=2) as client:
        with pytest.raises(TransportError, match="3 attempt") as caught:
            await client.request("GET", "/users")
        # aiohttp itself resends an idempotent request once on a reused connection
        gets = len(scripted.requests)
        assert gets >= 3
        assert caught.value.path == "/users"
        with pytest.raises(TransportError, match="1 attempt"):
            await client.request("POST", "/contacts", json={})
    assert len(scripted.requests) == gets + 1  # the POST went once


async def test_timeout_is_retried_then_transport_error(scripted: Scripted) -> None:
    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(1.0)
        return json_answer(200, {})

    scripted.handler = slow
    async with scripted.client(timeout=0.1, max_retries=1) as client:
        with pytest.raises(TransportError, match="Timeout"):
            await client.request("GET", "/users")
    assert len(scripted.requests) == 2


class RecordedBackoff(NoJitter):
    """NoJitter that records every wait the client asks for (no clock read)."""

    waits: list[float]

    def __init__(self, base: float) -> None:
        super().__init__(base=base)
        object.__setattr__(self, "waits", [])

    def delay(self, attempt: int) -> float:
        self.waits.append(super().delay(attempt))
        return self.waits[-1]


async def test_connection_refused_is_retried_even_for_post() -> None:
    backoff = RecordedBackoff(base=0.001)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    backoff = RecordingBackoff(base=0.001, cap=0.001)
    client = AircallClient(
        api_id="a",
        api_token=SECRET,
        base_url=f"http://127.0.0.1:{port}/v1",
        backoff=backoff,
        max_retries=2,
    )
    async with client:
        with pytest.raises(TransportError, match="3 attempt") as caught:
            await client.request("POST", "/contacts", json={})
    assert isinstance(caught.value.__cause__, aiohttp.ClientConnectorError)
    assert backoff.asked == [0, 1]  # it waited between attempts
    assert SECRET not in str(caught.value)


def test_retry_decisions_are_plain_functions() -> None:
    assert retry_on_status("POST", 429)
    assert retry_on_status("GET", 500)
    assert not retry_on_status("POST", 500)
    assert not retry_on_status("GET", 404)
    assert retry_on_exception("POST", aiohttp.ConnectionTimeoutError())
    assert not retry_on_exception("POST", aiohttp.ServerDisconnectedError())
    assert retry_on_exception("DELETE", asyncio.TimeoutError())
    assert not retry_on_exception("GET", ValueError())


def test_backoff_is_exponential_capped_and_jitter_is_pinnable() -> None:
    assert [NoJitter(base=1.0, cap=5.0).delay(n) for n in range(5)] == [1, 2, 4, 5, 5]
    jittered = [Backoff(base=1.0, cap=100.0).delay(3) for _ in range(50)]
    assert all(4.0 <= d < 8.0 for d in jittered)
    assert len(set(jittered)) > 1
    with pytest.raises(ValueError, match="base"):
        Backoff(base=-1)


async def test_given_session_is_not_closed(scripted: Scripted) -> None:
    async def answer(request: web.Request) -> web.Response:
        return json_answer(200, {"ping": "pong"})

    scripted.handler = answer
    async with aiohttp.ClientSession() as session:
        async with scripted.client(session=session) as client:
            await client.ping()
        assert not session.closed
    owned = scripted.client()
    await owned.ping()
    await owned.close()
    await owned.close()  # twice is fine


async def test_one_debug_line_per_request_without_secrets(
    scripted: Scripted, caplog: pytest.LogCaptureFixture
) -> None:
    async def answer(request: web.Request) -> web.Response:
        if len(scripted.requests) == 1:
            return json_answer(500)
        return json_answer(200, {"ok": 1}, **{"X-AircallApi-Remaining": "41"})

    scripted.handler = answer
    caplog.set_level(logging.DEBUG, logger="aircall_async")
    async with scripted.client() as client:
        await client.request("GET", "/users/1", params={"email": "a@b.c"})
    lines = [r.getMessage() for r in caplog.records if r.name == "aircall_async"]
    assert len(lines) == 2
    assert "GET /users/1 -> 500" in lines[0] and "attempt 1" in lines[0]
    assert "GET /users/1 -> 200" in lines[1] and "attempt 2" in lines[1]
    assert "remaining 41" in lines[1]
    for line in lines:
        assert SECRET not in line and "Basic" not in line and "a@b.c" not in line


def test_secrets_stay_out_of_repr() -> None:
    basic = AircallClient(api_id="id-1", api_token=SECRET)
    bearer = AircallClient(access_token=SECRET)
    for client in (basic, bearer):
        assert SECRET not in repr(client)
        assert SECRET not in str(client)


def test_credentials_in_the_base_url_are_refused_without_echoing_them() -> None:
    for url in (f"https://id:{SECRET}@api.aircall.io/v1", f"http://id:{SECRET}@10.0.0.1/v1"):
        with pytest.raises(ValueError, match="credentials") as caught:
            AircallClient(access_token="t", base_url=url)
        assert SECRET not in str(caught.value)


async def test_query_parameters_are_encoded_as_the_api_expects(scripted: Scripted) -> None:
    scripted.handler = ok_empty
    when = datetime(2020, 3, 23, 21, 16, 39, tzinfo=timezone.utc)
    async with scripted.client() as client:
        await client.request(
            "GET",
            "/calls",
            params={"from": when, "to": 1584998210, "tags": [1, 2], "fetch": False, "x": None},
        )
        with pytest.raises(ValueError, match="timezone"):
            await client.request("GET", "/calls", params={"from": datetime(2020, 1, 1)})
    assert list(scripted.requests[0]["query"].items()) == [
        ("from", "1584998199"),
        ("to", "1584998210"),
        ("tags[]", "1"),
        ("tags[]", "2"),
        ("fetch", "false"),
    ]
    assert len(scripted.requests) == 1


async def ok_empty(request: web.Request) -> web.Response:
    return json_answer(200, {})


async def test_redirects_are_never_followed(scripted: Scripted) -> None:
    async def answer(request: web.Request) -> web.Response:
        if request.path.endswith("/elsewhere"):
            return json_answer(200, {"stolen": True})
        raise web.HTTPTemporaryRedirect(location="/v1/elsewhere")

    scripted.handler = answer
    async with scripted.client() as client:
        with pytest.raises(APIError) as caught:
            await client.request("POST", "/contacts", json={"first_name": "Gary"})
    assert caught.value.status == 307
    assert [r["path"] for r in scripted.requests] == ["/v1/contacts"]
