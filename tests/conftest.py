"""Shared fixtures: a scripted HTTP server on loopback for the client's own tests, and the
Redis and PostgreSQL servers (``redis_url``, ``postgres_dsn``) for the tests that need them."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import attrs
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from aircall_async import AircallClient, Backoff

from . import services

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


def _service_or_skip(name: str, address: str, problem: str | None) -> str:
    if problem is None:
        return address
    message = f"{name} unavailable ({problem}); ./scripts/test starts one when installed"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The URL of a Redis that answers PING (AIRCALL_TEST_REDIS_URL, else the default port).

    Skips the test with the reason when none answers, or fails it when CI=true."""
    url = os.environ.get("AIRCALL_TEST_REDIS_URL") or services.DEFAULT_REDIS_URL
    return _service_or_skip("Redis", url, services.redis_problem(url))


@pytest.fixture
async def r(redis_url: str) -> AsyncIterator[Any]:
    """A ``redis.asyncio`` client on an emptied database of this run's own (see
    ``tests.redis_support.fresh_redis_url``), closed after the test."""
    import redis.asyncio as redis  # only the tests that take this fixture need redis-py

    from .redis_support import fresh_redis_url

    client = redis.from_url(fresh_redis_url(redis_url))
    try:
        yield client
    finally:
        await client.aclose()


@pytest.fixture(scope="session")
def postgres_dsn() -> str:
    """The DSN of a PostgreSQL with trust authentication that runs ``SELECT 1``
    (AIRCALL_TEST_POSTGRES_DSN, else postgres@127.0.0.1:5432/test).

    Skips the test with the reason when none answers, or fails it when CI=true."""
    dsn = os.environ.get("AIRCALL_TEST_POSTGRES_DSN") or services.DEFAULT_POSTGRES_DSN
    return _service_or_skip("PostgreSQL", dsn, services.postgres_problem(dsn))
