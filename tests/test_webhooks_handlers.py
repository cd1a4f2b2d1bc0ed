"""run_handlers(), the one function both ack modes run handlers through, and the depth gauge."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Coroutine
from typing import Any

import pytest

from aircall_async.clock import ManualClock
from aircall_async.testing.deliveries import build_delivery
from aircall_async.webhooks import WebhookEvent, WebhookStats, parse_event
from aircall_async.webhooks._handlers import HandlerOutcome, InlineDeadlines, run_handlers
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


@pytest.mark.parametrize("inline", [False, True])
async def test_an_overrun_is_cancelled_and_reported_as_a_timeout(inline: bool) -> None:
    cancelled = asyncio.Event()

    async def slow(event: WebhookEvent[Any]) -> None:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.set()
            raise

    deadlines = InlineDeadlines(0.05) if inline else None
    outcome = await run_handlers(EVENT, (slow,), 0.05, deadlines=deadlines)
    assert outcome.failed == (slow,)
    assert isinstance(outcome.error, asyncio.TimeoutError)
    await asyncio.wait_for(cancelled.wait(), 5)
    # Inline, the deadline's cancellation ended with the handler: this task goes on.
    await asyncio.sleep(0)
    task = asyncio.current_task()
    assert task is not None and not task.cancelled()
    if hasattr(task, "cancelling"):
        assert task.cancelling() == 0


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


def _no_spawn(coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
    coro.close()
    raise AssertionError("a lone handler run inline must not get a task")


async def test_inline_a_lone_handler_runs_in_the_callers_task() -> None:
    tasks: list[asyncio.Task[Any] | None] = []

    async def one(event: WebhookEvent[Any]) -> None:
        tasks.append(asyncio.current_task())
        await asyncio.sleep(0)

    assert (
        await run_handlers(EVENT, (one,), 5.0, spawn=_no_spawn, deadlines=InlineDeadlines(5.0))
    ).ok
    assert tasks == [asyncio.current_task()]
    # Several handlers still run concurrently, each in its own task.
    spawned: list[asyncio.Task[Any]] = []

    def spawn(coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        spawned.append(asyncio.ensure_future(coro))
        return spawned[-1]

    assert (
        await run_handlers(EVENT, (one, one), 5.0, spawn=spawn, deadlines=InlineDeadlines(5.0))
    ).ok
    assert len(spawned) == 2 and tasks[1:] == spawned


async def test_inline_failures_and_overruns_are_reported_like_tasks_ones() -> None:
    async def broken(event: WebhookEvent[Any]) -> None:
        raise LookupError("no such row")

    async def no_argument() -> None:
        return None

    failed = await run_handlers(
        EVENT, (broken,), 5.0, spawn=_no_spawn, deadlines=InlineDeadlines(5.0)
    )
    assert failed.failed == (broken,) and isinstance(failed.error, LookupError)
    wrong = await run_handlers(EVENT, (no_argument,), 5.0, deadlines=InlineDeadlines(5.0))  # type: ignore[arg-type]
    assert isinstance(wrong.error, TypeError)


async def test_inline_a_handler_that_swallows_the_deadline_fails_once_it_returns() -> None:
    async def stubborn(event: WebhookEvent[Any]) -> None:
        # Wrong, but it happens: returns normally after its deadline.
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.Event().wait()

    outcome = await run_handlers(EVENT, (stubborn,), 0.05, deadlines=InlineDeadlines(0.05))
    assert outcome.failed == (stubborn,) and isinstance(outcome.error, asyncio.TimeoutError)
    await asyncio.sleep(0)  # not cancelled by a leftover request


async def test_inline_a_cancellation_from_outside_is_not_absorbed() -> None:
    started = asyncio.Event()

    async def waits(event: WebhookEvent[Any]) -> None:
        started.set()
        await asyncio.Event().wait()

    runner = asyncio.ensure_future(
        run_handlers(EVENT, (waits,), 30.0, deadlines=InlineDeadlines(30.0))
    )
    await started.wait()
    runner.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await runner
    assert runner.cancelled()


# -- the inline handlers' shared deadlines (one timer, a queue in start order) -------------


async def _settle() -> None:
    for _ in range(5):  # a cancellation takes a few loop turns to reach the outcome
        await asyncio.sleep(0)


def _inline(handler: Any, deadlines: InlineDeadlines) -> asyncio.Task[HandlerOutcome]:
    return asyncio.ensure_future(
        run_handlers(EVENT, (handler,), deadlines.timeout, deadlines=deadlines)
    )


async def test_shared_deadlines_cancel_each_handler_at_its_own_deadline() -> None:
    clock = ManualClock()
    deadlines = InlineDeadlines(10.0, clock=clock)
    release_first = asyncio.Event()

    async def first(event: WebhookEvent[Any]) -> None:
        await release_first.wait()

    async def second(event: WebhookEvent[Any]) -> None:
        await asyncio.Event().wait()  # overruns

    a = _inline(first, deadlines)
    await _settle()
    clock.advance(4.0)
    b = _inline(second, deadlines)  # deadline 14, behind the head's 10
    await _settle()
    release_first.set()  # the head finishes in time
    await _settle()
    assert (await a).ok
    clock.advance(6.0)  # t=10: the timer finds the head finished and moves on to 14
    await _settle()
    assert not b.done()
    assert clock.pending == 1
    clock.advance(4.0)  # t=14: the second overruns
    await _settle()
    outcome = await b
    assert outcome.failed == (second,) and isinstance(outcome.error, asyncio.TimeoutError)
    assert len(deadlines) == 0 and clock.pending == 0


async def test_shared_deadlines_an_overrun_head_leaves_the_next_handler_running() -> None:
    clock = ManualClock()
    deadlines = InlineDeadlines(10.0, clock=clock)
    release_second = asyncio.Event()

    async def stuck(event: WebhookEvent[Any]) -> None:
        await asyncio.Event().wait()

    async def second(event: WebhookEvent[Any]) -> None:
        await release_second.wait()

    a = _inline(stuck, deadlines)
    await _settle()
    clock.advance(5.0)
    b = _inline(second, deadlines)
    await _settle()
    clock.advance(5.0)  # t=10: only the head's deadline
    await _settle()
    assert isinstance((await a).error, asyncio.TimeoutError)
    assert not b.done()
    release_second.set()
    assert (await b).ok  # done before its own deadline (15): not cancelled with the head


async def test_shared_deadlines_keep_one_timer_and_forget_finished_handlers() -> None:
    clock = ManualClock()
    deadlines = InlineDeadlines(10.0, clock=clock)

    async def quick(event: WebhookEvent[Any]) -> None:
        await asyncio.sleep(0)

    for _ in range(200):
        assert (await _inline(quick, deadlines)).ok
    # One timer for all of them (a timer per handler was the cost this saves), and the
    # finished ones are dropped as the next one starts: the queue does not grow.
    assert clock.pending == 1
    assert len(deadlines) <= 1


def test_shared_deadlines_on_a_new_event_loop_schedule_a_new_timer() -> None:
    deadlines = InlineDeadlines(0.05)

    async def quick(event: WebhookEvent[Any]) -> None:
        return None

    async def stuck(event: WebhookEvent[Any]) -> None:
        await asyncio.Event().wait()

    async def first_loop() -> HandlerOutcome:
        return await _inline(quick, deadlines)

    async def second_loop() -> HandlerOutcome:
        return await asyncio.wait_for(_inline(stuck, deadlines), 5.0)

    # The first loop ends with its timer still pending (it dies with the loop): the
    # second loop's overrun must be cancelled all the same, by a timer of its own.
    assert asyncio.run(first_loop()).ok
    outcome = asyncio.run(second_loop())
    assert outcome.failed == (stuck,) and isinstance(outcome.error, asyncio.TimeoutError)
