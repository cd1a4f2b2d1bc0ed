"""client.teams against the fake server."""

from __future__ import annotations

import pytest

from aircall_async.errors import BadRequestError, NotFoundError
from aircall_async.models import Team, User

from .resources_support import connect, last, rejected


async def test_list_and_get() -> None:
    async with connect() as (fake, client):
        teams = await client.teams.list(order="desc").collect()
        listed = last(fake)
        team = await client.teams.get(678)
        got = last(fake)
    assert (listed.method, listed.path, listed.query["order"]) == ("GET", "/teams", "desc")
    assert [t.id for t in teams] == [679, 678]
    assert (got.method, got.path) == ("GET", "/teams/678")
    assert isinstance(team, Team) and team.id == 678 and team.created_at is not None
    assert all(isinstance(u, User) for u in team.users)


async def test_create_add_and_remove_user_then_delete() -> None:
    async with connect() as (fake, client):
        team = await client.teams.create(name="Support USA 2")
        created = last(fake)
        assert team.id is not None
        with_user = await client.teams.add_user(team.id, 456)
        added = last(fake)
        without = await client.teams.remove_user(team.id, 456)
        removed = last(fake)
        await client.teams.delete(team.id)
        deleted = last(fake)
        with pytest.raises(NotFoundError):
            await client.teams.get(team.id)
    assert (created.method, created.path, created.json) == (
        "POST",
        "/teams",
        {"name": "Support USA 2"},
    )
    assert isinstance(team, Team) and team.name == "Support USA 2" and team.users == []
    assert (added.method, added.path) == ("POST", f"/teams/{team.id}/users/456")
    assert [u.id for u in with_user.users] == [456]
    assert (removed.method, removed.path) == ("DELETE", f"/teams/{team.id}/users/456")
    assert without.users == []
    assert (deleted.method, deleted.path) == ("DELETE", f"/teams/{team.id}")


async def test_duplicate_name_is_400() -> None:
    async with connect() as (_, client):
        existing = await client.teams.get(678)
        with pytest.raises(BadRequestError):
            await client.teams.create(name=existing.name or "")


async def test_validation() -> None:
    async with connect() as (fake, client):
        await rejected(fake, lambda: client.teams.create(name=" "), "name")
        await rejected(fake, lambda: client.teams.create(name="x" * 65), "name")
        await rejected(fake, lambda: client.teams.add_user(678, -1), "user_id")
        await rejected(fake, lambda: client.teams.list(order="up"), "order")  # type: ignore[arg-type]
