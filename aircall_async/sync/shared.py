"""One sync spread over several processes (one machine or many) writing into one sink.

(Just over 400 lines on purpose: the claim decisions and the loops that drive them are read
together; splitting them would separate each rule from the only code that applies it.)

The calls run's plan is made once, by the first process, and stored in the calls state
(``_aircall_sync_state``) with an id, its windows ``[lo, hi, pos]`` and a claim per window
``[owner, until]`` (``null`` when nobody holds it). Every change goes through the sink's
:meth:`~aircall_async.sync.sinks.SharedSink.update_state`: one transaction holding the
state against every other process, reading it, changing it, writing it back with the page's
rows. So:

- a process claims a window nobody holds (or whose lease ran out) and renews its lease
  every ``lease / 3`` seconds while it reads;
- a page commits only while its process still holds the window (a process that stalled
  past its lease lost the window to another one: its page is dropped, never written over
  the newer one), and only moves that window's ``pos``;
- the commit that finishes the last window sets ``high_water`` and clears the run, once;
- a process with nothing left to claim waits, and takes over a window whose process died
  once its lease has run out; it leaves when the run it joined is finished.

The other streams are run by one process each: a claim in the state row ``<stream>:claim``
(``{"owner", "until"}`` while it runs, ``{"done_at"}`` after). A process that finds one held
waits; it skips the stream when it was done after this process joined, and takes it over
when the lease of a dead process runs out. Its writes are fenced by that claim
(:mod:`aircall_async.sync.fence`).

The pure decisions are the functions at the top (they may change the state they are given,
read fresh from the sink for each transaction); :func:`run_shared` drives them.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, Literal

import attrs

from .fence import FencedSink, claim_guard
from .sinks import SharedSink, StateChange
from .state import plan_calls
from .streams import Stream
from .walkers import Context, ascending

__all__ = [
    "Coordination",
    "claim_stream",
    "claim_window",
    "commit_window",
    "default_owner",
    "join_calls",
    "renew_window",
    "run_shared",
]

State = dict[str, Any]
Walker = Callable[[Context, Stream], Awaitable[None]]
Claim = Literal["mine", "wait", "skip"]

#: A process with no window left to claim takes half of a window held by another one when
#: that half spans at least this many seconds (each split costs up to two more pages).
MIN_SPLIT = 60


def default_owner() -> str:
    """A name for this process, unique across machines: ``host:pid:random``."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _run(state: State | None) -> State | None:
    run = state.get("run") if state else None
    ok = isinstance(run, dict) and isinstance(run.get("windows"), list)
    return run if ok else None


def _claims(run: State) -> list[Any]:
    claims = run.get("claims")
    count = len(run["windows"])
    if not isinstance(claims, list) or len(claims) != count:
        claims = [None] * count
    run["claims"] = claims
    return claims


def _live(claim: Any, now: float) -> bool:
    return isinstance(claim, list) and len(claim) == 2 and claim[1] >= now


def join_calls(
    state: State | None,
    *,
    now: int,
    since: int | None,
    lag: int,
    windows: int,
    db_now: float,
    lease: float,
) -> State | None:
    """The calls state after this process joins: ``None`` (unchanged) when a run is under
    way; a new plan (with a fresh ``id``) when there is none. A run nobody works on any
    more (no live claim, planned more than a ``lease`` ago) is also given the calls
    started since its end, as one more window, like an interrupted single-process run."""
    run = _run(state)
    if run is None:
        plan = plan_calls(state, now=now, since=since, lag=lag, workers=windows)
        high_water = state.get("high_water") if state else None
        out = plan.state(high_water if isinstance(high_water, int) else None)
        out["run"].update(id=uuid.uuid4().hex, claims=[None] * len(plan.windows), planned_at=db_now)
        return out
    claims = _claims(run)
    to = run.get("to")
    planned = run.get("planned_at")
    fresh = isinstance(planned, (int, float)) and db_now - planned < lease
    live = fresh or any(_live(c, db_now) for c in claims)
    extend = isinstance(to, int) and now > to and not live
    if "id" in run and not extend:
        return None
    new_run = {**run, "id": run.get("id") or uuid.uuid4().hex}
    if extend and isinstance(to, int):
        new_run["windows"] = [*run["windows"], [to + 1, now, to + 1]]
        new_run["claims"] = [*claims, None]
        new_run["to"] = now
        new_run["planned_at"] = db_now
    return {**(state or {}), "run": new_run}


def _finish_if_done(state: State, run: State) -> State:
    if all(w[2] > w[1] for w in run["windows"]):
        return {**state, "high_water": run["to"], "run": None}
    return state


def claim_window(
    state: State | None, *, run_id: str, owner: str, now: float, lease: float
) -> tuple[State | None, int | None, bool]:
    """Claim a window of run ``run_id``: ``(new state or None, window index or None,
    finished)``. ``finished`` when the run is over (then this process leaves); a state
    with no index finishes a run whose windows are all done. With no window free, the
    upper half of the largest window still to read is cut off as a new one (its holder
    stops at the new end), so that no process idles while much is left."""
    run = _run(state)
    if state is None or run is None or run.get("id") != run_id:
        return None, None, True
    claims = _claims(run)
    for index, (_lo, hi, pos) in enumerate(run["windows"]):
        claim = claims[index]
        if pos <= hi and not _live(claim, now):
            claims[index] = [owner, now + lease]
            return state, index, False
    if all(w[2] > w[1] for w in run["windows"]):
        return _finish_if_done(state, run), None, True
    # Nothing free: take the upper half of what is left of the largest window held.
    left = [(w[1] - w[2], i) for i, w in enumerate(run["windows"]) if w[2] <= w[1]]
    span, biggest = max(left)
    if span + 1 < 2 * MIN_SPLIT:
        return None, None, False
    window = run["windows"][biggest]
    middle = window[2] + (span + 1) // 2
    run["windows"].append([middle, window[1], middle])
    claims.append([owner, now + lease])
    window[1] = middle - 1
    return state, len(run["windows"]) - 1, False


def _held(state: State | None, run_id: str, index: int, owner: str) -> State | None:
    run = _run(state)
    if run is None or run.get("id") != run_id or index >= len(run["windows"]):
        return None
    claim = _claims(run)[index]
    return run if isinstance(claim, list) and claim and claim[0] == owner else None


def commit_window(
    state: State | None,
    *,
    run_id: str,
    index: int,
    owner: str,
    pos: int | None,
    now: float,
    lease: float,
) -> State | None:
    """The state once a page of window ``index`` is read up to ``pos`` (``None``: the
    window is done), or ``None`` when this process no longer holds the window (the page is
    then dropped). The commit finishing the last window finishes the run. A window whose
    end was moved below ``pos`` by a split is done."""
    run = _held(state, run_id, index, owner)
    if state is None or run is None:
        return None
    window = run["windows"][index]
    window[2] = window[1] + 1 if pos is None else pos
    run["claims"][index] = None if window[2] > window[1] else [owner, now + lease]
    return _finish_if_done(state, run)


def renew_window(
    state: State | None, *, run_id: str, index: int, owner: str, now: float, lease: float
) -> State | None:
    """The state with this process' lease on window ``index`` renewed, or ``None``."""
    run = _held(state, run_id, index, owner)
    if state is None or run is None:
        return None
    run["claims"][index] = [owner, now + lease]
    return state


def claim_stream(
    state: State | None, *, owner: str, now: float, lease: float, joined: float
) -> tuple[State | None, Claim]:
    """Claim a whole stream: ``mine`` (with the state to store), ``wait`` (another live
    process runs it) or ``skip`` (it was done after this process joined)."""
    state = state or {}
    done = state.get("done_at")
    if isinstance(done, (int, float)) and done >= joined:
        return None, "skip"
    holder, until = state.get("owner"), state.get("until")
    if holder not in (None, owner) and isinstance(until, (int, float)) and until >= now:
        return None, "wait"
    return {"owner": owner, "until": now + lease}, "mine"


class _Lost(Exception):
    """This process no longer holds the window: another one took it over."""


@attrs.define
class Coordination:
    """How this process takes part in a shared sync: its ``owner`` name, the ``lease``
    (seconds) after which a silent process' work is taken over, and how many ``windows``
    the calls range is cut into when this process is the one that plans the run."""

    sink: SharedSink
    owner: str
    lease: float
    windows: int
    #: The calls stream when it is synced (its run is what the processes join).
    calls: Stream | None = None
    #: When the run this process joined was planned (database time): the streams done
    #: since then are not done again.
    joined: float | None = None
    run_id: str = ""
    _lock: asyncio.Lock = attrs.field(factory=asyncio.Lock, repr=False)

    @property
    def poll(self) -> float:
        """Seconds between two looks at work held by others."""
        return min(self.lease / 4, 5.0)

    async def update(
        self, key: str, change: StateChange, stream: Stream | None = None, objs: Any = ()
    ) -> bool:
        """:meth:`SharedSink.update_state`."""
        return await self.sink.update_state(key, change, stream, objs)

    async def join(self, ctx: Context) -> None:
        """Join the calls run under way, or plan one (once per process): sets ``run_id``
        and ``joined``."""
        async with self._lock:
            if self.joined is not None:
                return
            calls = self.calls

            def join(state: State | None, now: float) -> State | None:
                if calls is None:
                    self.joined = now
                    return None
                new = join_calls(
                    state, now=ctx.now, since=ctx.since, lag=ctx.lag, windows=self.windows,
                    db_now=now, lease=self.lease,
                )  # fmt: skip
                run = _run(new if new is not None else state) or {}
                self.run_id = str(run.get("id", ""))
                planned = run.get("planned_at")
                self.joined = float(planned) if isinstance(planned, (int, float)) else now
                return new

            await self.update(calls.name if calls is not None else "calls", join)

    @contextlib.asynccontextmanager
    async def heartbeat(self, renew: Callable[[], Awaitable[object]]) -> AsyncIterator[None]:
        """Call ``renew`` every ``lease / 3`` seconds while the block runs."""

        async def beat() -> None:
            while True:
                await asyncio.sleep(self.lease / 3)
                await renew()

        task = asyncio.ensure_future(beat())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


async def shared_calls(ctx: Context, stream: Stream, co: Coordination) -> None:
    """Join (or plan) the calls run and read windows of it until it is finished."""
    await co.join(ctx)
    run_id = co.run_id

    async def work(me: str, index: int, window: list[int]) -> None:
        async def renew() -> None:
            await co.update(
                stream.name,
                lambda s, now: renew_window(
                    s, run_id=run_id, index=index, owner=me, now=now, lease=co.lease
                ),
            )

        async def commit(objs: list[dict[str, Any]], pos: int | None) -> None:
            done: list[bool] = []

            def change(s: State | None, now: float) -> State | None:
                new = commit_window(
                    s, run_id=run_id, index=index, owner=me, pos=pos, now=now, lease=co.lease
                )
                run = _run(new)
                done.append(run is None or run["windows"][index][2] > run["windows"][index][1])
                return new

            if not await co.update(stream.name, change, stream, objs):
                raise _Lost
            if pos is not None and done[-1]:
                raise _Lost  # another process took the rest of this window

        async with co.heartbeat(renew):
            try:
                with contextlib.suppress(_Lost):
                    await ascending(ctx, stream, window[2], window[1], f"window {index}", commit)
            finally:
                # A window left to another process (taken over, or its upper half split off)
                # is no longer this one's to count down: its pages left are that one's.
                ctx.left(stream, f"window {index}", 0)

    async def worker(me: str) -> None:
        got: dict[str, Any] = {}
        while True:
            got.clear()

            def claim(s: State | None, now: float) -> State | None:
                new, index, got["finished"] = claim_window(
                    s, run_id=run_id, owner=me, now=now, lease=co.lease
                )
                if index is not None and new is not None:
                    got["claimed"] = (index, list(new["run"]["windows"][index]))
                return new

            await co.update(stream.name, claim)
            if "claimed" in got:
                await work(me, *got["claimed"])
            elif got["finished"]:
                return
            else:
                await asyncio.sleep(co.poll)

    # Each task its own owner name: a task never takes a window another task holds.
    await asyncio.gather(*(worker(f"{co.owner}/{i}") for i in range(ctx.workers)))


async def shared_stream(ctx: Context, stream: Stream, co: Coordination, walker: Walker) -> None:
    """Run ``walker`` on ``stream`` if no other process does; wait while one does, and take
    over when its lease runs out."""
    key = f"{stream.name}:claim"
    got: dict[str, Claim] = {}
    while True:

        def claim(s: State | None, now: float) -> State | None:
            new, got["claim"] = claim_stream(
                s, owner=co.owner, now=now, lease=co.lease, joined=co.joined or now
            )
            return new

        await co.update(key, claim)
        if got["claim"] == "skip":
            return
        if got["claim"] == "mine":
            break
        await asyncio.sleep(co.poll)

    def mine(state: State | None) -> bool:
        return bool(state) and state is not None and state.get("owner") == co.owner

    async def renew() -> None:
        await co.update(
            key, lambda s, now: {"owner": co.owner, "until": now + co.lease} if mine(s) else None
        )

    ok = False
    try:
        fenced = FencedSink(co.sink, stream, claim_guard(stream.name, co.owner))
        async with co.heartbeat(renew):
            await walker(attrs.evolve(ctx, sink=fenced), stream)
        ok = True
    finally:
        # Done: the others skip it. Failed: released, for another process or the next run.
        await asyncio.shield(
            co.update(key, lambda s, now: ({"done_at": now} if ok else {}) if mine(s) else None)
        )


async def run_shared(ctx: Context, stream: Stream, co: Coordination, walker: Walker) -> None:
    """Run one stream of a shared sync: calls by windows, the others by one process."""
    await co.join(ctx)
    if stream.strategy == "calls":
        await shared_calls(ctx, stream, co)
    else:
        await shared_stream(ctx, stream, co, walker)
