"""client.contacts against the fake server."""

from __future__ import annotations

from typing import Any

import pytest

from aircall_async.errors import ConflictError, NotFoundError
from aircall_async.models import Contact, EmailDetail, PhoneDetail

from .resources_support import connect, last, rejected


async def test_list_and_search_send_filters() -> None:
    async with connect() as (fake, client):
        contacts = await client.contacts.list(order="desc", order_by="updated_at").collect()
        listed = last(fake)
        target = contacts[0]
        assert target.phone_numbers and target.phone_numbers[0].value
        found = await client.contacts.search(phone_number=target.phone_numbers[0].value).collect()
        searched = last(fake)
    assert (listed.method, listed.path) == ("GET", "/contacts")
    assert listed.query["order"] == "desc" and listed.query["order_by"] == "updated_at"
    assert len(contacts) == 5 and all(isinstance(c, Contact) for c in contacts)
    assert (searched.method, searched.path) == ("GET", "/contacts/search")
    assert searched.query["phone_number"] == target.phone_numbers[0].value
    assert target.id in [c.id for c in found]


async def test_create_from_dicts_and_models_then_get() -> None:
    async with connect() as (fake, client):
        contact = await client.contacts.create(
            first_name="Gary",
            last_name="Jennings",
            information="external_custom_id:87123",
            phone_numbers=[{"label": "Work", "value": "+19001112222"}],
            emails=[EmailDetail(label="Office", value="gary.jennings@acme.com")],
        )
        request = last(fake)
        assert contact.id is not None
        again = await client.contacts.get(contact.id)
        got = last(fake)
    assert (request.method, request.path) == ("POST", "/contacts")
    assert request.json == {
        "first_name": "Gary",
        "last_name": "Jennings",
        "information": "external_custom_id:87123",
        "phone_numbers": [{"label": "Work", "value": "+19001112222"}],
        "emails": [{"label": "Office", "value": "gary.jennings@acme.com"}],
    }
    assert isinstance(contact, Contact) and contact.first_name == "Gary"
    assert isinstance(contact.phone_numbers[0], PhoneDetail)
    assert contact.emails[0].value == "gary.jennings@acme.com"
    assert contact.created_at is not None and contact.created_at.tzinfo is not None
    assert (got.method, got.path) == ("GET", f"/contacts/{contact.id}")
    assert again.id == contact.id


async def test_update_is_a_post_with_only_given_fields() -> None:
    async with connect() as (fake, client):
        contact = await client.contacts.update(
            710, first_name="Vicente UPDATED", company_name="Lerox"
        )
        request = last(fake)
    assert (request.method, request.path) == ("POST", "/contacts/710")
    assert request.json == {"first_name": "Vicente UPDATED", "company_name": "Lerox"}
    assert contact.first_name == "Vicente UPDATED" and contact.company_name == "Lerox"


async def test_delete_then_get_is_404() -> None:
    async with connect() as (fake, client):
        await client.contacts.delete(711)
        request = last(fake)
        with pytest.raises(NotFoundError):
            await client.contacts.get(711)
    assert (request.method, request.path) == ("DELETE", "/contacts/711")


async def test_phone_number_details() -> None:
    async with connect() as (fake, client):
        added = await client.contacts.add_phone_number(710, label="Work", value="+19161110000")
        add = last(fake)
        assert added.id is not None
        updated = await client.contacts.update_phone_number(
            710, added.id, label="Home UPDATED", value="+19161110011"
        )
        update = last(fake)
        await client.contacts.delete_phone_number(710, added.id)
        delete = last(fake)
        contact = await client.contacts.get(710)
    assert (add.method, add.path, add.json) == (
        "POST",
        "/contacts/710/phone_details",
        {"label": "Work", "value": "+19161110000"},
    )
    assert isinstance(added, PhoneDetail) and added.label == "Work"
    assert (update.method, update.path) == ("PUT", f"/contacts/710/phone_details/{added.id}")
    assert update.json == {"label": "Home UPDATED", "value": "+19161110011"}
    assert isinstance(updated, PhoneDetail) and updated.label == "Home UPDATED"
    assert (delete.method, delete.path) == ("DELETE", f"/contacts/710/phone_details/{added.id}")
    assert added.id not in [p.id for p in contact.phone_numbers]


async def test_email_details() -> None:
    async with connect() as (fake, client):
        added = await client.contacts.add_email(710, value="v.lightner@example.com")
        add = last(fake)
        assert added.id is not None
        updated = await client.contacts.update_email(710, added.id, value="v.updated@example.com")
        update = last(fake)
        await client.contacts.delete_email(710, added.id)
        delete = last(fake)
    assert (add.method, add.path, add.json) == (
        "POST",
        "/contacts/710/email_details",
        {"value": "v.lightner@example.com"},
    )
    assert isinstance(added, EmailDetail) and added.value == "v.lightner@example.com"
    assert (update.method, update.path) == ("PUT", f"/contacts/710/email_details/{added.id}")
    assert update.json == {"value": "v.updated@example.com"}
    assert isinstance(updated, EmailDetail) and updated.value == "v.updated@example.com"
    assert (delete.method, delete.path) == ("DELETE", f"/contacts/710/email_details/{added.id}")


async def test_twenty_first_phone_number_is_409() -> None:
    async with connect() as (_, client):
        numbers = [{"label": "Work", "value": f"+1916111{i:04d}"} for i in range(20)]
        contact = await client.contacts.create(first_name="Full", phone_numbers=numbers)
        assert contact.id is not None and len(contact.phone_numbers) == 20
        with pytest.raises(ConflictError) as caught:
            await client.contacts.add_phone_number(contact.id, label="Work", value="+19160000000")
    assert caught.value.status == 409


async def test_validation() -> None:
    async with connect() as (fake, client):
        contacts = client.contacts
        phone = [{"label": "Work", "value": "+19001112222"}]
        many: list[dict[str, Any]] = phone * 21
        await rejected(fake, lambda: contacts.create(phone_numbers=[]), "phone_numbers")
        await rejected(fake, lambda: contacts.create(phone_numbers=many), "phone_numbers")
        await rejected(
            fake,
            lambda: contacts.create(
                phone_numbers=phone, emails=[{"label": "x", "value": "a@b"}] * 21
            ),
            "emails",
        )
        await rejected(
            fake,
            lambda: contacts.create(phone_numbers=[{"value": "+1900"}]),
            "phone_numbers[0].label",
        )
        await rejected(
            fake,
            lambda: contacts.create(phone_numbers=[PhoneDetail(label="Work")]),
            "phone_numbers[0].value",
        )
        await rejected(
            fake, lambda: contacts.create(phone_numbers=phone, first_name=""), "first_name"
        )
        await rejected(
            fake, lambda: contacts.create(phone_numbers=phone, last_name="x" * 256), "last_name"
        )
        await rejected(fake, lambda: contacts.update(710), "nothing to update")
        await rejected(fake, lambda: contacts.update(710, information=" "), "information")
        await rejected(fake, lambda: contacts.add_phone_number(710, value=""), "value")
        await rejected(fake, lambda: contacts.update_email(710, 5201, value=" "), "value")
        await rejected(fake, lambda: contacts.update_email(710, -1, value="a@b"), "email_id")
        await rejected(fake, lambda: contacts.list(order_by="name"), "order_by")  # type: ignore[arg-type]


async def test_search_refuses_an_empty_filter() -> None:
    async with connect() as (fake, client):
        await rejected(fake, lambda: client.contacts.search(phone_number=""), "phone_number")
        await rejected(fake, lambda: client.contacts.search(email=" "), "email")


async def test_create_from_fetched_details_does_not_send_their_ids() -> None:
    async with connect() as (fake, client):
        source = await client.contacts.create(
            phone_numbers=[{"label": "Work", "value": "+19001112222"}],
            emails=[{"label": "Office", "value": "gary@acme.com"}],
        )
        assert source.phone_numbers[0].id is not None and source.emails[0].id is not None
        copy = await client.contacts.create(
            phone_numbers=source.phone_numbers, emails=source.emails
        )
        request = last(fake)
    assert request.json == {
        "phone_numbers": [{"label": "Work", "value": "+19001112222"}],
        "emails": [{"label": "Office", "value": "gary@acme.com"}],
    }
    assert copy.id != source.id
