"""One RedisThrottler key shared by OS processes, against the fake's fixed windows.

Windows are scaled down (60 per 2 s) to keep the run short; the worker processes are
started once for the module. Every answer's ``X-AircallApi-Reset`` names the server
window the request was counted in, so the counts below are the server's own, per window.
"""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import attrs
import pytest
import redis

from aircall_async.testing import FakeAircall
from tests.redis_support import fresh_redis_url, spawn, wait_line

# Several processes on wall-clock windows: run on the main Python only in CI (scripts/test).
pytestmark = pytest.mark.slow

LIMIT = 60
PER = 2.0
PROCESSES = 4
TASKS = 8

Answers = list[tuple[int, int]]  # (status, X-AircallApi-Reset) of every answer


@attrs.frozen
class Cluster:
    """The fake, the Redis URL, four sender processes and one hog, all started."""

    fake: FakeAircall
    redis_url: str
    senders: list[subprocess.Popen[str]]
    hog: subprocess.Popen[str]


def _config(fake: FakeAircall, redis_url: str, **extra: Any) -> dict[str, Any]:
    return {
        "redis_url": redis_url,
        "key": "acme",
        "limit": LIMIT,
        "per": PER,
        "base_url": str(fake.base_url),
        "api_id": fake.api_id,
        "api_token": fake.api_token,
        "tasks": TASKS,
        "path": "/ping",
        **extra,
    }


@pytest.fixture(scope="module")
def cluster(redis_url: str) -> Iterator[Cluster]:
    redis_url = fresh_redis_url(redis_url)
    with FakeAircall(rate_limit=LIMIT, window=PER, calls=0, contacts=0, users=1) as fake:
        senders = [spawn("throttle", _config(fake, redis_url)) for _ in range(PROCESSES)]
        hog = spawn("hog", _config(fake, redis_url, key="hogged", tasks=LIMIT, path="/company"))
        try:
            for proc in [*senders, hog]:
                wait_line(proc, "ready")
            yield Cluster(fake, redis_url, senders, hog)
        finally:
            for proc in [*senders, hog]:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()


def _go(procs: list[subprocess.Popen[str]], key: str, windows: int) -> tuple[float, float]:
    """Let ``procs`` send on throttle ``key`` during the next ``windows`` whole windows."""
    start = math.ceil((time.time() + 0.2) / PER) * PER
    stop = start + windows * PER
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write(json.dumps({"start": start, "stop": stop, "key": key}) + "\n")
        proc.stdin.flush()
    return start, stop


def _answers(proc: subprocess.Popen[str]) -> Answers:
    line = wait_line(proc, "result ")
    return [(status, reset) for status, reset in json.loads(line[len("result ") :])["answers"]]


def _per_window(answers: Answers, status: int) -> Counter[int]:
    """Answers with ``status`` by server window (its start, UNIX seconds)."""
    return Counter(round(reset - PER) for s, reset in answers if s == status)


@attrs.frozen
class SharedRun:
    """One run of 4 processes: 5 windows at the full limit, then the server lowers it."""

    start: float
    lowered_at: float
    stop: float
    per_process: list[Answers]


@pytest.fixture(scope="module")
def shared_run(cluster: Cluster) -> SharedRun:
    start, stop = _go(cluster.senders, "acme", windows=8)
    # Halfway through the sixth window, the server lowers its limit to 30.
    time.sleep(max(0.0, start + 5.5 * PER - time.time()))
    cluster.fake.control.limiter.limit = 30
    lowered_at = time.time()
    per_process = [_answers(proc) for proc in cluster.senders]
    cluster.fake.control.limiter.limit = LIMIT
    return SharedRun(start, lowered_at, stop, per_process)


def test_four_processes_use_the_budget_without_429(shared_run: SharedRun) -> None:
    run = shared_run
    answers = [a for answers in run.per_process for a in answers]
    changed_in = math.floor(run.lowered_at / PER) * PER
    assert not [w for w in _per_window(answers, 429) if w < changed_in]
    ok = _per_window(answers, 200)
    full = {w: n for w, n in ok.items() if run.start <= w < run.start + 5 * PER}
    assert len(full) == 5
    assert max(full.values()) <= LIMIT
    assert sum(full.values()) >= 0.95 * LIMIT * 5, full
    # First come, first served across processes: none starves, each gets about a quarter.
    shares = [sum(1 for s, _ in answers if s == 200) for answers in run.per_process]
    assert min(shares) >= 0.15 * sum(shares), shares


def test_every_process_follows_a_lowered_limit_within_a_window(shared_run: SharedRun) -> None:
    run = shared_run
    changed_in = math.floor(run.lowered_at / PER) * PER
    later = changed_in + PER
    for answers in run.per_process:
        # Each process met 429s at most in the window of the change, none after it,
        # and kept sending after it.
        assert not [w for w in _per_window(answers, 429) if w != changed_in]
        assert any(w >= later for w in _per_window(answers, 200))
    ok = _per_window([a for answers in run.per_process for a in answers], 200)
    after = {w: n for w, n in ok.items() if later <= w < run.stop}
    assert len(after) == 2
    assert max(after.values()) <= 30
    assert sum(after.values()) >= 0.9 * 30 * len(after), after


def test_slots_of_a_killed_process_come_back_within_per(
    cluster: Cluster, shared_run: SharedRun
) -> None:
    fake, hog = cluster.fake, cluster.hog
    others = cluster.senders[: PROCESSES - 1]
    rate_limited_before = fake.stats.rate_limited
    # The hog's requests take far longer than a window, so only lease expiry frees them.
    fake.fail("/company", delay=4 * PER)
    client = redis.Redis.from_url(cluster.redis_url)
    inflight = "aircall:throttle:{hogged}:inflight"
    try:
        assert hog.stdin is not None
        hog.stdin.write("go\n")
        hog.stdin.flush()
        while client.zcard(inflight) < LIMIT:
            time.sleep(0.05)
        # Past a whole window a live process keeps its slots: it renews their leases.
        time.sleep(PER * 1.25)
        assert client.zcard(inflight) == LIMIT
        os.kill(hog.pid, signal.SIGKILL)
        hog.wait()
        killed_at = time.time()
        _, stop = _go(others, "hogged", windows=3)
        answers = [a for proc in others for a in _answers(proc)]
    finally:
        client.close()
        fake.clear_faults()
    assert fake.stats.rate_limited == rate_limited_before
    ok = _per_window(answers, 200)
    # The hog's slots expired within PER of the kill: the others were sending in the
    # window where that instant falls (or earlier)...
    assert [w for w in ok if w <= killed_at + PER]
    # ...and from the next window on they use the whole budget (the slots taken late in
    # the window of the recovery free late in the following one: a sliding log's price).
    steady = [w for w in ok if w >= killed_at + 2 * PER and w + PER <= stop]
    assert steady
    for window in steady:
        assert ok[window] >= 0.95 * LIMIT, (window, ok)
