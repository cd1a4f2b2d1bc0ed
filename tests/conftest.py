"""Shared fixtures: a scripted HTTP server on loopback for the client's own tests."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import attrs
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from aircall_async import AircallClient, Backoff

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class NoJitter(Backoff):
    """Backoff whose waits are exactly base * 2**attempt (tests pin the randomness)."""

    def jitter(self) -> float:
        return 1.0


@attrs.frozen
class RecordingBackoff(NoJitter):
    """A pinned backoff that records each wait the client asks it for (by attempt number):
    tests check the pacing between retries without measuring time."""

    asked: list[int] = attrs.field(factory=list)

    def delay(self, attempt: int) -> float:
        self.asked.append(attempt)
        return super().delay(attempt)


class Scripted:
    """A loopback server whose answers a test scripts, recording what it receives."""

    def __init__(self) -> None:
        self.handler: Handler | None = None
        self.requests: list[dict[str, Any]] = []
        self.arrivals: list[float] = []  # monotonic
        self.in_flight = 0
        self.max_in_flight = 0
        self.server: TestServer | None = None

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        self.arrivals.append(time.monotonic())
        body = await request.read()
        self.requests.append(
            {
                "method": request.method,
                "path": request.path,
                "query": request.query.copy(),
                "headers": request.headers.copy(),
                "body": body,
            }
        )
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            assert self.handler is not None, "the test did not script an answer"
            return await self.handler(request)
        finally:
            self.in_flight -= 1

    @property
    def base_url(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("/v1"))

    def client(self, **kwargs: Any) -> AircallClient:
        options: dict[str, Any] = {
            "api_id": "id-123",
            "api_token": "secret-token-xyz",
            "base_url": self.base_url,
            "rate_limit": None,
            "backoff": NoJitter(base=0.01, cap=0.05),
            "max_retries": 3,
            "timeout": 5.0,
        }
        options.update(kwargs)
        return AircallClient(**options)


def json_answer(status: int = 200, body: Any = None, **headers: str) -> web.Response:
    """A JSON answer with the given status, body and headers."""
    if body is None:
        return web.Response(status=status, headers=headers)
    return web.json_response(body, status=status, headers=headers)


@pytest.fixture
async def scripted() -> AsyncIterator[Scripted]:
    """A started scripted server; script it with ``scripted.handler = ...``."""
    state = Scripted()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", state._dispatch)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    state.server = server
    try:
        yield state
    finally:
        await server.close()


async def client_tasks_alive() -> list[asyncio.Task[Any]]:
    """The client's tasks still running, after letting cancellations land.

    The server's own connection tasks are not counted: only coroutines of the client.
    """
    for _ in range(5):
        await asyncio.sleep(0)
    current = asyncio.current_task()
    return [
        t
        for t in asyncio.all_tasks()
        if t is not current
        and not t.done()
        and getattr(t.get_coro(), "__qualname__", "").startswith("AircallClient.")
    ]
