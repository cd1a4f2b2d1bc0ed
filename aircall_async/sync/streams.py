"""The named streams a sync job replicates: where each one is listed, how it is walked, and
which of its fields become typed columns next to the raw JSON."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Literal

import attrs

__all__ = [
    "STREAMS",
    "Column",
    "ColumnKind",
    "Strategy",
    "Stream",
    "epoch",
    "select_streams",
]

#: How a column's value is stored: integers, text, booleans (0/1), times (UNIX seconds).
ColumnKind = Literal["int", "text", "bool", "time"]
#: How a stream is walked: calls by creation time with a lag, contacts by update time,
#: small collections refreshed whole (deletions detected).
Strategy = Literal["calls", "contacts", "full"]


def epoch(value: Any) -> int | None:
    """A time as whole UNIX seconds: from an int/float or an ISO 8601 string.

    Returns ``None`` for anything else (absent, blank, unreadable); never raises.
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return math.floor(value) if math.isfinite(value) else None
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text.isdigit():
        return int(text)
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:  # the API's times are UTC
        text += "+00:00"
        parsed = datetime.fromisoformat(text)
    return math.floor(parsed.timestamp())


_encode = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def _convert(kind: ColumnKind, value: Any) -> Any:
    if value is None:
        return None
    if kind == "time":
        return epoch(value)
    if kind == "bool":
        return int(value) if isinstance(value, bool) else None
    if kind == "int":
        if isinstance(value, bool):
            return None
        if isinstance(value, int):
            return value
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            return int(value)
        return None
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


@attrs.frozen
class Column:
    """A typed column: ``name`` in the table, read from the object at ``path`` (nested keys)."""

    name: str
    kind: ColumnKind
    path: tuple[str, ...] = ()

    def value(self, obj: Mapping[str, Any]) -> Any:
        """The column's value for ``obj`` (``None`` when absent or of another type)."""
        if not self.path:
            value = obj.get(self.name)
        else:
            value = obj
            for key in self.path:
                if not isinstance(value, Mapping):
                    return None
                value = value.get(key)
        if value is None or (self.kind == "text" and isinstance(value, str)):
            return value
        return _convert(self.kind, value)


@attrs.frozen
class Stream:
    """One replicated collection: ``GET path`` answers the list under ``key``.

    ``redact`` names the fields never stored (secrets such as a webhook's token).
    """

    name: str
    path: str
    key: str
    strategy: Strategy
    columns: tuple[Column, ...]
    redact: tuple[str, ...] = ()
    time_field: str = "created_at"

    def created(self, raw: Mapping[str, Any]) -> int | None:
        """The object's creation time in UNIX seconds (``started_at`` for calls)."""
        return epoch(raw.get(self.time_field))

    def clean(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        """The object as stored: a copy without the redacted fields."""
        return {k: v for k, v in raw.items() if k not in self.redact}

    def record_id(self, raw: Mapping[str, Any]) -> int | None:
        """The object's integer id, or ``None`` when it has none (such objects are skipped)."""
        value = raw.get("id")
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    def row(self, obj: Mapping[str, Any]) -> tuple[Any, ...]:
        """``(id, *typed columns, raw JSON)`` of a cleaned object that has an id."""
        return (obj["id"], *[c.value(obj) for c in self.columns], _encode(obj))


def _time(name: str) -> Column:
    return Column(name, "time")


def _text(*names: str) -> tuple[Column, ...]:
    return tuple(Column(n, "text") for n in names)


_STREAM_LIST = (
    Stream("users", "/users", "users", "full",
           (*_text("name", "email", "availability_status"), Column("available", "bool"),
            _time("created_at"))),
    Stream("teams", "/teams", "teams", "full", (*_text("name"), _time("created_at"))),
    Stream("numbers", "/numbers", "numbers", "full",
           (*_text("name", "digits", "country", "availability_status"),
            Column("is_ivr", "bool"), _time("created_at"))),
    Stream("tags", "/tags", "tags", "full", _text("name", "color", "description")),
    Stream("webhooks", "/webhooks", "webhooks", "full",
           (*_text("webhook_id", "custom_name", "url"), Column("active", "bool"),
            _time("created_at")),
           redact=("token",)),
    Stream("a2p_campaign_associations", "/a2p_campaign_associations",
           "a2p_campaign_associations", "full",
           (*_text("external_id", "update_status"), _time("created_at"), _time("updated_at"))),
    Stream("contacts", "/contacts", "contacts", "contacts",
           (*_text("first_name", "last_name", "company_name"), Column("is_shared", "bool"),
            _time("created_at"), _time("updated_at"))),
    Stream("calls", "/calls", "calls", "calls",
           (_time("started_at"), _time("answered_at"), _time("ended_at"),
            *_text("direction", "status", "missed_call_reason"), Column("duration", "int"),
            Column("user_id", "int", ("user", "id")), Column("number_id", "int", ("number", "id")),
            Column("contact_id", "int", ("contact", "id")), Column("archived", "bool"),
            *_text("cost", "recording", "voicemail")),
           time_field="started_at"),
)  # fmt: skip

#: Every stream by name, small collections first (their pages are cheap and few).
STREAMS: Mapping[str, Stream] = {s.name: s for s in _STREAM_LIST}


def select_streams(names: Iterable[str] | None) -> list[Stream]:
    """The streams named (all of them for ``None``), in :data:`STREAMS` order, once each.

    Raises:
        ValueError: naming the unknown streams and listing the known ones, or for an empty
            selection.
    """
    if names is None:
        return list(STREAMS.values())
    wanted = [n.strip() for n in names if n.strip()]
    unknown = sorted({n for n in wanted if n not in STREAMS})
    if unknown:
        raise ValueError(f"unknown stream(s): {', '.join(unknown)}; known: {', '.join(STREAMS)}")
    if not wanted:
        raise ValueError(f"no stream named; known: {', '.join(STREAMS)}")
    return [s for s in STREAMS.values() if s.name in wanted]


def column_names(stream: Stream) -> Sequence[str]:
    """The table's columns in :meth:`Stream.row` order."""
    return ("id", *(c.name for c in stream.columns), "raw")
