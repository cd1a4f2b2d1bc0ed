"""The sync engine: runs the selected streams against a client and a sink, concurrently
(they share the client's rate budget), and reports progress."""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from ..ratelimit import RateLimit
from .progress import Progress, ProgressCallback, RequestCounter, StreamProgress
from .shared import Coordination, default_owner, run_shared
from .sinks import SharedSink, Sink
from .state import DEFAULT_LAG
from .streams import Stream, select_streams
from .walkers import DEFAULT_SWEEP_EVERY, Context, sync_calls, sync_contacts, sync_full

if TYPE_CHECKING:
    from ..client import AircallClient

__all__ = ["SyncEngine", "parse_since"]

_WALKERS = {"calls": sync_calls, "contacts": sync_contacts, "full": sync_full}


def parse_since(value: str | int | date | datetime | None) -> int | None:
    """A start time as UNIX seconds: ``None``, seconds, a date (midnight UTC), an aware
    datetime, or a string: ``YYYY-MM-DD``, ISO 8601 (UTC when no offset), or UNIX seconds.

    Raises:
        ValueError: for anything else, naming the value.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"not a date: {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("since must be a timezone-aware datetime")
        return int(value.timestamp())
    if isinstance(value, date):
        return int(datetime(value.year, value.month, value.day, tzinfo=timezone.utc).timestamp())
    if isinstance(value, str):
        text = value.strip()
        if text.isdigit():
            return int(text)
        try:
            parsed = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
        except ValueError:
            raise ValueError(
                f"not a date: {value!r} (expected YYYY-MM-DD or an ISO 8601 time)"
            ) from None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=timezone.utc)
        return int(parsed.timestamp())
    raise ValueError(f"not a date: {value!r}")


def _seconds_or_none(value: float | timedelta | None) -> int | None:
    if value is None:
        return None
    seconds = value.total_seconds() if isinstance(value, timedelta) else value
    if isinstance(seconds, bool) or seconds < 0:
        raise ValueError(f"contacts_sweep_every must be >= 0 seconds, got {value!r}")
    return int(seconds)


class SyncEngine:
    """Replicates streams of an Aircall account into a :class:`~aircall_async.sync.Sink`.

    Args:
        client: the :class:`~aircall_async.AircallClient` to read with (its rate budget
            paces the whole run).
        sink: where rows and states go (opened by :meth:`run`, not closed).
        streams: names of the streams (default: all of :data:`STREAMS`).
        since: re-read calls from this time (first run default: the retention horizon).
        updated_since: on a first run, only the contacts updated from this time (exports).
        lag: how far back each run re-reads calls (default 24 h), seconds or timedelta.
        workers: how many windows the calls range is cut into, read concurrently (in a
            shared sync: how many windows this process reads at once).
        shared: cooperate with the other processes (on this machine or others) syncing
            into the same database with ``shared=True``: they read one plan of calls
            windows, each window by one of them, and each other stream by one of them (see
            :mod:`aircall_async.sync.shared`). Give every process's client one shared
            budget (:class:`~aircall_async.redis.RedisThrottler`).
        windows: in a shared sync, how many windows the calls range is cut into by the
            process that plans the run (default: ``workers``; say processes × workers).
        lease: in a shared sync, the seconds after which the work of a process that went
            silent (killed) is taken over by another; a live one renews it every third.
        full_contacts: sweep every contact this run (phone and e-mail edits may not bump
            ``updated_at``, so the walk by ``updated_at`` can miss them).
        contacts_sweep_every: sweep every contact when the last full read is this old
            (default 7 days), seconds or timedelta; ``None``: only when asked or needed.
        on_progress: called with the :class:`Progress` after every committed page.
        counter: the :class:`RequestCounter` of the client's session, for requests and 429s.
        clock: the current UNIX time (tests inject one).

    Raises:
        ValueError: for an unknown stream, a bad ``since``, a negative lag or
            ``contacts_sweep_every``, ``workers`` or ``windows`` below 1, a lease that is
            not positive, or ``shared`` with a sink that cannot be shared (it needs
            ``update_state`` and a ``guard`` argument on ``write`` and ``finish_sweep``:
            SQLite and PostgreSQL have them).
    """

    def __init__(
        self,
        client: AircallClient,
        sink: Sink,
        *,
        streams: Iterable[str] | None = None,
        since: str | int | date | datetime | None = None,
        updated_since: str | int | date | datetime | None = None,
        lag: float | timedelta = DEFAULT_LAG,
        workers: int = 1,
        full_contacts: bool = False,
        contacts_sweep_every: float | timedelta | None = DEFAULT_SWEEP_EVERY,
        on_progress: ProgressCallback | None = None,
        counter: RequestCounter | None = None,
        clock: Callable[[], float] = time.time,
        shared: bool = False,
        windows: int | None = None,
        lease: float = 60.0,
    ) -> None:
        self.streams: list[Stream] = select_streams(streams)
        self.since = parse_since(since)
        self.updated_since = parse_since(updated_since)
        seconds = lag.total_seconds() if isinstance(lag, timedelta) else lag
        if isinstance(seconds, bool) or seconds < 0:
            raise ValueError(f"lag must be >= 0 seconds, got {lag!r}")
        if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
            raise ValueError(f"workers must be an integer >= 1, got {workers!r}")
        self.lag = int(seconds)
        self.full_contacts = bool(full_contacts)
        self.contacts_sweep_every = _seconds_or_none(contacts_sweep_every)
        self.workers = workers
        self.coordination: Coordination | None = None
        if shared:
            self.coordination = _coordination(sink, workers if windows is None else windows, lease)
            self.coordination.calls = next((s for s in self.streams if s.name == "calls"), None)
        self._client = client
        self._sink = sink
        self._on_progress = on_progress
        self._counter = counter
        self._clock = clock
        budget = client.rate_limit
        # A shared throttle (another process's budget too) gives no rate of its own: the
        # ETA then comes from the rate the pages were fetched at lately (progress.py).
        rate = budget.limit / budget.per if isinstance(budget, RateLimit) else None
        self.progress = Progress(
            streams={s.name: StreamProgress() for s in self.streams},
            rate=rate,
            counter=counter,
        )

    def __repr__(self) -> str:
        return f"<SyncEngine streams={','.join(s.name for s in self.streams)} sink={self._sink!r}>"

    async def _get(self, path: str, params: Mapping[str, Any]) -> Any:
        return await self._client.request("GET", path, params=params)

    async def run(self) -> Progress:
        """Sync every stream, each to the end or to its first error, and return the progress.

        Every page is committed with its state as it comes: a cancelled or killed run loses
        nothing committed, and the next run continues from there.

        Raises:
            SinkError: when the sink cannot be opened.
            AircallError: the first error of a stream (the other streams still finished);
                the stream's ``error`` in the progress says which.
        """
        await self._sink.open(self.streams)
        ctx = Context(
            get=self._get,
            sink=self._sink,
            progress=self.progress,
            on_progress=self._on_progress,
            now=int(self._clock()),
            since=self.since,
            updated_since=self.updated_since,
            lag=self.lag,
            workers=self.workers,
            full_contacts=self.full_contacts,
            contacts_sweep_every=self.contacts_sweep_every,
        )
        results = await asyncio.gather(
            *(self._one(ctx, stream) for stream in self.streams), return_exceptions=True
        )
        ctx.report()
        for result in results:
            if isinstance(result, BaseException):
                raise result
        return self.progress

    async def _one(self, ctx: Context, stream: Stream) -> None:
        counters = ctx.counters(stream)
        walker = _WALKERS[stream.strategy]
        try:
            if self.coordination is None:
                await walker(ctx, stream)
            else:
                await run_shared(ctx, stream, self.coordination, walker)
        except Exception as exc:
            counters.error = f"{type(exc).__name__}: {exc}"
            counters.pages_left.clear()
            raise
        counters.done = True


def _coordination(sink: Sink, windows: int, lease: float) -> Coordination:
    if isinstance(windows, bool) or not isinstance(windows, int) or windows < 1:
        raise ValueError(f"windows must be an integer >= 1, got {windows!r}")
    if isinstance(lease, bool) or not isinstance(lease, (int, float)) or not lease > 0:
        raise ValueError(f"lease must be a positive number of seconds, got {lease!r}")
    if not callable(getattr(sink, "update_state", None)):
        raise ValueError(f"{sink!r} cannot be shared by several processes (no update_state)")
    for method in ("write", "finish_sweep"):
        if "guard" not in inspect.signature(getattr(sink, method)).parameters:
            raise ValueError(f"{sink!r} cannot be shared by several processes (no {method} guard)")
    shared: SharedSink = sink  # type: ignore[assignment]
    return Coordination(sink=shared, owner=default_owner(), lease=float(lease), windows=windows)
