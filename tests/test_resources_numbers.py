"""client.numbers against the fake server."""

from __future__ import annotations

from aircall_async.models import Number, NumberAvailabilityStatus, NumberMessages, User

from .resources_support import connect, last, rejected


async def test_list_and_get() -> None:
    async with connect() as (fake, client):
        numbers = await client.numbers.list(from_=0, order="desc").collect()
        listed = last(fake)
        number = await client.numbers.get(1234)
        got = last(fake)
    assert (listed.method, listed.path, listed.query["order"]) == ("GET", "/numbers", "desc")
    assert [n.id for n in numbers] == [1236, 1235, 1234]
    assert (got.method, got.path) == ("GET", "/numbers/1234")
    assert isinstance(number, Number) and number.id == 1234
    assert isinstance(number.messages, NumberMessages)
    assert isinstance(number.availability_status, NumberAvailabilityStatus)
    assert all(isinstance(u, User) for u in number.users)


async def test_update_sends_only_given_fields() -> None:
    async with connect() as (fake, client):
        number = await client.numbers.update(1234, name="French Office UPDATED")
        request = last(fake)
    assert (request.method, request.path, request.json) == (
        "PUT",
        "/numbers/1234",
        {"name": "French Office UPDATED"},
    )
    assert number.name == "French Office UPDATED"


async def test_update_messages_from_a_dict_or_a_model() -> None:
    url = "https://example.com/welcome_NEW.mp3"
    async with connect() as (fake, client):
        number = await client.numbers.update(1234, messages={"welcome": url})
        from_dict = last(fake)
        await client.numbers.update(1235, messages=NumberMessages(waiting=url), priority=1)
        from_model = last(fake)
    assert from_dict.json == {"messages": {"welcome": url}}
    assert number.messages is not None and number.messages.welcome == url
    assert from_model.json == {"messages": {"waiting": url}, "priority": 1}


async def test_priority_none_is_sent_as_null() -> None:
    async with connect() as (fake, client):
        # Set first, so that clearing it changes something the test can see.
        prioritised = await client.numbers.update(1234, priority=1)
        set_request = last(fake)
        fetched = await client.numbers.get(1234)
        number = await client.numbers.update(1234, priority=None)
        request = last(fake)
        cleared = await client.numbers.get(1234)
    assert set_request.json == {"priority": 1}
    assert prioritised.priority == 1 and fetched.priority == 1
    assert request.json == {"priority": None}
    assert number.priority is None and cleared.priority is None


async def test_message_values_must_be_http_urls() -> None:
    async with connect() as (fake, client):
        for bad in ("welcome.mp3", "ftp://example.com/a.mp3", "https://", "not a url"):
            await rejected(
                fake,
                lambda bad=bad: client.numbers.update(1234, messages={"ivr": bad}),
                "messages.ivr",
            )
        await rejected(
            fake,
            lambda: client.numbers.update(1234, messages=NumberMessages(closed="/closed.mp3")),
            "messages.closed",
        )
        await client.numbers.update(1234, messages={"ivr": "http://example.com/ivr.mp3"})
        sent = last(fake)
    assert sent.json == {"messages": {"ivr": "http://example.com/ivr.mp3"}}


async def test_validation() -> None:
    async with connect() as (fake, client):
        numbers = client.numbers
        await rejected(fake, lambda: numbers.update(1234), "nothing to update")
        await rejected(fake, lambda: numbers.update(1234, name=""), "name")
        await rejected(fake, lambda: numbers.update(1234, priority=2), "priority")
        await rejected(fake, lambda: numbers.update(1234, messages={}), "messages")
        await rejected(
            fake, lambda: numbers.update(1234, messages={"welcome": ""}), "messages.welcome"
        )
        await rejected(fake, lambda: numbers.list(order="random"), "order")  # type: ignore[arg-type]
