"""client.company and client.integrations against the fake server."""

from __future__ import annotations

import pytest

from aircall_async.errors import AircallError, ForbiddenError
from aircall_async.models import Company, Integration

from .resources_support import connect, last


async def test_company_get() -> None:
    async with connect() as (fake, client):
        company = await client.company.get()
        request = last(fake)
    assert (request.method, request.path) == ("GET", "/company")
    assert isinstance(company, Company)
    assert (company.users_count, company.numbers_count) == (5, 3)


async def test_integrations_with_bearer_token() -> None:
    async with connect(bearer=True) as (fake, client):
        integration = await client.integrations.me()
        me = last(fake)
        await client.integrations.disable()
        disable = last(fake)
        disabled = await client.integrations.me()
        await client.integrations.enable(install=True)
        enable = last(fake)
        enabled = await client.integrations.me()
    assert (me.method, me.path) == ("GET", "/integrations/me")
    assert isinstance(integration, Integration) and integration.active is True
    assert (disable.method, disable.path) == ("POST", "/integrations/disable")
    assert disabled.active is False
    assert (enable.method, enable.path, enable.query["install"]) == (
        "POST",
        "/integrations/enable",
        "true",
    )
    assert enabled.active is True


async def test_enable_without_install_sends_no_query() -> None:
    async with connect(bearer=True) as (fake, client):
        await client.integrations.enable()
        request = last(fake)
    assert "install" not in request.query


async def test_integrations_with_basic_auth_are_403() -> None:
    async with connect() as (_, client):
        with pytest.raises(ForbiddenError):
            await client.integrations.me()
        with pytest.raises(ForbiddenError):
            await client.integrations.enable()
        with pytest.raises(ForbiddenError):
            await client.integrations.disable()


async def test_an_answer_without_the_object_is_an_aircall_error() -> None:
    async with connect() as (fake, client):
        fake.fail("/company", status=200, body={"unexpected": True}, times=1)
        with pytest.raises(AircallError, match="'company'"):
            await client.company.get()
        fake.fail("/users/456/dialer_campaign/phone_numbers", status=200, body=[], times=1)
        with pytest.raises(AircallError, match="'numbers'"):
            await client.dialer_campaigns.phone_numbers(456)
