"""WebhookStats: the counters of one receiver, and where a sub-app keeps them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any, Final

import attrs
from aiohttp import web

__all__ = ["STATS_KEY", "WebhookStats", "webhook_stats"]


@attrs.define(eq=False)
class WebhookStats:
    """Counters of one receiver or consumer, for health checks (read ``sub[STATS_KEY]``).

    ``rejected`` counts refused requests by reason: ``method_not_allowed``,
    ``too_large``, ``timeout`` (body not received within ``body_timeout``),
    ``invalid_json``, ``not_an_object``, ``unauthorized``, ``invalid_delivery``,
    ``inbox_full``, ``unavailable`` (the token resolver or the inbox failed).
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


#: Where a receiver sub-app keeps its :class:`WebhookStats`.
STATS_KEY: Final = web.AppKey("aircall_webhook_stats", WebhookStats)


def webhook_stats(app: web.Application) -> WebhookStats:
    """The counters of a sub-app built by :func:`webhook_app`.

    Raises:
        KeyError: if ``app`` was not built by :func:`webhook_app`.
    """
    return app[STATS_KEY]
