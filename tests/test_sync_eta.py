"""The sync's ETA: from the budget when the client has a rate of its own, from the rate of
the pages fetched lately under a shared throttle (RedisThrottler)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import redis.asyncio as redis

from aircall_async.clock import ManualClock
from aircall_async.redis import RedisThrottler
from aircall_async.sync import (
    Progress,
    ProgressFigures,
    RateMeter,
    SQLiteSink,
    StreamProgress,
    SyncEngine,
    observed_rate,
    render_line,
)
from aircall_async.testing import FakeAircall
from aircall_async.testing.history import make_recent


def ticks(start: float, stop: float, step: float) -> list[float]:
    """Times from ``start`` (excluded) to ``stop`` (included), ``step`` apart."""
    count = round((stop - start) / step)
    return [start + step * (i + 1) for i in range(count)]


def test_a_steady_rate_is_measured() -> None:
    # Two a second for two minutes: the last minute says 2/s.
    rate = observed_rate(ticks(0, 120, 0.5), 120, since=0)
    assert rate == pytest.approx(2.0, rel=0.02)
    # Early on, only the time observed counts (not diluted by the empty rest of the minute).
    assert observed_rate(ticks(0, 10, 1.0), 10, since=0) == pytest.approx(1.0, rel=0.06)
    # A slow rate too: one every 7 seconds.
    assert observed_rate(ticks(0, 300, 7.0), 300, since=0) == pytest.approx(1 / 7, rel=0.1)


def test_a_change_of_rate_shows_within_the_minute() -> None:
    times = ticks(0, 120, 1.0) + ticks(120, 240, 1 / 3)  # 1/s, then 3/s
    assert observed_rate(times, 120, since=0) == pytest.approx(1.0, rel=0.03)
    halfway = observed_rate([t for t in times if t <= 150], 150, since=0)
    assert halfway is not None and 1.5 < halfway < 2.5
    assert observed_rate(times, 240, since=0) == pytest.approx(3.0, rel=0.03)
    # The recent half weighs more than the older one.
    assert halfway > (30 * 1 + 30 * 3) / 60


def test_no_rate_until_known() -> None:
    assert observed_rate([], 10, since=0) is None
    assert observed_rate([5.0], 10, since=0) is None  # one event: no rate yet
    assert observed_rate([1.0, 2.0], 2, since=2) is None  # no time observed
    assert observed_rate([1.0, 2.0], 100, since=0) is None  # older than the window
    assert observed_rate([5.0, 99.0], 100, since=0) is None  # one left in the window


def test_progress_eta_from_the_budget_or_from_the_observed_rate() -> None:
    clock = ManualClock()
    left = {"calls": StreamProgress(pages_left={"window 0": 120})}
    shared = Progress(streams=left, rate=None, meter=RateMeter(clock.now))
    assert shared.eta() is None and shared.eta_basis is None
    assert "ETA" not in render_line(shared)
    for _ in range(60):  # a page every two seconds
        clock.advance(2)
        shared.page_fetched()
    assert shared.eta_basis == "observed"
    assert shared.eta() == pytest.approx(240, rel=0.03)
    assert "ETA ~3:5" in render_line(shared) or "ETA ~4:0" in render_line(shared)
    # The budget, when the client has one of its own, is what counts.
    budget = Progress(streams=left, rate=1.0, meter=shared.meter)
    assert budget.eta() == 120 and budget.eta_basis == "budget"
    assert "ETA 2:00" in render_line(budget)
    # A stall longer than the window: the rate (and the ETA) are unknown again.
    clock.advance(61)
    assert shared.eta() is None and shared.meter.rate() is None
    assert repr(shared.meter).startswith("<RateMeter events=")


async def test_under_a_shared_throttle_the_eta_comes_from_the_pages_fetched(
    r: redis.Redis, tmp_path: Path
) -> None:
    fake = FakeAircall(calls=1_500, contacts=0, rate_limit=None)
    make_recent(fake.state)
    seen: list[tuple[str | None, float | None]] = []

    def look(progress: Progress) -> None:
        seen.append((progress.eta_basis, progress.eta()))

    sink = SQLiteSink(tmp_path / "s.db")
    throttle = RedisThrottler(r, key="eta", limit=10_000, per=1.0)
    try:
        async with fake, fake.client(rate_limit=throttle) as client:
            engine = SyncEngine(client, sink, streams=["calls"], on_progress=look)
            assert engine.progress.rate is None  # a shared throttle: no budget of our own
            await engine.run()
    finally:
        await sink.close()
    assert seen[0] == (None, None)  # the first page: nothing observed yet
    middle = seen[len(seen) // 2]
    assert middle[0] == "observed" and middle[1] is not None and middle[1] > 0
    assert seen[-1][1] == 0  # nothing left


def test_figures_of_several_processes_add_up_into_one_line() -> None:
    clock = ManualClock()
    first = Progress(
        streams={"calls": StreamProgress(items=500, pages=10, pages_left={"window 0": 30})},
        meter=RateMeter(clock.now),
    )
    for _ in range(30):  # a page a second in the first process
        clock.advance(1)
        first.page_fetched()
    mine = first.figures()
    assert (mine.items, mine.pages, mine.pages_left) == (500, 10, 30)
    assert mine.basis == "observed" and mine.rate == pytest.approx(1.0, rel=0.03)
    # A worker's figures come back from its JSON line as they were sent.
    worker = ProgressFigures(
        items=700, pages=14, requests=15, rate_limited=1, pages_left=50, rate=1.0,
        basis="observed", under_way=("calls", "contacts"),
    )  # fmt: skip
    assert ProgressFigures.from_dict(json.loads(json.dumps(worker.as_dict()))) == worker
    both = ProgressFigures.total([mine, worker])
    assert (both.items, both.pages, both.pages_left, both.rate_limited) == (1200, 24, 80, 1)
    assert both.under_way == ("calls", "contacts")
    # Together they go at the sum of their rates: 80 pages at 2 a second.
    assert both.eta() == pytest.approx(40, rel=0.03)
    line = render_line(both)
    assert "1,200 items, 24 pages" in line and "1 x 429" in line and "ETA ~0:4" in line
    # Only budget rates: no "~". A process without a rate yet does not count in the rate.
    budgets = [ProgressFigures(pages_left=60, rate=1.0, basis="budget"), ProgressFigures()]
    assert "ETA 1:00" in render_line(ProgressFigures.total(budgets))
    assert ProgressFigures.total([]) == ProgressFigures()


@pytest.mark.parametrize(
    "garbage",
    [
        None, [], "progress", {"items": -5, "pages": "7", "rate": float("inf")},
        {"rate": True, "basis": "budget", "under_way": "calls"},
        {"rate": 0, "basis": "guessed", "under_way": [1, "calls"], "pages_left": 2**70},
    ],
)  # fmt: skip
def test_figures_from_a_garbled_line_count_as_absent(garbage: object) -> None:
    figures = ProgressFigures.from_dict(garbage)
    if not isinstance(garbage, dict):
        assert figures is None
        return
    assert figures is not None
    assert figures.items == 0 and figures.pages == 0 and figures.rate is None
    assert figures.basis is None and figures.eta() is None
    assert set(figures.under_way) <= {"calls"}
    render_line(ProgressFigures.total([figures]))  # never raises
