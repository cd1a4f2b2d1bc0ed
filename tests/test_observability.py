"""Observability over real HTTP: the on_request hook, the log of budget waits and the
log records' extra fields, tracing through aiohttp's TraceConfig (OpenTelemetry spans from
the hook: test_tracing_otel.py), and what an APIError keeps of the answer (safe headers,
a redacted excerpt of the body)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from aircall_async import AircallClient, RateLimit
from aircall_async.clock import ManualClock
from aircall_async.errors import (
    BODY_EXCERPT_SIZE,
    APIError,
    NotFoundError,
    RateLimitError,
    ServerError,
    TransportError,
)
from aircall_async.observe import LOG_FIELDS, RequestEvent
from aircall_async.ratelimit import Throttler, ThrottleWait
from aircall_async.testing import FakeAircall

from .conftest import NoJitter, Scripted, json_answer

SECRET = "secret-token-xyz"  # the scripted client's api_token


class Recorder:
    """An on_request hook that keeps every event it receives."""

    def __init__(self) -> None:
        self.events: list[RequestEvent] = []

    async def __call__(self, event: RequestEvent) -> None:
        self.events.append(event)


def fake_client(fake: FakeAircall, **kwargs: Any) -> AircallClient:
    kwargs.setdefault("rate_limit", None)
    kwargs.setdefault("backoff", NoJitter(base=0.01, cap=0.05))
    return fake.client(**kwargs)


async def settle(condition: Callable[[], bool]) -> None:
    """Let the client and the server run until ``condition`` holds (a safety net against a
    hang bounds it; nothing here measures time)."""

    async def until() -> None:
        while not condition():  # noqa: ASYNC110 - the condition is the test's state
            await asyncio.sleep(0.002)

    await asyncio.wait_for(until(), timeout=10)


# --- the on_request hook ---------------------------------------------------------------


async def test_one_event_per_attempt_with_the_retry_and_its_reason(scripted: Scripted) -> None:
    async def answer(request: web.Request) -> web.Response:
        if len(scripted.requests) == 1:
            return json_answer(503, {"error": "busy"})
        headers = {"X-AircallApi-Limit": "60", "X-AircallApi-Remaining": "41"}
        return json_answer(200, {"user": {"id": 1}}, **headers)

    scripted.handler = answer
    hook = Recorder()
    async with scripted.client(on_request=hook) as client:
        assert await client.request("GET", "/users/1", params={"tags": [1, 2], "x": True})
    first, second = hook.events
    assert (first.method, first.path, first.attempt, first.status) == ("GET", "/users/1", 1, 503)
    assert first.params == (("tags[]", "1"), ("tags[]", "2"), ("x", "true"))
    assert first.will_retry and first.retry_reason == "503" and not first.ok
    assert first.exception is None and first.rate_limit is None
    assert (second.attempt, second.status, second.retry_reason) == (2, 200, None)
    assert second.ok and not second.will_retry
    assert second.rate_limit is not None and second.rate_limit.remaining == 41
    assert first.elapsed >= 0 and second.elapsed >= 0
    assert second.waited == 0.0 and second.wait_reason is None
    for event in hook.events:
        assert SECRET not in repr(event) and "Basic" not in repr(event)


async def test_the_last_attempt_of_a_failing_request_is_reported_before_the_error() -> None:
    hook = Recorder()
    async with FakeAircall(rate_limit=None) as fake:
        fake.fail("/contacts", method="POST", status=500)
        async with fake_client(fake, on_request=hook) as client:
            with pytest.raises(ServerError):
                await client.request("POST", "/contacts", json={"first_name": "A"})
    # A POST is not retried after a 500: one attempt, reported as the last.
    [event] = hook.events
    assert (event.method, event.status, event.attempt, event.will_retry) == ("POST", 500, 1, False)


async def test_an_attempt_without_answer_names_the_exception_and_the_retry() -> None:
    hook = Recorder()
    async with FakeAircall(rate_limit=None) as fake:
        # Late past the client's timeout, once (a dropped connection aiohttp would retry
        # by itself, unseen): the attempt ends without an answer.
        fake.fail("/users", delay=1.0, times=1)
        async with fake_client(fake, on_request=hook, timeout=0.2) as client:
            await client.request("GET", "/users")
    first, second = hook.events
    assert first.status is None and first.exception is not None
    assert issubclass(first.exception, (aiohttp.ClientError, asyncio.TimeoutError))
    assert first.retry_reason == first.exception.__name__
    assert (second.status, second.attempt, second.exception) == (200, 2, None)


async def test_the_last_attempt_without_answer_is_reported_not_retried() -> None:
    hook = Recorder()
    async with FakeAircall(rate_limit=None) as fake:
        fake.fail("/users", drop=True)
        async with fake_client(fake, on_request=hook, max_retries=1) as client:
            with pytest.raises(TransportError):
                await client.request("GET", "/users")
    assert [e.attempt for e in hook.events] == [1, 2]
    assert [e.will_retry for e in hook.events] == [True, False]
    assert all(e.status is None and e.exception is not None for e in hook.events)


async def test_an_answer_refused_for_its_size_is_reported(scripted: Scripted) -> None:
    scripted.handler = lambda request: asyncio.sleep(0, json_answer(200, {"x": "y" * 500}))
    hook = Recorder()
    async with scripted.client(on_request=hook, max_body_size=100) as client:
        with pytest.raises(APIError, match="too large") as caught:
            await client.request("GET", "/calls")
    [event] = hook.events
    assert (event.status, event.exception, event.will_retry) == (200, APIError, False)
    assert caught.value.headers["Content-Type"].startswith("application/json")


async def test_a_hook_that_raises_breaks_nothing_and_is_reported_once(
    scripted: Scripted, caplog: pytest.LogCaptureFixture
) -> None:
    scripted.handler = lambda request: asyncio.sleep(0, json_answer(200, {"ok": 1}))
    calls = 0

    async def broken(event: RequestEvent) -> None:
        nonlocal calls
        calls += 1
        raise RuntimeError(f"hook failed while holding {SECRET}")

    caplog.set_level(logging.WARNING, logger="aircall_async")
    async with scripted.client(on_request=broken) as client:
        assert await client.request("GET", "/users") == {"ok": 1}
        assert await client.request("GET", "/users") == {"ok": 1}
    assert calls == 2
    warnings = [r for r in caplog.records if "on_request hook" in r.getMessage()]
    assert len(warnings) == 1
    assert warnings[0].levelno == logging.WARNING
    assert "RuntimeError" in warnings[0].getMessage()
    assert SECRET not in caplog.text


async def test_a_hook_that_is_not_callable_is_refused() -> None:
    with pytest.raises(TypeError, match="on_request"):
        AircallClient(api_id="a", api_token="b", on_request="print")  # type: ignore[arg-type]


async def test_a_cancelled_hook_cancels_the_request(scripted: Scripted) -> None:
    scripted.handler = lambda request: asyncio.sleep(0, json_answer(200, {"ok": 1}))
    entered = asyncio.Event()

    async def slow(event: RequestEvent) -> None:
        entered.set()
        await asyncio.Event().wait()

    async with scripted.client(on_request=slow) as client:
        task = asyncio.ensure_future(client.request("GET", "/users"))
        await asyncio.wait_for(entered.wait(), timeout=10)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


# --- waits for budget: the INFO line, the event's ``waited`` ---------------------------


def wait_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno == logging.INFO and "waited" in r.getMessage()]


async def run_two_with_a_wait(client: AircallClient, clock: ManualClock, seconds: float) -> None:
    """One request, then a second that has to wait: the clock is moved by ``seconds``
    once the second is asleep on it."""
    await client.request("GET", "/users/1")
    second = asyncio.ensure_future(client.request("GET", "/users/2"))
    await settle(lambda: clock.pending > 0)
    clock.advance(seconds)
    await asyncio.wait_for(second, timeout=10)


@pytest.mark.parametrize(("per", "logged"), [(5.0, True), (1.0, False)])
async def test_a_wait_for_the_local_budget_past_one_second_is_logged(
    scripted: Scripted, caplog: pytest.LogCaptureFixture, per: float, logged: bool
) -> None:
    scripted.handler = lambda request: asyncio.sleep(0, json_answer(200, {"ok": 1}))
    clock = ManualClock()
    hook = Recorder()
    caplog.set_level(logging.INFO, logger="aircall_async")
    throttle = Throttler(RateLimit(1, per=per), clock=clock)
    async with scripted.client(rate_limit=throttle, on_request=hook) as client:
        await run_two_with_a_wait(client, clock, per)
    # The hook is told of every wait; the log only of those longer than one second.
    assert [(e.waited, e.wait_reason) for e in hook.events] == [(0.0, None), (per, "local budget")]
    lines = wait_lines(caplog)
    if not logged:
        assert lines == []
        return
    [line] = lines
    assert "GET /users/2 waited 5.0s for rate budget (local budget)" in line.getMessage()
    assert line.__dict__["aircall_waited"] == 5.0
    assert line.__dict__["aircall_wait_reason"] == "local budget"
    assert line.__dict__["aircall_path"] == "/users/2"


async def test_a_wait_for_the_servers_zero_remaining_is_logged(
    scripted: Scripted, caplog: pytest.LogCaptureFixture
) -> None:
    clock = ManualClock()
    reset = str(int(clock.time()) + 10)
    headers = {"X-AircallApi-Limit": "60", "X-AircallApi-Remaining": "0"}
    headers["X-AircallApi-Reset"] = reset
    scripted.handler = lambda request: asyncio.sleep(0, json_answer(200, {"ok": 1}, **headers))
    caplog.set_level(logging.INFO, logger="aircall_async")
    async with scripted.client(rate_limit=Throttler(RateLimit(), clock=clock)) as client:
        await run_two_with_a_wait(client, clock, 10)
    [line] = wait_lines(caplog)
    assert "waited 10.0s for rate budget (server's 0 remaining)" in line.getMessage()
    assert line.__dict__["aircall_wait_reason"] == "server's 0 remaining"


async def test_a_429_hold_is_logged_for_the_retry(
    scripted: Scripted, caplog: pytest.LogCaptureFixture
) -> None:
    clock = ManualClock()

    async def answer(request: web.Request) -> web.Response:
        if len(scripted.requests) == 1:
            reset = str(int(clock.time()) + 8)
            return json_answer(429, {"error": "Too many"}, **{"X-AircallApi-Reset": reset})
        return json_answer(200, {"ok": 1})

    scripted.handler = answer
    hook = Recorder()
    caplog.set_level(logging.INFO, logger="aircall_async")
    throttle = Throttler(RateLimit(), clock=clock)
    async with scripted.client(rate_limit=throttle, on_request=hook) as client:
        request = asyncio.ensure_future(client.request("GET", "/users"))
        await settle(lambda: clock.pending > 0)
        clock.advance(8)
        assert await asyncio.wait_for(request, timeout=10) == {"ok": 1}
    [line] = wait_lines(caplog)
    assert "GET /users waited 8.0s for rate budget (429 hold)" in line.getMessage()
    assert line.__dict__["aircall_attempt"] == 2
    first, second = hook.events
    assert (first.status, first.retry_reason) == (429, "429")
    assert (second.waited, second.wait_reason) == (8.0, "429 hold")


async def test_the_throttler_returns_no_ticket_object_when_it_did_not_wait() -> None:
    clock = ManualClock()
    throttle = Throttler(RateLimit(2, per=10), clock=clock)
    assert await throttle.acquire() is None
    await throttle.release(None)
    assert await throttle.acquire() is None
    waiting = asyncio.ensure_future(throttle.acquire())
    await settle(lambda: clock.pending > 0)
    clock.advance(10)
    assert await waiting == ThrottleWait(10.0, "local budget")


async def test_a_task_queued_behind_a_waiter_reports_its_wait() -> None:
    clock = ManualClock()
    throttle = Throttler(RateLimit(1, per=4), clock=clock)
    await throttle.acquire()
    await throttle.release(None)
    head = asyncio.ensure_future(throttle.acquire())
    await settle(lambda: clock.pending > 0)
    behind = asyncio.ensure_future(throttle.acquire())
    await asyncio.sleep(0)
    clock.advance(4)
    assert await head == ThrottleWait(4.0, "local budget")
    await throttle.release(None)
    await settle(lambda: clock.pending > 0)
    clock.advance(4)
    assert await behind == ThrottleWait(8.0, "local budget")


# --- log records' extra fields ---------------------------------------------------------


async def test_debug_records_carry_the_extra_fields(
    scripted: Scripted, caplog: pytest.LogCaptureFixture
) -> None:
    async def answer(request: web.Request) -> web.Response:
        return json_answer(500 if len(scripted.requests) == 1 else 200, {"ok": 1})

    scripted.handler = answer
    caplog.set_level(logging.DEBUG, logger="aircall_async")
    async with scripted.client() as client:
        await client.request("GET", "/users/1", params={"email": "a@b.c"})
    first, second = (r for r in caplog.records if r.name == "aircall_async")
    assert first.__dict__["aircall_method"] == "GET"
    assert first.__dict__["aircall_path"] == "/users/1"  # never the query
    assert (first.__dict__["aircall_status"], first.__dict__["aircall_attempt"]) == (500, 1)
    assert first.__dict__["aircall_retry"] == "500"
    assert (second.__dict__["aircall_status"], second.__dict__["aircall_attempt"]) == (200, 2)
    assert second.__dict__["aircall_retry"] is None
    assert second.__dict__["aircall_elapsed"] >= 0
    documented = set(LOG_FIELDS)
    assert {k for k in first.__dict__ if k.startswith("aircall_")} <= documented
    assert "a@b.c" not in caplog.text


# --- tracing: aiohttp's TraceConfig through session= ---------------------------------


async def test_aiohttp_trace_config_through_session_sees_the_requests() -> None:
    seen: list[tuple[str, str, str, int | None]] = []

    async def on_start(
        session: aiohttp.ClientSession, context: Any, params: aiohttp.TraceRequestStartParams
    ) -> None:
        seen.append(("start", params.method, params.url.path, None))

    async def on_end(
        session: aiohttp.ClientSession, context: Any, params: aiohttp.TraceRequestEndParams
    ) -> None:
        seen.append(("end", params.method, params.url.path, params.response.status))

    tracing = aiohttp.TraceConfig()
    tracing.on_request_start.append(on_start)
    tracing.on_request_end.append(on_end)
    async with (
        FakeAircall(rate_limit=None) as fake,
        aiohttp.ClientSession(trace_configs=[tracing]) as session,
        fake_client(fake, session=session) as client,
    ):
        await client.request("GET", "/ping")
        with pytest.raises(NotFoundError):
            await client.request("GET", "/users/999999999")
    assert seen == [
        ("start", "GET", "/v1/ping", None),
        ("end", "GET", "/v1/ping", 200),
        ("start", "GET", "/v1/users/999999999", None),
        ("end", "GET", "/v1/users/999999999", 404),
    ]


# --- APIError keeps safe headers and a redacted excerpt of the body ---------------------


async def test_an_api_error_keeps_safe_headers_and_a_redacted_body() -> None:
    async with FakeAircall(rate_limit=None) as fake:
        token = fake.api_token
        body = {"error": "Not found", "troubleshoot": "no such user", "echo": token}
        headers = {
            "X-Request-Id": "req-42",
            "Set-Cookie": "session=abc",
            "X-Auth-Token": "xyz",
            "X-Echo": f"you sent {token}",
        }
        fake.fail("/users/1", status=404, body=body, headers=headers)
        async with fake_client(fake) as client:
            with pytest.raises(NotFoundError) as caught:
                await client.request("GET", "/users/1")
    err = caught.value
    assert err.headers["x-request-id"] == "req-42"  # case-insensitive
    assert "Set-Cookie" not in err.headers and "X-Auth-Token" not in err.headers
    assert err.headers["X-Echo"] == "you sent [redacted]"
    assert '"troubleshoot": "no such user"' in err.body
    assert token not in err.body and "[redacted]" in err.body
    assert str(err) == "404 Not found: no such user (GET /users/1)"  # no headers, no body
    with pytest.raises(TypeError):
        err.headers["X-New"] = "x"  # type: ignore[index]


async def test_the_body_excerpt_is_cut_after_masking(scripted: Scripted) -> None:
    # A credential that straddles the cut must be masked, not cut in two.
    text = "x" * (BODY_EXCERPT_SIZE - 5) + SECRET + "y" * 10_000

    async def answer(request: web.Request) -> web.Response:
        return web.Response(status=502, text=text)

    scripted.handler = answer
    async with scripted.client(max_retries=0) as client:
        with pytest.raises(ServerError) as caught:
            await client.request("GET", "/calls")
    err = caught.value
    assert len(err.body) == BODY_EXCERPT_SIZE
    assert err.body == ("x" * (BODY_EXCERPT_SIZE - 5) + "[redacted]")[:BODY_EXCERPT_SIZE]
    assert SECRET[:5] not in err.body
    assert (err.error, err.troubleshoot) == (None, None)
    assert str(err) == "502 (GET /calls)"


async def test_a_rate_limit_error_keeps_the_headers() -> None:
    async with FakeAircall(rate_limit=None) as fake:
        fake.fail("/users", status=429, headers={"X-AircallApi-Remaining": "0"})
        async with fake_client(fake, max_retries=0) as client:
            with pytest.raises(RateLimitError) as caught:
                await client.request("GET", "/users")
    assert caught.value.headers["X-AircallApi-Remaining"] == "0"
    assert "Injected fault" in caught.value.body


def test_an_error_built_by_hand_has_empty_headers_and_body() -> None:
    err = APIError(500)
    assert dict(err.headers) == {} and err.body == ""


def test_the_blocking_client_calls_the_hook_on_its_own_loop() -> None:
    from aircall_async.blocking import AircallClient as BlockingClient

    hook = Recorder()
    with (
        FakeAircall(rate_limit=None) as fake,
        BlockingClient(
            api_id=fake.api_id,
            api_token=fake.api_token,
            base_url=fake.base_url,
            rate_limit=None,
            on_request=hook,
        ) as client,
    ):
        assert client.ping() is True
    assert [(e.method, e.path, e.status) for e in hook.events] == [("GET", "/ping", 200)]
