"""The fake server delivers webhooks to a real mounted receiver, over loopback HTTP."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from aircall_async import AircallClient
from aircall_async.testing import (
    FakeAircall,
    WebhookDelivery,
    build_delivery,
    mount_receiver,
)
from aircall_async.testing.deliveries import WEBHOOK_PATH
from aircall_async.webhooks import (
    STATS_KEY,
    CallEvent,
    ContactEvent,
    IntegrationEvent,
    NumberEvent,
    UserEvent,
    WebhookEvent,
    WebhookRouter,
    webhook_app,
)

Obj = dict[str, Any]
FAST = {"webhook_retry_delay": 0.01}


class Receiver:
    """A mounted ``webhook_app`` on a loopback server, recording what its handler got."""

    def __init__(self, fail_first: int = 0) -> None:
        self.router = WebhookRouter()
        self.events: list[WebhookEvent[Any]] = []
        self.fail_first = fail_first
        self.runs = 0
        self.sub: web.Application | None = None
        self.server: TestServer | None = None

        @self.router.on("*")
        async def record(event: WebhookEvent[Any]) -> None:
            self.runs += 1
            if self.runs <= self.fail_first:
                raise RuntimeError("handler failure on purpose")
            self.events.append(event)

    @property
    def url(self) -> str:
        assert self.server is not None
        return str(self.server.make_url(WEBHOOK_PATH))

    def names(self) -> list[str]:
        return [event.event for event in self.events]


@asynccontextmanager
async def fake_and_client(**options: Any) -> AsyncIterator[tuple[FakeAircall, AircallClient]]:
    options = {"rate_limit": None, "calls": 12, "contacts": 3, "users": 3, **options}
    async with FakeAircall(**options) as fake, fake.client(max_retries=0) as client:
        yield fake, client


@asynccontextmanager
async def hooked(
    client: AircallClient,
    events: list[str] | None = None,
    *,
    tokens: set[str] | None = None,
    receiver: Receiver | None = None,
) -> AsyncIterator[tuple[Obj, Receiver]]:
    """A webhook on the fake pointing at a fresh receiver that accepts its token (or
    ``tokens``). The webhook is created first, since the receiver needs its token, then
    pointed at the receiver once it listens."""
    receiver = receiver or Receiver()
    created = await client.webhooks.create(url="https://placeholder.example.com/", events=events)
    assert created.token and created.webhook_id
    receiver.sub = webhook_app(receiver.router, tokens=tokens or {created.token})
    receiver.server = TestServer(mount_receiver(receiver.sub), host="127.0.0.1")
    await receiver.server.start_server()
    try:
        updated = await client.webhooks.update(
            created.webhook_id, url=receiver.url, events=events or []
        )
        hook = {"id": updated.id, "webhook_id": updated.webhook_id, "token": created.token}
        yield hook, receiver
    finally:
        await receiver.server.close()


def live_call(fake: FakeAircall) -> Obj:
    return next(c for c in fake.state.calls if c["status"] != "done")


async def test_api_changes_and_fired_events_reach_a_mounted_receiver() -> None:
    async with fake_and_client() as (fake, client), hooked(client) as (hook, rec):
        contact = await client.contacts.create(
            first_name="Ada", phone_numbers=[{"label": "Work", "value": "+19001112222"}]
        )
        assert contact.id is not None
        await fake.deliveries_idle()
        await client.contacts.update(contact.id, first_name="Grace")
        await fake.deliveries_idle()
        await client.contacts.delete(contact.id)
        await fake.deliveries_idle()

        call = live_call(fake)
        tag_id = next(iter(fake.state.tags))["id"]
        user_id = next(iter(fake.state.users))["id"]
        await client.calls.comment(call["id"], content="Call back tomorrow")
        await client.calls.tag(call["id"], tags=[tag_id])
        await client.calls.archive(call["id"])
        await client.calls.transfer(call["id"], user_id=user_id)
        await fake.deliveries_idle()

        user = await client.users.create(email="new@example.com", first_name="N", last_name="U")
        assert user.id is not None
        await fake.deliveries_idle()
        await client.users.delete(user.id)
        await fake.deliveries_idle()

        number_id = next(iter(fake.state.numbers))["id"]
        fired = await fake.fire("number.closed", number_id)
        gone = await fake.fire("integration.deleted", {"integration_id": 42, "company_id": 1})
        stats = rec.sub[STATS_KEY] if rec.sub is not None else None

    names = rec.names()
    assert names[:3] == ["contact.created", "contact.updated", "contact.deleted"]
    contacts = [e for e in rec.events if isinstance(e, ContactEvent)]
    assert [e.data.id for e in contacts] == [contact.id] * 3
    assert [e.data.first_name for e in contacts] == ["Ada", "Grace", "Grace"]

    calls = [e for e in rec.events if isinstance(e, CallEvent)]
    assert sorted(e.event for e in calls) == sorted(
        ["call.commented", "call.tagged", "call.archived", "call.transferred"]
    )
    assert {e.data.id for e in calls} == {call["id"]}
    by_name = {e.event: e.data for e in calls}
    assert by_name["call.commented"].comments[-1].content == "Call back tomorrow"
    assert tag_id in [t.id for t in by_name["call.tagged"].tags]
    assert by_name["call.archived"].archived is True
    transferred_to = by_name["call.transferred"].transferred_to
    assert transferred_to is not None and transferred_to.id == user_id

    users = [e for e in rec.events if isinstance(e, UserEvent)]
    assert [(e.event, e.data.id) for e in users] == [
        ("user.created", user.id),
        ("user.created.v2", user.id),
        ("user.deleted", user.id),
        ("user.deleted.v2", user.id),
    ]
    assert users[1].data.substatus == "always_opened" and not users[1].data.numbers
    assert users[0].data.email == "new@example.com"

    numbers = [e for e in rec.events if isinstance(e, NumberEvent)]
    assert [(e.event, e.data.id) for e in numbers] == [("number.closed", number_id)]
    integrations = [e for e in rec.events if isinstance(e, IntegrationEvent)]
    assert [(e.data.integration_id, e.data.company_id) for e in integrations] == [(42, 1)]

    assert len(rec.events) == 3 + 4 + 4 + 2
    assert all(e.token == hook["token"] for e in rec.events)
    assert [d.outcome for d in (*fired, *gone)] == ["delivered", "delivered"]
    assert all(a.status == 200 and a.attempt == 1 for a in fake.webhook_attempts)
    assert {a.webhook_id for a in fake.webhook_attempts} == {hook["id"]}
    assert stats is not None and stats.handled == len(rec.events) and stats.rejected == {}


async def test_the_body_has_aircalls_shape_and_the_fakes_rendering() -> None:
    async with fake_and_client() as (fake, client), hooked(client, ["call.ended"]) as (hook, _):
        call = live_call(fake)
        before = int(time.time())
        [delivery] = await fake.fire("call.ended", call["id"])
        api_call = await client.calls.get(call["id"])
    body = delivery.payload
    assert set(body) == {"resource", "event", "timestamp", "token", "data"}
    assert (body["resource"], body["event"], body["token"]) == ("call", "call.ended", hook["token"])
    assert before <= body["timestamp"] <= int(time.time())
    assert body["data"]["id"] == api_call.id == call["id"]
    assert not any(key.startswith("_") for key in body["data"])
    assert hook["token"] not in repr(delivery) and hook["token"] not in repr(delivery.attempts)


async def test_only_subscribed_events_reach_only_active_webhooks() -> None:
    async with (
        fake_and_client() as (fake, client),
        hooked(client, ["contact.created"]) as (only_created, picky),
        hooked(client) as (disabled, off),
    ):
        await client.webhooks.update(disabled["webhook_id"], active=False, events=[])
        contact = await client.contacts.create(
            phone_numbers=[{"label": "Work", "value": "+19001113333"}]
        )
        assert contact.id is not None
        await client.contacts.update(contact.id, last_name="Later")
        await fake.fire("contact.deleted", contact.id)
        await fake.deliveries_idle()
    assert picky.names() == ["contact.created"]
    assert off.events == []
    assert [(a.webhook_id, a.event) for a in fake.webhook_attempts] == [
        (only_created["id"], "contact.created")
    ]


async def test_a_wrong_token_is_retried_then_the_webhook_is_disabled() -> None:
    options = {**FAST, "webhook_retries": 4, "webhook_max_failures": 3}
    async with (
        fake_and_client(**options) as (fake, client),
        hooked(client, tokens={"not-the-webhooks-token"}) as (hook, rec),
    ):
        call_id = live_call(fake)["id"]
        [delivery] = await fake.fire("call.hold", call_id)
        disabled = await client.webhooks.get(hook["webhook_id"])
        assert await fake.fire("call.unhold", call_id) == []
        await client.webhooks.update(hook["webhook_id"], active=True, events=[])
        [again] = await fake.fire("call.unhold", call_id, wait=False)
        await fake.deliveries_idle()
        rejected = rec.sub[STATS_KEY].rejected if rec.sub is not None else None
    # Retries go on after the deactivation (Aircall retries failed events), all 401.
    assert [(a.attempt, a.status) for a in delivery.attempts] == [(n, 401) for n in range(1, 6)]
    assert delivery.outcome == "failed"
    assert disabled.active is False
    assert again.outcome == "failed" and len(again.attempts) == 5
    assert rec.events == []
    assert rejected is not None and rejected["unauthorized"] == 10


async def test_a_handler_failure_is_redelivered_and_handled_once() -> None:
    async with (
        fake_and_client(**FAST) as (fake, client),
        hooked(client, receiver=Receiver(fail_first=1)) as (hook, rec),
    ):
        [delivery] = await fake.fire("user.connected", next(iter(fake.state.users))["id"])
        stats = rec.sub[STATS_KEY] if rec.sub is not None else None
        state = await client.webhooks.get(hook["webhook_id"])
    assert [a.status for a in delivery.attempts] == [500, 200]
    assert delivery.delivered
    assert rec.names() == ["user.connected"] and rec.runs == 2
    assert stats is not None and (stats.handler_failures, stats.handled) == (1, 1)
    assert state.active is True


async def test_two_updates_of_one_contact_in_one_second_both_arrive() -> None:
    """Same token, event, timestamp and id, different data: not a redelivery."""
    async with fake_and_client() as (fake, client), hooked(client, ["contact.updated"]) as (_, rec):
        contact_id = next(iter(fake.state.contacts))["id"]
        await client.contacts.update(contact_id, first_name="First")
        await client.contacts.update(contact_id, first_name="Second")
        await fake.deliveries_idle()
        stamps = {d.payload["timestamp"] for d in fake.webhook_deliveries}
    assert [getattr(e.data, "first_name", None) for e in rec.events] == ["First", "Second"]
    assert len(stamps) in (1, 2)  # usually one second: the case the old key dropped


async def test_a_success_after_the_deactivation_enables_the_webhook_again() -> None:
    options = {**FAST, "webhook_retries": 3, "webhook_max_failures": 2}
    async with (
        fake_and_client(**options) as (fake, client),
        hooked(client, receiver=Receiver(fail_first=2)) as (hook, rec),
    ):
        [delivery] = await fake.fire("number.opened", next(iter(fake.state.numbers))["id"])
        state = await client.webhooks.get(hook["webhook_id"])
    assert [a.status for a in delivery.attempts] == [500, 500, 200]
    assert rec.names() == ["number.opened"]
    assert state.active is True


@asynccontextmanager
async def plain_receiver(
    handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
) -> AsyncIterator[str]:
    app = web.Application()
    app.router.add_post("/hook", handler)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        yield str(server.make_url("/hook"))
    finally:
        await server.close()


async def test_a_receiver_that_never_answers_fails_by_timeout() -> None:
    arrived: list[Obj] = []

    async def silent(request: web.Request) -> web.Response:
        arrived.append(await request.json())
        await asyncio.Event().wait()  # never answers: only the fake's timeout ends the attempt
        return web.Response()

    options = {**FAST, "webhook_timeout": 0.2, "webhook_retries": 1}
    async with fake_and_client(**options) as (fake, client), plain_receiver(silent) as url:
        await client.webhooks.create(url=url, events=["contact.created"])
        await client.contacts.create(phone_numbers=[{"label": "Work", "value": "+19001114444"}])
        await fake.deliveries_idle()
    [delivery] = fake.webhook_deliveries
    assert [(a.status, a.error) for a in delivery.attempts] == [(None, "timeout")] * 2
    assert all(a.duration >= 0 for a in delivery.attempts)
    assert delivery.outcome == "failed"
    assert len(arrived) == 2 and arrived[0] == arrived[1]  # a redelivery is the same body


async def test_the_api_answers_without_waiting_for_the_receiver() -> None:
    release = asyncio.Event()

    async def held(request: web.Request) -> web.Response:
        await release.wait()  # answers only once the API call below has returned
        return web.Response()

    # No clock is read: if the API waited for the delivery, the receiver could never answer
    # before the 60 s webhook timeout, and the delivery would end failed instead of delivered.
    options = {**FAST, "webhook_timeout": 60.0, "webhook_retries": 0}
    async with fake_and_client(**options) as (fake, client), plain_receiver(held) as url:
        await client.webhooks.create(url=url, events=["contact.created"])
        await client.contacts.create(phone_numbers=[{"label": "Work", "value": "+19001114444"}])
        [delivery] = fake.webhook_deliveries
        outcome_when_answered = delivery.outcome
        release.set()
        await fake.deliveries_idle()
    assert outcome_when_answered == "pending"
    assert [a.status for a in delivery.attempts] == [200]
    assert delivery.outcome == "delivered"


async def test_an_unreachable_receiver_is_recorded_and_never_fails_the_request() -> None:
    async def ok(request: web.Request) -> web.Response:
        return web.Response()

    async with plain_receiver(ok) as url:
        pass  # closed: nothing listens there any more
    async with fake_and_client(webhook_retries=0) as (fake, client):
        await client.webhooks.create(url=url, events=["contact.created"])
        contact = await client.contacts.create(
            phone_numbers=[{"label": "Work", "value": "+19001115555"}]
        )
        await fake.deliveries_idle()
    [attempt] = fake.webhook_attempts
    assert contact.id and attempt.status is None and attempt.error
    assert attempt.error.startswith("Client")


async def test_fire_works_against_a_fake_in_its_own_thread() -> None:
    rec = Receiver()
    with FakeAircall(rate_limit=None, calls=5, contacts=2) as fake:
        async with fake.client(max_retries=0) as client, hooked(client, receiver=rec) as (_, r):
            [delivery] = await fake.fire("call.ended", next(iter(fake.state.calls))["id"])
            await client.contacts.create(phone_numbers=[{"label": "W", "value": "+19001116666"}])
            await fake.deliveries_idle()
    assert delivery.delivered
    assert r.names() == ["call.ended", "contact.created"]


async def test_close_cancels_waiting_retries() -> None:
    refused = asyncio.Event()

    async def refuse(request: web.Request) -> web.Response:
        refused.set()
        return web.Response(status=503)

    options = {"webhook_retries": 5, "webhook_retry_delay": 3600.0}
    async with plain_receiver(refuse) as url, fake_and_client(**options) as (fake, client):
        await client.webhooks.create(url=url, events=["contact.created"])
        await client.contacts.create(phone_numbers=[{"label": "W", "value": "+19001117777"}])
        await refused.wait()
        while not fake.webhook_attempts:  # noqa: ASYNC110 (the fake sets no event for it)
            await asyncio.sleep(0.01)  # once the 503 is recorded, the retry waits
        [delivery] = fake.webhook_deliveries
        closing = asyncio.ensure_future(fake.webhook_dispatcher.close())
        # No clock is read: stopping a waiting retry takes a few loop iterations, while
        # the drain that cancels what is left waits DRAIN_TIMEOUT (a timer, not these).
        for _ in range(20):
            await asyncio.sleep(0)
        assert delivery.outcome == "cancelled"
        await closing
    assert [a.status for a in delivery.attempts] == [503]


async def test_fire_rejects_unknown_events_and_ids() -> None:
    async with fake_and_client() as (fake, _):
        with pytest.raises(ValueError, match="call.ended"):
            await fake.fire("call.endd", 1)
        with pytest.raises(KeyError):
            await fake.fire("contact.updated", 999_999)
        with pytest.raises(TypeError):
            await fake.fire("user.opened")
        assert await fake.fire("integration.deleted") == []  # no webhook: nothing to do
    with pytest.raises(RuntimeError):
        await FakeAircall().fire("call.ended", 1)


def test_the_delivery_builders_are_exported() -> None:
    payload = build_delivery("contact.created", token="t", timestamp=1)
    assert payload["resource"] == "contact" and payload["timestamp"] == 1
    assert isinstance(WebhookDelivery(1, "call.ended", "http://x", {}).delivered, bool)


async def test_webhooks_off_loopback_are_never_sent() -> None:
    async with fake_and_client(webhook_retries=0) as (fake, client):
        hook = await client.webhooks.create(url="https://my-server.example.com/hooks")
        await client.contacts.create(phone_numbers=[{"label": "Work", "value": "+19001112222"}])
        await fake.deliveries_idle()
    assert hook.active is True
    assert [a.event for a in fake.webhook_attempts] == ["contact.created"]
    attempt = fake.webhook_attempts[0]
    assert attempt.status is None
    assert attempt.error is not None
    assert "loopback" in attempt.error
