"""The generated structuring functions give what cattrs' own functions give.

``structure`` tries one generated function per model first (``models/_fast.py``); a
converter built with ``inline=False`` tries cattrs' generated function instead. Both
fall back to the same field-by-field lenient path, so on any payload they must build
equal objects with the same ``raw`` and ``unparsed`` at every level.
"""

from __future__ import annotations

import typing
from datetime import datetime, timezone
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import aircall_async.models as models
from aircall_async.errors import ResponseShapeError
from aircall_async.models import Call, Model, OpenStrEnum, structure
from aircall_async.models._converter import _make_converter

from . import test_models_data as examples

CATTRS_FIRST = _make_converter(lenient=True, inline=False)

# The envelope keys of the reference's examples and the model each holds.
ENVELOPES: dict[str, type[Model]] = {
    "a2p_campaign_association": models.A2PCampaignAssociation,
    "a2p_campaign_associations": models.A2PCampaignAssociation,
    "call": models.Call,
    "calls": models.Call,
    "comments": models.Comment,
    "company": models.Company,
    "contact": models.Contact,
    "contacts": models.Contact,
    "email_detail": models.EmailDetail,
    "integration": models.Integration,
    "number": models.Number,
    "numbers": models.Number,
    "participants": models.Participant,
    "phone_detail": models.PhoneDetail,
    "tag": models.Tag,
    "tags": models.Tag,
    "team": models.Team,
    "teams": models.Team,
    "user": models.User,
    "users": models.User,
    "webhook": models.Webhook,
    "webhooks": models.Webhook,
}


def reference_payloads() -> list[tuple[str, type[Model], dict[str, Any]]]:
    """Every object of the reference's examples with the model it is read as."""
    found = []
    for name, value in vars(examples).items():
        if not name.isupper() or not isinstance(value, dict):
            continue
        for key, content in value.items():
            cls = ENVELOPES.get(key)
            items = content if isinstance(content, list) else [content]
            for i, item in enumerate(items):
                if cls is not None and isinstance(item, dict):
                    found.append((f"{name}.{key}[{i}]", cls, item))
    found.append(("FULL_CALL", Call, examples.FULL_CALL))
    return found


def assert_same(fast: Any, reference: Any, where: str = "") -> None:
    """Equal objects with the same raw and unparsed, at every level."""
    assert type(fast) is type(reference), where
    if isinstance(fast, list):
        assert len(fast) == len(reference), where
        for i, (a, b) in enumerate(zip(fast, reference, strict=True)):
            assert_same(a, b, f"{where}[{i}]")
        return
    assert fast == reference, where
    if isinstance(fast, Model):
        assert fast.raw is reference.raw, where
        assert fast.unparsed == reference.unparsed, where
        for field in attrs.fields(type(fast)):
            if field.name not in ("raw", "unparsed"):
                value = getattr(fast, field.name)
                assert_same(value, getattr(reference, field.name), f"{where}.{field.name}")


def assert_reads_the_same(payload: Any, cls: type[Model], where: str = "") -> None:
    """Both paths build the same objects, or both raise the same ResponseShapeError
    (the only exception either may raise for a dict: a bad id of ``cls`` itself)."""
    outcomes: list[Any] = []
    for read in (structure, CATTRS_FIRST.structure):
        try:
            outcomes.append(read(payload, cls))
        except ResponseShapeError as exc:
            outcomes.append(exc)
    fast, reference = outcomes
    if isinstance(fast, ResponseShapeError) or isinstance(reference, ResponseShapeError):
        assert type(fast) is type(reference), where
        assert str(fast) == str(reference), where
        return
    assert_same(fast, reference, where)


REFERENCE = reference_payloads()


def test_the_reference_examples_cover_the_models() -> None:
    assert len(REFERENCE) > 40
    assert {cls for _, cls, _ in REFERENCE} == set(ENVELOPES.values())


@pytest.mark.parametrize(("where", "cls", "payload"), REFERENCE, ids=[r[0] for r in REFERENCE])
def test_every_reference_example_reads_the_same(
    where: str, cls: type[Model], payload: dict[str, Any]
) -> None:
    assert_reads_the_same(payload, cls, where)


# One value of every kind a field may wrongly (or rightly) get.
ODD_VALUES: list[Any] = [
    None,
    True,
    0,
    5,
    2.0,
    2.5,
    float("inf"),
    "",
    "abc",
    "1584998199",
    "2020-03-10T08:31:43.000Z",
    "2020-03-10T08:31:43+02:00",
    "2020-03-10T08:31:43.000z",
    "20120-03-10T08:31:43Z",
    {},
    {"id": 1},
    [],
    [1],
    ["a"],
    [{}],
    [{"id": "x"}],
    [None],
]


def _first_of_each_model() -> list[tuple[str, type[Model], dict[str, Any]]]:
    seen: dict[type[Model], tuple[str, type[Model], dict[str, Any]]] = {}
    for where, cls, payload in REFERENCE:
        seen.setdefault(cls, (where, cls, payload))
    return list(seen.values())


@pytest.mark.parametrize(
    ("where", "cls", "payload"), _first_of_each_model(), ids=lambda v: getattr(v, "__name__", "")
)
def test_each_field_given_each_odd_value_reads_the_same(
    where: str, cls: type[Model], payload: dict[str, Any]
) -> None:
    for field in attrs.fields(cls):
        if field.init and field.name != "raw":
            for value in ODD_VALUES:
                spoiled = {**payload, field.name: value}
                label = f"{where} {field.name}={value!r}"
                assert_reads_the_same(spoiled, cls, label)


# ---- generated payloads: well-typed values, and values of every wrong type ----------

JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False),
    st.text(max_size=4),
    st.sampled_from(["2020-03-10T08:31:43.000Z", "2020-03-10T08:31:43+02:00", "20120-01-01Z"]),
    st.sampled_from(["1584998199", "z", "Z", "", "2020-03-10T08:31:43.000z"]),
    st.just({}),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.sampled_from(["id", "name"]), st.integers(), max_size=2),
)

TIMES = st.one_of(
    st.integers(0, 4_000_000_000),
    st.floats(0, 4e9, allow_nan=False),
    st.datetimes(timezones=st.just(timezone.utc)).map(
        lambda d: d.isoformat().replace("+00:00", "Z")
    ),
)


def _inner(tp: Any) -> Any:
    args = [a for a in typing.get_args(tp) if a is not type(None)]
    if typing.get_origin(tp) is not list and len(args) == 1:
        return args[0]
    return tp


def values(tp: Any, depth: int, *, nullable: bool = True) -> st.SearchStrategy[Any]:
    """A well-typed value for a field of type ``tp`` (nested payloads may carry junk);
    None too when ``nullable``."""
    tp = _inner(tp)
    if isinstance(tp, type) and issubclass(tp, Model):
        good = payloads(tp, depth + 1) if depth < 2 else st.just({})
    elif typing.get_origin(tp) is list:
        (item,) = typing.get_args(tp)
        good = st.lists(values(item, depth + 1), max_size=3)
    elif isinstance(tp, type) and issubclass(tp, OpenStrEnum):
        good = st.one_of(st.sampled_from([m.value for m in tp]), st.text(max_size=3))
    elif tp is datetime:
        good = TIMES
    elif tp is str:
        good = st.text(max_size=6)
    elif tp is bool:
        good = st.booleans()
    elif tp is int:
        good = st.one_of(st.integers(), st.just(2.0))
    else:
        good = st.one_of(st.integers(), st.text(max_size=3))
    return st.one_of(st.none(), good) if nullable else good


def payloads(cls: type[Model], depth: int = 0) -> st.SearchStrategy[dict[str, Any]]:
    """Payloads of ``cls``: any subset of its fields, well-typed or with one bad value.

    One bad value at most per object, so that the generated function's checks decide
    (with several, the first would fail the object and hide the others). A required
    field (the id) is always there and well-typed, unless it is the one spoiled (junk,
    or left out).
    """
    attrs.resolve_types(cls)
    data_fields = [f for f in attrs.fields(cls) if f.init and f.name != "raw"]
    required = {
        f.name: values(f.type, depth, nullable=False)
        for f in data_fields
        if f.default is attrs.NOTHING
    }
    fields = {f.name: values(f.type, depth) for f in data_fields if f.name not in required}
    names = sorted([*fields, *required])

    def spoil(payload: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
        bad = st.tuples(st.sampled_from(names), JUNK).map(lambda kv: {**payload, kv[0]: kv[1]})
        dropped = {k: v for k, v in payload.items() if k not in required}
        return st.one_of(st.just(payload), bad, st.just(dropped))

    known = st.fixed_dictionaries(required, optional={**fields, "not_a_field": JUNK})
    return known.flatmap(spoil)


MODELS = sorted(set(ENVELOPES.values()), key=lambda c: c.__name__)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_generated_payloads_read_the_same(data: st.DataObject) -> None:
    cls = data.draw(st.sampled_from(MODELS))
    payload = data.draw(payloads(cls))
    assert_reads_the_same(payload, cls, cls.__name__)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(payloads(Call))
def test_generated_calls_read_the_same(payload: dict[str, Any]) -> None:
    assert_reads_the_same(payload, Call, "Call")


def test_the_generated_function_reads_a_required_id_inline() -> None:
    # An int id passes on a class check alone; the strict hook sees anything else.
    source = fast_source(Call)
    assert "v1 = o['id']\n    if v1.__class__ is not int:\n        v1 = h1(v1, t1)" in source
    webhook = fast_source(models.Webhook)
    assert "= o['webhook_id']" in webhook and "__class__ is not str:" in webhook


def fast_source(cls: type[Model]) -> str:
    from aircall_async.models._converter import _structure_hook_of, converter
    from aircall_async.models._fast import make_fast_structure

    attrs.resolve_types(cls)
    fn = make_fast_structure(cls, lambda tp: _structure_hook_of(converter, tp), lambda _: None)
    assert fn({"id": 7, "webhook_id": "w"}).raw == {"id": 7, "webhook_id": "w"}
    # Whatever it raises, the lenient path takes over (and raises the clear error).
    with pytest.raises(KeyError):
        fn({})
    with pytest.raises(TypeError):
        fn({"id": None, "webhook_id": None})
    return fn.__doc__ or ""
