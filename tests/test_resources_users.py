"""client.users against the fake server: requests sent, typed results, validation."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from aircall_async.errors import MethodNotAllowedError, NotFoundError
from aircall_async.models import Availability, Number, User, UserAvailability

from .resources_support import connect, last, rejected


async def test_list_sends_time_filters_and_yields_users() -> None:
    async with connect() as (fake, client):
        since = datetime(2019, 1, 1, tzinfo=timezone(timedelta(hours=2)))
        users = await client.users.list(from_=since, to=2_000_000_000, order="desc").collect()
        request = last(fake)
    assert (request.method, request.path) == ("GET", "/v2/users")
    assert request.full_path == "/v2/users"
    assert request.query["from"] == str(int(since.timestamp()))
    assert request.query["to"] == "2000000000"
    assert request.query["order"] == "desc"
    assert users and all(isinstance(u, User) for u in users)
    ids = [u.id or 0 for u in users]
    assert ids == sorted(ids, reverse=True)
    assert users[-1].id == 456 and users[-1].created_at is not None


async def test_get_is_v2_with_substatus_and_default_number() -> None:
    async with connect() as (fake, client):
        user = await client.users.get(456)
        request = last(fake)
        numbers = await client.users.numbers(456).collect()
        numbers_request = last(fake)
    assert (request.method, request.path) == ("GET", "/v2/users/456")
    assert user.id == 456 and user.numbers == [] and "numbers" not in user.raw
    assert user.substatus == "always_opened"
    assert user.direct_link == "https://api.aircall.io/v2/users/456"
    assert (numbers_request.method, numbers_request.path) == ("GET", "/v2/users/456/numbers")
    assert numbers and all(isinstance(n, Number) for n in numbers)
    assert user.default_number_id == numbers[0].id


async def test_v1_forms_warn_naming_the_removal_date() -> None:
    async with connect() as (fake, client):
        with pytest.warns(DeprecationWarning, match="2026-09-30"):
            listed = await client.users.list(api_version="v1").collect()
        assert last(fake).path == "/users" and listed
        with pytest.warns(DeprecationWarning, match=r"users\.create.*2026-09-30"):
            made = await client.users.create(
                email="v1@example.com", first_name="V", last_name="One", api_version="v1"
            )
        assert (last(fake).method, last(fake).path) == ("POST", "/users")
        with pytest.warns(DeprecationWarning, match="2026-09-30"):
            await client.users.update(made.id or 0, first_name="W", api_version="v1")
        assert (last(fake).method, last(fake).path) == ("PUT", f"/users/{made.id}")
        with pytest.warns(DeprecationWarning, match="removes"):
            await rejected(
                fake,
                lambda: client.users.create(email="a@b.io", api_version="v1"),
                "first_name",
            )
        await rejected(
            fake,
            lambda: client.users.get(1, api_version="v3"),  # type: ignore[arg-type]
            "api_version",
        )


async def test_v2_create_needs_only_email_and_sends_v2_fields() -> None:
    async with connect() as (fake, client):
        user = await client.users.create(
            email="solo@example.com",
            time_zone="Europe/Paris",
            language="fr-FR",
            inviter_user_id=456,
        )
        request = last(fake)
    assert (request.method, request.path) == ("POST", "/v2/users")
    assert request.json == {
        "email": "solo@example.com",
        "time_zone": "Europe/Paris",
        "language": "fr-FR",
        "inviter_user_id": 456,
    }
    assert user.email == "solo@example.com" and user.time_zone == "Europe/Paris"


async def test_get_v1_returns_user_with_numbers() -> None:
    async with connect() as (fake, client):
        with pytest.warns(DeprecationWarning, match="2026-09-30"):
            user = await client.users.get(456, api_version="v1")
        request = last(fake)
    assert (request.method, request.path) == ("GET", "/users/456")
    assert isinstance(user, User) and user.id == 456
    assert user.created_at is not None and user.created_at.tzinfo is not None
    assert all(isinstance(n, Number) for n in user.numbers)


async def test_create_sends_only_given_fields() -> None:
    async with connect() as (fake, client):
        user = await client.users.create(
            email="jeffrey.curtis@aircall.io", first_name="Jeffrey", last_name="Curtis"
        )
        request = last(fake)
        again = await client.users.get(user.id or 0)
    assert (request.method, request.path) == ("POST", "/v2/users")
    assert request.json == {
        "email": "jeffrey.curtis@aircall.io",
        "first_name": "Jeffrey",
        "last_name": "Curtis",
    }
    assert user.name == "Jeffrey Curtis" and user.email == "jeffrey.curtis@aircall.io"
    assert again.id == user.id


async def test_create_with_roles_and_wrap_up_time() -> None:
    async with connect() as (fake, client):
        await client.users.create(
            email="a@b.io", first_name="A", last_name="B", role_ids=["admin"], wrap_up_time=30
        )
        body = last(fake).json
    assert body["role_ids"] == ["admin"] and body["wrap_up_time"] == 30


async def test_update_sends_only_given_fields() -> None:
    async with connect() as (fake, client):
        user = await client.users.update(457, first_name="Jeff Updated")
        request = last(fake)
    assert (request.method, request.path) == ("PUT", "/v2/users/457")
    assert request.json == {"first_name": "Jeff Updated"}
    assert user.id == 457 and user.name is not None and user.name.startswith("Jeff Updated")


async def test_delete_then_get_is_404() -> None:
    async with connect() as (fake, client):
        await client.users.delete(458)
        request = last(fake)
        with pytest.raises(NotFoundError):
            await client.users.get(458)
    assert (request.method, request.path) == ("DELETE", "/users/458")


async def test_availabilities_yields_user_availability() -> None:
    async with connect() as (fake, client):
        items = await client.users.availabilities(order="asc").collect()
        request = last(fake)
    assert (request.method, request.path) == ("GET", "/users/availabilities")
    assert request.query["order"] == "asc"
    assert len(items) == 5 and all(isinstance(i, UserAvailability) for i in items)
    assert all(isinstance(i.availability, Availability) for i in items)
    assert items[0].id == 456


async def test_availability_of_one_user() -> None:
    async with connect() as (fake, client):
        result = await client.users.availability(456)
        request = last(fake)
    assert (request.method, request.path) == ("GET", "/users/456/availability")
    assert isinstance(result, UserAvailability)
    assert result.id == 456 and result.availability is Availability.AVAILABLE


async def test_start_call_and_dial() -> None:
    async with connect() as (fake, client):
        await client.users.start_call(456, number_id=1234, to="+18001231234")
        started = last(fake)
        await client.users.dial(456, to="+18001231234")
        dialed = last(fake)
    assert (started.method, started.path) == ("POST", "/users/456/calls")
    assert started.json == {"number_id": 1234, "to": "+18001231234"}
    assert (dialed.method, dialed.path) == ("POST", "/users/456/dial")
    assert dialed.json == {"to": "+18001231234"}


async def test_dial_an_unavailable_user_is_405() -> None:
    async with connect() as (fake, client):
        user = fake.state.users.get(457)
        assert user is not None
        user["_availability"] = "offline"
        with pytest.raises(MethodNotAllowedError):
            await client.users.dial(457, to="+18001231234")


async def test_validation_names_the_field_and_sends_nothing() -> None:
    async with connect() as (fake, client):
        users = client.users
        await rejected(fake, lambda: users.start_call(456, number_id=1234, to="0601"), "to")
        await rejected(fake, lambda: users.dial(456, to="+1 800 123"), "to")
        await rejected(
            fake, lambda: users.create(email=" ", first_name="A", last_name="B"), "email"
        )
        await rejected(
            fake, lambda: users.create(email="a@b.co", first_name="A", last_name=""), "last_name"
        )
        await rejected(fake, lambda: users.update(456), "nothing to update")
        await rejected(fake, lambda: users.update(456, first_name=""), "first_name")
        await rejected(fake, lambda: users.update(456, wrap_up_time=-1), "wrap_up_time")
        await rejected(fake, lambda: users.list(from_=datetime(2020, 1, 1)), "from_")
        await rejected(fake, lambda: users.list(to=datetime(2020, 1, 1)), "to")
        await rejected(fake, lambda: users.list(per_page=51), "per_page")
        await rejected(fake, lambda: users.get(True), "user_id")


@pytest.mark.parametrize(
    "email", ["jane", "jane@example", "jane doe@example.com", "a@b@example.com", "@example.com"]
)
async def test_create_refuses_what_is_not_an_email(email: str) -> None:
    async with connect() as (fake, client):
        await rejected(
            fake, lambda: client.users.create(email=email, first_name="A", last_name="B"), "email"
        )


async def test_a_versioned_path_replaces_only_the_base_url_s_version() -> None:
    async with connect() as (fake, client):
        origin = fake.base_url.origin()
        async with fake.client(base_url=origin / "gateway", max_retries=0) as unversioned:
            with pytest.raises(NotFoundError):
                await unversioned.users.get(456)
        await client.request("GET", "/v1/users/456")
    paths = [r.full_path for r in fake.requests]
    # No version in the base URL: the path is appended as given; with one, it is replaced.
    assert paths == ["/gateway/v2/users/456", "/v1/users/456"]
