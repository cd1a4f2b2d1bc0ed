"""RedisStreamInbox against a real Redis: two inboxes on one stream stand for two nodes."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import attrs
import pytest
import redis.asyncio as redis
from aiohttp import web

from aircall_async import Backoff
from aircall_async.errors import TransportError
from aircall_async.redis import RedisStreamInbox, RedisUnavailableError
from aircall_async.testing import build_delivery, deliver, mount_receiver
from aircall_async.webhooks import CallEvent, WebhookEvent, WebhookRouter, consume, webhook_app
from aircall_async.webhooks.inbox import PutResult
from tests.redis_support import free_port, own_database

STREAM = "aircall:webhooks"


async def _inbox(r: redis.Redis, name: str, **kwargs: object) -> RedisStreamInbox:
    inbox = RedisStreamInbox(
        r,
        stream=STREAM,
        group="handlers",
        consumer=name,
        **kwargs,  # type: ignore[arg-type]
    )
    await inbox.open()
    return inbox


async def test_a_delivery_is_accepted_once_across_nodes_for_a_day(r: redis.Redis) -> None:
    a, b = await _inbox(r, "a"), await _inbox(r, "b")
    results = await asyncio.gather(a.put("k1", b'{"n": 1}'), b.put("k1", b'{"n": 1}'))
    assert sorted(result.name for result in results) == ["ACCEPTED", "DUPLICATE"]
    ttl = await r.pttl(f"{STREAM}:seen:k1")
    assert 86_000_000 < ttl <= 86_400_000
    assert await a.depth() == 1
    taken = await b.take(10, 0.1)
    assert [(d.key, d.body, d.attempts) for d in taken] == [("k1", b'{"n": 1}', 0)]
    await b.done(taken[0])
    assert await a.depth() == 0
    assert await r.xlen(STREAM) == 0  # handled entries are deleted
    assert (await r.xpending(STREAM, "handlers"))["pending"] == 0
    assert await a.put("k1", b'{"n": 1}') is PutResult.DUPLICATE  # still remembered
    await a.close()
    await b.close()


async def test_bodies_come_back_byte_for_byte_with_any_client(
    r: redis.Redis, redis_url: str
) -> None:
    url = own_database(redis_url)
    decoding = redis.from_url(url, decode_responses=True)
    body = '{"data": "é ✓"}'.encode()
    try:
        writer = await _inbox(r, "w")
        reader = await _inbox(decoding, "r")
        assert await writer.put("k", body) is PutResult.ACCEPTED
        [item] = await reader.take(1, 0.1)
        assert item.body == body
        await reader.done(item)
    finally:
        await decoding.aclose()


async def test_full_inbox_refuses_new_deliveries_but_knows_duplicates(r: redis.Redis) -> None:
    inbox = await _inbox(r, "a", max_pending=2)
    assert await inbox.put("k1", b"{}") is PutResult.ACCEPTED
    assert await inbox.put("k2", b"{}") is PutResult.ACCEPTED
    assert await inbox.put("k3", b"{}") is PutResult.FULL
    assert await inbox.put("k1", b"{}") is PutResult.DUPLICATE
    [first, _] = await inbox.take(2, 0.1)
    await inbox.done(first)
    assert await inbox.put("k3", b"{}") is PutResult.ACCEPTED  # not remembered when FULL


async def test_a_retry_waits_its_delay_then_any_consumer_takes_it(r: redis.Redis) -> None:
    a, b = await _inbox(r, "a"), await _inbox(r, "b")
    await a.put("k1", b"{}")
    [item] = await a.take(10, 0.1)
    await a.retry(item, 0.5)
    assert await a.depth() == 1
    assert await b.take(10, 0.1) == []  # not due yet
    [again] = await b.take(10, 2.0)  # the wait ends when the retry is due
    assert (again.key, again.attempts) == ("k1", 1)
    await b.dead(attrs.evolve(again, attempts=2))  # as consume() records the last one
    assert await a.depth() == 0
    [letter] = await a.dead_letters()
    assert (letter.key, letter.body, letter.attempts) == ("k1", b"{}", 2)


async def test_entries_of_a_silent_consumer_are_taken_over(r: redis.Redis) -> None:
    a = await _inbox(r, "a", claim_idle=0.4)
    b = await _inbox(r, "b", claim_idle=0.4)
    await a.put("k1", b"{}")
    await a.put("k2", b"{}")
    [k1] = await a.take(1, 0.1)  # a keeps handling k1 (it renews it)...
    dead = await _inbox(r, "dead", claim_idle=0.4)
    assert len(await dead.take(1, 0.1)) == 1
    await dead.close()  # ...while "dead" stops renewing k2, as a killed process would
    taken: list[str] = []
    for _ in range(12):
        taken += [item.key for item in await b.take(10, 0.1)]
    assert taken == ["k2"]  # taken over once, with the lost attempt counted
    assert (await r.xpending_range(STREAM, "handlers", "-", "+", 10, "b"))[0][
        "times_delivered"
    ] == 2
    await a.done(k1)
    await a.close()
    await b.close()


async def test_close_leaves_the_group_only_without_entries(r: redis.Redis) -> None:
    a, b = await _inbox(r, "a"), await _inbox(r, "b")
    await a.put("k1", b"{}")
    await a.take(1, 0.1)
    await b.take(1, 0.05)
    await a.close()
    await b.close()
    names = {c["name"] for c in await r.xinfo_consumers(STREAM, "handlers")}
    assert names == {b"a"}  # b owned nothing and left; a's entry stays for a taker


async def test_redis_unreachable_is_an_error_naming_redis() -> None:
    port = free_port()
    client = redis.from_url(f"redis://:pw-secret@127.0.0.1:{port}/2")
    inbox = RedisStreamInbox(client, stream=STREAM, group="g", timeout=2.0)
    with pytest.raises(RedisUnavailableError) as caught:
        await inbox.put("k1", b"{}")
    assert isinstance(caught.value, TransportError)
    assert f"Redis at redis://127.0.0.1:{port}/2 failed to store a delivery" in str(caught.value)
    assert "pw-secret" not in str(caught.value)
    await inbox.close()  # never raises for an unreachable Redis
    await client.aclose()


@pytest.mark.parametrize(
    ("kwargs", "complaint"),
    [
        ({"stream": ""}, "stream must be a non-empty string"),
        ({"group": "a b"}, "group must not contain spaces"),
        ({"claim_idle": 0}, "must be positive"),
        ({"max_pending": 10, "maxlen": 5}, "maxlen must be at least max_pending"),
    ],
)
def test_bad_configuration_is_refused(kwargs: dict[str, object], complaint: str) -> None:
    settings: dict[str, object] = {"stream": STREAM, "group": "g", **kwargs}
    with pytest.raises(ValueError, match=complaint):
        RedisStreamInbox(redis.Redis(), **settings)  # type: ignore[arg-type]


async def _serve(sub: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(mount_receiver(sub), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}/aircall/webhooks/"


async def test_receiving_and_consuming_in_one_process_with_a_dead_letter(r: redis.Redis) -> None:
    router = WebhookRouter()
    handled: list[int] = []
    dead: list[tuple[int, str]] = []

    @router.on("call.ended")
    async def on_ended(event: CallEvent) -> None:
        if event.data.id == 13:
            raise RuntimeError("unlucky")
        handled.append(event.data.id)

    async def on_dead_letter(event: WebhookEvent[Any], error: BaseException) -> None:
        dead.append((event.resource_id, str(error)))

    inbox = RedisStreamInbox(r, stream=STREAM, group="handlers", consumer="both")
    sub = webhook_app(router, tokens=["tok"], ack="immediate", inbox=inbox, workers=0)
    runner, url = await _serve(sub)
    consumer = asyncio.ensure_future(
        consume(
            router,
            inbox,
            max_attempts=2,
            backoff=Backoff(base=0.05, cap=0.05),
            on_dead_letter=on_dead_letter,
        )
    )
    try:
        async with aiohttp.ClientSession() as session:
            for call_id in (12, 13, 14):
                payload = build_delivery("call.ended", {"id": call_id}, token="tok")
                assert await deliver(session, url, payload) == (200, {"status": "ok"})
        for _ in range(200):
            if len(handled) == 2 and dead:
                break
            await asyncio.sleep(0.02)
    finally:
        consumer.cancel()
        await asyncio.gather(consumer, return_exceptions=True)
        await runner.cleanup()
    assert sorted(handled) == [12, 14]
    assert dead == [(13, "unlucky")]
    [letter] = await inbox.dead_letters()
    assert letter.attempts == 2
    assert await r.xlen(STREAM) == 0


async def test_a_receiver_answers_503_while_redis_is_away() -> None:
    client = redis.from_url(f"redis://127.0.0.1:{free_port()}/0")
    inbox = RedisStreamInbox(client, stream=STREAM, group="handlers", timeout=2.0)
    sub = webhook_app(WebhookRouter(), tokens=["tok"], ack="immediate", inbox=inbox, workers=0)
    runner = web.AppRunner(mount_receiver(sub), access_log=None)
    await runner.setup()  # the receiver starts: Redis may come later
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/aircall/webhooks/"
    try:
        async with aiohttp.ClientSession() as session:
            status, _ = await deliver(session, url, build_delivery("call.ended", token="tok"))
    finally:
        await runner.cleanup()
        await client.aclose()
    assert status == 503
