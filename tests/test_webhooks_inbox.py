"""ack="immediate": inboxes, workers, retries, dead letters, durability across kill -9."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import signal
import sqlite3
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, cast

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from aircall_async.retry import Backoff
from aircall_async.testing.deliveries import build_delivery, deliver, mount_receiver
from aircall_async.webhooks import (
    CallEvent,
    ContactEvent,
    MemoryInbox,
    PutResult,
    SQLiteInbox,
    StoredDelivery,
    WebhookEvent,
    WebhookRouter,
    webhook_app,
    webhook_stats,
)

TOKEN = "45XXYYZZa08"
URL = "/aircall/webhooks/"
Client = TestClient[web.Request, web.Application]
ROOT = Path(__file__).resolve().parent.parent


class FixedBackoff(Backoff):
    """No jitter: the waits are exactly base * 2**attempt."""

    def jitter(self) -> float:
        return 1.0


@pytest.fixture
def mount(aiohttp_client: Any) -> Callable[[web.Application], Awaitable[Client]]:
    async def _mount(sub: web.Application) -> Client:
        return cast(Client, await aiohttp_client(mount_receiver(sub, URL)))

    return _mount


async def eventually(check: Callable[[], bool], timeout: float = 30.0) -> None:
    # A guard against a hang, not a speed check: generous for a loaded machine.
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():
        assert loop.time() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


async def test_answered_before_handlers_run(mount: Any) -> None:
    router = WebhookRouter()
    gate = asyncio.Event()
    done: list[int] = []

    @router.on("call.ended")
    async def slow(event: CallEvent) -> None:
        await gate.wait()
        done.append(event.data.id or 0)

    sub = webhook_app(router, tokens={TOKEN}, ack="immediate")
    client = await mount(sub)
    response = await client.post(URL, json=build_delivery("call.ended", token=TOKEN))
    assert response.status == 200
    assert done == []
    assert webhook_stats(sub).queue_depth == 1
    gate.set()
    await eventually(lambda: done == [812])
    await eventually(lambda: webhook_stats(sub).queue_depth == 0)


async def test_full_inbox_answers_503(mount: Any) -> None:
    router = WebhookRouter()
    gate = asyncio.Event()
    ran: list[int] = []

    @router.on("contact.created")
    async def blocked(event: WebhookEvent[Any]) -> None:
        await gate.wait()
        ran.append(event.raw["timestamp"])

    sub = webhook_app(router, tokens={TOKEN}, ack="immediate", inbox=MemoryInbox(max_size=2))
    client = await mount(sub)
    statuses = []
    for ts in (1, 2, 3):
        payload = build_delivery("contact.created", token=TOKEN, timestamp=ts)
        statuses.append((await client.post(URL, json=payload)).status)
    assert statuses == [200, 200, 503]
    stats = webhook_stats(sub)
    assert stats.rejected["inbox_full"] == 1
    assert stats.queue_depth == 2
    gate.set()
    await eventually(lambda: stats.handled == 2)
    retry = build_delivery("contact.created", token=TOKEN, timestamp=3)
    assert (await client.post(URL, json=retry)).status == 200
    await eventually(lambda: sorted(ran) == [1, 2, 3])


async def test_retries_with_backoff_then_dead_letter(mount: Any) -> None:
    router = WebhookRouter()
    attempts: list[float] = []
    dead: list[tuple[WebhookEvent[Any], BaseException]] = []
    loop = asyncio.get_running_loop()

    @router.on("call.hungup")
    async def broken(event: CallEvent) -> None:
        attempts.append(loop.time())
        raise ValueError("always broken")

    async def on_dead_letter(event: WebhookEvent[Any], error: BaseException) -> None:
        dead.append((event, error))

    inbox = MemoryInbox()
    sub = webhook_app(
        router,
        tokens={TOKEN},
        ack="immediate",
        inbox=inbox,
        max_attempts=3,
        backoff=FixedBackoff(base=0.05, cap=1.0),
        on_dead_letter=on_dead_letter,
    )
    client = await mount(sub)
    payload = build_delivery("call.hungup", token=TOKEN, timestamp=7)
    assert (await client.post(URL, json=payload)).status == 200
    await eventually(lambda: len(dead) == 1)
    assert len(attempts) == 3
    gaps = [b - a for a, b in itertools.pairwise(attempts)]
    assert gaps[0] >= 0.045
    assert gaps[1] >= 0.095  # doubled
    event, error = dead[0]
    assert isinstance(event, CallEvent)
    assert isinstance(error, ValueError)
    assert [json.loads(d.body) for d in await inbox.dead_letters()] == [payload]
    assert (await inbox.dead_letters())[0].attempts == 3
    stats = webhook_stats(sub)
    assert (stats.handler_failures, stats.retries, stats.dead_lettered) == (3, 2, 1)
    assert stats.queue_depth == 0
    # A redelivery of a dead-lettered event is not run again: it is kept for the hook's owner.
    assert (await client.post(URL, json=payload)).status == 200
    await asyncio.sleep(0.1)
    assert len(attempts) == 3


async def test_retry_reruns_only_the_failed_handler(mount: Any) -> None:
    router = WebhookRouter()
    runs: list[str] = []

    @router.on("user.created")
    async def steady(event: WebhookEvent[Any]) -> None:
        runs.append("steady")

    @router.on("user.*")
    async def flaky(event: WebhookEvent[Any]) -> None:
        runs.append("flaky")
        if runs.count("flaky") == 1:
            raise RuntimeError("once")

    sub = webhook_app(
        router, tokens={TOKEN}, ack="immediate", backoff=FixedBackoff(base=0.01, cap=0.01)
    )
    client = await mount(sub)
    payload = build_delivery("user.created", token=TOKEN, timestamp=9)
    assert (await client.post(URL, json=payload)).status == 200
    await eventually(lambda: webhook_stats(sub).handled == 1)
    assert sorted(runs) == ["flaky", "flaky", "steady"]
    dup = await client.post(URL, json=payload)
    assert await dup.json() == {"status": "duplicate"}


async def test_shutdown_drains_the_queue(aiohttp_client: Any) -> None:
    router = WebhookRouter()
    done: list[int] = []

    @router.on("call.*")
    async def slow(event: WebhookEvent[Any]) -> None:
        await asyncio.sleep(0.2)
        done.append(event.raw["timestamp"])

    app = mount_receiver(webhook_app(router, tokens={TOKEN}, ack="immediate", workers=2), URL)
    client: Client = await aiohttp_client(app)
    for ts in range(4):
        payload = build_delivery("call.created", token=TOKEN, timestamp=ts)
        assert (await client.post(URL, json=payload)).status == 200
    await client.close()
    assert sorted(done) == [0, 1, 2, 3]


async def test_sqlite_inbox_remembers_across_restarts(mount: Any, tmp_path: Path) -> None:
    path = tmp_path / "inbox.sqlite3"
    runs: list[int] = []
    router = WebhookRouter()

    @router.on("number.created")
    async def record(event: WebhookEvent[Any]) -> None:
        runs.append(event.raw["timestamp"])

    payload = build_delivery("number.created", token=TOKEN, timestamp=11)
    for round_ in range(2):
        sub = webhook_app(router, tokens={TOKEN}, ack="immediate", inbox=SQLiteInbox(path))
        client = await mount(sub)
        response = await client.post(URL, json=payload)
        assert response.status == 200
        assert await response.json() == {"status": "ok" if round_ == 0 else "duplicate"}
        await eventually(lambda: runs == [11])
        await client.close()
    assert runs == [11]
    assert oct(path.stat().st_mode & 0o777) == oct(0o600)


async def test_sqlite_inbox_bounds_its_memory(tmp_path: Path) -> None:
    inbox = SQLiteInbox(tmp_path / "bounded.sqlite3", dedupe_size=5, max_pending=3)
    await inbox.open()
    assert await inbox.take(10, 0) == []
    for key in range(3):
        assert await inbox.put(str(key), b"{}") is PutResult.ACCEPTED
    assert await inbox.put("99", b"{}") is PutResult.FULL
    assert await inbox.put("1", b"{}") is PutResult.DUPLICATE
    for item in await inbox.take(10, 0):
        await inbox.done(item)
    for key in range(3, 10):
        assert await inbox.put(str(key), b"{}") is PutResult.ACCEPTED
        [item] = await inbox.take(10, 0)
        await inbox.done(item)
    await inbox.close()
    await inbox.open()  # open() prunes to the 5 most recent
    assert await inbox.depth() == 0
    assert await inbox.put("0", b"{}") is PutResult.ACCEPTED
    assert await inbox.put("9", b"{}") is PutResult.DUPLICATE
    await inbox.close()


async def _start(db: Path, output: Path, mode: str) -> tuple[asyncio.subprocess.Process, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        str(ROOT / "tests" / "webhook_inbox_server.py"),
        str(db),
        str(output),
        mode,
        stdout=asyncio.subprocess.PIPE,
        env=env,
    )
    assert proc.stdout is not None
    port = int(await asyncio.wait_for(proc.stdout.readline(), 15))
    url = f"http://127.0.0.1:{port}/hooks/"
    async with aiohttp.ClientSession() as session:
        for _ in range(500):
            try:
                async with session.get(url) as response:
                    if response.status == 405:
                        break
            except aiohttp.ClientConnectionError:
                await asyncio.sleep(0.02)
    return proc, url


async def _stop(proc: asyncio.subprocess.Process) -> None:
    proc.send_signal(signal.SIGTERM)
    await asyncio.wait_for(proc.wait(), 10)


@pytest.mark.slow
async def test_kill_9_after_the_200_then_restart_runs_once(tmp_path: Path) -> None:
    db, output = tmp_path / "inbox.sqlite3", tmp_path / "handled.txt"
    payload = build_delivery("call.ended", token="kill-nine-token", timestamp=1585002050)

    proc, url = await _start(db, output, "block")
    try:
        async with aiohttp.ClientSession() as session:
            assert await deliver(session, url, payload) == (200, {"status": "ok"})
        await eventually(output.with_suffix(".started").exists, timeout=10)
    finally:
        proc.kill()  # SIGKILL: no cleanup, no drain
        await proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert not output.exists()

    proc, url = await _start(db, output, "record")
    try:
        await eventually(output.exists, timeout=10)
        async with aiohttp.ClientSession() as session:
            assert await deliver(session, url, payload) == (200, {"status": "duplicate"})
    finally:
        await _stop(proc)
    assert output.read_text() == "812\n"

    proc, url = await _start(db, output, "record")
    try:
        async with aiohttp.ClientSession() as session:
            assert await deliver(session, url, payload) == (200, {"status": "duplicate"})
        await asyncio.sleep(0.2)
    finally:
        await _stop(proc)
    assert output.read_text() == "812\n"


async def test_shutdown_gives_up_on_stuck_handlers(aiohttp_client: Any) -> None:
    router = WebhookRouter()
    started = asyncio.Event()

    @router.on("call.created")
    async def stubborn(event: WebhookEvent[Any]) -> None:
        started.set()
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            await asyncio.sleep(30)  # deliberately ignores the first cancellation

    sub = webhook_app(router, tokens={TOKEN}, ack="immediate", shutdown_timeout=0.2)
    client: Client = await aiohttp_client(mount_receiver(sub, URL))
    payload = build_delivery("call.created", token=TOKEN)
    assert (await client.post(URL, json=payload)).status == 200
    await started.wait()
    # The handler ignores its first cancellation and sleeps 30 s more: a shutdown that
    # waited for it would miss this 20 s guard (shutdown_timeout is 0.2 s).
    await asyncio.wait_for(client.close(), 20)
    assert webhook_stats(sub).queue_depth == 1  # not handled, and said so


async def test_a_stored_delivery_without_handler_is_marked_done(
    aiohttp_client: Any, tmp_path: Path
) -> None:
    """The router changed across a restart: the pending delivery is done, not stuck."""
    path = tmp_path / "inbox.sqlite3"
    first = WebhookRouter()
    started = asyncio.Event()

    @first.on("call.ended")
    async def never_finishes(event: CallEvent) -> None:
        started.set()
        await asyncio.Event().wait()

    sub = webhook_app(
        first, tokens={TOKEN}, ack="immediate", inbox=SQLiteInbox(path), shutdown_timeout=0.1
    )
    client: Client = await aiohttp_client(mount_receiver(sub, URL))
    assert (await client.post(URL, json=build_delivery("call.ended", token=TOKEN))).status == 200
    await started.wait()
    await client.close()  # the handler never finished: the delivery stays pending

    second = WebhookRouter()

    @second.on("user.created")
    async def other(event: WebhookEvent[Any]) -> None:
        return None

    sub = webhook_app(
        second, tokens={TOKEN}, ack="immediate", inbox=SQLiteInbox(path), shutdown_timeout=3600
    )
    client = await aiohttp_client(mount_receiver(sub, URL))
    stats = webhook_stats(sub)
    await eventually(lambda: stats.handled == 1)
    assert stats.queue_depth == 0
    # Nothing is left to wait for: a shutdown that waited for work would take the hour of
    # shutdown_timeout; the 60 s bound only turns such a hang into a failure.
    await asyncio.wait_for(client.close(), 60)


async def test_handler_with_wrong_arguments_is_retried_then_dead_lettered(mount: Any) -> None:
    router = WebhookRouter()
    dead: list[BaseException] = []

    async def no_argument() -> None:
        return None

    async def on_dead_letter(event: WebhookEvent[Any], error: BaseException) -> None:
        dead.append(error)

    router.add(no_argument, "call.ended")  # type: ignore[arg-type]
    sub = webhook_app(
        router,
        tokens={TOKEN},
        ack="immediate",
        max_attempts=2,
        backoff=FixedBackoff(base=0.01, cap=0.01),
        on_dead_letter=on_dead_letter,
    )
    client = await mount(sub)
    assert (await client.post(URL, json=build_delivery("call.ended", token=TOKEN))).status == 200
    await eventually(lambda: len(dead) == 1)
    assert isinstance(dead[0], TypeError)
    stats = webhook_stats(sub)
    assert (stats.handler_failures, stats.retries, stats.dead_lettered) == (2, 1, 1)
    assert stats.queue_depth == 0


class FlakyInbox(MemoryInbox):
    """A MemoryInbox whose first ``done`` fails, as a full disk would."""

    def __init__(self) -> None:
        super().__init__()
        self.failures = 1

    async def done(self, item: StoredDelivery) -> None:
        if self.failures:
            self.failures -= 1
            raise OSError("disk full")
        await super().done(item)


async def test_an_inbox_error_is_retried_not_left_pending(aiohttp_client: Any) -> None:
    router = WebhookRouter()
    runs: list[int] = []

    @router.on("contact.created")
    async def record(event: ContactEvent) -> None:
        runs.append(event.data.id or 0)

    inbox = FlakyInbox()
    sub = webhook_app(
        router,
        tokens={TOKEN},
        ack="immediate",
        inbox=inbox,
        backoff=FixedBackoff(base=0.01, cap=0.01),
        shutdown_timeout=600,
    )
    client: Client = await aiohttp_client(mount_receiver(sub, URL))
    payload = build_delivery("contact.created", token=TOKEN)
    assert (await client.post(URL, json=payload)).status == 200
    stats = webhook_stats(sub)
    await eventually(lambda: stats.handled == 1)
    assert runs == [710]  # the retry only records the outcome: the handler ran once
    assert (stats.queue_depth, stats.retries, stats.dead_lettered) == (0, 1, 0)
    # Nothing is left to do: a shutdown that waited its shutdown_timeout would miss the guard.
    await asyncio.wait_for(client.close(), 30)


@pytest.mark.parametrize(("background_timeout", "succeeds"), [(5.0, True), (0.1, False)])
async def test_background_handlers_use_background_timeout(
    mount: Any, background_timeout: float, succeeds: bool
) -> None:
    router = WebhookRouter()
    finished: list[str] = []
    dead: list[BaseException] = []

    @router.on("call.ended")
    async def slow(event: CallEvent) -> None:
        await asyncio.sleep(0.3)  # longer than handler_timeout
        finished.append("done")

    async def on_dead_letter(event: WebhookEvent[Any], error: BaseException) -> None:
        dead.append(error)

    sub = webhook_app(
        router,
        tokens={TOKEN},
        ack="immediate",
        handler_timeout=0.1,
        background_timeout=background_timeout,
        max_attempts=1,
        on_dead_letter=on_dead_letter,
    )
    client = await mount(sub)
    assert (await client.post(URL, json=build_delivery("call.ended", token=TOKEN))).status == 200
    if succeeds:
        await eventually(lambda: finished == ["done"])
        assert dead == []
    else:
        await eventually(lambda: len(dead) == 1)
        assert isinstance(dead[0], asyncio.TimeoutError)
        assert finished == []


async def test_one_process_per_sqlite_inbox(aiohttp_client: Any, tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite3"
    router = WebhookRouter()

    @router.on("*")
    async def record(event: WebhookEvent[Any]) -> None:
        return None

    first: Client = await aiohttp_client(
        mount_receiver(
            webhook_app(router, tokens={TOKEN}, ack="immediate", inbox=SQLiteInbox(path)), URL
        )
    )
    assert (await first.post(URL, json=build_delivery("user.created", token=TOKEN))).status == 200
    second = mount_receiver(
        webhook_app(router, tokens={TOKEN}, ack="immediate", inbox=SQLiteInbox(path)), URL
    )
    with pytest.raises(RuntimeError, match="another process uses this inbox") as raised:
        await aiohttp_client(second)
    assert str(path) in str(raised.value)
    await first.close()  # releases the lock
    inbox = SQLiteInbox(path)
    await inbox.open()
    assert await inbox.take(10, 0) == []
    await inbox.close()


async def test_sqlite_inbox_lock_holds_across_processes(tmp_path: Path) -> None:
    path = tmp_path / "locked.sqlite3"
    inbox = SQLiteInbox(path)
    await inbox.open()
    code = (
        "import asyncio, sys\n"
        "from aircall_async.webhooks import SQLiteInbox\n"
        "try:\n"
        "    asyncio.run(SQLiteInbox(sys.argv[1]).open())\n"
        "except RuntimeError as exc:\n"
        "    print(exc)\n"
        "    sys.exit(3)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", code, str(path), stdout=asyncio.subprocess.PIPE, env=env
    )
    out, _ = await asyncio.wait_for(proc.communicate(), 30)
    await inbox.close()
    assert proc.returncode == 3
    assert b"another process uses this inbox" in out


async def test_shutdown_leaves_a_waiting_retry_in_the_sqlite_inbox(
    aiohttp_client: Any, tmp_path: Path
) -> None:
    """No wait for a retry due later: the durable inbox resumes it at the next start."""
    path = tmp_path / "inbox.sqlite3"
    router = WebhookRouter()
    attempts: list[int] = []

    @router.on("call.ended")
    async def failing(event: CallEvent) -> None:
        attempts.append(1)
        raise RuntimeError("down")

    sub = webhook_app(
        router,
        tokens={TOKEN},
        ack="immediate",
        inbox=SQLiteInbox(path),
        backoff=FixedBackoff(base=3600.0, cap=3600.0),
        shutdown_timeout=3600,
    )
    client: Client = await aiohttp_client(mount_receiver(sub, URL))
    assert (await client.post(URL, json=build_delivery("call.ended", token=TOKEN))).status == 200
    await eventually(lambda: webhook_stats(sub).retries == 1)
    # A shutdown that waited for the retry would take an hour; 60 s only turns it into a failure.
    await asyncio.wait_for(client.close(), 60)
    inbox = SQLiteInbox(path)
    await inbox.open()
    [pending] = await inbox.take(10, 0)  # at the next start it is ready at once
    await inbox.close()
    assert (pending.attempts, attempts) == (1, [1])


async def test_sqlite_inbox_stores_the_body_as_received(tmp_path: Path) -> None:
    path = tmp_path / "raw.sqlite3"
    inbox = SQLiteInbox(path)
    await inbox.open()
    body = b'{"event": "call.ended",  "n": 1}'  # odd spacing: kept byte for byte
    assert await inbox.put("k1", body) is PutResult.ACCEPTED
    assert await inbox.put("k2", b'{"event": "user.created"}') is PutResult.ACCEPTED
    await inbox.close()
    with sqlite3.connect(path) as db:
        stored = dict(db.execute("SELECT key, payload FROM deliveries").fetchall())
    db.close()
    assert stored["k1"] == body
    reopened = SQLiteInbox(path)
    await reopened.open()
    items = await reopened.take(10, 0)
    await reopened.close()
    assert [(i.key, i.body, i.attempts) for i in items] == [
        ("k1", body, 0),
        ("k2", b'{"event": "user.created"}', 0),
    ]
    assert "call.ended" not in repr(items[0])
