"""Webhooks (reference section "Webhook", the REST endpoints): list, retrieve, create,
update and delete the Webhooks of the credentials.

A Webhook is identified by its ``webhook_id`` (a UUID string); the deprecated integer
``id`` is still accepted wherever an id is expected.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..models import Webhook
from ..pagination import Paginator
from ._base import (
    MAX_PER_PAGE,
    Order,
    Resource,
    body_of,
    check_choice,
    check_id,
    check_sequence,
    check_text,
    check_url,
    updates_of,
)

__all__ = ["Webhooks"]

_UUID_LIKE = re.compile(r"[0-9A-Za-z][0-9A-Za-z-]*")


def _webhook_path(webhook_id: str | int) -> str:
    if isinstance(webhook_id, str):
        if _UUID_LIKE.fullmatch(webhook_id) is None:
            raise ValueError(f"webhook_id must be a webhook_id (UUID) or an id, got {webhook_id!r}")
        return f"/webhooks/{webhook_id}"
    return f"/webhooks/{check_id(webhook_id, 'webhook_id')}"


def _url(value: str) -> str:
    # The reference: a Webhook URL must be https (http is kept for local receivers).
    return check_url(value, "url", https_only=True)


def _events(value: Sequence[str] | None) -> list[str] | None:
    if value is None:
        return None
    events = check_sequence(value, "events", "a list of event names like 'call.created'")
    return [check_text(event, f"events[{i}]") for i, event in enumerate(events)]


class Webhooks(Resource):
    """``client.webhooks``: the Webhooks the credentials can see (OAuth: only their own)."""

    __slots__ = ()

    def list(
        self, *, order: Order | None = None, per_page: int = MAX_PER_PAGE, limit: int | None = None
    ) -> Paginator[Webhook]:
        """Every Webhook, ordered by creation time (``GET /v1/webhooks``).

        Raises ValueError for a bad ``order`` or ``per_page``/``limit``.
        """
        query = {"order": check_choice(order, "order", ("asc", "desc"))}
        return self._list("/webhooks", "webhooks", Webhook, query, per_page=per_page, limit=limit)

    async def get(self, webhook_id: str | int) -> Webhook:
        """One Webhook by ``webhook_id`` (or legacy ``id``) (``GET /v1/webhooks/:id``).

        Raises ValueError for a malformed id; NotFoundError when unknown.
        """
        return await self._get_one(_webhook_path(webhook_id), "webhook", Webhook)

    async def create(
        self, *, url: str, custom_name: str | None = None, events: Sequence[str] | None = None
    ) -> Webhook:
        """Register a Webhook (``POST /v1/webhooks``); without ``events``, all events.

        The returned Webhook carries the ``token`` that authenticates its deliveries.
        ``url`` must be https (http only on a loopback host, for local tests).
        Raises ValueError for a missing, non-URL or clear-text ``url`` or blank events,
        before sending; BadRequestError when events are invalid or 100 Webhooks exist.
        """
        body = body_of(url=_url(url), custom_name=custom_name, events=_events(events))
        return await self._send("POST", "/webhooks", "webhook", Webhook, body)

    async def update(
        self,
        webhook_id: str | int,
        *,
        url: str | None = None,
        custom_name: str | None = None,
        events: Sequence[str] | None = None,
        active: bool | None = None,
    ) -> Webhook:
        """Change the fields given, and only those (``PUT /v1/webhooks/:id``).

        Beware, from the reference: when ``events`` is not sent, Aircall registers the
        Webhook to all events; pass ``events`` to keep a selection. ``active=True``
        re-activates a Webhook Aircall disabled. Raises ValueError when nothing is given or
        a field is invalid (``url`` must be https, http only on loopback), before sending;
        NotFoundError for an unknown Webhook.
        """
        body = updates_of(
            url=None if url is None else _url(url),
            custom_name=custom_name,
            events=_events(events),
            active=active,
        )
        return await self._send("PUT", _webhook_path(webhook_id), "webhook", Webhook, body)

    async def delete(self, webhook_id: str | int) -> None:
        """Delete a Webhook (``DELETE /v1/webhooks/:id``, 204); NotFoundError if unknown."""
        await self._do("DELETE", _webhook_path(webhook_id))
