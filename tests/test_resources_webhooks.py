"""client.webhooks against the fake server."""

from __future__ import annotations

import pytest

from aircall_async.errors import NotFoundError
from aircall_async.models import Webhook

from .resources_support import connect, last, rejected

EVENTS = ["contact.created", "contact.updated", "contact.deleted"]


async def test_lifecycle_by_webhook_id() -> None:
    async with connect() as (fake, client):
        webhook = await client.webhooks.create(
            custom_name="My Custom Workflow",
            url="https://my-server.example.com/webhooks/contacts",
            events=EVENTS,
        )
        created = last(fake)
        assert webhook.webhook_id is not None
        got = await client.webhooks.get(webhook.webhook_id)
        get = last(fake)
        listed = await client.webhooks.list(order="desc").collect()
        updated = await client.webhooks.update(
            webhook.webhook_id, url="https://my-new-server.example.com/hooks", active=False
        )
        update = last(fake)
        await client.webhooks.delete(webhook.webhook_id)
        delete = last(fake)
        with pytest.raises(NotFoundError):
            await client.webhooks.get(webhook.webhook_id)
    assert (created.method, created.path) == ("POST", "/webhooks")
    assert created.json == {
        "url": "https://my-server.example.com/webhooks/contacts",
        "custom_name": "My Custom Workflow",
        "events": EVENTS,
    }
    assert isinstance(webhook, Webhook) and webhook.events == EVENTS and webhook.token
    assert webhook.token not in repr(webhook)
    assert (get.method, get.path) == ("GET", f"/webhooks/{webhook.webhook_id}")
    assert got.webhook_id == webhook.webhook_id
    assert webhook.webhook_id in [w.webhook_id for w in listed]
    assert (update.method, update.path) == ("PUT", f"/webhooks/{webhook.webhook_id}")
    assert update.json == {"url": "https://my-new-server.example.com/hooks", "active": False}
    assert updated.url == "https://my-new-server.example.com/hooks" and updated.active is False
    assert (delete.method, delete.path) == ("DELETE", f"/webhooks/{webhook.webhook_id}")


async def test_legacy_integer_id_still_works() -> None:
    async with connect() as (fake, client):
        webhook = await client.webhooks.create(url="https://example.com/hook")
        assert webhook.id is not None
        got = await client.webhooks.get(webhook.id)
        request = last(fake)
    assert (request.method, request.path) == ("GET", f"/webhooks/{webhook.id}")
    assert got.webhook_id == webhook.webhook_id


async def test_validation() -> None:
    async with connect() as (fake, client):
        hooks = client.webhooks
        await rejected(fake, lambda: hooks.create(url=""), "url")
        await rejected(fake, lambda: hooks.create(url="my-server/hooks"), "url")
        await rejected(
            fake, lambda: hooks.create(url="https://x.io", events="call.created"), "events"
        )
        await rejected(fake, lambda: hooks.update("c2501111-8a69"), "nothing to update")
        await rejected(fake, lambda: hooks.get("../users/456"), "webhook_id")
        await rejected(fake, lambda: hooks.delete(-4), "webhook_id")


async def test_url_must_be_https_except_on_loopback() -> None:
    async with connect() as (fake, client):
        webhooks = client.webhooks
        for bad in ("http://example.com/hook", "http://10.0.0.1/hook", "ftp://example.com/h"):
            await rejected(fake, lambda bad=bad: webhooks.create(url=bad), "url")
            await rejected(fake, lambda bad=bad: webhooks.update(1, url=bad), "url")
        local = await webhooks.create(url="http://127.0.0.1:8080/hook", events=EVENTS)
        secure = await webhooks.create(url="https://example.com/hook", events=EVENTS)
    assert (local.url, secure.url) == ("http://127.0.0.1:8080/hook", "https://example.com/hook")
