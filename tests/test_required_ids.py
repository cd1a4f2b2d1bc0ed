"""An answer whose object lacks its required id raises ResponseShapeError, over real HTTP.

The fake serves what its state holds: a test blanks the id of one stored object (the
table still finds it by its key), and every way the client reads that object, alone, in a
page or through the blocking client, raises the clear error, naming the model and the
field and holding nothing of the payload.
"""

from __future__ import annotations

from typing import Any

import pytest

from aircall_async.blocking import AircallClient as BlockingClient
from aircall_async.errors import AircallError, ResponseShapeError
from aircall_async.models import Call
from aircall_async.testing import FakeAircall

from .resources_support import connect

SECRET = "sk_live_name_of_a_tag"


def _blank_id(fake: FakeAircall, tag_id: int, value: Any = None) -> None:
    """The stored tag answers with ``"id": value`` (without ``id`` when value is ``...``)."""
    tag = fake.state.tags.get(tag_id)
    assert tag is not None
    if value is ...:
        del tag["id"]
    else:
        tag["id"] = value


def _assert_clear(error: ResponseShapeError, problem: str) -> None:
    assert (error.model, error.field, error.problem) == ("Tag", "id", problem)
    assert isinstance(error, AircallError)
    assert SECRET not in str(error) and SECRET not in repr(error)


@pytest.mark.parametrize(("value", "problem"), [(None, "null"), ("7", "not an int (got str)")])
async def test_get_raises_when_the_answer_lacks_a_usable_id(value: Any, problem: str) -> None:
    async with connect() as (fake, client):
        tag = await client.tags.create(name=SECRET, color="#00B388")
        assert type(tag.id) is int
        _blank_id(fake, tag.id, value)
        with pytest.raises(ResponseShapeError) as caught:
            await client.tags.get(tag.id)
        _assert_clear(caught.value, problem)
        assert str(caught.value) == f"cannot read a Tag: its 'id' is {problem}"


async def test_a_page_with_one_item_without_an_id_raises_after_the_good_ones() -> None:
    async with connect() as (fake, client):
        made = [await client.tags.create(name=f"t{i}", color="#00B388") for i in range(3)]
        order = [tag.id for tag in await client.tags.list().collect()]
        bad = made[1].id
        _blank_id(fake, bad, ...)
        stored = fake.state.tags.get(bad)
        assert stored is not None
        stored["name"] = SECRET
        with pytest.raises(ResponseShapeError) as caught:
            await client.tags.list().collect()
        _assert_clear(caught.value, "missing")
        seen: list[int] = []
        with pytest.raises(ResponseShapeError):
            async for tag in client.tags.list(per_page=1):
                seen.append(tag.id)
        # The items before the bad one were handed out, then the error ended the listing.
        assert seen == order[: order.index(bad)]
        # The other tags are still readable one by one.
        assert (await client.tags.get(made[2].id)).id == made[2].id


async def test_a_nested_object_without_its_id_degrades_and_the_call_is_read() -> None:
    async with connect() as (fake, client):
        call_id = fake.state.calls.ids()[0]
        stored = fake.state.calls.get(call_id)
        assert stored is not None
        stored["comments"] = [{"id": None, "content": "no id"}]
        call = await client.calls.get(call_id)
        assert isinstance(call, Call) and call.id == call_id
        assert call.comments == [] and "comments" in call.unparsed
        assert call.raw["comments"] == [{"id": None, "content": "no id"}]


def test_the_blocking_client_raises_the_same_error() -> None:
    with (
        FakeAircall(calls=3, contacts=1, rate_limit=None) as fake,
        BlockingClient(
            api_id=fake.api_id, api_token=fake.api_token, base_url=fake.base_url, rate_limit=None
        ) as client,
    ):
        tag = client.tags.create(name=SECRET, color="#00B388")
        _blank_id(fake, tag.id)
        with pytest.raises(ResponseShapeError) as caught:
            client.tags.get(tag.id)
        _assert_clear(caught.value, "null")
        with pytest.raises(ResponseShapeError):
            client.tags.list().collect()
        with pytest.raises(ResponseShapeError):
            list(client.tags.list(per_page=1))
