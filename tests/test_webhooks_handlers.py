"""run_handlers(), the one function both ack modes run handlers through, and the depth gauge."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

from aircall_async.testing.deliveries import build_delivery
from aircall_async.webhooks import WebhookEvent, WebhookStats, parse_event
from aircall_async.webhooks._handlers import run_handlers
from aircall_async.webhooks.stats import DepthGauge

EVENT = parse_event(build_delivery("call.ended", token="t"))


async def test_no_handler_is_success() -> None:
    outcome = await run_handlers(EVENT, (), 1.0)
    assert outcome.ok
    assert (outcome.failed, outcome.error) == ((), None)


async def test_handlers_run_concurrently_on_the_event() -> None:
    both_started = asyncio.Event()
    seen: list[tuple[str, WebhookEvent[Any]]] = []

    async def first(event: WebhookEvent[Any]) -> None:
        seen.append(("first", event))
        await both_started.wait()  # only returns if second runs meanwhile

    async def second(event: WebhookEvent[Any]) -> None:
        seen.append(("second", event))
        both_started.set()

    outcome = await run_handlers(EVENT, (first, second), 5.0)
    assert outcome.ok
    assert sorted(name for name, _ in seen) == ["first", "second"]
    assert all(event is EVENT for _, event in seen)


async def test_a_failure_names_the_handler_and_keeps_the_first_error() -> None:
    ran: list[str] = []

    async def fine(event: WebhookEvent[Any]) -> None:
        ran.append("fine")

    async def broken(event: WebhookEvent[Any]) -> None:
        raise LookupError("no such row")

    async def no_argument() -> None:
        return None

    outcome = await run_handlers(EVENT, (fine, broken), 5.0)
    assert not outcome.ok
    assert outcome.failed == (broken,)
    assert isinstance(outcome.error, LookupError)
    assert ran == ["fine"]
    wrong = await run_handlers(EVENT, (no_argument,), 5.0)  # type: ignore[arg-type]
    assert len(wrong.failed) == 1
    assert wrong.failed[0] is no_argument  # type: ignore[comparison-overlap]
    assert isinstance(wrong.error, TypeError)


async def test_an_overrun_is_cancelled_and_reported_as_a_timeout() -> None:
    cancelled = asyncio.Event()

    async def slow(event: WebhookEvent[Any]) -> None:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.set()
            raise

    outcome = await run_handlers(EVENT, (slow,), 0.05)
    assert outcome.failed == (slow,)
    assert isinstance(outcome.error, asyncio.TimeoutError)
    await asyncio.wait_for(cancelled.wait(), 5)


async def test_handler_tasks_come_from_the_callers_spawn() -> None:
    spawned: list[asyncio.Task[Any]] = []

    def spawn(coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(coro)
        spawned.append(task)
        return task

    async def one(event: WebhookEvent[Any]) -> None:
        return None

    async def two(event: WebhookEvent[Any]) -> None:
        return None

    assert (await run_handlers(EVENT, (one, two), 5.0, spawn=spawn)).ok
    assert len(spawned) == 2
    assert all(task.done() for task in spawned)


async def test_the_depth_gauge_reads_a_shared_inbox_at_most_once_per_period() -> None:
    reads: list[int] = []
    remote = [7]

    async def read() -> int:
        reads.append(remote[0])
        return remote[0]

    stats = WebhookStats()
    gauge = DepthGauge(stats, read, every=3600.0)
    await gauge.changed(+1)  # the first change reads the real figure
    assert (stats.queue_depth, reads) == (7, [7])
    await gauge.changed(+1)  # then counts locally until the next read is due
    await gauge.changed(-1)
    await gauge.changed(-1)
    assert (stats.queue_depth, len(reads)) == (6, 1)
    remote[0] = 2
    await gauge.refresh()
    assert stats.queue_depth == 2

    async def broken() -> int:
        raise ConnectionError("inbox down")

    failing = DepthGauge(stats, broken)
    await failing.refresh()  # only a counter: the figure stays, nothing raises
    assert stats.queue_depth == 2
