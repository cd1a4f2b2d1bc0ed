"""A2P campaign associations (reference section "A2P Campaign association"): link Aircall
numbers to a 10DLC campaign declared with TCR.

Changes propagate asynchronously: ``update_status`` is ``pending`` after a create or an
update, then ``done`` or ``failed`` (with ``update_message``).
"""

from __future__ import annotations

from collections.abc import Sequence

from .._rules import is_int
from ..models import A2PCampaignAssociation
from ..pagination import Paginator
from ._base import MAX_PER_PAGE, Resource, check_id, check_sequence, check_text

__all__ = ["A2PCampaignAssociations"]

_KEY = "a2p_campaign_association"


def _association_path(association_id: int) -> str:
    return f"/a2p_campaign_associations/{check_id(association_id, 'association_id')}"


def _numbers(values: Sequence[int | str]) -> list[int | str]:
    """E.164 digits without ``+``: the reference's example sends integers, so both pass."""
    items = check_sequence(
        values, "numbers", "a non-empty list of E.164 numbers without '+'", non_empty=True
    )
    for i, value in enumerate(items):
        text = str(value) if is_int(value) else value
        if not isinstance(text, str) or not text.isdigit() or not 2 <= len(text) <= 15:
            raise ValueError(
                f"numbers[{i}] must be an E.164 number without '+' (digits only), got {value!r}"
            )
    return items


class A2PCampaignAssociations(Resource):
    """``client.a2p_campaign_associations``: numbers associated with A2P 10DLC campaigns."""

    __slots__ = ()

    def list(
        self, *, per_page: int = MAX_PER_PAGE, limit: int | None = None
    ) -> Paginator[A2PCampaignAssociation]:
        """Every association of the company (``GET /v1/a2p_campaign_associations``).

        Raises ValueError for a bad ``per_page``/``limit``.
        """
        return self._list(
            "/a2p_campaign_associations",
            "a2p_campaign_associations",
            A2PCampaignAssociation,
            per_page=per_page,
            limit=limit,
        )

    async def get(self, association_id: int) -> A2PCampaignAssociation:
        """One association (``GET /v1/a2p_campaign_associations/:id``); NotFoundError if none."""
        return await self._get_one(_association_path(association_id), _KEY, A2PCampaignAssociation)

    async def create(
        self, *, external_campaign_id: str, numbers: Sequence[int | str]
    ) -> A2PCampaignAssociation:
        """Associate numbers with a TCR campaign (``POST /v1/a2p_campaign_associations``).

        ``numbers`` are E.164 without ``+`` (``1279876456`` or ``"1279876456"``). Raises
        ValueError for a blank ``external_campaign_id`` or bad ``numbers`` before sending;
        BadRequestError when a number already belongs to a campaign.
        """
        body = {
            "external_campaign_id": check_text(external_campaign_id, "external_campaign_id"),
            "numbers": _numbers(numbers),
        }
        return await self._send(
            "POST", "/a2p_campaign_associations", _KEY, A2PCampaignAssociation, body
        )

    async def update(
        self, association_id: int, *, numbers: Sequence[int | str]
    ) -> A2PCampaignAssociation:
        """Replace the numbers of an association (``PUT /v1/a2p_campaign_associations/:id``).

        Raises ValueError for bad ``numbers`` before sending; BadRequestError when the API
        refuses them.
        """
        body = {"numbers": _numbers(numbers)}
        return await self._send(
            "PUT", _association_path(association_id), _KEY, A2PCampaignAssociation, body
        )

    async def delete(self, association_id: int) -> None:
        """Delete an association; the TCR campaign itself is untouched
        (``DELETE /v1/a2p_campaign_associations/:id``, 204)."""
        await self._do("DELETE", _association_path(association_id))
