"""JSON decoding is the same with and without orjson (the optional ``orjson`` extra)."""

from __future__ import annotations

import importlib.util
import json
import math
from collections.abc import Iterator
from typing import Any

import pytest
from aiohttp import web

from aircall_async import _json
from aircall_async.errors import APIError

from .conftest import Scripted

HAS_ORJSON = importlib.util.find_spec("orjson") is not None


@pytest.fixture(params=["orjson", "json"])
def backend(request: pytest.FixtureRequest) -> Iterator[str]:
    """Each test runs with orjson (when installed) and with the standard library."""
    if request.param == "orjson" and not HAS_ORJSON:
        pytest.skip("orjson is not installed")
    before = _json.orjson_in_use()
    assert _json.use_orjson(request.param == "orjson") == (request.param == "orjson")
    try:
        yield request.param
    finally:
        _json.use_orjson(before)


DOCUMENTS: list[bytes] = [
    b'{"id": 1, "name": "\\u00e9t\\u00e9", "cost": "3.0", "list": [1.5, -2, null, true]}',
    b'{"a": 1, "a": 2}',  # the last duplicate wins
    b"[NaN, Infinity, -Infinity]",  # not JSON, but json.loads reads it
    b'{"big": 123456789012345678901234567890}',  # past 64 bits: orjson gives a float
    b"[18446744073709551616, -9223372036854775809, 9223372036854775807]",
    b'"\\ud800"',  # a lone surrogate
    b"[" * 100 + b"]" * 100,
    b" 12 ",
    b'{"id": 1234567890123456789012}',
]

BAD: list[bytes] = [
    b"{",
    b"\xff\xfe",
    b'{"a": }',
    b"[1,]",
    b"nul",
    b"[" * 100_000,
]


def same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and math.isnan(a):
        return isinstance(b, float) and math.isnan(b)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(map(same, a, b))
    return bool(a == b and type(a) is type(b))


def outcome(loads: Any, document: bytes | str) -> Any:
    try:
        return loads(document)
    except (ValueError, RecursionError) as exc:
        return type(exc)


@pytest.mark.parametrize("document", DOCUMENTS)
def test_every_document_reads_as_json_loads_reads_it(backend: str, document: bytes) -> None:
    assert same(outcome(_json.loads, document), outcome(json.loads, document))
    text = document.decode()
    assert same(outcome(_json.loads, text), outcome(json.loads, text))


@pytest.mark.parametrize("document", BAD)
def test_every_bad_document_fails_as_json_loads_fails(backend: str, document: bytes) -> None:
    with pytest.raises((ValueError, RecursionError)) as ours:
        _json.loads(document)
    with pytest.raises((ValueError, RecursionError)) as theirs:
        json.loads(document)
    assert type(ours.value) is type(theirs.value)


def test_use_orjson_says_whether_it_is_in_use() -> None:
    before = _json.orjson_in_use()
    try:
        assert _json.use_orjson(False) is False
        assert _json.orjson_in_use() is False
        assert _json.use_orjson(True) is HAS_ORJSON
    finally:
        _json.use_orjson(before)


async def test_the_client_decodes_an_answer_the_same_way(backend: str, scripted: Scripted) -> None:
    async def answer(request: web.Request) -> web.Response:
        text = '{"calls": [{"id": 1, "cost": NaN, "big": 18446744073709551616}]}'
        return web.Response(text=text, content_type="application/json")

    scripted.handler = answer
    async with scripted.client() as client:
        body = await client.request("GET", "/calls")
    call = body["calls"][0]
    assert math.isnan(call["cost"])
    assert call["big"] == 2**64
    assert type(call["big"]) is int


async def test_the_client_refuses_an_answer_that_is_not_json(
    backend: str, scripted: Scripted
) -> None:
    async def answer(request: web.Request) -> web.Response:
        return web.Response(text="{oops", content_type="application/json")

    scripted.handler = answer
    async with scripted.client() as client:
        with pytest.raises(APIError, match="Invalid JSON"):
            await client.request("GET", "/calls")
