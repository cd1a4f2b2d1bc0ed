"""The receiver sub-app over real HTTP (ack="after_handlers", the default)."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any, cast

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from aircall_async.testing.deliveries import build_delivery, mount_receiver, sample_data
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


async def test_unknown_event_goes_to_wildcards_untyped(mount: Any) -> None:
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
    assert rec.labels() == ["every", "family"]
    assert all(type(event) is WebhookEvent for _, event in rec.calls)
    assert rec.calls[0][1].data == {"id": 9, "where": "mars"}
    response = await client.post(URL, json={**payload, "event": "robot.built"})
    assert response.status == 200
    assert rec.labels() == ["every", "every", "family"]


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
    loop = asyncio.get_running_loop()
    started = loop.time()
    response = await client.post(URL, json=build_delivery("user.connected", token=TOKEN))
    assert response.status == 500
    assert loop.time() - started < 2
    await asyncio.wait_for(cancelled.wait(), 1)
    assert other_ran == ["user.connected"]


async def test_duplicates_differ_by_token_timestamp_and_resource(mount: Any) -> None:
    rec = Recorder()
    rec.add("every", "*")
    client = await mount(webhook_app(rec.router, tokens={"a", "b"}))
    base = build_delivery("contact.updated", token="a", timestamp=100)
    variants = [
        base,
        {**base, "token": "b"},
        {**base, "timestamp": 101},
        {**base, "data": {**base["data"], "id": 711}},
        {**base, "event": "contact.deleted"},
    ]
    for payload in variants + variants:
        assert (await client.post(URL, json=payload)).status == 200
    assert len(rec.calls) == len(variants)


@pytest.mark.parametrize("fail", [False, True])
async def test_concurrent_identical_deliveries_run_once(mount: Any, fail: bool) -> None:
    """The second waits for the first and shares its outcome without running anything."""
    router = WebhookRouter()
    gate, running = asyncio.Event(), asyncio.Event()
    runs: list[str] = []

    @router.on("call.tagged")
    async def tagged(event: CallEvent) -> None:
        runs.append(event.event)
        running.set()
        await gate.wait()
        if fail:
            raise RuntimeError("boom")

    sub = webhook_app(router, tokens={TOKEN})
    client = await mount(sub)
    payload = build_delivery("call.tagged", token=TOKEN, timestamp=5)
    first = asyncio.ensure_future(client.post(URL, json=payload))
    await running.wait()
    second = asyncio.ensure_future(client.post(URL, json=payload))
    for _ in range(500):
        if webhook_stats(sub).received == 2:
            break
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.05)  # let the second reach the in-flight check
    gate.set()
    answers = [await first, await second]
    assert runs == ["call.tagged"]
    if fail:
        assert [r.status for r in answers] == [500, 500]
        # Nothing was remembered: the redelivery runs the handler again.
        assert (await client.post(URL, json=payload)).status == 500
        assert runs == ["call.tagged", "call.tagged"]
    else:
        assert [r.status for r in answers] == [200, 200]
        assert [(await r.json())["status"] for r in answers] == ["ok", "duplicate"]


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


async def test_graceful_shutdown_waits_for_handlers(aiohttp_client: Any) -> None:
    router = WebhookRouter()
    finished: list[str] = []
    started = asyncio.Event()

    @router.on("call.ended")
    async def slow(event: CallEvent) -> None:
        started.set()
        await asyncio.sleep(0.3)
        finished.append("done")

    app = mount_receiver(webhook_app(router, tokens={TOKEN}, handler_timeout=2), URL)
    client: Client = await aiohttp_client(app)
    request = asyncio.ensure_future(
        client.post(URL, json=build_delivery("call.ended", token=TOKEN))
    )
    await started.wait()
    await client.close()
    assert finished == ["done"]
    request.cancel()


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


def test_sample_data_is_what_handlers_get() -> None:
    assert sample_data("user")["id"] == 456
