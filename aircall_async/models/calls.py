"""Call and what it embeds: Comment, CallTag, Participant, IvrOption (section "Call").

Call times (``started_at``, ``answered_at``, ``ended_at``) and the times of comments,
call tags and IVR options are UNIX seconds in the API and aware UTC datetimes here.

Fields marked "captured" below are not in the reference but in real responses
(docs/SOURCES.md names the captures): they are typed as plain optional strings,
since their sets of values are not documented.
"""

from __future__ import annotations

from datetime import datetime

import attrs

from ._base import UNIX_TIME, Model, OpenStrEnum
from .contacts import Contact
from .numbers import Number
from .teams import Team
from .users import User

__all__ = [
    "Call",
    "CallDirection",
    "CallStatus",
    "CallTag",
    "Comment",
    "DispatchingStrategy",
    "IvrOption",
    "MissedCallReason",
    "Participant",
    "ParticipantType",
]


class CallStatus(OpenStrEnum):
    """Current status of a Call; unlisted values are kept."""

    INITIAL = "initial"
    ANSWERED = "answered"
    DONE = "done"


class CallDirection(OpenStrEnum):
    """Direction of a Call."""

    INBOUND = "inbound"
    OUTBOUND = "outbound"


class MissedCallReason(OpenStrEnum):
    """Why a Call was missed; unlisted values are kept."""

    OUT_OF_OPENING_HOURS = "out_of_opening_hours"
    SHORT_ABANDONED = "short_abandoned"
    ABANDONED_IN_IVR = "abandoned_in_ivr"
    ABANDONED_IN_CLASSIC = "abandoned_in_classic"
    NO_AVAILABLE_AGENT = "no_available_agent"
    AGENTS_DID_NOT_ANSWER = "agents_did_not_answer"


class ParticipantType(OpenStrEnum):
    """Kind of a conference-call Participant."""

    USER = "user"
    CONTACT = "contact"
    EXTERNAL = "external"


class DispatchingStrategy(OpenStrEnum):
    """How a Call transferred to a Team rings its members."""

    SIMULTANEOUS = "simultaneous"
    RANDOM = "random"
    LONGEST_IDLE = "longest_idle"


@attrs.define
class Comment(Model):
    """A note on a Call. ``posted_by`` is None when posted through the Public API.

    ``id`` is required (the reference's Comment always has one)."""

    id: int
    content: str | None = None
    posted_at: datetime | None = attrs.field(default=None, metadata=UNIX_TIME)
    posted_by: User | None = None


@attrs.define
class CallTag(Model):
    """A Tag as attached to a Call, with who tagged it and when.

    Real payloads carry ``tagged_at`` (captured); the reference's ``created_at`` is kept
    for payloads that follow it. A ``tagged_by`` sent as ``{}`` reads as None.
    """

    id: int | None = None
    name: str | None = None
    created_at: datetime | None = attrs.field(default=None, metadata=UNIX_TIME)
    tagged_by: User | None = None
    tagged_at: datetime | None = attrs.field(default=None, metadata=UNIX_TIME)


@attrs.define
class Participant(Model):
    """A member of a conference call (``id`` is a User or Contact id; absent for external)."""

    id: int | str | None = None
    type: ParticipantType | None = None
    name: str | None = None
    phone_number: str | None = None


@attrs.define
class IvrOption(Model):
    """An IVR option a caller selected on a smartflow-enabled Number."""

    id: int | str | None = None
    title: str | None = None
    key: str | None = None
    created_at: datetime | None = attrs.field(default=None, metadata=UNIX_TIME)


@attrs.define
class Call(Model):
    """An inbound or outbound Call with its nested User, Number, Contact, notes and tags.

    Captured fields: ``sid`` (the carrier's call id), ``country_code_a2`` (ISO 3166
    alpha-2), ``pricing_type`` (null until the call is finalized, then e.g.
    ``"in_bundle"``) and, in call webhooks, ``hangup_cause``. ``cost`` is a string
    (``"3.0"``). The ``*_short_url`` fields stay null unless the request asked for
    ``fetch_short_urls``. ``id`` is required: an answer without it raises
    :class:`~aircall_async.errors.ResponseShapeError`.
    """

    id: int
    direct_link: str | None = None
    started_at: datetime | None = attrs.field(default=None, metadata=UNIX_TIME)
    answered_at: datetime | None = attrs.field(default=None, metadata=UNIX_TIME)
    ended_at: datetime | None = attrs.field(default=None, metadata=UNIX_TIME)
    duration: int | None = None
    status: CallStatus | None = None
    direction: CallDirection | None = None
    raw_digits: str | None = None
    asset: str | None = None
    recording: str | None = None
    recording_short_url: str | None = None
    voicemail: str | None = None
    voicemail_short_url: str | None = None
    archived: bool | None = None
    missed_call_reason: MissedCallReason | None = None
    cost: str | None = None
    number: Number | None = None
    user: User | None = None
    contact: Contact | None = None
    assigned_to: User | None = None
    teams: list[Team] = attrs.field(factory=list)
    transferred_by: User | None = None
    transferred_to: User | None = None
    comments: list[Comment] = attrs.field(factory=list)
    tags: list[CallTag] = attrs.field(factory=list)
    participants: list[Participant] = attrs.field(factory=list)
    ivr_options: list[IvrOption] = attrs.field(factory=list)
    sid: str | None = None
    country_code_a2: str | None = None
    pricing_type: str | None = None
    hangup_cause: str | None = None
