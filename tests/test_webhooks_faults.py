"""The receiver when things go wrong around the handlers: a request cancelled under them,
a handler's own CancelledError, a body that does not decode, a client gone mid-body."""

from __future__ import annotations

import asyncio
import gzip
import json
import logging
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from aircall_async.testing.deliveries import build_delivery, mount_receiver
from aircall_async.webhooks import STATS_KEY, WebhookEvent, WebhookRouter, webhook_app
from aircall_async.webhooks._handlers import InlineDeadlines, run_handlers
from aircall_async.webhooks.events import parse_event

TOKEN = "45XXYYZZa08"
URL = "/aircall/webhooks/"
EVENT = parse_event(build_delivery("call.ended", token=TOKEN))
needs_cancelling = pytest.mark.skipif(
    sys.version_info < (3, 11), reason="Task.cancelling() is Python 3.11+"
)


@pytest.fixture
async def served() -> AsyncIterator[Callable[..., Awaitable[TestServer]]]:
    servers: list[TestServer] = []

    async def _serve(app: web.Application, **kwargs: Any) -> TestServer:
        server = TestServer(app, **kwargs)
        await server.start_server()
        servers.append(server)
        return server

    yield _serve
    for server in servers:
        await server.close()


class Blocked:
    """Handlers that wait until released, counting the runs and their cancellations."""

    def __init__(self, handlers: int) -> None:
        self.handlers = handlers
        self.running = 0
        self.most_running = 0
        self.cancelled = 0
        self.all_started = asyncio.Event()
        self.all_cancelled = asyncio.Event()
        self.release = asyncio.Event()

    def handler(self, name: str) -> Callable[[WebhookEvent[Any]], Awaitable[None]]:
        async def handler(event: WebhookEvent[Any]) -> None:
            self.running += 1
            self.most_running = max(self.most_running, self.running)
            if self.running == self.handlers:
                self.all_started.set()
            try:
                await self.release.wait()
            except asyncio.CancelledError:
                self.cancelled += 1
                if self.cancelled == self.handlers:
                    self.all_cancelled.set()
                raise
            finally:
                self.running -= 1

        handler.__qualname__ = name
        return handler


async def test_several_handlers_stop_with_their_cancelled_request(served: Any) -> None:
    """The client leaves under handler_cancellation: the handler tasks are cancelled with
    the request (no deadline would stop them: it is far off), and a redelivery runs alone."""
    blocked = Blocked(handlers=2)
    router = WebhookRouter()
    router.on("call.ended")(blocked.handler("first"))
    router.on("*")(blocked.handler("second"))
    sub = webhook_app(router, tokens=[TOKEN], handler_timeout=60.0)
    server = await served(mount_receiver(sub, URL), handler_cancellation=True)
    payload = build_delivery("call.ended", token=TOKEN, timestamp=1_700_000_000)
    async with aiohttp.ClientSession() as session:
        request = asyncio.ensure_future(session.post(server.make_url(URL), json=payload))
        await asyncio.wait_for(blocked.all_started.wait(), 10)
        request.cancel()  # the connection drops mid-delivery
        with pytest.raises(asyncio.CancelledError):
            await request
        await asyncio.wait_for(blocked.all_cancelled.wait(), 10)
        assert (blocked.running, blocked.cancelled) == (0, 2)
        blocked.release.set()
        async with session.post(server.make_url(URL), json=payload) as resp:
            assert resp.status == 200
    assert blocked.most_running == 2


async def awaits_a_cancelled_future(event: WebhookEvent[Any]) -> None:
    shared = asyncio.get_running_loop().create_future()
    shared.cancel()  # e.g. a shared fetch its owner cancelled
    await shared


@needs_cancelling
async def test_a_lone_handler_raising_cancelled_error_is_a_failure(
    served: Any, caplog: pytest.LogCaptureFixture
) -> None:
    router = WebhookRouter()
    router.on("call.ended")(awaits_a_cancelled_future)
    sub = webhook_app(router, tokens=[TOKEN])
    server = await served(mount_receiver(sub, URL))
    with caplog.at_level(logging.ERROR, logger="aircall_async.webhooks"):
        async with aiohttp.ClientSession() as session:
            payload = build_delivery("call.ended", token=TOKEN)
            async with session.post(server.make_url(URL), json=payload) as resp:
                assert resp.status == 500
                assert await resp.json() == {"error": "handler failed"}
    assert sub[STATS_KEY].handler_failures == 1
    assert "awaits_a_cancelled_future failed for call.ended" in caplog.text


@needs_cancelling
async def test_the_deadline_cancellation_ends_whatever_the_handler_raised() -> None:
    """A handler that turns the deadline's cancellation into another error leaves no
    cancellation request on the task: the task's next handler is judged on its own."""
    task = asyncio.current_task()
    assert task is not None

    async def converts(event: WebhookEvent[Any]) -> None:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            raise RuntimeError("gave up") from None

    deadlines = InlineDeadlines(0.05)
    first = await run_handlers(EVENT, (converts,), 0.05, deadlines=deadlines)
    assert isinstance(first.error, RuntimeError)
    assert task.cancelling() == 0
    second = await run_handlers(EVENT, (awaits_a_cancelled_future,), 0.05, deadlines=deadlines)
    assert second.failed == (awaits_a_cancelled_future,)
    assert isinstance(second.error, asyncio.CancelledError)


@pytest.mark.parametrize(
    ("encoding", "body"),
    [
        ("gzip", b"this is not gzip data at all"),
        ("deflate", b"\x78\x9cgarbage-garbage"),
        ("gzip", b"\x1f\x8b\x09" + b"\x00" * 40),  # a gzip header, an unknown method
    ],
    ids=["not-gzip", "bad-deflate", "gzip-bad-method"],
)
async def test_a_body_that_does_not_decode_is_refused_400(
    encoding: str, body: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    ran: list[WebhookEvent[Any]] = []
    router = WebhookRouter()

    @router.on("*")
    async def handler(event: WebhookEvent[Any]) -> None:
        ran.append(event)

    sub = webhook_app(router, tokens=[TOKEN])
    client = TestClient(TestServer(mount_receiver(sub, URL)))
    await client.start_server()
    try:
        with caplog.at_level(logging.ERROR):
            headers = {"Content-Type": "application/json", "Content-Encoding": encoding}
            async with client.post(URL, data=body, headers=headers) as resp:
                assert resp.status == 400
                assert await resp.json() == {
                    "error": "body could not be decoded (Content-Encoding)"
                }
            # The receiver still serves (a fresh connection: that one was closed).
            good = json.dumps(build_delivery("call.ended", token=TOKEN)).encode()
            headers["Content-Encoding"] = "gzip"
            async with client.post(URL, data=gzip.compress(good), headers=headers) as resp:
                assert resp.status == 200
    finally:
        await client.close()
    assert len(ran) == 1
    assert sub[STATS_KEY].rejected["bad_body"] == 1
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_client_gone_mid_body_ends_quietly(
    served: Any, caplog: pytest.LogCaptureFixture
) -> None:
    arrived = asyncio.Event()
    answered = asyncio.Event()
    outcome: list[object] = []

    @web.middleware
    async def watch(request: web.Request, handler: Any) -> web.StreamResponse:
        arrived.set()
        try:
            response: web.StreamResponse = await handler(request)
        except BaseException as exc:
            outcome.append(exc)
            raise
        finally:
            answered.set()
        outcome.append(response)
        return response

    router = WebhookRouter()
    router.on("*")(awaits_a_cancelled_future)
    sub = webhook_app(router, tokens=[TOKEN])
    app = web.Application(middlewares=[watch])
    app.add_subapp(URL, sub)
    server = await served(app)
    head = (
        f"POST {URL} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        "Content-Length: 1000\r\n\r\n"
    ).encode()
    with caplog.at_level(logging.ERROR):
        _, writer = await asyncio.open_connection(server.host, server.port)
        writer.write(head + b'{"token": "' + TOKEN.encode())
        await writer.drain()
        await asyncio.wait_for(arrived.wait(), 10)
        writer.close()  # gone before the rest of the body
        await writer.wait_closed()
        await asyncio.wait_for(answered.wait(), 10)
    # Up to Python 3.11 the read fails and the receiver answers (to nobody, counted); on
    # 3.12+ aiohttp cancels the request first. Either way no exception escapes as an error.
    (ended,) = outcome
    if isinstance(ended, asyncio.CancelledError):
        assert sub[STATS_KEY].rejected["disconnected"] == 0
    else:
        assert type(ended) is web.Response
        assert sub[STATS_KEY].rejected["disconnected"] == 1
    assert sub[STATS_KEY].handler_failures == 0
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
