"""Dialer Campaigns (reference section "Dialer Campaign"): a User's one active Power Dialer
campaign and its phone numbers."""

from __future__ import annotations

from collections.abc import Sequence

from ..models import DialerCampaign, DialerPhoneNumber
from ._base import Resource, check_id, check_sequence, check_text

__all__ = ["DialerCampaigns"]


def _campaign_path(user_id: int, tail: str = "") -> str:
    return f"/users/{check_id(user_id, 'user_id')}/dialer_campaign{tail}"


def _phone_numbers(values: Sequence[str]) -> list[str]:
    items = check_sequence(
        values, "phone_numbers", "a non-empty list of phone numbers", non_empty=True
    )
    return [check_text(v, f"phone_numbers[{i}]") for i, v in enumerate(items)]


class DialerCampaigns(Resource):
    """``client.dialer_campaigns``: Power Dialer campaigns, one per User, keyed by User id."""

    __slots__ = ()

    async def get(self, user_id: int) -> DialerCampaign:
        """The User's active campaign (``GET /v1/users/:user_id/dialer_campaign``).

        The API answers the campaign object itself (no ``dialer_campaign`` key).
        Raises NotFoundError when the User has no active campaign.
        """
        return await self._get_one(_campaign_path(user_id), None, DialerCampaign)

    async def create(self, user_id: int, *, phone_numbers: Sequence[str]) -> None:
        """Create the User's active campaign with these numbers
        (``POST /v1/users/:user_id/dialer_campaign``, 204).

        Raises ValueError for an empty list or a blank number, before sending;
        UnprocessableEntityError when no number is valid.
        """
        body = {"phone_numbers": _phone_numbers(phone_numbers)}
        await self._do("POST", _campaign_path(user_id), body)

    async def delete(self, user_id: int) -> None:
        """Delete the User's campaign and its numbers
        (``DELETE /v1/users/:user_id/dialer_campaign``, 204).

        Raises NotFoundError when the User has no active campaign.
        """
        await self._do("DELETE", _campaign_path(user_id))

    async def phone_numbers(self, user_id: int) -> list[DialerPhoneNumber]:
        """The numbers of the User's campaign
        (``GET /v1/users/:user_id/dialer_campaign/phone_numbers``; not paginated).

        An item of the answer that is not an object is skipped (as in every listing).
        Raises NotFoundError when the User has no active campaign, AircallError when the
        answer has no ``numbers`` list.
        """
        path = _campaign_path(user_id, "/phone_numbers")
        return await self._get_list(path, "numbers", DialerPhoneNumber)

    async def add_phone_numbers(self, user_id: int, *, phone_numbers: Sequence[str]) -> None:
        """Append numbers to the User's campaign
        (``POST /v1/users/:user_id/dialer_campaign/phone_numbers``, 204).

        Raises ValueError for an empty list or a blank number, before sending;
        NotFoundError when the User has no active campaign.
        """
        body = {"phone_numbers": _phone_numbers(phone_numbers)}
        await self._do("POST", _campaign_path(user_id, "/phone_numbers"), body)

    async def delete_phone_number(self, user_id: int, phone_number_id: int) -> None:
        """Remove one number from the User's campaign
        (``DELETE /v1/users/:user_id/dialer_campaign/phone_numbers/:id``, 204).

        Raises NotFoundError when the campaign or the number does not exist.
        """
        number = check_id(phone_number_id, "phone_number_id")
        await self._do("DELETE", _campaign_path(user_id, f"/phone_numbers/{number}"))
