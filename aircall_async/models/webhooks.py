"""Webhook (reference section "Webhook", the REST object, not the event payloads)."""

from __future__ import annotations

from datetime import datetime

import attrs

from ._base import ISO_TIME, SECRET, Model

__all__ = ["Webhook"]


@attrs.define
class Webhook(Model):
    """A registered Webhook. ``webhook_id`` (a UUID string) replaces the deprecated ``id``.

    ``token`` authenticates deliveries: it is kept out of the repr and out of
    ``unstructure`` (unless ``include_secrets=True``). Real answers carry both ids and
    the token (also on the list) and never echo ``custom_name``. ``webhook_id`` is required
    and keyword-only (:class:`~aircall_async.errors.ResponseShapeError` when an answer
    lacks it); the deprecated ``id`` is not.
    """

    id: int | None = None
    webhook_id: str = attrs.field(kw_only=True)
    direct_link: str | None = None
    created_at: datetime | None = attrs.field(default=None, metadata=ISO_TIME)
    custom_name: str | None = None
    url: str | None = None
    active: bool | None = None
    token: str | None = attrs.field(default=None, repr=False, metadata=SECRET)
    events: list[str] = attrs.field(factory=list)
