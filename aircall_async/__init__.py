"""aircall-async: an asyncio SDK for the Aircall Public API and its webhooks.

Start with :class:`AircallClient`; see the README for a tour.
"""

from ._version import __version__
from .client import AircallClient
from .pagination import Page, PageMeta, Paginator
from .ratelimit import RateLimit, RateLimitStatus, Throttle
from .retry import Backoff

__all__ = [
    "AircallClient",
    "Backoff",
    "Page",
    "PageMeta",
    "Paginator",
    "RateLimit",
    "RateLimitStatus",
    "Throttle",
    "__version__",
]
