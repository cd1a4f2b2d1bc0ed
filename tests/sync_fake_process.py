"""A fake Aircall with recent calls in a process of its own, for the heaviest CLI test: the
server runs at full speed (not traced by coverage) and tells what it holds and received.

    python -m tests.sync_fake_process CALLS CONTACTS

prints ``<api base URL> <control base URL>`` once listening; the control server answers
``GET /requests`` (GET requests per path), ``GET /expected`` (every stream as a sync stores
it) and serves until killed.
"""

from __future__ import annotations

import asyncio
import sys
from collections import Counter

from aiohttp import web

from aircall_async.testing import FakeAircall
from aircall_async.testing.history import make_recent

from .sync_support import TABLES, expected


async def serve(calls: int, contacts: int) -> None:
    fake = FakeAircall(calls=calls, contacts=contacts, rate_limit=None)
    make_recent(fake.state)
    fake.control.record = False  # count, do not keep: memory stays flat
    counts: Counter[str] = Counter()

    @web.middleware
    async def count(request: web.Request, handler: object) -> web.StreamResponse:
        if request.method == "GET":
            counts[request.path.removeprefix("/v1")] += 1
        return await handler(request)  # type: ignore[operator,no-any-return]

    fake.app.middlewares.insert(0, count)

    async def requests(request: web.Request) -> web.Response:
        return web.json_response(dict(counts))

    async def everything(request: web.Request) -> web.Response:
        return web.json_response({s: list(expected(fake, s).values()) for s in TABLES})

    control = web.Application()
    control.router.add_get("/requests", requests)
    control.router.add_get("/expected", everything)
    runner = web.AppRunner(control, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    async with fake:
        print(f"{fake.base_url} http://127.0.0.1:{port}", flush=True)
        await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(serve(int(sys.argv[1]), int(sys.argv[2])))
