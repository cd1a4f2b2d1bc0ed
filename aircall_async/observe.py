"""What the client tells about its requests: one :class:`RequestEvent` per attempt.

Give ``AircallClient(on_request=hook)`` an async callable; it is awaited once per
attempt of every request, after the answer (or the failure) and the retry decision,
with a :class:`RequestEvent`. Nothing is built when no hook is set. The event holds no
credential: no header, no token, only what names the request and what came of it.

The log records of the ``aircall_async`` logger carry the same facts as ``extra=``
fields (see :data:`LOG_FIELDS`), so a structured log handler can index them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import attrs

from .ratelimit import RateLimitStatus, WaitReason

__all__ = ["LOG_FIELDS", "OnRequest", "RequestEvent"]

#: The ``extra=`` fields of the client's log records (attributes of the ``LogRecord``):
#: ``aircall_method``, ``aircall_path`` (never the query), ``aircall_status`` (``None``
#: without an answer), ``aircall_attempt`` (1 for the first), ``aircall_elapsed``
#: (seconds on the wire), ``aircall_retry`` (why it will be retried, or ``None``),
#: ``aircall_waited`` and ``aircall_wait_reason`` (the wait for budget).
LOG_FIELDS = (
    "aircall_method",
    "aircall_path",
    "aircall_status",
    "aircall_attempt",
    "aircall_elapsed",
    "aircall_retry",
    "aircall_waited",
    "aircall_wait_reason",
)


@attrs.frozen
class RequestEvent:
    """One attempt of a request, as the ``on_request`` hook receives it.

    Attributes:
        method: the HTTP method (``"GET"``).
        path: the path under the base URL (``"/users/456"``), without the query.
        params: the query as sent, ``(name, value)`` pairs (lists as ``name[]`` pairs).
        attempt: 1 for the first attempt, 2 for the first retry...
        status: the answer's HTTP status; ``None`` when no answer came.
        elapsed: seconds from sending to the whole answer read (or the failure).
        waited: seconds this attempt waited for rate budget before it was sent
            (``0.0`` when it did not, or when a custom throttle does not say).
        wait_reason: why it waited (``"local budget"``, ``"server's 0 remaining"``,
            ``"429 hold"``), ``None`` when it did not.
        rate_limit: the ``X-AircallApi-*`` headers of this answer, ``None`` without any.
        retry_reason: why the request will be tried again (``"429"``, ``"503"``, or the
            name of the exception, e.g. ``"ServerDisconnectedError"``); ``None`` when this
            attempt is the last one (a success, or a failure that is raised).
        exception: the type of the exception when the attempt failed without an answer
            (or the answer was refused, e.g. too large); ``None`` otherwise.
    """

    method: str
    path: str
    params: tuple[tuple[str, str], ...]
    attempt: int
    status: int | None
    elapsed: float
    waited: float = 0.0
    wait_reason: WaitReason | None = None
    rate_limit: RateLimitStatus | None = None
    retry_reason: str | None = None
    exception: type[BaseException] | None = None

    @property
    def will_retry(self) -> bool:
        """Whether the client will send this request again."""
        return self.retry_reason is not None

    @property
    def ok(self) -> bool:
        """Whether the attempt got a success answer (status below 300)."""
        return self.status is not None and self.status < 300


#: The type of ``AircallClient(on_request=...)``: an async callable taking the event.
OnRequest = Callable[[RequestEvent], Awaitable[None]]
