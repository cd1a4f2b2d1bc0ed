"""Company (reference section "Company"): the company behind the credentials."""

from __future__ import annotations

from ..models import Company
from ._base import Resource

__all__ = ["CompanyService"]


class CompanyService(Resource):
    """``client.company``: read-only information on the company."""

    __slots__ = ()

    async def get(self) -> Company:
        """The company's name and User/Number counts (``GET /v1/company``).

        Raises ForbiddenError for bad credentials.
        """
        return await self._get_one("/company", "company", Company)
