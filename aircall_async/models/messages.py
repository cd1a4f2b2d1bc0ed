"""Messages (SMS, MMS, WhatsApp) and their configuration, templates and line status.

Beyond the reference: see docs/COVERAGE.md for the source of every field. Message times may
come as ISO strings or UNIX seconds; both parse to aware UTC datetimes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

from ._base import ISO_TIME, Model, OpenStrEnum
from .contacts import Contact
from .numbers import Number

__all__ = [
    "GroupMessage",
    "MediaDetail",
    "Message",
    "MessageDirection",
    "MessagingConfiguration",
    "SmsTemplate",
    "WhatsAppLineStatus",
    "WhatsAppTemplatePage",
]


class MessageDirection(OpenStrEnum):
    """Direction of a Message."""

    INBOUND = "inbound"
    OUTBOUND = "outbound"


@attrs.define
class MediaDetail(Model):
    """A media file attached to an inbound Message (``presigned_url`` is time-limited)."""

    file_name: str | None = None
    file_type: str | None = None
    presigned_url: str | None = None


@attrs.define
class Message(Model):
    """An SMS, MMS or WhatsApp message (read-only). WhatsApp fields are None for SMS/MMS.

    ``media_url`` holds the URLs of a send answer, ``media_details`` the files of an
    inbound webhook payload; ``external_number`` is set on webhook payloads. ``id`` is text
    in the sources' examples; an integer is kept too.
    """

    id: int | str | None = None
    direct_link: str | None = None
    direction: MessageDirection | None = None
    external_number: str | None = None
    body: str | None = None
    status: str | None = None
    raw_digits: str | None = None
    origin: str | None = None
    media_url: list[str] = attrs.field(factory=list)
    media_details: list[MediaDetail] = attrs.field(factory=list)
    created_at: datetime | None = attrs.field(default=None, metadata=ISO_TIME)
    updated_at: datetime | None = attrs.field(default=None, metadata=ISO_TIME)
    sent_at: datetime | None = attrs.field(default=None, metadata=ISO_TIME)
    channel: str | None = None
    template_content: str | None = None
    type: str | None = None
    parent_id: str | None = None
    whatsapp_message_category: str | None = None
    whatsapp_message_type: str | None = None
    recipient_country: str | None = None
    number: Number | None = None
    contact: Contact | None = None


@attrs.define
class GroupMessage(Model):
    """A message sent to a group conversation: recipients as ``participants``."""

    group_message_id: str | None = None
    group_conversation_id: str | None = None
    direct_link: str | None = None
    direction: MessageDirection | None = None
    status: str | None = None
    participants: list[str] = attrs.field(factory=list)
    body: str | None = None
    media_url: list[str] = attrs.field(factory=list)
    created_at: datetime | None = attrs.field(default=None, metadata=ISO_TIME)
    updated_at: datetime | None = attrs.field(default=None, metadata=ISO_TIME)
    sent_at: datetime | None = attrs.field(default=None, metadata=ISO_TIME)
    number: Number | None = None


@attrs.define
class MessagingConfiguration(Model):
    """A Number's configuration for sending outside the inbox.

    The sources give no schema for it: only the two fields sent when creating one are
    typed; ``raw`` keeps the whole answer.
    """

    callbackUrl: str | None = None
    type: str | None = None


@attrs.define
class SmsTemplate(Model):
    """An SMS template of the company (aggregated across agents)."""

    id: int | None = None
    name: str | None = None
    body: str | None = None


@attrs.define
class WhatsAppTemplatePage(Model):
    """One page of a Number's WhatsApp templates (cursor pagination).

    The templates have no schema in the sources: they are kept as dicts. Pass
    ``next_token`` as ``token`` for the next page; None means this was the last one.
    """

    templates: list[dict[str, Any]] = attrs.field(factory=list)
    next_token: str | None = None


@attrs.define
class WhatsAppLineStatus(Model):
    """WhatsApp registration and health of a Number (camelCase: the API's own names)."""

    wabaId: str | None = None
    status: str | None = None
    canSendMessage: bool | None = None
    messagingLimitTier: str | None = None
    qualityRating: str | None = None
    businessVerificationStatus: str | None = None
