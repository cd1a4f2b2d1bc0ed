"""client.dialer_campaigns against the fake server."""

from __future__ import annotations

import pytest

from aircall_async.errors import AircallError, NotFoundError, UnprocessableEntityError
from aircall_async.models import DialerCampaign, DialerPhoneNumber

from .resources_support import connect, last, rejected


async def test_campaign_lifecycle() -> None:
    async with connect() as (fake, client):
        campaigns = client.dialer_campaigns
        with pytest.raises(NotFoundError):
            await campaigns.get(456)
        await campaigns.create(456, phone_numbers=["+19161112222"])
        created = last(fake)
        campaign = await campaigns.get(456)
        got = last(fake)
        await campaigns.add_phone_numbers(456, phone_numbers=["+18001112222"])
        added = last(fake)
        numbers = await campaigns.phone_numbers(456)
        listed = last(fake)
        assert numbers[0].id is not None
        await campaigns.delete_phone_number(456, numbers[0].id)
        removed = last(fake)
        remaining = await campaigns.phone_numbers(456)
        await campaigns.delete(456)
        deleted = last(fake)
        with pytest.raises(NotFoundError):
            await campaigns.get(456)
    assert (created.method, created.path, created.json) == (
        "POST",
        "/users/456/dialer_campaign",
        {"phone_numbers": ["+19161112222"]},
    )
    assert (got.method, got.path) == ("GET", "/users/456/dialer_campaign")
    assert isinstance(campaign, DialerCampaign) and campaign.id is not None
    assert campaign.created_at is not None
    assert (added.method, added.path, added.json) == (
        "POST",
        "/users/456/dialer_campaign/phone_numbers",
        {"phone_numbers": ["+18001112222"]},
    )
    assert (listed.method, listed.path) == ("GET", "/users/456/dialer_campaign/phone_numbers")
    assert all(isinstance(n, DialerPhoneNumber) for n in numbers)
    assert [n.number for n in numbers] == ["+19161112222", "+18001112222"]
    assert numbers[0].called is False
    assert (removed.method, removed.path) == (
        "DELETE",
        f"/users/456/dialer_campaign/phone_numbers/{numbers[0].id}",
    )
    assert [n.number for n in remaining] == ["+18001112222"]
    assert (deleted.method, deleted.path) == ("DELETE", "/users/456/dialer_campaign")


async def test_invalid_numbers_are_422() -> None:
    async with connect() as (_, client):
        with pytest.raises(UnprocessableEntityError):
            await client.dialer_campaigns.create(456, phone_numbers=["not a number"])


async def test_validation() -> None:
    async with connect() as (fake, client):
        campaigns = client.dialer_campaigns
        await rejected(fake, lambda: campaigns.create(456, phone_numbers=[]), "phone_numbers")
        await rejected(fake, lambda: campaigns.create(456, phone_numbers="+1916"), "phone_numbers")
        await rejected(
            fake,
            lambda: campaigns.add_phone_numbers(456, phone_numbers=["+1", " "]),
            "phone_numbers[1]",
        )
        await rejected(fake, lambda: campaigns.delete_phone_number(456, -3), "phone_number_id")


async def test_phone_numbers_structures_objects_and_skips_other_items() -> None:
    path = "/users/456/dialer_campaign/phone_numbers"
    items = [{"id": 1, "number": "+33631000000", "called": "no"}, "junk", 5, None, {"id": 2}]
    async with connect() as (fake, client):
        fake.fail(path, method="GET", status=200, body={"numbers": items}, times=1)
        numbers = await client.dialer_campaigns.phone_numbers(456)
        fake.fail(path, method="GET", status=200, body={"numbers": {"id": 1}}, times=1)
        with pytest.raises(AircallError, match="'numbers' list"):
            await client.dialer_campaigns.phone_numbers(456)
    assert numbers == [
        DialerPhoneNumber(id=1, number="+33631000000", called=None),
        DialerPhoneNumber(id=2),
    ]
    assert numbers[0].raw == items[0]
