"""The one lenient cattrs converter that turns payloads into models and back.

Leniency lives in a single structure-hook factory for every :class:`Model`: it
runs the fast function cattrs generates for the class and, only if that raises,
structures the payload field by field, degrading each field that fails to its
default (``None``, or ``[]`` for a list field: a list degrades as a whole).
The original payload is kept on ``model.raw``.

Primitive hooks are strict rather than coercing: a ``str`` field given a dict, an
``int`` field given ``"12"`` or ``True`` fails and degrades, instead of turning
into ``"{'a': 1}"`` or ``1``. Datetime fields accept UNIX seconds (int/float) or an
ISO 8601 string (with ``Z``, an offset, or none: then UTC) and always give an
aware UTC datetime; :func:`unstructure` writes them back in the form the API uses
for that field (the ``UNIX_TIME``/``ISO_TIME`` field metadata).
"""

from __future__ import annotations

import sys
import types
import typing
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from enum import Enum
from typing import Any, TypeVar, Union

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from ._base import TIME_FORMAT_KEY, Model, OpenStrEnum

__all__ = [
    "converter",
    "format_iso",
    "format_unix",
    "parse_datetime",
    "structure",
    "unstructure",
]

T = TypeVar("T")
_UTC = timezone.utc
_NoneType = type(None)
# From 3.11 fromisoformat reads a trailing "Z" itself (and returns timezone.utc).
_ISO_Z_NATIVE = sys.version_info >= (3, 11)
_Hook = Callable[[Any, Any], Any]


def _fail(value: object, expected: str) -> typing.NoReturn:
    raise TypeError(f"expected {expected}, got {type(value).__name__}")


def _structure_str(value: Any, _: Any) -> str:
    if value.__class__ is str or isinstance(value, str):
        return value
    _fail(value, "str")


def _structure_int(value: Any, _: Any) -> int:
    if value.__class__ is int:
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
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
    if value is None or value.__class__ is str or isinstance(value, str):
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


def parse_datetime(value: Any) -> datetime:
    """Turn UNIX seconds or an ISO 8601 string into an aware UTC datetime.

    Raises TypeError for another type, ValueError/OverflowError/OSError for a value
    out of range or not a date (e.g. the year 20120).
    """
    cls = value.__class__
    if cls is int or cls is float:
        return datetime.fromtimestamp(value, _UTC)
    if cls is str or isinstance(value, str):
        text: str = value
        if _ISO_Z_NATIVE:
            parsed = _fromisoformat_or_unix(text)
        elif text.endswith(("Z", "z")):
            # Python 3.10's fromisoformat does not take a trailing "Z".
            return datetime.fromisoformat(text[:-1]).replace(tzinfo=_UTC)
        else:
            parsed = _fromisoformat_or_unix(text)
        tz = parsed.tzinfo
        if tz is _UTC:
            return parsed
        if tz is None:
            return parsed.replace(tzinfo=_UTC)
        return parsed.astimezone(_UTC)
    if isinstance(value, datetime):
        return _as_utc(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, _UTC)
    _fail(value, "UNIX seconds or an ISO 8601 string")


def _fromisoformat_or_unix(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        if text.isdigit():
            return datetime.fromtimestamp(int(text), _UTC)
        raise


def _structure_datetime(value: Any, _: Any) -> datetime:
    return parse_datetime(value)


def _structure_opt_datetime(value: Any, _: Any) -> datetime | None:
    # The two common shapes inline (one call per field); the rest in parse_datetime.
    cls = value.__class__
    if cls is int:
        return datetime.fromtimestamp(value, _UTC)
    if cls is str and _ISO_Z_NATIVE:
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return parse_datetime(value)
        if parsed.tzinfo is _UTC:
            return parsed
        return _as_utc(parsed)
    if value is None:
        return None
    return parse_datetime(value)


_OPTIONAL_HOOKS: dict[Any, _Hook] = {
    str: _structure_opt_str,
    int: _structure_opt_int,
    bool: _structure_opt_bool,
    datetime: _structure_opt_datetime,
    int | str: _structure_opt_int_or_str,
}


def _as_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=_UTC)
    return value.astimezone(_UTC)


def format_iso(value: datetime) -> str:
    """Write a datetime the way the API does: ``2020-02-18T20:52:22.000Z`` (UTC)."""
    value = _as_utc(value)
    micro = value.microsecond
    fraction = f"{micro // 1000:03d}" if micro % 1000 == 0 else f"{micro:06d}"
    return f"{value:%Y-%m-%dT%H:%M:%S}.{fraction}Z"


def format_unix(value: datetime) -> int | float:
    """Write a datetime as UNIX seconds: an int, or a float if it has a fraction."""
    value = _as_utc(value)
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


def _make_converter(*, lenient: bool) -> cattrs.Converter:
    conv = cattrs.Converter(detailed_validation=False)
    # Predicates on the exact type: a class-based hook for str would also catch
    # the str-based enums.
    conv.register_structure_hook_func(lambda t: t is str, _structure_str)
    conv.register_structure_hook_func(lambda t: t is int, _structure_int)
    conv.register_structure_hook_func(lambda t: t is bool, _structure_bool)
    conv.register_structure_hook_func(lambda t: t is datetime, _structure_datetime)
    conv.register_unstructure_hook(datetime, format_iso)
    conv.register_structure_hook_func(_is_int_or_str, _structure_int_or_str)

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
        item_hook = _structure_hook_of(conv, item_type)

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
        overrides: dict[str, Any] = {"raw": override(omit=True)}
        for field in attrs.fields(cls):
            if field.metadata.get(TIME_FORMAT_KEY) == "unix":
                overrides[field.name] = override(unstruct_hook=_unstructure_unix)
            elif field.metadata.get(TIME_FORMAT_KEY) == "iso":
                overrides[field.name] = override(unstruct_hook=_unstructure_iso)
        return make_dict_unstructure_fn(cls, conv, **overrides)

    conv.register_unstructure_hook_factory(_is_model, model_unstructure_factory)

    building: set[tuple[type[Model], bool]] = set()

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
                return _lenient_hook(conv, cls, optional)
            return make_dict_structure_fn(cls, conv, raw=override(omit=True))
        finally:
            building.discard(key)

    # One-argument lambdas: cattrs passes the converter to two-parameter factories.
    conv.register_structure_hook_factory(_is_model, lambda cls: model_hook(cls))
    return conv


def _unstructure_enum(value: Enum) -> Any:
    return value.value


def _unstructure_unix(value: datetime | None) -> int | float | None:
    return None if value is None else format_unix(value)


def _unstructure_iso(value: datetime | None) -> str | None:
    return None if value is None else format_iso(value)


def _lenient_hook(conv: cattrs.Converter, cls: type[Model], optional: bool = False) -> _Hook:
    fast = make_dict_structure_fn(cls, conv, raw=override(omit=True))
    # Resolved by make_dict_structure_fn above (string annotations -> types).
    fields = [f for f in attrs.fields(cls) if f.name != "raw"]
    name = cls.__name__

    def degraded(field: attrs.Attribute[Any]) -> Any:
        default: Any = field.default
        if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
            return default.factory()
        return default

    def slow(data: Mapping[str, Any]) -> Model:
        kwargs: dict[str, Any] = {}
        for field in fields:
            if field.name not in data:
                continue
            try:
                hook = _structure_hook_of(conv, field.type)
                kwargs[field.name] = hook(data[field.name], field.type)
            except Exception:
                kwargs[field.name] = degraded(field)
        return cls(**kwargs)

    def structure_model(data: Any, _: Any) -> Model | None:
        if data.__class__ is not dict:
            # None first: an isinstance check against the Mapping ABC is slow.
            if data is None and optional:
                return None
            if not isinstance(data, Mapping):
                raise TypeError(
                    f"cannot structure {name} from {type(data).__name__}: not a mapping"
                )
        try:
            obj = fast(data, cls)
        except Exception:
            obj = slow(data)
        obj.raw = data
        return obj

    return structure_model


converter: cattrs.Converter = _make_converter(lenient=True)
"""The lenient converter behind :func:`structure` and :func:`unstructure`."""


def make_plain_converter() -> cattrs.Converter:
    """A non-lenient converter on the same classes and hooks (for benchmarks).

    Its model hooks are cattrs' generated functions alone: a bad field raises.
    """
    return _make_converter(lenient=False)


def structure(data: Mapping[str, Any], cls: type[T]) -> T:
    """Build a ``cls`` model from a payload mapping, leniently.

    Never raises for a mapping: unknown keys are ignored, a field whose value has
    the wrong type becomes None (``[]`` for a list), and ``model.raw`` keeps
    ``data``. Raises TypeError naming ``cls`` if ``data`` is not a mapping.
    """
    return converter.structure(data, cls)


def unstructure(model: object) -> dict[str, Any]:
    """Turn a model into a JSON-ready dict in the API's shape (``raw`` excluded).

    Datetimes go back as UNIX seconds or ISO strings as the API sends that field,
    enums as their strings, nested models as dicts. Raises TypeError for an object
    that is not a model.
    """
    if not isinstance(model, Model):
        raise TypeError(f"cannot unstructure {type(model).__name__}: not an Aircall model")
    result: dict[str, Any] = converter.unstructure(model)
    return result
