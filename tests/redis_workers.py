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
from aiohttp import web

from aircall_async import AircallClient
from aircall_async.errors import AircallError
from aircall_async.redis import RedisStreamInbox, RedisThrottler
from aircall_async.testing import mount_receiver
from aircall_async.webhooks import WebhookEvent, WebhookRouter, consume, webhook_app


def _client(config: dict[str, Any], session: aiohttp.ClientSession, r: Any) -> AircallClient:
    throttler = RedisThrottler(r, key=config["key"], limit=config["limit"], per=config["per"])
    return AircallClient(
        api_id=config["api_id"],
        api_token=config["api_token"],
        base_url=config["base_url"],
        session=session,
        rate_limit=throttler,
        max_retries=10,
    )


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


def _inbox(config: dict[str, Any], r: Any) -> RedisStreamInbox:
    return RedisStreamInbox(
        r,
        stream=config["stream"],
        group=config["group"],
        claim_idle=config.get("claim_idle", 60.0),
        consumer=config.get("name"),
        timeout=10.0,
    )


def _redis(url: str) -> Any:
    # Generous: a loaded machine stalls for seconds, and a stopped Redis refuses at once.
    return redis.from_url(url, socket_connect_timeout=10, socket_timeout=10)


async def receiver(config: dict[str, Any]) -> None:
    """A webhook receiver storing into the stream and handling nothing; prints its port,
    serves until stdin closes."""
    r = _redis(config["redis_url"])
    sub = webhook_app(
        WebhookRouter(),
        tokens=[config["token"]],
        ack="immediate",
        inbox=_inbox(config, r),
        workers=0,
    )
    runner = web.AppRunner(mount_receiver(sub), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    print("ready", runner.addresses[0][1], flush=True)
    await asyncio.to_thread(sys.stdin.read)
    await runner.cleanup()
    await r.aclose()


async def consumer(config: dict[str, Any]) -> None:
    """A consumer: each delivery's handler counts ``<event>:<id>`` in the hash ``handled``
    of the recording Redis (``record_url``), after ``handler_delay`` seconds."""
    r = _redis(config["redis_url"])
    record = _redis(config["record_url"])
    router = WebhookRouter()

    @router.on("*")
    async def count(event: WebhookEvent[Any]) -> None:
        await asyncio.sleep(config["handler_delay"])
        await record.hincrby("handled", f"{event.event}:{event.resource_id}", 1)

    print("ready", flush=True)
    await consume(router, _inbox(config, r), concurrency=8)


ROLES = {"throttle": throttle, "hog": hog, "receiver": receiver, "consumer": consumer}

if __name__ == "__main__":
    asyncio.run(ROLES[sys.argv[1]](json.loads(sys.argv[2])))
