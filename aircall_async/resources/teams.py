"""Teams (reference section "Team"): list, retrieve, create and delete Teams, add and
remove their Users."""

from __future__ import annotations

from ..models import Team
from ..pagination import Paginator
from ._base import MAX_PER_PAGE, Order, Resource, check_choice, check_id, check_text

__all__ = ["Teams"]

#: The longest Team name the API accepts.
MAX_TEAM_NAME = 64


class Teams(Resource):
    """``client.teams``: groups of Users used in the call distribution of Numbers."""

    __slots__ = ()

    def list(
        self, *, order: Order | None = None, per_page: int = MAX_PER_PAGE, limit: int | None = None
    ) -> Paginator[Team]:
        """Every Team, ordered by creation time (``GET /v1/teams``).

        Raises ValueError for a bad ``order`` or ``per_page``/``limit``; iterating raises
        ForbiddenError for bad credentials.
        """
        query = {"order": check_choice(order, "order", ("asc", "desc"))}
        return self._list(
            "/teams", "teams", Team, query, per_page=per_page, limit=limit, continue_by="created_at"
        )

    async def get(self, team_id: int) -> Team:
        """One Team with its Users (``GET /v1/teams/:id``); NotFoundError when unknown."""
        return await self._get_one(f"/teams/{check_id(team_id, 'team_id')}", "team", Team)

    async def create(self, *, name: str) -> Team:
        """Create an empty Team (``POST /v1/teams``); add Users with :meth:`add_user`.

        Raises ValueError for a blank ``name`` or one over 64 characters, before sending;
        BadRequestError when the name is taken or the plan's Team limit is reached.
        """
        body = {"name": check_text(name, "name", limit=MAX_TEAM_NAME)}
        return await self._send("POST", "/teams", "team", Team, body)

    async def delete(self, team_id: int) -> None:
        """Delete a Team; its Users and Calls stay (``DELETE /v1/teams/:id``).

        Raises NotFoundError for an unknown Team.
        """
        await self._do("DELETE", f"/teams/{check_id(team_id, 'team_id')}")

    async def add_user(self, team_id: int, user_id: int) -> Team:
        """Add a User to a Team and return the Team (``POST /v1/teams/:team_id/users/:user_id``).

        Raises NotFoundError when the Team or the User does not exist.
        """
        path = f"/teams/{check_id(team_id, 'team_id')}/users/{check_id(user_id, 'user_id')}"
        return await self._send("POST", path, "team", Team)

    async def remove_user(self, team_id: int, user_id: int) -> Team:
        """Remove a User from a Team and return the Team
        (``DELETE /v1/teams/:team_id/users/:user_id``).

        Raises NotFoundError when the Team or the User does not exist.
        """
        path = f"/teams/{check_id(team_id, 'team_id')}/users/{check_id(user_id, 'user_id')}"
        return await self._send("DELETE", path, "team", Team)
