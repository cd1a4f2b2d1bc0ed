"""User and UserAvailability (reference section "User")."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import attrs

from ._base import ISO_TIME, Model, OpenStrEnum

if TYPE_CHECKING:
    # User and Number embed each other: .numbers resolves User's annotations once
    # Number exists (attrs.resolve_types).
    from .numbers import Number

__all__ = ["Availability", "User", "UserAvailability", "UserAvailabilityStatus", "UserRole"]


class UserAvailabilityStatus(OpenStrEnum):
    """A User's working status (``User.availability_status``); unlisted values are kept."""

    AVAILABLE = "available"
    CUSTOM = "custom"
    UNAVAILABLE = "unavailable"


class Availability(OpenStrEnum):
    """A User's detailed availability (``UserAvailability.availability``)."""

    AVAILABLE = "available"
    OFFLINE = "offline"
    DO_NOT_DISTURB = "do_not_disturb"
    IN_CALL = "in_call"
    AFTER_CALL_WORK = "after_call_work"


class UserRole(OpenStrEnum):
    """A role id given when creating or updating a User (``role_ids``)."""

    OWNER = "owner"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"
    AGENT = "agent"


@attrs.define
class User(Model):
    """An Aircall User (Admin or Agent). ``created_at`` is an aware UTC datetime.

    Captured fields (not in the reference): ``state`` (e.g. ``"always_opened"``),
    ``extension`` (e.g. ``"001"``) and, on the v2 list, ``substatus``. Real v1 list
    items carry no ``numbers``: the list is then ``[]``. Users v2 add ``substatus``
    (``always_opened``, ``always_closed`` or the reason chosen when unavailable) and
    ``default_number_id`` and carry no ``numbers``; ``last_call_id`` comes with the
    ``user.wut_start.v2``/``user.wut_end.v2`` events (docs/COVERAGE.md). ``id`` is
    required (:class:`~aircall_async.errors.ResponseShapeError` when an answer lacks it).
    """

    id: int
    direct_link: str | None = None
    name: str | None = None
    email: str | None = None
    created_at: datetime | None = attrs.field(default=None, metadata=ISO_TIME)
    available: bool | None = None
    availability_status: UserAvailabilityStatus | None = None
    numbers: list[Number] = attrs.field(factory=list)
    time_zone: str | None = None
    language: str | None = None
    wrap_up_time: int | None = None
    default_number_id: int | None = None
    state: str | None = None
    extension: str | None = None
    substatus: str | None = None
    last_call_id: int | None = None


@attrs.define
class UserAvailability(Model):
    """One User's detailed availability (``id`` is None for the single-user endpoint)."""

    id: int | None = None
    availability: Availability | None = None
