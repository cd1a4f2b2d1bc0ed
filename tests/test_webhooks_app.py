"""The receiver sub-app over real HTTP (ack="after_handlers", the default)."""

from __future__ import annotations

import asyncio
import copy
import gzip
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any, cast

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from aircall_async.models import structure
from aircall_async.testing.deliveries import (
    SAMPLE_DATA,
    build_delivery,
    mount_receiver,
    sample_data,
)
from aircall_async.webhooks import (
    KNOWN_EVENTS,
    STATS_KEY,
    CallEvent,
    ContactEvent,
    IntegrationEvent,
    NumberEvent,
    UserEvent,
    WebhookEvent,
    WebhookRouter,
    webhook_app,
    webhook_stats,
)

from .test_webhooks_units import EXPECTED_TYPES

TOKEN = "45XXYYZZa08"
URL = "/aircall/webhooks/"
Client = TestClient[web.Request, web.Application]


@pytest.fixture
def mount(aiohttp_client: Any) -> Callable[[web.Application], Awaitable[Client]]:
    async def _mount(sub: web.Application) -> Client:
        return cast(Client, await aiohttp_client(mount_receiver(sub, URL)))

    return _mount


class Recorder:
    """Registers handlers on a router and records what each received."""

    def __init__(self) -> None:
        self.router = WebhookRouter()
        self.calls: list[tuple[str, WebhookEvent[Any]]] = []

    def add(self, label: str, *names: str) -> None:
        async def handler(event: WebhookEvent[Any]) -> None:
            self.calls.append((label, event))

        handler.__qualname__ = label
        self.router.on(*names)(handler)

    def labels(self) -> list[str]:
        return sorted(label for label, _ in self.calls)


TYPES = {
    "user": UserEvent,
    "call": CallEvent,
    "number": NumberEvent,
    "contact": ContactEvent,
    "integration": IntegrationEvent,
    **{family: cls for family, (cls, _) in EXPECTED_TYPES.items()},
}


@pytest.mark.parametrize("name", sorted(KNOWN_EVENTS))
async def test_every_event_reaches_its_handlers_typed(name: str, mount: Any) -> None:
    rec = Recorder()
    rec.add("exact", name)
    rec.add("family", name.split(".")[0] + ".*")
    rec.add("every", "*")
    other = "user.created" if not name.startswith("user.") else "call.created"
    rec.add("other", other)
    client = await mount(webhook_app(rec.router, tokens={TOKEN}))
    payload = build_delivery(name, token=TOKEN, timestamp=1585001020)
    response = await client.post(URL, json=payload)
    assert response.status == 200
    assert await response.json() == {"status": "ok"}
    assert rec.labels() == ["every", "exact", "family"]
    for _, event in rec.calls:
        assert type(event) is TYPES[payload["resource"]]
        assert event.event == name
        assert event.token == TOKEN
        assert event.raw["data"] == payload["data"]


async def test_unknown_event_goes_only_to_star_untyped(mount: Any) -> None:
    """A "call.*" handler can rely on a CallEvent: unknown names reach "*" only."""
    rec = Recorder()
    rec.add("every", "*")
    rec.add("family", "call.*")
    rec.add("ended", "call.ended")
    client = await mount(webhook_app(rec.router, tokens={TOKEN}))
    payload = {
        "event": "call.teleported",
        "resource": "call",
        "timestamp": 1,
        "token": TOKEN,
        "data": {"id": 9, "where": "mars"},
    }
    response = await client.post(URL, json=payload)
    assert response.status == 200
    assert rec.labels() == ["every"]
    assert all(type(event) is WebhookEvent for _, event in rec.calls)
    assert rec.calls[0][1].data == {"id": 9, "where": "mars"}
    response = await client.post(URL, json={**payload, "event": "robot.built"})
    assert response.status == 200
    assert rec.labels() == ["every", "every"]


async def test_data_that_does_not_fit_still_reaches_handlers(mount: Any) -> None:
    rec = Recorder()
    rec.add("ended", "call.ended")
    client = await mount(webhook_app(rec.router, tokens={TOKEN}))
    data = {"id": 812, "duration": "long", "user": [1, 2], "tags": "x", "started_at": {}}
    response = await client.post(URL, json=build_delivery("call.ended", data, token=TOKEN))
    assert response.status == 200
    ((_, event),) = rec.calls
    assert isinstance(event, CallEvent)
    assert event.data.id == 812
    assert event.data.duration is None


def _raw(body: bytes) -> dict[str, Any]:
    return {"data": body, "headers": {"Content-Type": "application/json"}}


def _without(key: str) -> dict[str, Any]:
    payload = build_delivery("user.created", token=TOKEN)
    del payload[key]
    return {"json": payload}


def _with(**changes: Any) -> dict[str, Any]:
    return {"json": {**build_delivery("user.created", token=TOKEN), **changes}}


NOT_JSON, NOT_OBJECT = "body is not valid JSON", "body is not a JSON object"
BAD_TOKEN, TOO_LARGE = "missing or invalid token", "body too large"
NO_ID = "missing or invalid data.id"
# (id, method, request kwargs, status, stats reason, {"error": ...} or None)
BAD_INPUTS = [
    ("not-json", "POST", _raw(b"{not json"), 400, "invalid_json", NOT_JSON),
    ("not-utf8", "POST", _raw(b"\xff\xfe"), 400, "invalid_json", NOT_JSON),
    ("deep", "POST", _raw(b"[" * 20_000 + b"]" * 20_000), 400, "invalid_json", NOT_JSON),
    ("empty", "POST", _raw(b""), 400, "invalid_json", NOT_JSON),
    ("array", "POST", _raw(b"[1, 2]"), 400, "not_an_object", NOT_OBJECT),
    ("no-token", "POST", _without("token"), 401, "unauthorized", BAD_TOKEN),
    ("wrong-token", "POST", _with(token="wrong-token"), 401, "unauthorized", BAD_TOKEN),
    ("token-list", "POST", _with(token=[TOKEN]), 401, "unauthorized", BAD_TOKEN),
    ("no-event", "POST", _without("event"), 400, "invalid_delivery", "missing or invalid event"),
    (
        "no-resource",
        "POST",
        _without("resource"),
        400,
        "invalid_delivery",
        "missing or invalid resource",
    ),
    ("no-data", "POST", _with(data=None), 400, "invalid_delivery", "missing or invalid data"),
    # A known event's data without the id its model requires (User, Call, Number, Contact).
    ("no-data-id", "POST", _with(data={"name": "x"}), 400, "invalid_delivery", NO_ID),
    ("null-data-id", "POST", _with(data={"id": None}), 400, "invalid_delivery", NO_ID),
    (
        "call-str-id",
        "POST",
        {"json": build_delivery("call.ended", {"id": "812"}, token=TOKEN)},
        400,
        "invalid_delivery",
        NO_ID,
    ),
    (
        "bad-timestamp",
        "POST",
        _with(timestamp="x"),
        400,
        "invalid_delivery",
        "missing or invalid timestamp",
    ),
    ("too-large", "POST", _with(padding="x" * 50_000), 413, "too_large", TOO_LARGE),
    ("get", "GET", {}, 405, "method_not_allowed", "method not allowed: use POST"),
    ("put", "PUT", {"json": {}}, 405, "method_not_allowed", None),
]


@pytest.mark.parametrize(
    ("method", "kwargs", "status", "reason", "error"),
    [pytest.param(*case[1:], id=case[0]) for case in BAD_INPUTS],
)
async def test_bad_input_gets_its_status_and_runs_nothing(
    mount: Any,
    method: str,
    kwargs: dict[str, Any],
    status: int,
    reason: str,
    error: str | None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    rec = Recorder()
    rec.add("every", "*")
    sub = webhook_app(rec.router, tokens={TOKEN}, max_body_size=45_000)
    client = await mount(sub)
    with caplog.at_level(logging.INFO, logger="aircall_async.webhooks"):
        response = await client.request(method, URL, **kwargs)
    assert response.status == status
    body = await response.json()
    if error is not None:
        assert body == {"error": error}
    assert rec.calls == []
    assert sub[STATS_KEY].rejected == {reason: 1}
    if method == "GET":
        assert response.headers["Allow"] == "POST"
    assert "wrong-token" not in caplog.text
    assert TOKEN not in caplog.text


async def test_oversized_streamed_body_is_cut_short(mount: Any) -> None:
    rec = Recorder()
    rec.add("every", "*")
    sub = webhook_app(rec.router, tokens={TOKEN}, max_body_size=64 * 1024)
    client = await mount(sub)
    sent = 0

    async def chunks() -> Any:
        nonlocal sent
        yield b'{"token": "45XXYYZZa08", "padding": "'
        for _ in range(10_000):  # 10 MB if it were all read
            sent += 1024
            yield b"x" * 1024
        yield b'"}'

    response = await client.post(URL, data=chunks())
    assert response.status == 413
    assert sent < 10_000 * 1024
    assert rec.calls == []


async def test_several_tokens_tell_which_account_sent(mount: Any) -> None:
    rec = Recorder()
    rec.add("every", "*")
    client = await mount(webhook_app(rec.router, tokens=["account-a", "account-b"]))
    for token in ("account-a", "account-b"):
        response = await client.post(URL, json=build_delivery("user.created", token=token))
        assert response.status == 200
    assert [event.token for _, event in rec.calls] == ["account-a", "account-b"]


async def test_token_resolver(mount: Any) -> None:
    rec = Recorder()
    rec.add("every", "*")
    broken = [False]

    async def resolver(token: str) -> bool:
        if broken[0]:
            raise ConnectionError("accounts database down")
        return token == "from-db"

    sub = webhook_app(rec.router, token_resolver=resolver)
    client = await mount(sub)
    ok = await client.post(URL, json=build_delivery("user.created", token="from-db", timestamp=1))
    assert ok.status == 200
    bad = await client.post(URL, json=build_delivery("user.created", token="nope", timestamp=2))
    assert bad.status == 401
    broken[0] = True
    down = await client.post(URL, json=build_delivery("user.created", token="from-db", timestamp=3))
    assert down.status == 503
    assert len(rec.calls) == 1


async def test_failure_answers_500_then_redelivery_runs(
    mount: Any, caplog: pytest.LogCaptureFixture
) -> None:
    router = WebhookRouter()
    runs: list[int] = []

    @router.on("call.ended")
    async def flaky(event: CallEvent) -> None:
        runs.append(event.data.id or 0)
        if len(runs) == 1:
            raise RuntimeError("database hiccup")

    sub = webhook_app(router, tokens={TOKEN})
    client = await mount(sub)
    payload = build_delivery("call.ended", token=TOKEN, timestamp=1585002050)
    with caplog.at_level(logging.ERROR, logger="aircall_async.webhooks"):
        first = await client.post(URL, json=payload)
    assert first.status == 500
    assert "call.ended" in caplog.text
    assert "812" in caplog.text
    assert "flaky" in caplog.text
    second = await client.post(URL, json=payload)
    assert second.status == 200
    third = await client.post(URL, json=payload)
    assert third.status == 200
    assert await third.json() == {"status": "duplicate"}
    assert runs == [812, 812]
    stats = webhook_stats(sub)
    assert (stats.received, stats.handled, stats.handler_failures, stats.duplicates) == (3, 1, 1, 1)


async def test_overrunning_handler_is_cancelled_with_500(mount: Any) -> None:
    router = WebhookRouter()
    cancelled = asyncio.Event()
    other_ran: list[str] = []

    @router.on("user.connected")
    async def slow(event: UserEvent) -> None:
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    @router.on("user.*")
    async def fast(event: UserEvent) -> None:
        other_ran.append(event.event)

    client = await mount(webhook_app(router, tokens={TOKEN}, handler_timeout=0.2))
    # The handler sleeps 30 s: an answer that waited for it would miss this 20 s guard.
    post = client.post(URL, json=build_delivery("user.connected", token=TOKEN))
    response = await asyncio.wait_for(post, 20)
    assert response.status == 500
    await asyncio.wait_for(cancelled.wait(), 1)
    assert other_ran == ["user.connected"]


async def test_a_lone_overrunning_handler_gets_500_and_the_connection_goes_on(mount: Any) -> None:
    router = WebhookRouter()
    runs: list[int] = []

    @router.on("call.ended")
    async def slow_once(event: CallEvent) -> None:
        runs.append(event.data.id)
        if len(runs) == 1:
            await asyncio.sleep(30)

    sub = webhook_app(router, tokens={TOKEN}, handler_timeout=0.2)
    client = await mount(sub)
    delivery = build_delivery("call.ended", token=TOKEN)
    response = await asyncio.wait_for(client.post(URL, json=delivery), 20)
    assert response.status == 500
    # Aircall's redelivery, on the same keep-alive connection, runs and succeeds.
    again = await client.post(URL, json=delivery)
    assert again.status == 200
    assert len(runs) == 2
    assert webhook_stats(sub).handler_failures == 1


async def test_duplicates_differ_by_any_part_of_the_body(mount: Any) -> None:
    rec = Recorder()
    rec.add("every", "*")
    client = await mount(webhook_app(rec.router, tokens={"a", "b"}))
    base = build_delivery("contact.updated", token="a", timestamp=100)
    variants = [
        base,
        {**base, "token": "b"},
        {**base, "timestamp": 101},
        {**base, "data": {**base["data"], "id": 711}},
        {**base, "data": {**base["data"], "first_name": "Other"}},
        {**base, "event": "contact.deleted"},
    ]
    for payload in variants + variants:
        assert (await client.post(URL, json=payload)).status == 200
    assert len(rec.calls) == len(variants)


@pytest.mark.parametrize("fail", [False, True])
async def test_concurrent_identical_deliveries_run_once(mount: Any, fail: bool) -> None:
    """The second waits for the first and shares its outcome without running anything.

    Deterministic: the token resolver is the receiver's last await before the in-flight
    check, so once it has seen the second delivery, the second is waiting on the first.
    """
    router = WebhookRouter()
    running, second_checked = asyncio.Event(), asyncio.Event()
    runs: list[str] = []
    verified: list[str] = []

    async def resolver(token: str) -> bool:
        verified.append(token)
        if len(verified) == 2:
            second_checked.set()
        return token == "from-resolver"

    @router.on("call.tagged")
    async def tagged(event: CallEvent) -> None:
        runs.append(event.event)
        running.set()
        await second_checked.wait()
        if fail:
            raise RuntimeError("boom")

    sub = webhook_app(router, token_resolver=resolver)
    client = await mount(sub)
    payload = build_delivery("call.tagged", token="from-resolver", timestamp=5)
    first = asyncio.ensure_future(client.post(URL, json=payload))
    await asyncio.wait_for(running.wait(), 5)
    second = asyncio.ensure_future(client.post(URL, json=payload))
    answers = await asyncio.wait_for(asyncio.gather(first, second), 5)
    assert runs == ["call.tagged"]
    if fail:
        assert [r.status for r in answers] == [500, 500]
        # Nothing was remembered: the redelivery runs the handler again.
        assert (await client.post(URL, json=payload)).status == 500
        assert runs == ["call.tagged", "call.tagged"]
    else:
        assert [r.status for r in answers] == [200, 200]
        assert [(await r.json())["status"] for r in answers] == ["ok", "duplicate"]


async def test_handlers_of_one_event_run_concurrently(mount: Any) -> None:
    """Each handler waits for the other to start: only concurrent handlers both finish."""
    router = WebhookRouter()
    a_started, b_started = asyncio.Event(), asyncio.Event()

    @router.on("call.ended")
    async def first(event: CallEvent) -> None:
        a_started.set()
        await b_started.wait()

    @router.on("call.*")
    async def second(event: CallEvent) -> None:
        b_started.set()
        await a_started.wait()

    sub = webhook_app(router, tokens={TOKEN}, handler_timeout=1.0)
    client = await mount(sub)
    response = await client.post(URL, json=build_delivery("call.ended", token=TOKEN))
    assert response.status == 200
    assert webhook_stats(sub).handler_failures == 0


async def test_two_changes_in_one_second_both_run(mount: Any) -> None:
    """Same token, event, timestamp and id but different data: two deliveries, not one."""
    rec = Recorder()
    rec.add("updated", "contact.updated")
    sub = webhook_app(rec.router, tokens={TOKEN})
    client = await mount(sub)
    first = build_delivery("contact.updated", token=TOKEN, timestamp=1585002050)
    second = copy.deepcopy(first)
    second["data"]["first_name"] = "Second"
    for payload in (first, second):
        response = await client.post(URL, json=payload)
        assert await response.json() == {"status": "ok"}
    resend = await client.post(URL, json=second)  # identical body: a redelivery
    assert await resend.json() == {"status": "duplicate"}
    assert [event.data.first_name for _, event in rec.calls] == ["Vicente", "Second"]
    assert webhook_stats(sub).duplicates == 1


async def test_handler_with_wrong_arguments_is_a_handler_failure(
    mount: Any, caplog: pytest.LogCaptureFixture
) -> None:
    router = WebhookRouter()

    async def no_argument() -> None:
        return None

    router.add(no_argument, "call.ended")  # type: ignore[arg-type]
    sub = webhook_app(router, tokens={TOKEN})
    client = await mount(sub)
    with caplog.at_level(logging.ERROR, logger="aircall_async.webhooks"):
        response = await client.post(URL, json=build_delivery("call.ended", token=TOKEN))
    assert response.status == 500
    assert await response.json() == {"error": "handler failed"}
    assert webhook_stats(sub).handler_failures == 1
    assert "no_argument failed for call.ended (resource id 812)" in caplog.text


async def test_a_body_that_never_completes_gets_408(aiohttp_server: Any) -> None:
    rec = Recorder()
    rec.add("every", "*")
    sub = webhook_app(rec.router, tokens={TOKEN}, body_timeout=0.2)
    server = await aiohttp_server(mount_receiver(sub, URL))
    reader, writer = await asyncio.open_connection(server.host, server.port)
    writer.write(
        f"POST {URL} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "Content-Length: 1000\r\n\r\n{".encode()
    )
    await writer.drain()
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
    assert head.startswith(b"HTTP/1.1 408")
    assert b"Connection: close" in head
    length = int(head.split(b"Content-Length: ")[1].split(b"\r\n")[0])
    body = await reader.readexactly(length)
    writer.close()
    assert json.loads(body) == {"error": "body not received in time"}
    assert webhook_stats(sub).rejected == {"timeout": 1}
    assert rec.calls == []


async def test_gzip_delivery_with_content_length(mount: Any) -> None:
    rec = Recorder()
    rec.add("ended", "call.ended")
    client = await mount(webhook_app(rec.router, tokens={TOKEN}))
    body = json.dumps(build_delivery("call.ended", token=TOKEN)).encode()
    compressed = gzip.compress(body)
    assert len(compressed) < len(body)
    response = await client.post(
        URL,
        data=compressed,
        headers={"Content-Encoding": "gzip", "Content-Type": "application/json"},
    )
    assert response.status == 200
    assert [event.data.id for _, event in rec.calls] == [812]


async def test_a_small_gzip_body_that_inflates_past_the_limit_is_413(mount: Any) -> None:
    rec = Recorder()
    rec.add("every", "*")
    client = await mount(webhook_app(rec.router, tokens={TOKEN}, max_body_size=16 * 1024))
    # Inflated, 60 KB: received whole before the handler runs (under aiohttp's buffer limit).
    payload = {**build_delivery("call.ended", token=TOKEN), "padding": "x" * 60_000}
    compressed = gzip.compress(json.dumps(payload).encode())
    assert len(compressed) < 16 * 1024  # its Content-Length passes: the inflated size does not
    response = await client.post(
        URL,
        data=compressed,
        headers={"Content-Encoding": "gzip", "Content-Type": "application/json"},
    )
    assert response.status == 413
    assert rec.calls == []


async def test_unauthorized_warnings_are_rate_limited(
    mount: Any, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aircall_async.webhooks import _intake as intake_module

    now = [1000.0]
    monkeypatch.setattr(intake_module, "_monotonic", lambda: now[0])
    rec = Recorder()
    rec.add("every", "*")
    client = await mount(webhook_app(rec.router, tokens={TOKEN}))
    bad = build_delivery("user.created", token="attacker-token")
    with caplog.at_level(logging.DEBUG, logger="aircall_async.webhooks"):
        for _ in range(5):
            assert (await client.post(URL, json=bad)).status == 401
        now[0] += 10.0
        assert (await client.post(URL, json=bad)).status == 401
    levels = [r.levelname for r in caplog.records if "unknown token" in r.getMessage()]
    assert levels == ["WARNING", "DEBUG", "DEBUG", "DEBUG", "DEBUG", "WARNING"]
    assert "4 more since the last warning" in caplog.records[-1].getMessage()
    assert "attacker-token" not in caplog.text


async def test_a_failing_resolver_never_logs_the_token(
    mount: Any, caplog: pytest.LogCaptureFixture
) -> None:
    rec = Recorder()
    rec.add("every", "*")

    async def resolver(token: str) -> bool:
        raise LookupError(f"no account for token {token}")

    client = await mount(webhook_app(rec.router, token_resolver=resolver))
    with caplog.at_level(logging.DEBUG, logger="aircall_async.webhooks"):
        response = await client.post(URL, json=build_delivery("user.created", token="s3cret"))
    assert response.status == 503
    assert "LookupError" in caplog.text
    assert "s3cret" not in caplog.text
    assert all(record.exc_info is None for record in caplog.records)


async def test_no_matching_handler_is_200(mount: Any) -> None:
    rec = Recorder()
    rec.add("calls", "call.*")
    sub = webhook_app(rec.router, tokens={TOKEN})
    client = await mount(sub)
    response = await client.post(URL, json=build_delivery("number.opened", token=TOKEN))
    assert response.status == 200
    assert rec.calls == []


async def test_dedupe_memory_is_bounded(mount: Any) -> None:
    rec = Recorder()
    rec.add("every", "*")
    client = await mount(webhook_app(rec.router, tokens={TOKEN}, dedupe_size=10))
    first = build_delivery("user.opened", token=TOKEN, timestamp=0)
    assert (await client.post(URL, json=first)).status == 200
    for ts in range(1, 30):
        payload = build_delivery("user.opened", token=TOKEN, timestamp=ts)
        assert (await client.post(URL, json=payload)).status == 200
    # Forgotten after 10 newer ones: the redelivery runs again (at-least-once).
    assert (await client.post(URL, json=first)).status == 200
    assert len(rec.calls) == 31


async def test_graceful_shutdown_waits_for_handlers() -> None:
    router = WebhookRouter()
    finished: list[str] = []
    started = asyncio.Event()

    @router.on("call.ended")
    async def slow(event: CallEvent) -> None:
        started.set()
        await asyncio.sleep(0.3)
        finished.append("done")

    # A server as web.run_app makes it: a request's handler is not cancelled at shutdown.
    runner = web.AppRunner(
        mount_receiver(webhook_app(router, tokens={TOKEN}, handler_timeout=2), URL)
    )
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    async with aiohttp.ClientSession() as session:
        request = asyncio.ensure_future(
            session.post(
                f"http://127.0.0.1:{port}{URL}", json=build_delivery("call.ended", token=TOKEN)
            )
        )
        await started.wait()
        await runner.cleanup()
        response = await request
        assert response.status == 200  # answered once the handler finished
    assert finished == ["done"]


async def test_stats_report_everything(mount: Any) -> None:
    rec = Recorder()
    rec.add("every", "*")
    sub = webhook_app(rec.router, tokens={TOKEN})
    client = await mount(sub)
    payload = build_delivery("user.created", token=TOKEN, timestamp=1)
    await client.post(URL, json=payload)
    await client.post(URL, json=payload)
    await client.post(URL, json={**payload, "token": "bad"})
    await client.post(URL, data=b"nope")
    assert webhook_stats(sub).as_dict() == {
        "received": 4,
        "handled": 1,
        "duplicates": 1,
        "handler_failures": 0,
        "retries": 0,
        "dead_lettered": 0,
        "rejected": {"unauthorized": 1, "invalid_json": 1},
        "queue_depth": 0,
    }
    assert json.dumps(webhook_stats(sub).as_dict())


def test_configuration_errors() -> None:
    router = WebhookRouter()
    with pytest.raises(ValueError, match="tokens"):
        webhook_app(router)
    with pytest.raises(ValueError, match="ack"):
        webhook_app(router, tokens={TOKEN}, ack="later")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="WebhookRouter"):
        webhook_app(object(), tokens={TOKEN})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="immediate"):
        from aircall_async.webhooks import MemoryInbox

        webhook_app(router, tokens={TOKEN}, inbox=MemoryInbox())

    def sync_resolver(token: str) -> bool:
        return True

    def sync_hook(event: object, error: BaseException) -> None:
        return None

    with pytest.raises(TypeError, match="token_resolver"):
        webhook_app(router, token_resolver=sync_resolver)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="on_dead_letter"):
        webhook_app(
            router,
            tokens={TOKEN},
            ack="immediate",
            on_dead_letter=sync_hook,  # type: ignore[arg-type]
        )
    with pytest.raises(ValueError, match="body_timeout"):
        webhook_app(router, tokens={TOKEN}, body_timeout=0)


MODELS = {family: model for family, (_, model) in EXPECTED_TYPES.items()}


@pytest.mark.parametrize("resource", sorted(SAMPLE_DATA))
async def test_sample_data_is_what_handlers_get(resource: str, mount: Any) -> None:
    """build_delivery's default data reaches a handler intact: raw and as the model."""
    rec = Recorder()
    rec.add("every", "*")
    client = await mount(webhook_app(rec.router, tokens={TOKEN}))
    name = next(n for n in sorted(KNOWN_EVENTS) if n.startswith(resource + "."))
    assert (await client.post(URL, json=build_delivery(name, token=TOKEN))).status == 200
    ((_, event),) = rec.calls
    assert event.raw["data"] == sample_data(resource)
    if resource == "integration":
        assert (event.data.integration_id, event.data.company_id) == (42, 1)
    else:
        assert event.data == structure(sample_data(resource), MODELS[resource])
        if "id" in sample_data(resource):
            assert event.data.id == sample_data(resource)["id"]
