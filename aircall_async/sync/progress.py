"""Counting a sync as it goes: items, pages, requests, 429s, and an ETA.

The ETA is the pages still to fetch divided by the request budget: the API serves a fixed
number of requests a minute (60 by default), so once the first page of each listing has
told its total, the time left is known in advance rather than guessed from past speed.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import aiohttp
import attrs

__all__ = ["Progress", "ProgressCallback", "RequestCounter", "StreamProgress", "render_line"]


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
    counted by a :class:`RequestCounter` (``None`` without one), and the budget ``rate`` in
    requests per second used for the ETA (``None``: unpaced)."""

    streams: dict[str, StreamProgress] = attrs.field(factory=dict)
    rate: float | None = None
    counter: RequestCounter | None = None
    started: float = attrs.field(factory=time.monotonic)

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

    def eta(self) -> float | None:
        """Seconds left at the budget rate (``None`` when unpaced or nothing is known)."""
        if not self.rate:
            return None
        return self.pages_left / self.rate

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


def render_line(progress: Progress, width: int = 24) -> str:
    """One line describing ``progress``: a bar when the pages left are known, the counters,
    the 429s and the ETA. Pure; never raises."""
    done, left = progress.pages, progress.pages_left
    parts = []
    if left or done:
        filled = round(width * done / (done + left)) if done + left else width
        parts.append("[" + "#" * filled + "." * (width - filled) + "]")
    parts.append(f"{progress.items:,} items, {done:,} pages, {progress.requests:,} requests")
    if progress.rate_limited:
        parts.append(f"{progress.rate_limited} x 429")
    eta = progress.eta()
    if eta is not None and left:
        parts.append(f"ETA {_duration(eta)}")
    current = [n for n, s in progress.streams.items() if not s.done]
    if current:
        parts.append("(" + ", ".join(current) + ")")
    return " ".join(parts)
