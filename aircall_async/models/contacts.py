"""Contact, PhoneDetail and EmailDetail (reference section "Contact")."""

from __future__ import annotations

from datetime import datetime

import attrs

from ._base import UNIX_TIME, Model

__all__ = ["Contact", "EmailDetail", "PhoneDetail"]


@attrs.define
class PhoneDetail(Model):
    """One phone number of a Contact."""

    id: int | None = None
    label: str | None = None
    value: str | None = None


@attrs.define
class EmailDetail(Model):
    """One email address of a Contact."""

    id: int | None = None
    label: str | None = None
    value: str | None = None


@attrs.define
class Contact(Model):
    """A shared Contact. ``created_at``/``updated_at`` (UNIX seconds in the API) are aware UTC.

    ``id`` is required (:class:`~aircall_async.errors.ResponseShapeError` when missing); the
    ``id`` of its phone numbers and emails is not (they are also written to create one).
    """

    id: int
    direct_link: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    company_name: str | None = None
    description: str | None = None
    information: str | None = None
    is_shared: bool | None = None
    created_at: datetime | None = attrs.field(default=None, metadata=UNIX_TIME)
    updated_at: datetime | None = attrs.field(default=None, metadata=UNIX_TIME)
    phone_numbers: list[PhoneDetail] = attrs.field(factory=list)
    emails: list[EmailDetail] = attrs.field(factory=list)
