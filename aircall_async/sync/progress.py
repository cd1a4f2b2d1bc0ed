"""Counting a sync as it goes: items, pages, requests, 429s, and an ETA.

The ETA is the pages still to fetch divided by the request budget: the API serves a fixed
number of requests a minute (60 by default), so once the first page of each listing has
told its total, the time left is known in advance rather than guessed from past speed.

A throttle shared with other processes (``RedisThrottler``) gives this process no rate of
its own: the ETA then divides the pages left by the rate at which pages were fetched lately
(:func:`observed_rate`, an exponentially weighted count over the last minute), a guess that
follows this process's share of the budget as it changes.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable, Iterable
from types import SimpleNamespace
from typing import Any

import aiohttp
import attrs

__all__ = [
    "RATE_HALF_LIFE",
    "RATE_WINDOW",
    "Progress",
    "ProgressCallback",
    "ProgressFigures",
    "RateMeter",
    "RequestCounter",
    "StreamProgress",
    "observed_rate",
    "render_line",
]

#: How far back (seconds) the observed rate looks: a minute, the period of Aircall's budget.
RATE_WINDOW = 60.0
#: How fast older requests fade in the observed rate: one ``RATE_HALF_LIFE`` old counts half.
RATE_HALF_LIFE = 60.0


def observed_rate(
    times: Iterable[float],
    now: float,
    *,
    since: float,
    window: float = RATE_WINDOW,
    half_life: float = RATE_HALF_LIFE,
) -> float | None:
    """Events per second from the times they happened, observed from ``since`` to ``now``.

    Each event of the last ``window`` seconds weighs ``2 ** (-age / half_life)``; the sum is
    divided by the same weight integrated over the time observed (the window, or less when
    ``since`` is more recent), so a steady rate is measured exactly and a change shows
    within the window. ``None`` before two events in the window, or when no time passed.
    Pure; never raises for finite inputs (``window`` and ``half_life`` must be positive).
    """
    span = min(window, now - since)
    if span <= 0:
        return None
    decay = math.log(2) / half_life
    ages = [now - t for t in times if 0 <= now - t < span]
    if len(ages) < 2:
        return None
    weight = sum(math.exp(-decay * age) for age in ages)
    return weight / ((1 - math.exp(-decay * span)) / decay)


class RateMeter:
    """Remembers when pages were fetched (the last ``window`` seconds of them) and tells
    the :func:`observed_rate`. ``clock`` gives monotonic seconds (tests inject a manual
    one); the observation starts at its reading when the meter is made. Never raises."""

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        *,
        window: float = RATE_WINDOW,
        half_life: float = RATE_HALF_LIFE,
    ) -> None:
        self._clock = clock
        self._window = window
        self._half_life = half_life
        self._since = clock()
        self._times: deque[float] = deque()

    def __repr__(self) -> str:
        return f"<RateMeter events={len(self._times)} window={self._window}s>"

    def mark(self) -> None:
        """Record one event now (and forget those older than the window)."""
        now = self._clock()
        self._times.append(now)
        while self._times and now - self._times[0] >= self._window:
            self._times.popleft()

    def rate(self) -> float | None:
        """Events per second lately (see :func:`observed_rate`); ``None`` while unknown."""
        return observed_rate(
            self._times,
            self._clock(),
            since=self._since,
            window=self._window,
            half_life=self._half_life,
        )


@attrs.define
class StreamProgress:
    """One stream's counters: ``items`` written, ``pages`` fetched, ``deleted`` rows, and
    the pages still expected per listing under way (``pages_left``)."""

    items: int = 0
    pages: int = 0
    deleted: int = 0
    done: bool = False
    error: str | None = None
    pages_left: dict[str, int] = attrs.field(factory=dict)


@attrs.define
class Progress:
    """The whole run: per-stream counters plus ``requests`` and ``rate_limited`` (429s) as
    counted by a :class:`RequestCounter` (``None`` without one), the budget ``rate`` in
    requests per second used for the ETA (``None``: no budget of this process's own, such
    as a shared throttle, or unpaced), and the ``meter`` of the pages fetched, whose
    observed rate gives the ETA when there is no budget rate."""

    streams: dict[str, StreamProgress] = attrs.field(factory=dict)
    rate: float | None = None
    counter: RequestCounter | None = None
    started: float = attrs.field(factory=time.monotonic)
    meter: RateMeter = attrs.field(factory=RateMeter)

    @property
    def items(self) -> int:
        """Items written across streams."""
        return sum(s.items for s in self.streams.values())

    @property
    def pages(self) -> int:
        """Pages fetched across streams."""
        return sum(s.pages for s in self.streams.values())

    @property
    def requests(self) -> int:
        """HTTP requests sent (retries included when counted; else the pages)."""
        return self.counter.requests if self.counter is not None else self.pages

    @property
    def rate_limited(self) -> int:
        """429 answers received (0 when not counted)."""
        return self.counter.rate_limited if self.counter is not None else 0

    @property
    def pages_left(self) -> int:
        """Pages still expected, from the totals the listings announced."""
        return sum(sum(s.pages_left.values()) for s in self.streams.values())

    def page_fetched(self) -> None:
        """Tell the meter a page came (the walkers call it; counters are theirs)."""
        self.meter.mark()

    @property
    def eta_basis(self) -> str | None:
        """What :meth:`eta` is computed from: ``"budget"`` (the client's own rate limit),
        ``"observed"`` (the rate of the pages fetched lately), or ``None`` (not known yet)."""
        return self.figures().basis

    def eta(self) -> float | None:
        """Seconds left: the pages left at the budget rate, or without a budget of this
        process's own at the rate observed lately; ``None`` while neither is known."""
        return self.figures().eta()

    def figures(self) -> ProgressFigures:
        """What a progress line shows of this run, now (see :class:`ProgressFigures`)."""
        rate = self.rate or self.meter.rate()
        return ProgressFigures(
            items=self.items,
            pages=self.pages,
            requests=self.requests,
            rate_limited=self.rate_limited,
            pages_left=self.pages_left,
            rate=rate or None,
            basis=("budget" if self.rate else "observed") if rate else None,
            under_way=tuple(name for name, s in self.streams.items() if not s.done),
        )

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready summary (the CLI's ``--json``)."""
        return {
            "items": self.items,
            "pages": self.pages,
            "requests": self.requests,
            "rate_limited": self.rate_limited,
            "elapsed": round(time.monotonic() - self.started, 3),
            "streams": {
                name: {
                    "items": s.items,
                    "pages": s.pages,
                    "deleted": s.deleted,
                    "done": s.done,
                    "error": s.error,
                }
                for name, s in self.streams.items()
            },
        }


def _count(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


@attrs.frozen
class ProgressFigures:
    """The figures of a progress line: of one process (:meth:`Progress.figures`), or added
    up over the processes of a shared sync (:meth:`total`). ``rate`` is the pages per
    second behind the ETA and ``basis`` where it comes from (``"budget"``, ``"observed"``,
    ``None`` while unknown); ``under_way`` names the streams not done. JSON both ways: the
    workers of ``aircall-async sync --processes N`` send theirs to the first process."""

    items: int = 0
    pages: int = 0
    requests: int = 0
    rate_limited: int = 0
    pages_left: int = 0
    rate: float | None = None
    basis: str | None = None
    under_way: tuple[str, ...] = ()

    def eta(self) -> float | None:
        """Seconds left at ``rate``; ``None`` while the rate is unknown."""
        return self.pages_left / self.rate if self.rate else None

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form, read back by :meth:`from_dict`."""
        return attrs.asdict(self)

    @classmethod
    def from_dict(cls, data: object) -> ProgressFigures | None:
        """The figures in ``data`` (:meth:`as_dict`'s form); ``None`` when it is not a
        mapping. A field of the wrong type or out of range counts as absent. Never raises."""
        if not isinstance(data, dict):
            return None
        given = data.get("rate")
        rate: float | None = None
        if isinstance(given, (int, float)) and not isinstance(given, bool):
            rate = float(given) if 0 < given < math.inf else None
        basis = data.get("basis") if data.get("basis") in ("budget", "observed") else None
        names = data.get("under_way")
        return cls(
            items=_count(data.get("items")),
            pages=_count(data.get("pages")),
            requests=_count(data.get("requests")),
            rate_limited=_count(data.get("rate_limited")),
            pages_left=_count(data.get("pages_left")),
            rate=rate,
            basis=basis if rate else None,
            under_way=tuple(n for n in names if isinstance(n, str))
            if isinstance(names, list)
            else (),
        )

    @classmethod
    def total(cls, parts: Iterable[ProgressFigures]) -> ProgressFigures:
        """The figures of several processes as one: counts and pages left added up, the rates
        known added up (the processes share the budget: together they go at the sum), the
        basis ``"observed"`` unless every known rate is the budget's, and the streams under
        way in any of them."""
        parts = list(parts)
        rates = [p for p in parts if p.rate]
        under_way: dict[str, None] = {}
        for part in parts:
            under_way.update(dict.fromkeys(part.under_way))
        basis = None
        if rates:
            basis = "budget" if all(p.basis == "budget" for p in rates) else "observed"
        return cls(
            items=sum(p.items for p in parts),
            pages=sum(p.pages for p in parts),
            requests=sum(p.requests for p in parts),
            rate_limited=sum(p.rate_limited for p in parts),
            pages_left=sum(p.pages_left for p in parts),
            rate=sum(p.rate or 0.0 for p in rates) or None,
            basis=basis,
            under_way=tuple(under_way),
        )


#: Called after every committed page (and once at the end) with the current progress.
ProgressCallback = Callable[[Progress], None]


class RequestCounter:
    """Counts the requests an ``aiohttp.ClientSession`` sends and the 429s it receives.

    Pass ``trace_configs=[counter.trace_config]`` when creating the session given to the
    client. Never raises.
    """

    def __init__(self) -> None:
        self.requests = 0
        self.rate_limited = 0
        self.trace_config = aiohttp.TraceConfig()
        self.trace_config.on_request_end.append(self._ended)
        self.trace_config.on_request_exception.append(self._failed)

    def __repr__(self) -> str:
        return f"<RequestCounter requests={self.requests} rate_limited={self.rate_limited}>"

    async def _ended(
        self, session: aiohttp.ClientSession, ctx: SimpleNamespace, params: Any
    ) -> None:
        self.requests += 1
        if params.response.status == 429:
            self.rate_limited += 1

    async def _failed(
        self, session: aiohttp.ClientSession, ctx: SimpleNamespace, params: Any
    ) -> None:
        self.requests += 1


def _duration(seconds: float) -> str:
    seconds = max(0, math.ceil(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def render_line(progress: Progress | ProgressFigures, width: int = 24) -> str:
    """One line describing ``progress`` (a run, or figures such as the :meth:`total
    <ProgressFigures.total>` of several processes): a bar when the pages left are known,
    the counters, the 429s and the ETA. Pure; never raises."""
    figures = progress.figures() if isinstance(progress, Progress) else progress
    done, left = figures.pages, figures.pages_left
    parts = []
    if left or done:
        filled = round(width * done / (done + left)) if done + left else width
        parts.append("[" + "#" * filled + "." * (width - filled) + "]")
    parts.append(f"{figures.items:,} items, {done:,} pages, {figures.requests:,} requests")
    if figures.rate_limited:
        parts.append(f"{figures.rate_limited} x 429")
    eta = figures.eta()
    if eta is not None and left:  # "~": guessed from the observed rate, not the budget
        parts.append(f"ETA {'' if figures.basis == 'budget' else '~'}{_duration(eta)}")
    if figures.under_way:
        parts.append("(" + ", ".join(figures.under_way) + ")")
    return " ".join(parts)
