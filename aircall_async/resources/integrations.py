"""Integrations (reference section "Integration"): the OAuth integration of an access token.

Every endpoint here works only with an OAuth access token: with Basic credentials the API
answers 403 (ForbiddenError).
"""

from __future__ import annotations

from ..models import Integration
from ._base import Resource

__all__ = ["Integrations"]


class Integrations(Resource):
    """``client.integrations``: the integration an OAuth access token belongs to."""

    __slots__ = ()

    async def me(self) -> Integration:
        """The integration of the access token (``GET /v1/integrations/me``).

        Raises ForbiddenError with Basic credentials or a bad token; NotFoundError when the
        integration no longer exists.
        """
        return await self._get_one("/integrations/me", "integration", Integration)

    async def enable(self, *, install: bool | None = None) -> None:
        """Enable the integration and its webhooks (``POST /v1/integrations/enable``, 204).

        ``install=True`` (sent as ``?install=true``) on first install sends the Admin to the
        integration's settings page in the Dashboard. Raises ForbiddenError with Basic
        credentials or a bad token.
        """
        await self._do("POST", "/integrations/enable", params={"install": install})

    async def disable(self) -> None:
        """Disable the integration and its webhooks (``POST /v1/integrations/disable``, 204).

        Raises ForbiddenError with Basic credentials or a bad token.
        """
        await self._do("POST", "/integrations/disable")
