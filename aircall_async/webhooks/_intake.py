"""Intake: one request to a verified delivery, or the 4xx/503 JSON answer refusing it.

Order of the checks (the first that fails answers):

1. method is POST (405);
2. body within ``max_body_size`` (413: ``Content-Length`` is checked before reading, and
   the read, after decompression, stops one byte past the limit) and fully received
   within ``body_timeout`` (408); a body whose ``Content-Encoding`` does not decode is
   refused (400), and a client gone before its body was received gets no answer (none can
   be delivered: it is counted, not logged);
3. JSON (400), a JSON object (400);
4. ``token`` accepted (401; the log line never holds the token, and at most one warning
   per 10 s is logged, the others at DEBUG; a failing ``token_resolver`` gives 503);
5. ``event``, ``resource``, ``timestamp`` and ``data`` usable (400 with ``{"error": ...}``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any, Final

import attrs
from aiohttp import StreamReader, web

from aircall_async import _json
from aircall_async.webhooks._handlers import short
from aircall_async.webhooks._verify import TokenVerifier
from aircall_async.webhooks.events import Envelope, InvalidDelivery, check_envelope
from aircall_async.webhooks.stats import WebhookStats

__all__ = ["UNAUTHORIZED_LOG_INTERVAL", "Delivery", "Intake", "json_response"]

logger = logging.getLogger("aircall_async.webhooks")

#: At most one "rejected ... token" warning per this many seconds (the rest at DEBUG).
UNAUTHORIZED_LOG_INTERVAL: Final = 10.0
_monotonic = time.monotonic  # tests replace it to step over the interval


def _body(obj: dict[str, str]) -> bytes:
    return json.dumps(obj).encode()


_ERRORS: Final = {
    "method_not_allowed": (405, _body({"error": "method not allowed: use POST"})),
    "too_large": (413, _body({"error": "body too large"})),
    "timeout": (408, _body({"error": "body not received in time"})),
    "bad_body": (400, _body({"error": "body could not be decoded (Content-Encoding)"})),
    # Never delivered (the client left); only counted.
    "disconnected": (400, _body({"error": "connection lost before the whole body"})),
    "invalid_json": (400, _body({"error": "body is not valid JSON"})),
    "not_an_object": (400, _body({"error": "body is not a JSON object"})),
    "unauthorized": (401, _body({"error": "missing or invalid token"})),
    "inbox_full": (503, _body({"error": "inbox full, retry later"})),
    "unavailable": (503, _body({"error": "temporarily unavailable, retry later"})),
}
OK: Final = _body({"status": "ok"})
DUPLICATE: Final = _body({"status": "duplicate"})
HANDLER_FAILED: Final = _body({"error": "handler failed"})


def json_response(body: bytes, status: int = 200) -> web.Response:
    """A JSON answer with a prepared body."""
    return web.Response(status=status, body=body, content_type="application/json")


@attrs.frozen
class Delivery:
    """A verified delivery: the raw ``body``, its decoded ``payload`` and its envelope."""

    body: bytes = attrs.field(repr=False)
    payload: dict[str, Any] = attrs.field(repr=False)
    envelope: Envelope


class Intake:
    """Turns a request into a :class:`Delivery` or the answer refusing it (module doc)."""

    def __init__(
        self,
        verifier: TokenVerifier,
        stats: WebhookStats,
        *,
        max_body_size: int,
        body_timeout: float,
    ) -> None:
        self._verifier = verifier
        self._stats = stats
        self._max_body = max_body_size
        self._body_timeout = body_timeout
        self._unauthorized_logged_at = float("-inf")
        self._unauthorized_suppressed = 0

    def reject(self, reason: str, message: str | None = None) -> web.Response:
        """Count a refusal by ``reason`` and build its answer (400 with ``message``)."""
        self._stats.rejected[reason] += 1
        if message is None:
            status, body = _ERRORS[reason]
        else:
            status, body = 400, _body({"error": message})
        response = json_response(body, status)
        if reason == "method_not_allowed":
            response.headers["Allow"] = "POST"
        elif reason in ("too_large", "timeout", "bad_body", "disconnected"):
            # The rest of the body is not read: the connection cannot be reused.
            response.force_close()
        return response

    async def receive(self, request: web.Request) -> Delivery | web.Response:
        """The verified delivery in ``request``, or the answer refusing it."""
        self._stats.received += 1
        if request.method != "POST":
            return self.reject("method_not_allowed")
        length = request.content_length
        if length is not None and length > self._max_body:
            return self.reject("too_large")
        content = request.content
        body: bytes | None
        try:
            if content.is_eof():
                # Already received whole (the usual small delivery): taken from the buffer.
                body = content.read_nowait(self._max_body + 1)
                if len(body) > self._max_body:
                    body = None
            else:
                body = await asyncio.wait_for(self._read_body(content), self._body_timeout)
        except asyncio.TimeoutError:
            return self.reject("timeout")
        except web.RequestPayloadError:
            # aiohttp could not decode the body (bad gzip or deflate data): the request
            # is at fault and sending it again will not help, so not a 500. The stream is
            # ended here, or aiohttp would read on after the answer ("lingering") and log
            # the same error as unhandled.
            content.feed_eof()
            return self.reject("bad_body")
        except ConnectionError:
            # The client left mid-body: an exception would be logged as a server error,
            # the answer goes nowhere (aiohttp drops it quietly).
            return self.reject("disconnected")
        if body is None:
            return self.reject("too_large")
        try:
            payload = _json.loads(body)
        except (ValueError, RecursionError):
            return self.reject("invalid_json")
        if not isinstance(payload, dict):
            return self.reject("not_an_object")
        token = payload.get("token")
        try:
            # A configured token is checked without a coroutine; the resolver, if any, after.
            accepted = self._verifier.matches_configured(token) or (
                await self._verifier.verify(token)
            )
        except Exception as exc:
            # The exception's text may hold the token: log its type only.
            logger.error(
                "webhook token resolver failed (%s); answering 503", type(exc).__qualname__
            )
            return self.reject("unavailable")
        if not accepted:
            self._log_unauthorized(payload.get("event"))
            return self.reject("unauthorized")
        try:
            envelope = check_envelope(payload)
        except InvalidDelivery as exc:
            return self.reject("invalid_delivery", exc.reason)
        return Delivery(body, payload, envelope)

    async def _read_body(self, content: StreamReader) -> bytes | None:
        """The whole (decompressed) body, or None past ``max_body_size``.

        One bounded loop whether or not ``Content-Length`` was sent: with a compressed
        body the declared length is not the length of what is read.
        """
        chunks: list[bytes] = []
        size = 0
        while True:
            chunk = await content.read(self._max_body + 1 - size)
            if not chunk:
                return b"".join(chunks)
            size += len(chunk)
            if size > self._max_body:
                return None
            chunks.append(chunk)

    def _log_unauthorized(self, event: object) -> None:
        now = _monotonic()
        if now - self._unauthorized_logged_at < UNAUTHORIZED_LOG_INTERVAL:
            self._unauthorized_suppressed += 1
            logger.debug(
                "rejected a webhook delivery with a missing or unknown token (event %s)",
                short(event, 60),
            )
            return
        suppressed, self._unauthorized_suppressed = self._unauthorized_suppressed, 0
        self._unauthorized_logged_at = now
        logger.warning(
            "rejected a webhook delivery with a missing or unknown token (event %s)%s",
            short(event, 60),
            f"; {suppressed} more since the last warning" if suppressed else "",
        )
