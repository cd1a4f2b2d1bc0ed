"""A fake media host for the fake's recordings and voicemails, on a port of its own (the
real files live on another host than the API, and get no credentials).

Each published URL works for one complete download: then the call in the fake's state holds
a fresh URL and the old one answers 403, as an expired S3 link does. ``Range`` requests are
served, and ``cut`` answers can stop half-way to exercise resumed downloads.
"""

from __future__ import annotations

import hashlib
import secrets
from collections import Counter
from types import TracebackType

from aiohttp import web
from aiohttp.test_utils import TestServer

from .state import State

__all__ = ["FakeMedia"]


class FakeMedia:
    """Serves ``/media/<kind>/<call id>/<token>.mp3`` for the calls of ``state``.

    ``size`` bytes per file; ``cut`` answers (the first ones) stop after half the body.
    ``downloads[(call_id, kind)]`` counts complete downloads, ``expired`` refused URLs.
    """

    def __init__(self, state: State, *, size: int = 4096, cut: int = 0) -> None:
        self.state = state
        self.size = size
        self.cut = cut
        self.downloads: Counter[tuple[int, str]] = Counter()
        self.expired = 0
        self._tokens: dict[tuple[int, str], str] = {}
        app = web.Application()
        app.router.add_get("/media/{kind}/{call_id:\\d+}/{token}.mp3", self._serve)
        self._server = TestServer(app, host="127.0.0.1")

    def __repr__(self) -> str:
        return f"<FakeMedia files={len(self._tokens)}>"

    def content(self, call_id: int, kind: str) -> bytes:
        """The bytes of a file: deterministic, ``size`` long."""
        seed = hashlib.sha256(f"{kind}:{call_id}".encode()).digest()
        return (seed * (self.size // len(seed) + 1))[: self.size]

    def _publish_one(self, call_id: int, kind: str) -> None:
        token = secrets.token_hex(8)
        self._tokens[(call_id, kind)] = token
        call = self.state.calls.get(call_id)
        if call is not None:
            call[kind] = str(self._server.make_url(f"/media/{kind}/{call_id}/{token}.mp3"))

    def publish(self) -> int:
        """Point every call's recording and voicemail at this host; returns how many."""
        count = 0
        for call in self.state.calls:
            for kind in ("recording", "voicemail"):
                if call.get(kind):
                    self._publish_one(call["id"], kind)
                    count += 1
        return count

    async def _serve(self, request: web.Request) -> web.StreamResponse:
        kind = request.match_info["kind"]
        call_id = int(request.match_info["call_id"])
        if self._tokens.get((call_id, kind)) != request.match_info["token"]:
            self.expired += 1
            return web.Response(status=403, text="Request has expired")
        data = self.content(call_id, kind)
        start = 0
        header = request.headers.get("Range", "")
        if header.startswith("bytes=") and header[6:].rstrip("-").isdigit():
            start = min(int(header[6:].rstrip("-")), len(data))
        status = 206 if start else 200
        response = web.StreamResponse(status=status)
        response.content_length = len(data) - start
        if start:
            response.headers["Content-Range"] = f"bytes {start}-{len(data) - 1}/{len(data)}"
        await response.prepare(request)
        if self.cut > 0:
            self.cut -= 1
            await response.write(data[start : start + (len(data) - start) // 2])
            assert request.transport is not None
            request.transport.close()
            return response
        await response.write(data[start:])
        await response.write_eof()
        self.downloads[(call_id, kind)] += 1
        self._publish_one(call_id, kind)  # that URL is now spent
        return response

    async def __aenter__(self) -> FakeMedia:
        await self._server.start_server()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._server.close()
