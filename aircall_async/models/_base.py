"""Building blocks shared by every model: the :class:`Model` base and :class:`OpenStrEnum`.

Closed sets of the reference (call status, availability statuses...) are ``str``
subclass enums deriving from :class:`OpenStrEnum`. A value the reference does not
list is not an error: ``CallStatus("on_hold")`` returns a *pseudo-member* that is
an instance of ``CallStatus``, compares equal to the string ``"on_hold"``, has
``.value == "on_hold"`` and is not one of the declared members (``is_known`` is
False). mypy --strict users therefore always see a ``CallStatus`` and can compare
it to members or plain strings; Aircall adding a status never breaks parsing.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from types import MappingProxyType
from typing import Any

import attrs

__all__ = [
    "EMPTY_RAW",
    "ISO_TIME",
    "SECRET",
    "SECRET_KEY",
    "TIME_FORMAT_KEY",
    "UNIX_TIME",
    "Model",
    "OpenStrEnum",
]

EMPTY_RAW: Mapping[str, Any] = MappingProxyType({})
"""The ``raw`` of a model built in code rather than structured from a payload."""

TIME_FORMAT_KEY = "aircall_time_format"
"""Key of the attrs field metadata saying how the API writes a datetime field."""

UNIX_TIME: Mapping[str, str] = MappingProxyType({TIME_FORMAT_KEY: "unix"})
"""Field metadata: a datetime the API sends as UNIX seconds (``metadata=UNIX_TIME``)."""

ISO_TIME: Mapping[str, str] = MappingProxyType({TIME_FORMAT_KEY: "iso"})
"""Field metadata: a datetime the API sends as an ISO 8601 string (``metadata=ISO_TIME``)."""

SECRET_KEY = "aircall_secret"
"""Key of the attrs field metadata marking a secret (left out of ``unstructure`` by default)."""

SECRET: Mapping[str, bool] = MappingProxyType({SECRET_KEY: True})
"""Field metadata: a secret such as a webhook token (``metadata=SECRET``)."""


class OpenStrEnum(str, Enum):
    """A ``str`` enum that accepts values it does not declare.

    ``MyEnum("unlisted")`` returns a pseudo-member holding ``"unlisted"`` instead of
    raising ``ValueError``; a value that is not a ``str`` still raises ``ValueError``.
    """

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if not isinstance(value, str):
            return None
        # A fresh object each time (no cache): payloads are untrusted, and an
        # unbounded member cache would grow with every odd value seen.
        member = str.__new__(cls, value)
        member._name_ = value
        member._value_ = value
        return member

    @property
    def is_known(self) -> bool:
        """True when this value is one the reference lists (a declared member)."""
        return type(self)._value2member_map_.get(self._value_) is self

    def __str__(self) -> str:
        return str(self._value_)


@attrs.define
class Model:
    """Base of every model: keeps the payload a model was structured from.

    ``raw`` is the mapping given to :func:`aircall_async.models.structure` (an empty
    read-only mapping for a model built in code). ``unparsed`` names the fields whose
    value in ``raw`` had the wrong type and were left at their default;
    :func:`aircall_async.models.unstructure` writes those back as received. Neither
    takes part in equality or repr.
    """

    raw: Mapping[str, Any] = attrs.field(default=EMPTY_RAW, eq=False, repr=False, kw_only=True)
    unparsed: frozenset[str] = attrs.field(default=frozenset(), init=False, eq=False, repr=False)
