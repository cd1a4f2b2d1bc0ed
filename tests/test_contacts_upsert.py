"""client.contacts.find_by_phone / find_by_email / upsert against the fake server."""

from __future__ import annotations

import pytest

from aircall_async.errors import AmbiguousMatchError
from aircall_async.resources.contacts import normalize_phone

from .resources_support import connect, rejected


@pytest.mark.parametrize(
    ("written", "e164"),
    [
        ("+33 6 12 34 56 78", "+33612345678"),
        ("0033 (6) 12-34-56-78", "+33612345678"),
        ("+1 (900) 111.2222", "+19001112222"),
        ("+1/900/111/2222", "+19001112222"),
    ],
)
def test_normalize_phone_gives_e164(written: str, e164: str) -> None:
    assert normalize_phone(written) == e164


@pytest.mark.parametrize("bad", ["0612345678", "+33 6 12 AB", "", "+", 33612345678])
def test_normalize_phone_refuses_what_is_not_e164(bad: object) -> None:
    with pytest.raises(ValueError, match="phone_number"):
        normalize_phone(bad)  # type: ignore[arg-type]


async def test_upsert_creates_then_updates_only_what_changed_then_does_nothing() -> None:
    async with connect(contacts=3) as (fake, client):
        created = await client.contacts.upsert(
            phone_number="+1 900 111 2222", first_name="Gary", email="gary@acme.com"
        )
        assert created.outcome == "created"
        assert created.contact.phone_numbers[0].value == "+19001112222"
        post = fake.requests[-1]
        assert (post.method, post.path) == ("POST", "/contacts")
        assert post.json["phone_numbers"] == [{"label": "Work", "value": "+19001112222"}]
        assert post.json["emails"] == [{"label": "Work", "value": "gary@acme.com"}]

        fake.requests.clear()
        updated = await client.contacts.upsert(
            phone_number="0019001112222", first_name="Gary", last_name="Jennings"
        )
        assert updated.outcome == "updated"
        assert updated.changed == ("last_name",)
        assert updated.contact.id == created.contact.id
        assert updated.contact.last_name == "Jennings"
        sent = [(r.method, r.path) for r in fake.requests]
        assert sent == [("GET", "/contacts/search"), ("POST", f"/contacts/{created.contact.id}")]
        assert fake.requests[0].query["phone_number"] == "+19001112222"
        assert fake.requests[1].json == {"last_name": "Jennings"}  # first_name did not change

        fake.requests.clear()
        same = await client.contacts.upsert(
            phone_number="+19001112222", first_name="Gary", email="GARY@acme.com"
        )
        assert same.outcome == "unchanged"
        assert [(r.method, r.path) for r in fake.requests] == [("GET", "/contacts/search")]
        assert len(fake.state.contacts) == 4  # one created, never two


async def test_upsert_adds_a_missing_email_and_returns_the_contact_with_it() -> None:
    async with connect(contacts=0) as (_fake, client):
        await client.contacts.upsert(phone_number="+19001112222", first_name="Ann")
        result = await client.contacts.upsert(phone_number="+19001112222", email="ann@acme.com")
    assert result.outcome == "updated"
    assert result.changed == ("emails",)
    assert [e.value for e in result.contact.emails] == ["ann@acme.com"]


async def test_upsert_refuses_to_pick_among_several_matches() -> None:
    async with connect(contacts=0) as (fake, client):
        one = await client.contacts.create(phone_numbers=[{"label": "a", "value": "+3312345678"}])
        two = await client.contacts.create(phone_numbers=[{"label": "b", "value": "+3312345678"}])
        with pytest.raises(AmbiguousMatchError, match="2 contacts") as caught:
            await client.contacts.upsert(phone_number="+33 1 23 45 67 8", first_name="X")
        assert caught.value.ids == sorted([one.id, two.id])
        assert str(one.id) in str(caught.value)
        assert len(fake.state.contacts) == 2


async def test_find_by_phone_and_email_return_only_exact_matches() -> None:
    async with connect(contacts=0) as (_fake, client):
        a = await client.contacts.create(
            phone_numbers=[{"label": "w", "value": "+441234567890"}],
            emails=[{"label": "w", "value": "Jo@Example.com"}],
        )
        await client.contacts.create(phone_numbers=[{"label": "w", "value": "+441234567891"}])
        by_phone = await client.contacts.find_by_phone("+44 1234 567890")
        by_email = await client.contacts.find_by_email("jo@example.com")
        none = await client.contacts.find_by_phone("+15550000000")
    assert [c.id for c in by_phone] == [a.id]
    assert [c.id for c in by_email] == [a.id]
    assert none == []


async def test_bad_input_sends_nothing() -> None:
    async with connect(contacts=0) as (fake, client):
        await rejected(fake, lambda: client.contacts.upsert(phone_number="0612"), "phone_number")
        await rejected(
            fake,
            lambda: client.contacts.upsert(phone_number="+33612345678", email="nope"),
            "email",
        )
        await rejected(
            fake,
            lambda: client.contacts.upsert(phone_number="+33612345678", first_name=" "),
            "first_name",
        )
        await rejected(fake, lambda: client.contacts.find_by_email("x"), "email")
