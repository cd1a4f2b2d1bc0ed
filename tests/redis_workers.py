"""Worker processes of the multi-process Redis tests: ``python -m tests.redis_workers ROLE CONFIG``.

Each role prints ``ready`` once set up, and the throttle roles then wait for one JSON line
on stdin (``{"start": t, "stop": t}`` in UNIX seconds) before sending. Results come back
as one ``result <json>`` line.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import time
from typing import Any

import aiohttp
import redis.asyncio as redis

from aircall_async import RateLimitStatus
from aircall_async.errors import AircallError
from aircall_async.redis import RedisThrottler


class _Client:  # TEMP until the Throttle protocol lands in AircallClient
    def __init__(self, config: dict[str, Any], session: aiohttp.ClientSession, r: Any) -> None:
        self.t = RedisThrottler(r, key=config["key"], limit=config["limit"], per=config["per"])
        self.session = session
        self.base = config["base_url"]
        basic = aiohttp.encode_basic_auth(config["api_id"], config["api_token"])
        self.auth = {"Authorization": basic}

    async def request(self, method: str, path: str) -> None:
        while True:
            ticket = await self.t.acquire()
            status = None
            rejected = False
            try:
                url = self.base + path
                async with self.session.request(method, url, headers=self.auth) as resp:
                    await resp.read()
                    status = RateLimitStatus.from_http(resp.headers)
                    rejected = resp.status == 429
            finally:
                await self.t.release(ticket, status, rejected=rejected)
            if not rejected:
                return


def _client(config: dict[str, Any], session: aiohttp.ClientSession, r: Any) -> _Client:
    return _Client(config, session, r)


def _recording_session(answers: list[tuple[int, int]]) -> aiohttp.ClientSession:
    """A session noting (status, window end) of every answer: X-AircallApi-Reset names
    the server's window the request was counted in."""

    async def on_end(
        session: aiohttp.ClientSession, ctx: Any, params: aiohttp.TraceRequestEndParams
    ) -> None:
        reset = params.response.headers.get("X-AircallApi-Reset", "0")
        answers.append((params.response.status, int(reset)))

    trace = aiohttp.TraceConfig()
    trace.on_request_end.append(on_end)
    return aiohttp.ClientSession(trace_configs=[trace])


async def throttle(config: dict[str, Any]) -> None:
    """For each JSON line on stdin (``start``, ``stop``, ``key``): ``tasks`` tasks sending
    ``GET path`` on that throttle key from ``start`` until ``stop``; then ``result``."""
    r = redis.from_url(config["redis_url"])
    print("ready", flush=True)
    while line := await asyncio.to_thread(sys.stdin.readline):
        go = json.loads(line)
        answers: list[tuple[int, int]] = []
        async with _recording_session(answers) as session:
            client = _client({**config, "key": go["key"]}, session, r)
            await asyncio.sleep(max(0.0, go["start"] - time.time()))

            async def loop(client: Any = client) -> None:
                while True:
                    with contextlib.suppress(AircallError):
                        await client.request("GET", config["path"])

            tasks = [asyncio.ensure_future(loop()) for _ in range(config["tasks"])]
            await asyncio.sleep(max(0.0, go["stop"] - time.time()))
            for task in tasks:  # those waiting for a slot give it up (and take none)
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            print("result", json.dumps({"answers": answers}), flush=True)
    await r.aclose()


async def hog(config: dict[str, Any]) -> None:
    """On a line on stdin, send ``tasks`` slow requests at once and hold their slots until
    killed."""
    r = redis.from_url(config["redis_url"])
    async with aiohttp.ClientSession() as session:
        client = _client(config, session, r)
        print("ready", flush=True)
        await asyncio.to_thread(sys.stdin.readline)
        await asyncio.gather(
            *(client.request("GET", config["path"]) for _ in range(config["tasks"])),
            return_exceptions=True,
        )


ROLES = {"throttle": throttle, "hog": hog}

if __name__ == "__main__":
    asyncio.run(ROLES[sys.argv[1]](json.loads(sys.argv[2])))
