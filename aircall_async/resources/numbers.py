"""Numbers (reference section "Number"): list, retrieve and update Numbers, including their
Music & Messages."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any, Final, Literal

from ..models import Number, NumberAvailabilityStatus, NumberMessages
from ..pagination import Paginator
from ._base import (
    MAX_PER_PAGE,
    Order,
    Resource,
    Timestamp,
    body_of,
    check_id,
    check_text,
    check_url,
    json_of,
    time_query,
    updates_of,
)

__all__ = ["UNSET", "Numbers"]


class _Unset(enum.Enum):
    UNSET = "UNSET"


#: The default of ``priority`` in :meth:`Numbers.update`: leave it as it is
#: (``priority=None`` sends ``null``, which clears it).
UNSET: Final = _Unset.UNSET


def _priority(value: int | None) -> int | None:
    if value is not None and (isinstance(value, bool) or value not in (0, 1)):
        raise ValueError(
            f"priority must be 0 (no priority), 1 (top priority) or None, got {value!r}"
        )
    return value


def _messages(value: NumberMessages | Mapping[str, str] | None) -> dict[str, Any] | None:
    if value is None:
        return None
    messages = json_of(value, "messages")
    if not messages:
        raise ValueError("messages must set at least one message URL")
    for name, url in messages.items():
        check_url(url, f"messages.{name}")
    return messages


class Numbers(Resource):
    """``client.numbers``: the company's phone Numbers (Classic or IVR)."""

    __slots__ = ()

    def list(
        self,
        *,
        from_: Timestamp | None = None,
        to: Timestamp | None = None,
        order: Order | None = None,
        per_page: int = MAX_PER_PAGE,
        limit: int | None = None,
    ) -> Paginator[Number]:
        """Every Number, optionally created in ``[from_, to]`` (``GET /v1/numbers``).

        Raises ValueError for a naive datetime, a bad ``order`` or ``per_page``/``limit``.
        """
        query = time_query(from_=from_, to=to, order=order)
        return self._list(
            "/numbers",
            "numbers",
            Number,
            query,
            per_page=per_page,
            limit=limit,
            continue_by="created_at",
        )

    async def get(self, number_id: int) -> Number:
        """One Number with its Users (``GET /v1/numbers/:id``); NotFoundError if unknown."""
        path = f"/numbers/{check_id(number_id, 'number_id')}"
        return await self._get_one(path, "number", Number)

    async def update(
        self,
        number_id: int,
        *,
        name: str | None = None,
        availability_status: NumberAvailabilityStatus | str | None = None,
        is_ivr: bool | None = None,
        live_recording_activated: bool | None = None,
        priority: int | Literal[_Unset.UNSET] | None = UNSET,
        messages: NumberMessages | Mapping[str, str] | None = None,
    ) -> Number:
        """Change the fields given, and only those (``PUT /v1/numbers/:id``).

        ``messages`` updates Music & Messages: a :class:`NumberMessages` or a dict such as
        ``{"welcome": "https://example.com/welcome.mp3"}``; only the URLs given are sent.
        ``priority`` is 0, 1 or None (sent as null); left out unless given. Smartflow
        Numbers refuse ``availability_status``, ``is_ivr`` and ``messages``.

        Raises ValueError when nothing is given, ``name`` is blank, ``priority`` is not
        0/1/None or a message is not an absolute http(s) URL (naming ``messages.<key>``),
        before sending; NotFoundError for an unknown Number.
        """
        path = f"/numbers/{check_id(number_id, 'number_id')}"
        fields: dict[str, Any] = {
            "name": None if name is None else check_text(name, "name"),
            "availability_status": availability_status,
            "is_ivr": is_ivr,
            "live_recording_activated": live_recording_activated,
            "messages": _messages(messages),
        }
        if priority is UNSET:
            body = updates_of(**fields, priority=None)
        else:
            body = {**body_of(**fields), "priority": _priority(priority)}
        return await self._send("PUT", path, "number", Number, body)
