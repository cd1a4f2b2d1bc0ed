"""One service object per section of the API reference, reached from the client.

``client.calls``, ``client.contacts``... are created on first use and share the client's
session, rate limit and retries.
"""

from __future__ import annotations

__all__ = ["ClientResources"]


class ClientResources:
    """The resource services of :class:`~aircall_async.client.AircallClient`."""
