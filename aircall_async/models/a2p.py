"""A2PCampaignAssociation (reference section "A2P Campaign association")."""

from __future__ import annotations

from datetime import datetime

import attrs

from ._base import ISO_TIME, Model, OpenStrEnum

__all__ = ["A2PCampaignAssociation", "A2PUpdateStatus"]


class A2PUpdateStatus(OpenStrEnum):
    """State of the asynchronous propagation of an A2P association; unlisted values kept."""

    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"


@attrs.define
class A2PCampaignAssociation(Model):
    """Aircall numbers associated with a 10DLC campaign declared with TCR.

    ``numbers`` are E.164 digits without ``+``; the reference documents strings but
    its examples send integers, so each item is kept as sent (``int`` or ``str``).
    ``id`` is required (:class:`~aircall_async.errors.ResponseShapeError` when missing).
    """

    id: int
    company_id: int | None = None
    external_id: str | None = None
    update_status: A2PUpdateStatus | None = None
    update_message: str | None = None
    created_at: datetime | None = attrs.field(default=None, metadata=ISO_TIME)
    updated_at: datetime | None = attrs.field(default=None, metadata=ISO_TIME)
    numbers: list[int | str] = attrs.field(factory=list)
