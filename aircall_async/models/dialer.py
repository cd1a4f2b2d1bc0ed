"""DialerCampaign and DialerPhoneNumber (reference section "Dialer Campaign")."""

from __future__ import annotations

from datetime import datetime

import attrs

from ._base import ISO_TIME, Model

__all__ = ["DialerCampaign", "DialerPhoneNumber"]


@attrs.define
class DialerCampaign(Model):
    """A User's active Power Dialer campaign; ``id`` is required (ResponseShapeError)."""

    id: int
    number_id: int | str | None = None
    created_at: datetime | None = attrs.field(default=None, metadata=ISO_TIME)


@attrs.define
class DialerPhoneNumber(Model):
    """One phone number of a Dialer Campaign; ``called`` once the User called it.

    ``id`` is required (:class:`~aircall_async.errors.ResponseShapeError` when missing)."""

    id: int
    number: str | None = None
    called: bool | None = None
    created_at: datetime | None = attrs.field(default=None, metadata=ISO_TIME)
