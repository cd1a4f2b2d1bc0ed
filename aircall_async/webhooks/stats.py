"""WebhookStats: the counters of one receiver, and where a sub-app keeps them."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any, Final

import attrs
from aiohttp import web

from aircall_async._loops import running_loop

__all__ = ["STATS_KEY", "DepthGauge", "WebhookStats", "webhook_stats"]

logger = logging.getLogger("aircall_async.webhooks")


@attrs.define(eq=False)
class WebhookStats:
    """Counters of one receiver or consumer, for health checks (read ``sub[STATS_KEY]``).

    ``rejected`` counts refused requests by reason: ``method_not_allowed``,
    ``too_large``, ``timeout`` (body not received within ``body_timeout``), ``bad_body``
    (its ``Content-Encoding`` does not decode), ``disconnected`` (the client left before
    its body arrived), ``invalid_json``, ``not_an_object``, ``unauthorized``,
    ``invalid_delivery``, ``inbox_full``, ``unavailable`` (the token resolver or the inbox
    failed).
    """

    received: int = 0
    handled: int = 0
    duplicates: int = 0
    handler_failures: int = 0
    retries: int = 0
    dead_lettered: int = 0
    rejected: Counter[str] = attrs.field(factory=Counter)
    _depth: Callable[[], int] | None = attrs.field(default=None, repr=False, alias="depth")
    # The inbox's depth as last read (the Inbox protocol's depth() is async).
    _last_depth: int = attrs.field(default=0, repr=False, alias="last_depth")

    @property
    def queue_depth(self) -> int:
        """Deliveries accepted and not finished (inbox depth, or in-flight deliveries)."""
        return self._depth() if self._depth is not None else self._last_depth

    def note_depth(self, depth: int) -> None:
        """Record the inbox depth just read (used by the receiver and the consumer)."""
        self._last_depth = depth

    def as_dict(self) -> dict[str, Any]:
        """The counters as a JSON-ready dict."""
        return {
            "received": self.received,
            "handled": self.handled,
            "duplicates": self.duplicates,
            "handler_failures": self.handler_failures,
            "retries": self.retries,
            "dead_lettered": self.dead_lettered,
            "rejected": dict(self.rejected),
            "queue_depth": self.queue_depth,
        }


class DepthGauge:
    """Keeps ``stats.queue_depth`` close to an inbox's depth without a read per delivery.

    A shared inbox answers ``depth()`` over the network: the gauge reads it at most once
    per ``every`` seconds and in between counts what this process changed (+1 stored,
    -1 done or dead), so the figure is exact for an in-process inbox and at most
    ``every`` seconds stale for a shared one.
    """

    def __init__(
        self, stats: WebhookStats, read: Callable[[], Awaitable[int]], *, every: float = 1.0
    ) -> None:
        self._stats = stats
        self._read = read
        self._every = every
        self._next_read = float("-inf")

    async def changed(self, delta: int) -> None:
        """This process moved the depth by ``delta``: read it if due, else count it."""
        if running_loop().time() >= self._next_read:
            await self.refresh()
        else:
            self._stats.note_depth(max(0, self._stats.queue_depth + delta))

    async def refresh(self) -> None:
        """Read the inbox's depth now (a failure only leaves the figure stale)."""
        self._next_read = running_loop().time() + self._every
        try:
            self._stats.note_depth(await self._read())
        except Exception as exc:  # only a counter: never fail a delivery for it
            logger.debug("could not read the inbox depth (%s)", type(exc).__qualname__)


#: Where a receiver sub-app keeps its :class:`WebhookStats`.
STATS_KEY: Final = web.AppKey("aircall_webhook_stats", WebhookStats)


def webhook_stats(app: web.Application) -> WebhookStats:
    """The counters of a sub-app built by :func:`webhook_app`.

    Raises:
        KeyError: if ``app`` was not built by :func:`webhook_app`.
    """
    return app[STATS_KEY]
