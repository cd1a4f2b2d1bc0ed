"""client.tags against the fake server."""

from __future__ import annotations

import pytest

from aircall_async.errors import NotFoundError
from aircall_async.models import Tag

from .resources_support import connect, last, rejected


async def test_list_and_get() -> None:
    async with connect() as (fake, client):
        tags = await client.tags.list(per_page=2).collect()
        listed = fake.requests[0]
        tag = await client.tags.get(678)
        got = last(fake)
    assert (listed.method, listed.path, listed.query["per_page"]) == ("GET", "/tags", "2")
    assert [t.id for t in tags] == [678, 679, 680, 681]
    assert (got.method, got.path) == ("GET", "/tags/678")
    assert isinstance(tag, Tag) and tag.id == 678 and tag.color is not None


async def test_create_update_delete() -> None:
    async with connect() as (fake, client):
        tag = await client.tags.create(name="VIP Customer", color="#00B388")
        created = last(fake)
        assert tag.id is not None
        updated = await client.tags.update(tag.id, name="Tier 2 Customer")
        update = last(fake)
        await client.tags.delete(tag.id)
        delete = last(fake)
        with pytest.raises(NotFoundError):
            await client.tags.get(tag.id)
    assert (created.method, created.path, created.json) == (
        "POST",
        "/tags",
        {"name": "VIP Customer", "color": "#00B388"},
    )
    assert isinstance(tag, Tag) and (tag.name, tag.color) == ("VIP Customer", "#00B388")
    assert (update.method, update.path, update.json) == (
        "PUT",
        f"/tags/{tag.id}",
        {"name": "Tier 2 Customer"},
    )
    assert (updated.name, updated.color) == ("Tier 2 Customer", "#00B388")
    assert (delete.method, delete.path) == ("DELETE", f"/tags/{tag.id}")


async def test_validation() -> None:
    async with connect() as (fake, client):
        tags = client.tags
        await rejected(fake, lambda: tags.create(name="VIP", color="green"), "color")
        await rejected(fake, lambda: tags.create(name="VIP", color="#00B38"), "color")
        await rejected(fake, lambda: tags.create(name=" ", color="#00B388"), "name")
        await rejected(fake, lambda: tags.update(678), "nothing to update")
        await rejected(fake, lambda: tags.update(678, color="00B388"), "color")
        await rejected(fake, lambda: tags.list(per_page=0), "per_page")
