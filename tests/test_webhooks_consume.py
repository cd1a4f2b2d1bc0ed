"""Receivers apart from consumers: webhook_app(workers=0) stores, consume() handles."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, cast

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from aircall_async.retry import Backoff
from aircall_async.testing.deliveries import build_delivery, mount_receiver
from aircall_async.webhooks import (
    CallEvent,
    Inbox,
    MemoryInbox,
    PutResult,
    SQLiteInbox,
    StoredDelivery,
    WebhookEvent,
    WebhookRouter,
    WebhookStats,
    consume,
    webhook_app,
    webhook_stats,
)

TOKEN = "45XXYYZZa08"
URL = "/aircall/webhooks/"
Client = TestClient[web.Request, web.Application]


class FixedBackoff(Backoff):
    """No jitter: the waits are exactly base * 2**attempt."""

    def jitter(self) -> float:
        return 1.0


FAST = FixedBackoff(base=0.01, cap=0.01)


@pytest.fixture
def mount(aiohttp_client: Any) -> Callable[[web.Application], Awaitable[Client]]:
    async def _mount(sub: web.Application) -> Client:
        return cast(Client, await aiohttp_client(mount_receiver(sub, URL)))

    return _mount


async def eventually(check: Callable[[], bool], timeout: float = 5.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():
        assert loop.time() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


async def stop(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


def make_inbox(kind: str, tmp_path: Path) -> Inbox:
    return MemoryInbox() if kind == "memory" else SQLiteInbox(tmp_path / "shared.sqlite3")


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
async def test_a_consume_task_handles_what_a_workers_0_app_stored(
    mount: Any, tmp_path: Path, kind: str
) -> None:
    inbox = make_inbox(kind, tmp_path)
    receiving = WebhookRouter()  # the receiver needs no handler: it stores everything
    handling = WebhookRouter()
    handled: list[int] = []

    @handling.on("call.ended")
    async def record(event: CallEvent) -> None:
        handled.append(event.raw["timestamp"])

    sub = webhook_app(receiving, tokens={TOKEN}, ack="immediate", inbox=inbox, workers=0)
    client = await mount(sub)
    for ts in (1, 2, 3):
        response = await client.post(
            URL, json=build_delivery("call.ended", token=TOKEN, timestamp=ts)
        )
        assert (response.status, await response.json()) == (200, {"status": "ok"})
    stats = webhook_stats(sub)
    assert (stats.handled, stats.queue_depth) == (0, 3)  # stored, not handled
    assert handled == []

    consumer_stats = WebhookStats()
    task = asyncio.ensure_future(consume(handling, inbox, concurrency=2, stats=consumer_stats))
    await eventually(lambda: sorted(handled) == [1, 2, 3])
    await eventually(lambda: consumer_stats.queue_depth == 0)
    assert consumer_stats.handled == 3
    # Redeliveries are recognised by the receiver through the shared inbox.
    again = await client.post(URL, json=build_delivery("call.ended", token=TOKEN, timestamp=2))
    assert await again.json() == {"status": "duplicate"}
    await stop(task)
    await client.close()
    assert sorted(handled) == [1, 2, 3]


async def test_consume_retries_then_dead_letters(mount: Any) -> None:
    inbox = MemoryInbox()
    router = WebhookRouter()
    dead: list[tuple[WebhookEvent[Any], BaseException]] = []

    @router.on("user.created")
    async def broken(event: WebhookEvent[Any]) -> None:
        raise ValueError("down")

    async def on_dead_letter(event: WebhookEvent[Any], error: BaseException) -> None:
        dead.append((event, error))

    client = await mount(
        webhook_app(router, tokens={TOKEN}, ack="immediate", inbox=inbox, workers=0)
    )
    assert (await client.post(URL, json=build_delivery("user.created", token=TOKEN))).status == 200
    stats = WebhookStats()
    task = asyncio.ensure_future(
        consume(
            router, inbox, max_attempts=3, backoff=FAST, on_dead_letter=on_dead_letter, stats=stats
        )
    )
    await eventually(lambda: len(dead) == 1)
    assert isinstance(dead[0][1], ValueError)
    assert (stats.handler_failures, stats.retries, stats.dead_lettered) == (3, 2, 1)
    [letter] = await inbox.dead_letters()
    assert letter.attempts == 3
    await stop(task)
    await client.close()


async def test_cancelling_consume_drains_the_running_delivery(tmp_path: Path) -> None:
    path = tmp_path / "drain.sqlite3"
    inbox = SQLiteInbox(path)
    router = WebhookRouter()
    started = asyncio.Event()
    release = asyncio.Event()
    finished: list[str] = []

    @router.on("call.ended")
    async def slow(event: CallEvent) -> None:
        started.set()
        await release.wait()
        finished.append("done")

    await inbox.open()
    body = (
        b'{"event": "call.ended", "resource": "call", "timestamp": 1, "token": "t",'
        b' "data": {"id": 1}}'
    )
    assert await inbox.put("k", body) is PutResult.ACCEPTED
    task = asyncio.ensure_future(consume(router, inbox, shutdown_timeout=10))
    await started.wait()
    task.cancel()
    await asyncio.sleep(0.05)
    assert not task.done()  # draining: the running delivery is awaited
    release.set()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert finished == ["done"]
    assert await inbox.depth() == 0
    await inbox.close()
    other = SQLiteInbox(path)  # consume closed its use; ours is closed too: the lock is free
    await other.open()
    assert await other.put("k", body) is PutResult.DUPLICATE
    await other.close()


async def test_a_damaged_stored_delivery_is_a_dead_letter_without_the_hook() -> None:
    inbox = MemoryInbox()
    await inbox.open()
    await inbox.put("bad", b"not json")
    await inbox.put("list", b"[1]")
    # Stored by an older version that did not check the id: a call without one.
    no_id = b'{"event": "call.ended", "resource": "call", "timestamp": 1, "data": {"id": null}}'
    await inbox.put("no-id", no_id)
    router = WebhookRouter()
    hooked: list[BaseException] = []

    async def on_dead_letter(event: WebhookEvent[Any], error: BaseException) -> None:
        hooked.append(error)

    stats = WebhookStats()
    task = asyncio.ensure_future(consume(router, inbox, on_dead_letter=on_dead_letter, stats=stats))
    await eventually(lambda: stats.dead_lettered == 3)
    await stop(task)
    assert sorted(d.key for d in await inbox.dead_letters()) == ["bad", "list", "no-id"]
    assert hooked == []
    await inbox.close()


class BrokenInbox(MemoryInbox):
    """``done`` and ``retry`` fail once each: the consumer retries from memory."""

    def __init__(self) -> None:
        super().__init__()
        self.done_failures = 1
        self.retry_failures = 1

    async def done(self, item: StoredDelivery) -> None:
        if self.done_failures:
            self.done_failures -= 1
            raise OSError("disk full")
        await super().done(item)

    async def retry(self, item: StoredDelivery, delay: float) -> None:
        if self.retry_failures:
            self.retry_failures -= 1
            raise OSError("disk still full")
        await super().retry(item, delay)


async def test_an_outcome_the_inbox_cannot_record_is_retried_from_memory() -> None:
    inbox = BrokenInbox()
    await inbox.open()
    await inbox.put(
        "k",
        b'{"event": "call.ended", "resource": "call", "timestamp": 1, "token": "t",'
        b' "data": {"id": 1}}',
    )
    router = WebhookRouter()
    runs: list[int] = []

    @router.on("call.ended")
    async def record(event: CallEvent) -> None:
        runs.append(1)

    stats = WebhookStats()
    task = asyncio.ensure_future(consume(router, inbox, backoff=FAST, stats=stats))
    await eventually(lambda: stats.handled == 1)
    assert runs == [1]  # the handler succeeded once; only the outcome was retried
    assert await inbox.depth() == 0
    await stop(task)
    await inbox.close()


async def test_both_in_one_process_share_the_work(mount: Any) -> None:
    """An app with workers and a consume task on one inbox: each delivery runs once."""
    inbox = MemoryInbox()
    router = WebhookRouter()
    handled: list[int] = []

    @router.on("contact.created")
    async def record(event: WebhookEvent[Any]) -> None:
        await asyncio.sleep(0)
        handled.append(event.raw["timestamp"])

    client = await mount(
        webhook_app(router, tokens={TOKEN}, ack="immediate", inbox=inbox, workers=2)
    )
    task = asyncio.ensure_future(consume(router, inbox, concurrency=2))
    for ts in range(20):
        payload = build_delivery("contact.created", token=TOKEN, timestamp=ts)
        assert (await client.post(URL, json=payload)).status == 200
    await eventually(lambda: len(handled) == 20)
    await stop(task)
    await client.close()
    assert sorted(handled) == list(range(20))


async def test_consume_refuses_bad_options() -> None:
    router = WebhookRouter()
    with pytest.raises(TypeError, match="WebhookRouter"):
        await consume(object(), MemoryInbox())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="Inbox"):
        await consume(router, object())  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="at least 1"):
        await consume(router, MemoryInbox(), concurrency=0)
    with pytest.raises(ValueError, match="positive"):
        await consume(router, MemoryInbox(), handler_timeout=0)

    def sync_hook(event: object, error: BaseException) -> None:
        return None

    with pytest.raises(TypeError, match="on_dead_letter"):
        await consume(router, MemoryInbox(), on_dead_letter=sync_hook)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="workers=0"):
        webhook_app(router, tokens={TOKEN}, workers=0)
    with pytest.raises(ValueError, match="workers"):
        webhook_app(router, tokens={TOKEN}, ack="immediate", workers=-1)
    with pytest.raises(TypeError, match="Inbox"):
        webhook_app(router, tokens={TOKEN}, ack="immediate", inbox=object())  # type: ignore[arg-type]
