"""client.a2p_campaign_associations against the fake server."""

from __future__ import annotations

import pytest

from aircall_async.errors import BadRequestError, NotFoundError
from aircall_async.models import A2PCampaignAssociation, A2PUpdateStatus

from .resources_support import connect, last, rejected


async def test_lifecycle() -> None:
    async with connect() as (fake, client):
        a2p = client.a2p_campaign_associations
        created = await a2p.create(external_campaign_id="CNXIO", numbers=[1279876456])
        create = last(fake)
        assert created.id is not None
        fake.settle_a2p(created.id, "done")
        got = await a2p.get(created.id)
        get = last(fake)
        listed = await a2p.list().collect()
        list_request = last(fake)
        updated = await a2p.update(created.id, numbers=["1279876457"])
        update = last(fake)
        await a2p.delete(created.id)
        delete = last(fake)
        with pytest.raises(NotFoundError):
            await a2p.get(created.id)
    assert (create.method, create.path) == ("POST", "/a2p_campaign_associations")
    assert create.json == {"external_campaign_id": "CNXIO", "numbers": [1279876456]}
    assert isinstance(created, A2PCampaignAssociation)
    assert created.external_id == "CNXIO" and created.update_status is A2PUpdateStatus.PENDING
    assert (get.method, get.path) == ("GET", f"/a2p_campaign_associations/{created.id}")
    assert got.update_status is A2PUpdateStatus.DONE
    assert (list_request.method, list_request.path) == ("GET", "/a2p_campaign_associations")
    assert [a.id for a in listed] == [created.id]
    assert (update.method, update.path) == ("PUT", f"/a2p_campaign_associations/{created.id}")
    assert update.json == {"numbers": ["1279876457"]}
    assert updated.numbers == ["1279876457"] and updated.update_status is A2PUpdateStatus.PENDING
    assert (delete.method, delete.path) == ("DELETE", f"/a2p_campaign_associations/{created.id}")


async def test_associating_a_campaign_twice_is_400() -> None:
    async with connect() as (_, client):
        a2p = client.a2p_campaign_associations
        await a2p.create(external_campaign_id="CNXIO", numbers=[1279876456])
        with pytest.raises(BadRequestError):
            await a2p.create(external_campaign_id="CNXIO", numbers=[1279876499])


async def test_validation() -> None:
    async with connect() as (fake, client):
        a2p = client.a2p_campaign_associations
        await rejected(
            fake, lambda: a2p.create(external_campaign_id="", numbers=[1]), "external_campaign_id"
        )
        await rejected(fake, lambda: a2p.create(external_campaign_id="C", numbers=[]), "numbers")
        await rejected(
            fake,
            lambda: a2p.create(external_campaign_id="C", numbers=["+1279876456"]),
            "numbers[0]",
        )
        await rejected(fake, lambda: a2p.update(458, numbers=[12798, True]), "numbers[1]")
        await rejected(fake, lambda: a2p.get(-1), "association_id")
