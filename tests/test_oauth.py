"""OAuth helpers: the consent URL, and the code exchange against the fake server."""

from __future__ import annotations

import functools
import logging
import socket
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from aircall_async import AircallClient
from aircall_async.errors import APIError, BadRequestError, TransportError
from aircall_async.models import AccessToken, Integration
from aircall_async.oauth import authorize_url, exchange_code
from aircall_async.testing import FakeAircall

REDIRECT = "https://example.com/callback"


def test_authorize_url_carries_the_flow_parameters() -> None:
    url = authorize_url("my-client", REDIRECT, state="xyz 1")
    assert (url.scheme, url.host, url.path) == ("https", "dashboard.aircall.io", "/oauth/authorize")
    assert dict(url.query) == {
        "client_id": "my-client",
        "redirect_uri": REDIRECT,
        "response_type": "code",
        "scope": "public_api",
        "state": "xyz 1",
    }
    assert "state" not in authorize_url("my-client", REDIRECT).query


@pytest.mark.parametrize(
    ("client_id", "redirect_uri", "field"),
    [
        ("", REDIRECT, "client_id"),
        ("c", "http://example.com/callback", "redirect_uri"),
        ("c", "/callback", "redirect_uri"),
    ],
)
def test_authorize_url_validation(client_id: str, redirect_uri: str, field: str) -> None:
    with pytest.raises(ValueError, match=field):
        authorize_url(client_id, redirect_uri)


def test_authorize_url_allows_http_on_loopback() -> None:
    url = authorize_url("c", "http://127.0.0.1:8000/cb")
    assert url.query["redirect_uri"] == "http://127.0.0.1:8000/cb"


async def test_exchange_code_returns_a_working_token() -> None:
    async with FakeAircall(rate_limit=None, calls=0, contacts=0) as fake:
        code = fake.issue_oauth_code(redirect_uri=REDIRECT)
        token = await exchange_code(
            client_id=fake.client_id,
            client_secret=fake.client_secret,
            code=code,
            redirect_uri=REDIRECT,
            base_url=fake.base_url,
        )
        request = fake.requests[-1]
        assert isinstance(token, AccessToken) and token.access_token
        assert token.token_type == "Bearer" and token.created_at is not None
        async with AircallClient(
            access_token=token.access_token, base_url=fake.base_url, rate_limit=None
        ) as client:
            integration = await client.integrations.me()
    assert (request.method, request.path) == ("POST", "/oauth/token")
    assert request.headers["Content-Type"] == "application/json"
    assert request.json == {
        "client_id": fake.client_id,
        "client_secret": fake.client_secret,
        "code": code,
        "redirect_uri": REDIRECT,
        "grant_type": "authorization_code",
    }
    assert token.access_token not in repr(token)
    assert isinstance(integration, Integration)


async def test_a_code_works_once_and_a_shared_session_stays_open() -> None:
    async with FakeAircall(rate_limit=None, calls=0, contacts=0) as fake:
        code = fake.issue_oauth_code(redirect_uri=REDIRECT)
        async with aiohttp.ClientSession() as session:
            exchange = functools.partial(
                exchange_code,
                client_id=fake.client_id,
                client_secret=fake.client_secret,
                code=code,
                redirect_uri=REDIRECT,
                base_url=fake.base_url,
                session=session,
            )
            await exchange()
            with pytest.raises(BadRequestError) as caught:
                await exchange()
            assert not session.closed
    assert caught.value.status == 400 and caught.value.path == "/oauth/token"


async def test_the_secret_stays_out_of_errors_and_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    secret = "very-secret-value"
    async with FakeAircall(rate_limit=None, calls=0, contacts=0) as fake:
        code = fake.issue_oauth_code(redirect_uri=REDIRECT)
        exchange = functools.partial(
            exchange_code,
            client_id=fake.client_id,
            client_secret=secret,
            code=code,
            redirect_uri=REDIRECT,
            base_url=fake.base_url,
        )
        with pytest.raises(APIError) as wrong:
            await exchange()
        # A server echoing the request in its error must not leak it either.
        fake.fail(
            "/oauth/token",
            status=400,
            body={"error": "Bad Request", "troubleshoot": f"bad client_secret {secret} / {code}"},
            times=1,
        )
        with pytest.raises(BadRequestError) as echoed:
            await exchange()
    assert wrong.value.status == 401
    for exc in (wrong.value, echoed.value):
        assert secret not in str(exc) and secret not in repr(exc)
        assert code not in str(exc)
    assert "[redacted]" in str(echoed.value)
    # Nothing of the exception keeps the secret or the code (message, args, attributes).
    for exc in (wrong.value, echoed.value):
        kept = [str(exc), repr(exc), *map(str, exc.args), *map(repr, vars(exc).values())]
        assert not [text for text in kept if secret in text or code in text]
    assert echoed.value.troubleshoot == "bad client_secret [redacted] / [redacted]"
    # The log check cannot fail on its own (the library logs nothing here); it guards
    # against a future debug log of the request body.
    assert secret not in caplog.text


async def test_an_answer_without_token_is_an_api_error() -> None:
    async with FakeAircall(rate_limit=None, calls=0, contacts=0) as fake:
        fake.fail("/oauth/token", status=200, body="<html>maintenance</html>", times=1)
        with pytest.raises(APIError, match="access_token"):
            await exchange_code(
                client_id="c",
                client_secret="s",
                code="x",
                redirect_uri=REDIRECT,
                base_url=fake.base_url,
            )


async def test_no_answer_is_a_transport_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(TransportError) as caught:
        await exchange_code(
            client_id="c",
            client_secret="s3cr3t-value",
            code="the-code",
            redirect_uri=REDIRECT,
            base_url=f"http://127.0.0.1:{port}/v1",
            timeout=2.0,
        )
    assert caught.value.path == "/oauth/token"
    assert "s3cr3t-value" not in str(caught.value) and "the-code" not in str(caught.value)


@pytest.mark.parametrize("field", ["client_id", "client_secret", "code", "redirect_uri"])
async def test_exchange_validation(field: str) -> None:
    options: dict[str, Any] = {
        "client_id": "c",
        "client_secret": "s",
        "code": "x",
        "redirect_uri": REDIRECT,
    }
    options[field] = " "
    with pytest.raises(ValueError, match=field):
        await exchange_code(**options, base_url="http://127.0.0.1:9/v1")


async def test_clear_text_base_url_is_refused() -> None:
    with pytest.raises(ValueError, match="https"):
        await exchange_code(
            client_id="c",
            client_secret="s",
            code="x",
            redirect_uri=REDIRECT,
            base_url="http://api.example.com/v1",
        )


async def test_a_redirect_is_not_followed_and_is_an_api_error() -> None:
    hits: list[str] = []

    async def elsewhere(request: web.Request) -> web.Response:
        hits.append(await request.text())
        return web.json_response({"access_token": "stolen", "token_type": "Bearer"})

    other = web.Application()
    other.router.add_post("/{tail:.*}", elsewhere)
    async with TestServer(other, host="127.0.0.1") as target:

        async def redirect(request: web.Request) -> web.Response:
            raise web.HTTPTemporaryRedirect(str(target.make_url("/steal")))

        token_app = web.Application()
        token_app.router.add_post("/v1/oauth/token", redirect)
        async with TestServer(token_app, host="127.0.0.1") as origin:
            with pytest.raises(APIError) as caught:
                await exchange_code(
                    client_id="c",
                    client_secret="the-client-secret",
                    code="the-code",
                    redirect_uri=REDIRECT,
                    base_url=str(origin.make_url("/v1")),
                )
    assert hits == []
    assert caught.value.status == 307 and "307" in str(caught.value)
    assert "redirect" in str(caught.value)
    assert "the-client-secret" not in str(caught.value)


async def test_a_token_containing_the_secret_or_the_code_comes_back_intact() -> None:
    async with FakeAircall(rate_limit=None, calls=0, contacts=0) as fake:
        code = fake.issue_oauth_code(redirect_uri=REDIRECT)
        answer = {"access_token": f"tok-{fake.client_secret}-{code}", "token_type": "Bearer"}
        fake.fail("/oauth/token", status=200, body=answer, times=1)
        token = await exchange_code(
            client_id=fake.client_id,
            client_secret=fake.client_secret,
            code=code,
            redirect_uri=REDIRECT,
            base_url=fake.base_url,
        )
    assert token.access_token == answer["access_token"]


async def test_a_json_escaped_secret_echoed_in_an_error_is_redacted() -> None:
    # json.dumps escapes the "é" (\u00e9): the raw bytes hold no UTF-8 copy of the secret.
    secret = "s3cr\u00e9t-value"
    async with FakeAircall(rate_limit=None, calls=0, contacts=0) as fake:
        code = fake.issue_oauth_code(redirect_uri=REDIRECT)
        echo = {"error": f"Bad {secret}", "troubleshoot": f"bad client_secret {secret} / {code}"}
        fake.fail("/oauth/token", status=400, body=echo, times=1)
        with pytest.raises(BadRequestError) as caught:
            await exchange_code(
                client_id=fake.client_id,
                client_secret=secret,
                code=code,
                redirect_uri=REDIRECT,
                base_url=fake.base_url,
            )
    exc = caught.value
    assert secret not in str(exc) and code not in str(exc) and secret not in repr(exc)
    assert exc.error == "Bad [redacted]"
    assert exc.troubleshoot == "bad client_secret [redacted] / [redacted]"
