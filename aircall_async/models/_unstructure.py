"""Models back to JSON: :func:`unstructure` gives back what was received.

It starts from ``model.raw`` (unknown keys kept as received), writes each known field
that was received or holds a value in its JSON form, writes a field that could not be
parsed (``model.unparsed``), a null read as ``[]`` or an empty object read as None as
received, invents no field, and leaves secrets out unless asked.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import Enum
from typing import Any

import attrs

from ._base import SECRET_KEY, TIME_FORMAT_KEY, Model
from ._converter import _data_fields, _default_of, format_iso, format_unix

__all__ = ["unstructure"]


def unstructure(model: object, *, include_secrets: bool = False) -> dict[str, Any]:
    """Turn a model into a JSON-ready dict: what was received, with the model's values.

    Every key of ``model.raw`` is kept (unknown ones as received); a known field is
    written when it was received or holds a value (not None, not ``[]``), in the API's
    JSON form (datetimes as UNIX seconds or ISO strings as the API sends that field,
    enums as their strings, nested models the same way); a field that could not be
    parsed, or an empty object read as None, goes back as received. No field the
    payload lacked is added. Secrets (a webhook's ``token``) are left out unless
    ``include_secrets``; with it, ``structure(unstructure(m, include_secrets=True),
    type(m)) == m``.
    Raises TypeError for an object that is not a model.
    """
    if not isinstance(model, Model):
        raise TypeError(f"cannot unstructure {type(model).__name__}: not an Aircall model")
    return _dump_model(model, include_secrets)


@attrs.frozen
class _FieldPlan:
    name: str
    default: Any
    time_format: str | None
    secret: bool


_PLANS: dict[type, tuple[_FieldPlan, ...]] = {}


def _plan_of(cls: type[Model]) -> tuple[_FieldPlan, ...]:
    plan = _PLANS.get(cls)
    if plan is None:
        plan = _PLANS[cls] = tuple(
            _FieldPlan(
                name=f.name,
                default=_default_of(f),
                time_format=f.metadata.get(TIME_FORMAT_KEY),
                secret=bool(f.metadata.get(SECRET_KEY)),
            )
            for f in _data_fields(cls)
        )
    return plan


def _dump_model(model: Model, secrets: bool) -> dict[str, Any]:
    raw = model.raw
    out: dict[str, Any] = dict(raw)
    for field in _plan_of(type(model)):
        name = field.name
        if field.secret and not secrets:
            out.pop(name, None)
            continue
        value = getattr(model, name)
        if name in raw:
            received = raw[name]
            if value == field.default and (
                received is None
                or name in model.unparsed
                or (isinstance(received, Mapping) and not received)
            ):
                continue  # kept as received: a null list, an unparsable value, a "{}"
        elif value is None or value == []:
            continue  # never sent: nothing invented (a constant such as a card's type stays)
        out[name] = _dump_value(value, field.time_format, secrets)
    return out


def _dump_value(value: Any, time_format: str | None, secrets: bool) -> Any:
    if isinstance(value, Model):
        return _dump_model(value, secrets)
    if isinstance(value, datetime):
        return format_unix(value) if time_format == "unix" else format_iso(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list):
        return [_dump_value(item, time_format, secrets) for item in value]
    return value
