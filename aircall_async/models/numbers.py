"""Number and its Music & Messages (reference section "Number")."""

from __future__ import annotations

from datetime import datetime

import attrs

from ._base import ISO_TIME, Model, OpenStrEnum
from .users import User

__all__ = ["Number", "NumberAvailabilityStatus", "NumberMessages"]


class NumberAvailabilityStatus(OpenStrEnum):
    """A Number's availability status; unlisted values are kept."""

    OPEN = "open"
    CUSTOM = "custom"
    CLOSED = "closed"


@attrs.define
class NumberMessages(Model):
    """URLs of a Number's music & messages audio files."""

    welcome: str | None = None
    waiting: str | None = None
    ringing_tone: str | None = None
    unanswered_call: str | None = None
    after_hours: str | None = None
    ivr: str | None = None
    voicemail: str | None = None
    closed: str | None = None
    callback_later: str | None = None


@attrs.define
class Number(Model):
    """An Aircall phone Number (Classic or IVR). ``created_at`` is an aware UTC datetime.

    ``flow_editor_enabled`` is captured (not in the reference). ``id`` is required
    (:class:`~aircall_async.errors.ResponseShapeError` when an answer lacks it).
    """

    id: int
    direct_link: str | None = None
    name: str | None = None
    digits: str | None = None
    created_at: datetime | None = attrs.field(default=None, metadata=ISO_TIME)
    country: str | None = None
    time_zone: str | None = None
    open: bool | None = None
    availability_status: NumberAvailabilityStatus | None = None
    is_ivr: bool | None = None
    live_recording_activated: bool | None = None
    users: list[User] = attrs.field(factory=list)
    priority: int | None = None
    messages: NumberMessages | None = None
    flow_editor_enabled: bool | None = None


# User and Number embed each other: users.py names "Number" only for type checkers, so
# User's string annotations are resolved here, once, where both classes exist (cattrs
# then reads the resolved types from attrs.fields(User)).
attrs.resolve_types(User, localns={"Number": Number})
