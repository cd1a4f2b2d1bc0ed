"""client.messages against the fake: every endpoint's path, method and body, the typed
answers, the events a send fires, and the input checks that send nothing."""

from __future__ import annotations

from typing import Any

import pytest

from aircall_async.errors import BadRequestError, NotFoundError
from aircall_async.models import (
    GroupMessage,
    Message,
    MessagingConfiguration,
    SmsTemplate,
    WhatsAppLineStatus,
)
from aircall_async.testing.routes_messages import receive_message

from .resources_support import connect, last, rejected

NUMBER = 1234
TO = "+14155550199"


async def test_configuration_lifecycle() -> None:
    async with connect() as (fake, client):
        made = await client.messages.create_configuration(
            NUMBER, callback_url="https://example.com/sms", type="webhook"
        )
        created = last(fake)
        got = await client.messages.get_configuration(NUMBER)
        fetched = last(fake)
        await client.messages.delete_configuration(NUMBER)
        deleted = last(fake)
        with pytest.raises(NotFoundError):
            await client.messages.get_configuration(NUMBER)
    path = f"/numbers/{NUMBER}/messages/configuration"
    assert (created.method, created.path, created.json) == (
        "POST",
        path,
        {"callbackUrl": "https://example.com/sms", "type": "webhook"},
    )
    assert (fetched.method, fetched.path) == ("GET", path)
    assert (deleted.method, deleted.path) == ("DELETE", path)
    assert isinstance(made, MessagingConfiguration) and made == got
    assert got.callbackUrl == "https://example.com/sms" and got.type == "webhook"


async def test_send_in_conversation_fires_message_sent() -> None:
    async with connect() as (fake, client):
        events: list[tuple[str, Any]] = []
        fake.state.subscribe(lambda event, resource, data: events.append((event, data)))
        message = await client.messages.send_in_conversation(
            NUMBER, to=TO, body="Hi there", media_urls=["https://example.com/a.png"], agent_id=456
        )
        request = last(fake)
    assert (request.method, request.path) == ("POST", f"/numbers/{NUMBER}/messages/native/send")
    assert request.json == {
        "to": TO,
        "body": "Hi there",
        "mediaUrl": ["https://example.com/a.png"],
        "agentId": 456,
    }
    assert isinstance(message, Message) and message.body == "Hi there"
    assert message.media_url == ["https://example.com/a.png"] and message.direction == "outbound"
    assert message.number is not None and message.number.id == NUMBER
    assert [name for name, _ in events] == ["message.sent"]
    assert events[0][1]["id"] == message.id


async def test_send_skipping_inbox_needs_a_configuration() -> None:
    async with connect() as (fake, client):
        with pytest.raises(BadRequestError, match="no messaging configuration"):
            await client.messages.send_skipping_inbox(NUMBER, to=TO, body="Automated")
        await client.messages.create_configuration(
            NUMBER, callback_url="https://example.com/cb", type="webhook"
        )
        message = await client.messages.send_skipping_inbox(NUMBER, to=TO, body="Automated")
        request = last(fake)
    assert (request.method, request.path) == ("POST", f"/numbers/{NUMBER}/messages/send")
    assert request.json == {"to": TO, "body": "Automated"}
    assert message.external_number == TO


async def test_group_sends() -> None:
    async with connect() as (fake, client):
        people = [TO, "+14155550198"]
        native = await client.messages.send_group_in_conversation(
            NUMBER, participants=people, body="Hello all"
        )
        native_request = last(fake)
        media = await client.messages.send_group_skipping_inbox(
            NUMBER, participants=people, media_urls=["https://example.com/b.jpg"]
        )
        media_request = last(fake)
    assert (native_request.path, native_request.json) == (
        f"/numbers/{NUMBER}/messages/group/native/send",
        {"participants": people, "body": "Hello all"},
    )
    assert (media_request.path, media_request.json) == (
        f"/numbers/{NUMBER}/messages/group/send",
        {"participants": people, "mediaUrl": ["https://example.com/b.jpg"]},
    )
    assert isinstance(native, GroupMessage) and native.participants == people
    assert native.group_message_id and media.media_url == ["https://example.com/b.jpg"]
    assert [m["group_message_id"] for m in fake.state.beyond.messages] == [
        native.group_message_id,
        media.group_message_id,
    ]


async def test_whatsapp_sends_name_the_recipient_per_endpoint() -> None:
    async with connect() as (fake, client):
        text = await client.messages.send_whatsapp_in_conversation(NUMBER, to=TO, text="Hola")
        native = last(fake)
        templated = await client.messages.send_whatsapp_skipping_inbox(
            NUMBER, to=TO, template_params={"name": "Ada"}
        )
        skipping = last(fake)
    assert (native.method, native.path, native.json) == (
        "POST",
        "/messages/send/whatsapp/native",
        {"lineId": NUMBER, "externalNumber": TO, "text": "Hola"},
    )
    assert (skipping.path, skipping.json) == (
        "/messages/whatsapp/send",
        {"lineId": NUMBER, "to": TO, "templateParams": {"name": "Ada"}},
    )
    assert text.channel == "whatsapp" and text.body == "Hola" and templated.id


async def test_templates_and_status() -> None:
    async with connect() as (fake, client):
        templates = await client.messages.sms_templates(search="order").collect()
        sms_request = last(fake)
        first = await client.messages.whatsapp_templates(NUMBER, status="APPROVED", limit=1)
        first_request = last(fake)
        second = await client.messages.whatsapp_templates(
            NUMBER, status="APPROVED", limit=1, token=first.next_token
        )
        status = await client.messages.whatsapp_status(NUMBER)
        status_request = last(fake)
    assert (sms_request.path, sms_request.query["search"]) == ("/sms/templates", "order")
    assert [t.name for t in templates] == ["Order shipped"]
    assert all(isinstance(t, SmsTemplate) for t in templates)
    assert first_request.path == f"/numbers/{NUMBER}/templates"
    assert (first_request.query["status"], first_request.query["limit"]) == ("APPROVED", "1")
    assert [t["name"] for t in first.templates] == ["template_1"] and first.next_token
    assert [t["name"] for t in second.templates] == ["template_2"] and second.next_token is None
    assert status_request.path == f"/numbers/{NUMBER}/whatsapp_status"
    assert isinstance(status, WhatsAppLineStatus) and status.canSendMessage is True


async def test_received_message_fires_message_received() -> None:
    async with connect() as (fake, _client):
        events: list[str] = []
        fake.state.subscribe(lambda event, resource, data: events.append(event))
        message = await fake.receive_message(NUMBER, from_=TO, body="Hello?")
        with pytest.raises(ValueError, match="E.164"):
            receive_message(fake.state, NUMBER, from_="12", body="x")
        with pytest.raises(KeyError):
            receive_message(fake.state, 1, from_=TO, body="x")
    assert events == ["message.received"]
    assert message["direction"] == "inbound" and message["external_number"] == TO


async def test_bad_input_is_refused_before_sending() -> None:
    async with connect() as (fake, client):
        m = client.messages
        await rejected(fake, lambda: m.send_in_conversation(NUMBER, to="0612", body="x"), "to")
        await rejected(fake, lambda: m.send_in_conversation(NUMBER, to=TO, body=" "), "body")
        await rejected(fake, lambda: m.send_in_conversation(NUMBER, to=TO, body="x" * 1601), "1600")
        await rejected(
            fake,
            lambda: m.send_in_conversation(
                NUMBER, to=TO, body="x", media_urls=["http://example.com/a.png"]
            ),
            "media_urls[0]",
        )
        await rejected(
            fake, lambda: m.send_skipping_inbox(NUMBER, to=TO, body="x", media_urls=[]), "media"
        )
        await rejected(
            fake, lambda: m.send_group_in_conversation(NUMBER, participants=[], body="x"), "partic"
        )
        await rejected(
            fake,
            lambda: m.send_group_in_conversation(NUMBER, participants=[TO, "bad"], body="x"),
            "participants[1]",
        )
        await rejected(
            fake, lambda: m.send_group_skipping_inbox(NUMBER, participants=[TO]), "body or media"
        )
        await rejected(
            fake, lambda: m.send_whatsapp_in_conversation(NUMBER, to=TO), "text or template"
        )
        await rejected(
            fake,
            lambda: m.send_whatsapp_skipping_inbox(NUMBER, to=TO, text="x" * 4097),
            "4096",
        )
        await rejected(
            fake,
            lambda: m.create_configuration(NUMBER, callback_url="ftp://x", type="webhook"),
            "callback_url",
        )
        await rejected(fake, lambda: m.whatsapp_templates(NUMBER, limit=0), "limit")
        await rejected(fake, lambda: m.whatsapp_status(-3), "number_id")


async def test_the_fake_validates_what_the_client_would_not_send() -> None:
    async with connect() as (fake, client):
        session = client  # the raw request path, bypassing the input checks
        with pytest.raises(BadRequestError, match="E.164"):
            await session.request(
                "POST", f"/numbers/{NUMBER}/messages/native/send", json={"to": "1", "body": "x"}
            )
        with pytest.raises(BadRequestError, match="1600"):
            await session.request(
                "POST",
                f"/numbers/{NUMBER}/messages/native/send",
                json={"to": TO, "body": "x" * 1601},
            )
        with pytest.raises(BadRequestError, match="mediaUrl"):
            await session.request(
                "POST",
                f"/numbers/{NUMBER}/messages/native/send",
                json={"to": TO, "body": "x", "mediaUrl": ["nope"]},
            )
        with pytest.raises(BadRequestError, match="exactly one"):
            await session.request(
                "POST", "/messages/whatsapp/send", json={"lineId": NUMBER, "to": TO}
            )
        with pytest.raises(NotFoundError):
            await client.messages.send_in_conversation(1, to=TO, body="x")
    assert fake.state.beyond.messages == []
