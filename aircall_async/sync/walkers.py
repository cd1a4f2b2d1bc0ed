"""How each kind of stream is read page by page, each page committed with the state that
lets a rerun continue after it (see :mod:`aircall_async.sync.state` for the states).

Pages are fetched one at a time per listing, so a kill loses at most the page in flight and
a rerun fetches again at most the page it stopped in.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import attrs

from ..errors import AircallError, PaginationLimitError
from .progress import Progress, ProgressCallback, StreamProgress
from .sinks import Sink
from .state import CallsPlan, calls_high_water, plan_calls
from .streams import Stream, epoch

__all__ = [
    "DEFAULT_SWEEP_EVERY",
    "Context",
    "SyncError",
    "sweep_due",
    "sync_calls",
    "sync_contacts",
    "sync_full",
]

#: The API refuses pages past this many items of one query.
CAP = 10_000
#: How old the last full read of contacts may get (seconds) before a run sweeps them all
#: again: phone and e-mail edits may not bump ``updated_at``, so only a sweep sees them.
DEFAULT_SWEEP_EVERY = 7 * 86_400

Obj = dict[str, Any]
Commit = Callable[[list[Obj], "int | None"], Awaitable[None]]
GetJSON = Callable[[str, Mapping[str, Any]], Awaitable[Any]]


class SyncError(AircallError):
    """A stream cannot be synced: an answer of an unexpected shape, or a listing that
    cannot be walked (more than 10,000 objects sharing one creation second)."""


@attrs.define
class Context:
    """What every walker needs: how to GET, where to write, and the run's settings."""

    get: GetJSON
    sink: Sink
    progress: Progress
    on_progress: ProgressCallback | None
    now: int
    since: int | None
    updated_since: int | None
    lag: int
    workers: int
    per_page: int = 50
    full_contacts: bool = False
    contacts_sweep_every: int | None = None

    def counters(self, stream: Stream) -> StreamProgress:
        """The progress counters of ``stream``."""
        return self.progress.streams.setdefault(stream.name, StreamProgress())

    def report(self) -> None:
        """Tell the progress callback (its errors propagate: a bug in the caller)."""
        if self.on_progress is not None:
            self.on_progress(self.progress)

    async def page(self, stream: Stream, params: Mapping[str, Any]) -> tuple[list[Obj], int | None]:
        """One page of ``stream``: its objects (redacted, with an id) and ``meta.total``."""
        body = await self.get(stream.path, {**params, "per_page": self.per_page})
        items = body.get(stream.key) if isinstance(body, dict) else None
        if not isinstance(items, list):
            raise SyncError(f"GET {stream.path} answered without a {stream.key!r} list")
        meta = body.get("meta")
        total = meta.get("total") if isinstance(meta, dict) else None
        self.counters(stream).pages += 1
        self.progress.page_fetched()
        objs = [stream.clean(i) for i in items if isinstance(i, dict)]
        kept = [o for o in objs if stream.record_id(o) is not None]
        return kept, total if isinstance(total, int) and not isinstance(total, bool) else None

    def more(self, page: int, total: int | None, count: int) -> bool:
        """Whether a listing goes on after ``page`` that held ``count`` objects."""
        if count == 0:
            return False
        if total is None:
            return count >= self.per_page
        return page * self.per_page < total

    def left(self, stream: Stream, key: str, pages: int) -> None:
        """Record how many pages the listing ``key`` of ``stream`` still expects."""
        self.counters(stream).pages_left[key] = max(0, pages)


async def ascending(
    ctx: Context, stream: Stream, lo: int, hi: int | None, key: str, commit: Commit
) -> None:
    """Read the objects created in ``[lo, hi]`` oldest first and ``commit(objs, pos)`` each
    page: every object created from ``pos`` on is still to read (``None`` at the end).

    Past the 10,000-item cap a new query starts at the last creation time read. ``from`` is
    sent a second early because ``/calls`` excludes it; what that brings back, and what a
    new query reads again, is dropped here.
    """
    start, page = lo, 1
    last_time: int | None = None
    at_last: set[int] = set()
    while True:
        params: dict[str, Any] = {"order": "asc", "page": page}
        if start > 0:
            params["from"] = start - 1
        if hi is not None:
            params["to"] = hi
        objs, total = await ctx.page(stream, params)
        fresh = []
        for obj in objs:
            when = stream.created(obj)
            if (when is not None and when < start) or obj["id"] in at_last:
                continue
            fresh.append(obj)
            if when is not None:
                if when != last_time:
                    last_time, at_last = when, set()
                at_last.add(obj["id"])
        more = ctx.more(page, total, len(objs))
        if total is not None:
            ctx.left(stream, key, math.ceil(total / ctx.per_page) - page)
        await commit(fresh, last_time if more else None)
        ctx.counters(stream).items += len(fresh)
        ctx.report()
        if not more:
            ctx.left(stream, key, 0)
            return
        if page * ctx.per_page >= CAP:
            if last_time is None or last_time == start:
                raise SyncError(f"GET {stream.path}: more than {CAP} objects created in one second")
            start, page = last_time, 1
        else:
            page += 1


async def sync_calls(ctx: Context, stream: Stream) -> None:
    """Calls by start time in windows (one task per window), re-reading the lag window."""
    state = await ctx.sink.load_state(stream)
    plan = plan_calls(state, now=ctx.now, since=ctx.since, lag=ctx.lag, workers=ctx.workers)
    high_water = calls_high_water(state)
    lock = asyncio.Lock()

    async def window(index: int) -> None:
        w = plan.windows[index]

        async def commit(objs: list[Obj], pos: int | None) -> None:
            async with lock:  # one state for all windows: writes must not interleave
                w.pos = w.hi + 1 if pos is None else pos
                await ctx.sink.write(
                    stream, objs, CallsPlan(plan.to, plan.windows).state(high_water), 0
                )

        await ascending(ctx, stream, w.pos, w.hi, f"window {index}", commit)

    await asyncio.gather(*(window(i) for i, w in enumerate(plan.windows) if not w.done))
    await ctx.sink.write(stream, [], {"high_water": plan.to, "run": None}, 0)


async def sync_full(ctx: Context, stream: Stream) -> None:
    """A small collection read whole; the rows it no longer lists are deleted."""
    state = await ctx.sink.load_state(stream) or {}
    number = _int(state.get("sweep_no")) + (0 if state.get("open") else 1)
    page = 1
    while True:
        objs, total = await ctx.page(stream, {"page": page})
        more = ctx.more(page, total, len(objs))
        await ctx.sink.write(stream, objs, {"sweep_no": number, "open": True}, number)
        ctx.counters(stream).items += len(objs)
        ctx.report()
        if not more:
            break
        if page * ctx.per_page >= CAP:
            raise PaginationLimitError(f"GET {stream.path} lists more than {CAP} objects")
        page += 1
    ctx.counters(stream).deleted += await ctx.sink.finish_sweep(
        stream, number, {"sweep_no": number}
    )


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


async def sync_contacts(ctx: Context, stream: Stream) -> None:
    """Contacts: walk by ``updated_at`` newest first down to the last walk's start; then
    sweep them all by creation time when deletions show (fewer listed than stored), when
    the walk cannot go on (past the cap), when asked (``full_contacts``), or when the last
    full read is older than ``contacts_sweep_every`` (phone and e-mail edits may leave
    ``updated_at`` alone: only a sweep sees them)."""
    state = await ctx.sink.load_state(stream) or {}
    if not isinstance(state.get("sweep"), dict):
        walked_before = isinstance(state.get("cursor"), int)
        total = await _walk(ctx, stream, state)
        state = await ctx.sink.load_state(stream) or {}
        if isinstance(state.get("sweep"), dict):
            pass  # the walk could not go on: the sweep replaces it
        elif not (
            ctx.full_contacts
            or (walked_before and sweep_due(state, ctx.now, ctx.contacts_sweep_every))
            or (total is not None and await ctx.sink.count(stream) > total)
        ):
            return  # nothing deleted (or no total to tell), no sweep asked for nor due
        else:
            number = _int(state.get("sweep_no")) + 1
            state = {**state, "sweep_no": number, "sweep": {"pos": 0, "at": ctx.now}}
            await ctx.sink.write(stream, [], state, 0)
    await _sweep(ctx, stream, state)


def sweep_due(state: Obj, now: int, every: int | None) -> bool:
    """Whether the periodic full sweep of contacts is due: the last one (``swept_at``)
    is ``every`` seconds old or more, or unknown. Never with ``every`` None."""
    if every is None:
        return False
    swept_at = state.get("swept_at")
    return not isinstance(swept_at, int) or now - swept_at >= every


async def _walk(ctx: Context, stream: Stream, state: Obj) -> int | None:
    """The walk newest first; returns the listing's total, ``None`` when it must be swept."""
    cursor = state["cursor"] if isinstance(state.get("cursor"), int) else ctx.updated_since
    walk: Obj = state["walk"] if isinstance(state.get("walk"), dict) else {}
    page = max(1, _int(walk.get("page")))  # the page it stopped in is read again
    top = walk.get("top") if isinstance(walk.get("top"), int) else None
    previous_total: int | None = None
    back_to: int | None = None
    base: Obj = {"sweep_no": _int(state.get("sweep_no"))}
    if isinstance(state.get("swept_at"), int):
        base["swept_at"] = state["swept_at"]
    while True:
        params = {"order_by": "updated_at", "order": "desc", "page": page}
        objs, total = await ctx.page(stream, params)
        times = [epoch(o.get("updated_at")) for o in objs]
        if top is None:
            top = max((t for t in times if t is not None), default=cursor or 0)
        if cursor is not None:
            objs = [o for o, t in zip(objs, times, strict=True) if t is None or t >= cursor]
        reached = cursor is not None and len(objs) < len(times)
        more = ctx.more(page, total, len(times)) and not reached
        too_many = more and (page * ctx.per_page >= CAP or (cursor is None and (total or 0) > CAP))
        if too_many:  # the sweep starts in the same transaction: a kill cannot skip it
            sweep = {"pos": 0, "at": ctx.now}
            next_state = {**base, "sweep_no": base["sweep_no"] + 1, "cursor": top, "sweep": sweep}
        elif more:
            next_state = {**base, "cursor": cursor, "walk": {"page": page, "top": top}}
        elif cursor is None:  # every contact read: as good as a sweep for the period
            next_state = {**base, "cursor": top, "swept_at": ctx.now}
        else:
            next_state = {**base, "cursor": top}
        await ctx.sink.write(stream, objs, next_state, 0)
        ctx.counters(stream).items += len(objs)
        if total is not None and cursor is None:
            ctx.left(stream, "walk", math.ceil(total / ctx.per_page) - page)
        ctx.report()
        if too_many:
            return None
        if not more:
            ctx.left(stream, "walk", 0)
            return total
        # A listing that shrank moved objects up onto the page read before: read it again,
        # then go on after this one.
        shrank = previous_total is not None and total is not None and total < previous_total
        previous_total = total
        if shrank and page > 1 and back_to is None:
            back_to, page = page + 1, page - 1
        elif back_to is not None:
            page, back_to = back_to, None
        else:
            page += 1


async def _sweep(ctx: Context, stream: Stream, state: Obj) -> None:
    """Every contact by creation time, each page upserted (so edits that left
    ``updated_at`` alone are picked up); the rows it did not see are deleted at the end."""
    sweep = state["sweep"]
    number = _int(state.get("sweep_no"))
    started = sweep["at"] if isinstance(sweep.get("at"), int) else ctx.now
    base = {k: v for k, v in state.items() if k != "sweep"}

    async def commit(objs: list[Obj], pos: int | None) -> None:
        step = {**base, "sweep": {"pos": pos if pos is not None else ctx.now, "at": started}}
        await ctx.sink.write(stream, objs, step, number)

    await ascending(ctx, stream, _int(sweep.get("pos")), None, "sweep", commit)
    done = {**base, "swept_at": started}
    ctx.counters(stream).deleted += await ctx.sink.finish_sweep(stream, number, done)
