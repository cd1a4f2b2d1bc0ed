"""The one lenient cattrs converter that turns payloads into models and back.

(Over 400 lines on purpose: the hooks are closures over one converter and its caches.)

Leniency lives in a single structure-hook factory for every :class:`Model`: it
runs the fast function cattrs generates for the class and, only if that raises,
structures the payload field by field, degrading each field that fails to its
default (``None``, or ``[]`` for a list field: a list degrades as a whole).
The original payload is kept on ``model.raw``. A field without a default (the id of a
model the reference always identifies) cannot degrade: the field-by-field path raises
:class:`~aircall_async.errors.ResponseShapeError` for it, which the model's parent, if
any, catches like any failure of that field.

Primitive hooks are strict rather than coercing: a ``str`` field given a dict, an
``int`` field given ``"12"``, ``2.7`` or ``True``, a ``bool`` field given ``"no"``
fails and degrades, instead of turning into ``"{'a': 1}"``, ``12``, ``2`` or ``True``
(an int field takes a float only when it is integral: ``2.0`` gives ``2``). The same
hooks check the items of a list (``list[str]``, ``list[int]``...) and back
``converter.structure(value, str)``. A list follows one rule whatever its items:
one bad item (a ``1`` in a ``list[str]``, a string in a list of models) fails the
whole list, which degrades to ``[]``; items are never silently dropped or coerced.

Datetime fields accept UNIX seconds (int/float) or an ISO 8601 string (with ``Z``
or ``z``, an offset, or none: then UTC) and always give an aware UTC datetime, on
every supported Python; :func:`unstructure` writes them back in the form the API
uses for that field (the ``UNIX_TIME``/``ISO_TIME`` field metadata).

A nested object sent empty (``"tagged_by": {}``, seen in real ``call.archived``
deliveries) becomes None, like a ``null``.
"""

from __future__ import annotations

import functools
import types
import typing
from collections.abc import Callable, Mapping
from datetime import datetime
from enum import Enum
from typing import Any, TypeVar, Union

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from .._rules import as_utc, is_int, parse_datetime
from ..errors import ResponseShapeError
from ._base import TIME_FORMAT_KEY, Model, OpenStrEnum
from ._fast import Fast, make_fast_structure

__all__ = [
    "check_required",
    "converter",
    "format_iso",
    "format_unix",
    "parse_datetime",
    "structure",
]

T = TypeVar("T")
_NoneType = type(None)
_Hook = Callable[[Any, Any], Any]


def _fail(value: object, expected: str) -> typing.NoReturn:
    raise TypeError(f"expected {expected}, got {type(value).__name__}")


def _structure_str(value: Any, _: Any) -> str:
    if isinstance(value, str):
        return value
    _fail(value, "str")


def _structure_int(value: Any, _: Any) -> int:
    if value.__class__ is int:
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if is_int(value):
        return int(value)
    _fail(value, "int")


def _structure_bool(value: Any, _: Any) -> bool:
    if value is True or value is False:
        return value
    _fail(value, "bool")


def _structure_int_or_str(value: Any, _: Any) -> int | str:
    if isinstance(value, str):
        return value
    return _structure_int(value, None)


# The optional variants are the same checks in one call: most fields are
# optional, and a wrapper calling the plain hook would double the calls.
def _structure_opt_str(value: Any, _: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    _fail(value, "str or null")


def _structure_opt_int(value: Any, _: Any) -> int | None:
    if value is None or value.__class__ is int:
        return value
    return _structure_int(value, None)


def _structure_opt_bool(value: Any, _: Any) -> bool | None:
    if value is None or value is True or value is False:
        return value
    _fail(value, "bool or null")


def _structure_opt_int_or_str(value: Any, _: Any) -> int | str | None:
    if value is None or value.__class__ is int or isinstance(value, str):
        return value
    return _structure_int(value, None)


def _structure_datetime(value: Any, _: Any) -> datetime:
    return parse_datetime(value)


def _structure_opt_datetime(value: Any, _: Any) -> datetime | None:
    if value is None:
        return None
    return parse_datetime(value)


# The strict hooks by exact type: a type equal to one of these keys never reaches
# cattrs' own (coercing) hooks, whether it is a field, a list item or an Optional.
_STRICT_HOOKS: dict[Any, _Hook] = {
    str: _structure_str,
    int: _structure_int,
    bool: _structure_bool,
    datetime: _structure_datetime,
    int | str: _structure_int_or_str,
}

_OPTIONAL_HOOKS: dict[Any, _Hook] = {
    str: _structure_opt_str,
    int: _structure_opt_int,
    bool: _structure_opt_bool,
    datetime: _structure_opt_datetime,
    int | str: _structure_opt_int_or_str,
}


def format_iso(value: datetime) -> str:
    """Write a datetime the way the API does: ``2020-02-18T20:52:22.000Z`` (UTC)."""
    value = as_utc(value)
    micro = value.microsecond
    fraction = f"{micro // 1000:03d}" if micro % 1000 == 0 else f"{micro:06d}"
    return f"{value:%Y-%m-%dT%H:%M:%S}.{fraction}Z"


def format_unix(value: datetime) -> int | float:
    """Write a datetime as UNIX seconds: an int, or a float if it has a fraction."""
    value = as_utc(value)
    seconds = value.timestamp()
    return int(seconds) if value.microsecond == 0 else seconds


def _is_optional(tp: Any) -> bool:
    args = typing.get_args(tp)
    return (
        len(args) >= 2 and _NoneType in args and typing.get_origin(tp) in (Union, types.UnionType)
    )


def _is_int_or_str(tp: Any) -> bool:
    return typing.get_origin(tp) in (Union, types.UnionType) and set(typing.get_args(tp)) == {
        int,
        str,
    }


def _is_list(tp: Any) -> bool:
    return typing.get_origin(tp) is list


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, Model)


def _is_open_enum(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, OpenStrEnum)


def _structure_hook_of(conv: cattrs.BaseConverter, tp: Any) -> _Hook:
    # get_structure_hook arrived in cattrs 24.1; the dispatch it wraps is older.
    getter = getattr(conv, "get_structure_hook", None)
    if getter is not None:
        return getter(tp)  # type: ignore[no-any-return]
    dispatch = typing.cast("Callable[[Any], _Hook]", conv._structure_func.dispatch)
    return dispatch(tp)


def _make_converter(*, lenient: bool, inline: bool = True) -> cattrs.Converter:
    # inline=False: a lenient model's first try is cattrs' own generated function, not
    # the one of _fast (tests compare the two on every example).
    conv = cattrs.Converter(detailed_validation=False)
    # cattrs looks class hooks up (functools.singledispatch, which also matches
    # subclasses) before predicate hooks and factories, and registers coercing ones
    # for str and int (bool, a subclass of int, falls to int's): the strict hooks
    # must therefore be class hooks. Those for str and int see the str-based enums and
    # bool too, hence the dispatch on the exact type in _by_exact_type.
    for exact in (str, int, bool):
        conv.register_structure_hook(exact, _by_exact_type(exact, lambda t: subclass_hook(t)))
    conv.register_structure_hook_func(lambda t: t is datetime, _structure_datetime)
    conv.register_unstructure_hook(datetime, format_iso)
    conv.register_structure_hook_func(_is_int_or_str, _structure_int_or_str)

    def subclass_hook(tp: Any) -> _Hook:
        if _is_open_enum(tp):
            return enum_factory(typing.cast("type[OpenStrEnum]", tp))
        return _structure_call

    def strict_hook(tp: Any) -> _Hook:
        # The hook of a type, ours first: the strict primitive hooks by exact type and
        # the open enums; anything else (models included) from the converter.
        for known, hook in _STRICT_HOOKS.items():
            if tp == known:
                return hook
        if _is_open_enum(tp):
            return enum_factory(typing.cast("type[OpenStrEnum]", tp))
        return _structure_hook_of(conv, tp)

    def optional_factory(tp: Any) -> _Hook:
        rest = tuple(a for a in typing.get_args(tp) if a is not _NoneType)
        inner = rest[0] if len(rest) == 1 else Union[rest]  # noqa: UP007
        for known, hook in _OPTIONAL_HOOKS.items():
            if inner == known:
                return hook
        if _is_open_enum(inner):
            return enum_factory(typing.cast("type[OpenStrEnum]", inner), optional=True)
        if lenient and _is_model(inner):
            return model_hook(typing.cast("type[Model]", inner), optional=True)
        inner_hook = _structure_hook_of(conv, inner)

        def structure_optional(value: Any, _: Any) -> Any:
            if value is None:
                return None
            return inner_hook(value, inner)

        return structure_optional

    def list_factory(tp: Any) -> _Hook:
        (item_type,) = typing.get_args(tp) or (Any,)
        # A bad item raises, and the whole list fails (see the module docstring).
        item_hook = _structure_any if item_type is Any else strict_hook(item_type)

        def structure_list(value: Any, _: Any) -> list[Any]:
            if value.__class__ is not list:
                if value is None:
                    return []
                if not isinstance(value, (list, tuple)):
                    _fail(value, "a list")
            return [item_hook(item, item_type) for item in value]

        return structure_list

    def enum_factory(tp: type[OpenStrEnum], optional: bool = False) -> _Hook:
        members: dict[Any, OpenStrEnum] = dict(tp._value2member_map_)
        get = members.get

        def structure_enum(value: Any, _: Any) -> OpenStrEnum | None:
            member = get(value) if value.__class__ is str else None
            if member is not None:
                return member
            if isinstance(value, str):
                return tp(value)
            if value is None and optional:
                return None
            _fail(value, f"a {tp.__name__} string")

        return structure_enum

    conv.register_structure_hook_factory(_is_optional, optional_factory)
    conv.register_structure_hook_factory(_is_list, list_factory)
    conv.register_structure_hook_factory(_is_open_enum, lambda tp: enum_factory(tp))
    conv.register_unstructure_hook(OpenStrEnum, _unstructure_enum)

    def model_unstructure_factory(cls: type[Model]) -> Callable[[Any], dict[str, Any]]:
        overrides: dict[str, Any] = {"raw": override(omit=True), "unparsed": override(omit=True)}
        for field in attrs.fields(cls):
            if field.metadata.get(TIME_FORMAT_KEY) == "unix":
                overrides[field.name] = override(unstruct_hook=_unstructure_unix)
            elif field.metadata.get(TIME_FORMAT_KEY) == "iso":
                overrides[field.name] = override(unstruct_hook=_unstructure_iso)
        return make_dict_unstructure_fn(cls, conv, **overrides)

    conv.register_unstructure_hook_factory(_is_model, model_unstructure_factory)

    building: set[tuple[type[Model], bool]] = set()
    fasts: dict[type[Model], Fast] = {}

    def model_hook(cls: type[Model], optional: bool = False) -> _Hook:
        # User embeds Numbers that embed Users: while a class's function is being
        # generated, a reference back to it gets a hook that dispatches at call time
        # (older cattrs would otherwise recurse forever).
        key = (cls, optional)
        if key in building:

            def deferred(data: Any, _: Any) -> Any:
                if data is None and optional:
                    return None
                return conv.structure(data, cls)

            return deferred
        building.add(key)
        try:
            if lenient:
                return _lenient_hook(conv, cls, fasts if inline else None, optional)
            return make_dict_structure_fn(cls, conv, raw=override(omit=True))
        finally:
            building.discard(key)

    # One-argument lambdas: cattrs passes the converter to two-parameter factories.
    conv.register_structure_hook_factory(_is_model, lambda cls: model_hook(cls))
    return conv


def _by_exact_type(exact: type, subclass_hook: Callable[[Any], _Hook]) -> _Hook:
    """The class hook for ``exact``: strict for ``exact`` itself; for a subclass of it
    (a str-based enum, an IntEnum), the hook ``subclass_hook`` picks for that type."""
    strict = _STRICT_HOOKS[exact]
    if exact is bool:
        return strict
    hooks: dict[Any, _Hook] = {}

    def structure_exact(value: Any, tp: Any) -> Any:
        if tp is exact:
            return strict(value, tp)
        hook = hooks.get(tp)
        if hook is None:
            hook = hooks[tp] = subclass_hook(tp)
        return hook(value, tp)

    return structure_exact


def _structure_call(value: Any, tp: Any) -> Any:
    # cattrs' own rule for another subclass (an IntEnum, a plain str enum): its constructor.
    return tp(value)


def _structure_any(value: Any, _: Any) -> Any:
    return value


def _unstructure_enum(value: Enum) -> Any:
    return value.value


def _unstructure_unix(value: datetime | None) -> int | float | None:
    return None if value is None else format_unix(value)


def _unstructure_iso(value: datetime | None) -> str | None:
    return None if value is None else format_iso(value)


def _lenient_hook(
    conv: cattrs.Converter, cls: type[Model], fasts: dict[type[Model], Fast] | None, optional: bool
) -> _Hook:
    # cattrs' generated function with the strict checks inlined (same results, see _fast),
    # or (fasts None) cattrs' own.
    fast = _cattrs_first_try(conv, cls) if fasts is None else fasts.get(cls)
    if fast is None and fasts is not None:
        attrs.resolve_types(cls)
        hook_of = functools.partial(_structure_hook_of, conv)
        fast = fasts[cls] = make_fast_structure(cls, hook_of, fasts.get)
    assert fast is not None
    fields = _data_fields(cls)
    name = cls.__name__
    required = _required_fields(cls)

    def slow(data: Mapping[str, Any]) -> Model:
        for field in required:
            if field.name not in data:
                raise ResponseShapeError(model=name, field=field.name, problem="missing")
        kwargs: dict[str, Any] = {}
        failed: list[str] = []
        for field in fields:
            if field.name not in data:
                continue
            try:
                hook = _structure_hook_of(conv, field.type)
                kwargs[field.name] = hook(data[field.name], field.type)
            except Exception:
                if field.default is attrs.NOTHING:
                    raise _shape_error(name, field, data[field.name]) from None
                kwargs[field.name] = _default_of(field)
                failed.append(field.name)
        obj = cls(**kwargs)
        obj.unparsed = frozenset(failed)
        return obj

    def structure_model(data: Any, _: Any) -> Model | None:
        if data.__class__ is not dict:
            # None first: an isinstance check against the Mapping ABC is slow.
            if data is None and optional:
                return None
            if not isinstance(data, Mapping):
                raise TypeError(
                    f"cannot structure {name} from {type(data).__name__}: not a mapping"
                )
        if optional and not data:
            # A nested "{}" says as little as a null (real call.archived tagged_by).
            return None
        try:
            return fast(data)  # its raw is data
        except Exception:
            obj = slow(data)
        obj.raw = data
        return obj

    return structure_model


def _cattrs_first_try(conv: cattrs.Converter, cls: type[Model]) -> Fast:
    generated = make_dict_structure_fn(cls, conv, raw=override(omit=True))

    def structure_with_raw(data: Mapping[str, Any]) -> Model:
        obj = generated(data, cls)
        obj.raw = data
        return obj

    return structure_with_raw


converter: cattrs.Converter = _make_converter(lenient=True)
"""The lenient converter behind :func:`structure` (``unstructure`` is in ``_unstructure``)."""


def structure(data: Mapping[str, Any], cls: type[T]) -> T:
    """Build a ``cls`` model from a payload mapping, leniently.

    Unknown keys are ignored, a field whose value has the wrong type becomes None
    (``[]`` for a list), and ``model.raw`` keeps ``data``. The one field that is not
    lenient is the id of a model that always comes with one (``Call.id``,
    ``Webhook.webhook_id``...: the fields without a default).

    Raises:
        ResponseShapeError: if that id is missing, null or of the wrong type (the
            message names ``cls`` and the field, never the payload). A nested object
            without its id does not raise: its field degrades like any other.
        TypeError: naming ``cls`` if ``data`` is not a mapping.
    """
    return converter.structure(data, cls)


def check_required(data: Mapping[str, Any], cls: type[Model]) -> None:
    """Check only the fields of ``cls`` without a default (its id) in ``data``.

    Cheaper than :func:`structure` when only that matters (the webhook receiver refuses a
    delivery whose data lacks its id before storing it), with the same verdict.

    Raises:
        ResponseShapeError: where :func:`structure` would raise it for ``data``.
    """
    for field in _required_fields(cls):
        if field.name not in data:
            raise ResponseShapeError(model=cls.__name__, field=field.name, problem="missing")
        value = data[field.name]
        if value.__class__ is field.type:
            continue
        try:
            _structure_hook_of(converter, field.type)(value, field.type)
        except Exception:
            raise _shape_error(cls.__name__, field, value) from None


_REQUIRED: dict[type[Model], tuple[attrs.Attribute[Any], ...]] = {}


def _required_fields(cls: type[Model]) -> tuple[attrs.Attribute[Any], ...]:
    """The fields of ``cls`` without a default: its id, when it always comes with one."""
    found = _REQUIRED.get(cls)
    if found is None:
        attrs.resolve_types(cls)
        found = _REQUIRED[cls] = tuple(f for f in _data_fields(cls) if f.default is attrs.NOTHING)
    return found


def _shape_error(model: str, field: attrs.Attribute[Any], value: object) -> ResponseShapeError:
    """The error for a required field whose value is null or of the wrong type; it names
    the type of ``value``, never the value (payloads can carry secrets)."""
    if value is None:
        return ResponseShapeError(model=model, field=field.name, problem="null")
    expected = getattr(field.type, "__name__", str(field.type))
    problem = f"not {'an' if expected == 'int' else 'a'} {expected} (got {type(value).__name__})"
    return ResponseShapeError(model=model, field=field.name, problem=problem)


def _default_of(field: attrs.Attribute[Any]) -> Any:
    """The value a field takes when the payload lacks it (or it degrades)."""
    default: Any = field.default
    if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
        return default.factory()
    return default


def _data_fields(cls: type[Model]) -> list[attrs.Attribute[Any]]:
    return [f for f in attrs.fields(cls) if f.name not in ("raw", "unparsed")]
