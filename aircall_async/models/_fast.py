"""One generated structuring function per model: the strict checks inlined.

cattrs' generated function calls one hook per field, and most of those calls only
confirm that a value already has the right type (``"abc"`` for a ``str | None``). The
function generated here checks the common, valid shapes inline (a ``str`` for a
``str | None``, an ``int`` for a ``datetime | None`` field of UNIX seconds, a declared
value of an enum, a list of nested objects) and hands anything else to the very hook
cattrs would have called, so it computes exactly what cattrs' function computes: the
same objects, and the same exception when a value is bad. The caller
(``_converter._lenient_hook``) keeps its fallback: on any exception, the lenient path
structures the payload field by field.

A field is read with ``data.get(name)`` when its default is None (or ``[]`` for a list,
whose hook turns None into ``[]``): a missing key and a null give the same value. A field
without a default (a model's id) is read with ``data[name]``: an int (a str) passes as is,
anything else goes to the strict hook, and a missing key or a bad value raises.
"""

from __future__ import annotations

import sys
import typing
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import Any

import attrs

from ._base import Model, OpenStrEnum

__all__ = ["make_fast_structure"]

_Hook = Callable[[Any, Any], Any]
_NoneType = type(None)
_MISSING = object()
# From 3.11 fromisoformat reads a trailing "Z" itself (and returns timezone.utc).
_ISO_Z_NATIVE = sys.version_info >= (3, 11)

# Inline checks for the optional primitives, by the type inside the Optional: the
# value passes as is when it is None or its class is one of these exactly.
_EXACT: dict[Any, tuple[type, ...]] = {
    str: (str,),
    int: (int,),
    bool: (bool,),
    int | str: (int, str),
}


def _optional_inner(tp: Any) -> Any:
    """The X of ``X | None`` (one type besides None), else None."""
    args = typing.get_args(tp)
    if len(args) < 2 or _NoneType not in args:
        return None
    rest = tuple(a for a in args if a is not _NoneType)
    if len(rest) == 1:
        return rest[0]
    return rest[0] | rest[1] if rest in ((int, str), (str, int)) else None


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, Model)


def _is_enum(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, OpenStrEnum)


def _default_is_none(field: attrs.Attribute[Any]) -> bool:
    return field.default is None


def _default_is_list(field: attrs.Attribute[Any]) -> bool:
    default: Any = field.default
    return isinstance(default, attrs.Factory) and default.factory is list  # type: ignore[arg-type]


Fast = Callable[[Mapping[str, Any]], Model]


def make_fast_structure(
    cls: type[Model], hook_of: Callable[[Any], _Hook], fast_of: Callable[[Any], Fast | None]
) -> Fast:
    """The generated ``structure(data) -> cls`` for a model; raises where cattrs would.

    ``hook_of(type)`` gives the converter's hook for a field's type (called once per
    field, now); ``fast_of(model)`` the generated function of a nested model, when it
    exists already (not yet while it is being generated: User and Number embed each
    other), so a nested dict skips its hook's wrapper. The result's ``raw`` is ``data``
    and its ``unparsed`` is empty.
    """
    fields = [f for f in attrs.fields(cls) if f.init]
    ns: dict[str, Any] = {
        "cls": cls,
        "MISSING": _MISSING,
        "fromtimestamp": datetime.fromtimestamp,
        "fromisoformat": datetime.fromisoformat,
        "UTC": timezone.utc,
        "int": int,
        "str": str,
        "bool": bool,
        "list": list,
        "dict": dict,
    }
    lines = ["def structure(o):", "    get = o.get"]
    positional: list[str] = []
    keywords: list[str] = []  # "alias=var"
    for i, field in enumerate(fields):
        if field.name in ("raw", "unparsed"):
            continue
        var, tp = f"v{i}", field.type
        ns[f"h{i}"], ns[f"t{i}"] = hook_of(tp), tp
        lines += _field_lines(i, var, field, tp, ns, hook_of, fast_of)
        if field.kw_only:
            keywords.append(f"{field.alias}={var}")
        else:
            positional.append(var)
    keywords.append("raw=o")
    lines.append(f"    return cls({', '.join(positional + keywords)})")
    source = "\n".join(lines)
    exec(compile(source, f"<fast structure {cls.__qualname__}>", "exec"), ns)
    fn: Fast = ns["structure"]
    fn.__doc__ = source  # what was generated, for debugging
    return fn


def _field_lines(
    i: int,
    var: str,
    field: attrs.Attribute[Any],
    tp: Any,
    ns: dict[str, Any],
    hook_of: Callable[[Any], _Hook],
    fast_of: Callable[[Any], Fast | None],
) -> list[str]:
    key = repr(field.name)
    hook = f"h{i}({var}, t{i})"
    if field.default is attrs.NOTHING:
        # A required field (a model's id): missing raises KeyError, a value of another
        # class goes to the strict hook, which raises for anything it would not accept;
        # either way the lenient path then raises the clear error.
        read = f"    {var} = o[{key}]"
        exact = _EXACT.get(tp)
        if exact is None:
            return [read, f"    {var} = {hook}"]
        test = " and ".join(f"{var}.__class__ is not {t.__name__}" for t in exact)
        return [read, f"    if {test}:", f"        {var} = {hook}"]
    inner = _optional_inner(tp)
    if inner is not None and _default_is_none(field):
        read = f"    {var} = get({key})"
        exact = _EXACT.get(inner)
        if exact is not None:
            test = " and ".join(f"{var}.__class__ is not {t.__name__}" for t in exact)
            return [read, f"    if {var} is not None and {test}:", f"        {var} = {hook}"]
        if inner is datetime:
            lines = [
                read,
                f"    if {var} is not None:",
                f"        if {var}.__class__ is int:",
                f"            {var} = fromtimestamp({var}, UTC)",
            ]
            if _ISO_Z_NATIVE:
                # The API's "2020-03-10T08:31:43.000Z": fromisoformat gives UTC itself;
                # anything else (an offset, a bad string) is the hook's to judge.
                lines += [
                    f"        elif {var}.__class__ is str and {var}[-1:] == 'Z':",
                    f"            p = fromisoformat({var})",
                    f"            {var} = p if p.tzinfo is UTC else {hook}",
                ]
            return [*lines, "        else:", f"            {var} = {hook}"]
        if _is_enum(inner):
            ns[f"m{i}"] = dict(inner._value2member_map_).get
            return [
                read,
                f"    if {var} is not None:",
                f"        m = m{i}({var}) if {var}.__class__ is str else None",
                f"        {var} = {hook} if m is None else m",
            ]
        if _is_model(inner):
            ns[f"f{i}"] = fast_of(inner)
            if ns[f"f{i}"] is None:
                return [read, f"    if {var} is not None:", f"        {var} = {hook}"]
            # An empty dict goes to the hook, which reads it as None.
            return [
                read,
                f"    if {var} is not None:",
                f"        {var} = f{i}({var}) if {var}.__class__ is dict and {var} else {hook}",
            ]
    if typing.get_origin(tp) is list and _default_is_list(field):
        (item,) = typing.get_args(tp) or (Any,)
        read = f"    {var} = get({key})"
        if _is_model(item):
            # The item hook the list hook applies: the model's own, non-optional one.
            ns[f"hi{i}"], ns[f"ti{i}"], ns[f"f{i}"] = hook_of(item), item, fast_of(item)
            each = f"hi{i}(x, ti{i})"
            if ns[f"f{i}"] is not None:
                each = f"f{i}(x) if x.__class__ is dict else {each}"
            return [
                read,
                f"    {var} = [{each} for x in {var}] if {var}.__class__ is list else {hook}",
            ]
        return [read, f"    {var} = {hook}"]
    # Anything else exactly as cattrs does it: the hook when present, else the default.
    ns[f"d{i}"] = field.default
    default = f"d{i}.factory()" if isinstance(field.default, attrs.Factory) else f"d{i}"  # type: ignore[arg-type]
    return [
        f"    {var} = get({key}, MISSING)",
        f"    {var} = {default} if {var} is MISSING else {hook}",
    ]
