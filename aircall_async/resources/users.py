"""Users (reference section "User"): list, retrieve, create, update, delete, availabilities,
start an outbound call and dial a number in the Phone app."""

from __future__ import annotations

from collections.abc import Sequence

from .._rules import is_int
from ..models import User, UserAvailability, UserAvailabilityStatus, UserRole
from ..pagination import Paginator
from ._base import (
    MAX_PER_PAGE,
    Order,
    Resource,
    Timestamp,
    body_of,
    check_e164,
    check_email,
    check_id,
    check_sequence,
    check_text,
    time_query,
    updates_of,
)

__all__ = ["Users"]


def _wrap_up_time(value: int | None) -> int | None:
    if value is not None and (not is_int(value) or value < 0):
        raise ValueError(f"wrap_up_time must be a number of seconds >= 0, got {value!r}")
    return value


def _role_ids(value: Sequence[UserRole | str] | None) -> list[str] | None:
    if value is None:
        return None
    what = "a list of role names (owner, supervisor, admin, agent)"
    roles = check_sequence(value, "role_ids", what)
    if not all(isinstance(role, str) and role for role in roles):
        raise ValueError(f"role_ids must be {what}")
    return [str(role) for role in roles]


class Users(Resource):
    """``client.users``: the Users of the company (Admins and Agents)."""

    __slots__ = ()

    def list(
        self,
        *,
        from_: Timestamp | None = None,
        to: Timestamp | None = None,
        order: Order | None = None,
        per_page: int = MAX_PER_PAGE,
        limit: int | None = None,
    ) -> Paginator[User]:
        """Every User, optionally created in ``[from_, to]``, ordered by creation time.

        ``GET /v1/users``. Raises ValueError for a naive datetime, a bad ``order`` or
        ``per_page``; iterating raises the client's errors.
        """
        query = time_query(from_=from_, to=to, order=order)
        return self._list(
            "/users", "users", User, query, per_page=per_page, limit=limit, continue_by="created_at"
        )

    async def get(self, user_id: int) -> User:
        """One User with their Numbers (``GET /v1/users/:id``).

        Raises NotFoundError when there is no such User.
        """
        return await self._get_one(f"/users/{check_id(user_id, 'user_id')}", "user", User)

    async def create(
        self,
        *,
        email: str,
        first_name: str,
        last_name: str,
        availability_status: UserAvailabilityStatus | str | None = None,
        role_ids: Sequence[UserRole | str] | None = None,
        wrap_up_time: int | None = None,
    ) -> User:
        """Invite a User (``POST /v1/users``); Aircall e-mails them an invitation.

        Raises ValueError (naming the field) for an ``email`` that is not an e-mail
        address (one ``@``, a dot in the domain, no spaces), a blank ``first_name``/
        ``last_name`` or a bad ``role_ids``/``wrap_up_time``, before sending;
        UnprocessableEntityError when the API rejects a field.
        """
        body = body_of(
            email=check_email(email, "email"),
            first_name=check_text(first_name, "first_name"),
            last_name=check_text(last_name, "last_name"),
            availability_status=availability_status,
            role_ids=_role_ids(role_ids),
            wrap_up_time=_wrap_up_time(wrap_up_time),
        )
        return await self._send("POST", "/users", "user", User, body)

    async def update(
        self,
        user_id: int,
        *,
        first_name: str | None = None,
        last_name: str | None = None,
        availability_status: UserAvailabilityStatus | str | None = None,
        role_ids: Sequence[UserRole | str] | None = None,
        wrap_up_time: int | None = None,
    ) -> User:
        """Change the fields given, and only those (``PUT /v1/users/:id``).

        Raises ValueError when no field is given or one is blank/invalid, before sending;
        NotFoundError for an unknown User.
        """
        path = f"/users/{check_id(user_id, 'user_id')}"
        body = updates_of(
            first_name=None if first_name is None else check_text(first_name, "first_name"),
            last_name=None if last_name is None else check_text(last_name, "last_name"),
            availability_status=availability_status,
            role_ids=_role_ids(role_ids),
            wrap_up_time=_wrap_up_time(wrap_up_time),
        )
        return await self._send("PUT", path, "user", User, body)

    async def delete(self, user_id: int) -> None:
        """Delete a User and all their data (``DELETE /v1/users/:id``, 204).

        Raises NotFoundError for an unknown User, UnprocessableEntityError when refused.
        """
        await self._do("DELETE", f"/users/{check_id(user_id, 'user_id')}")

    def availabilities(
        self,
        *,
        from_: Timestamp | None = None,
        to: Timestamp | None = None,
        order: Order | None = None,
        per_page: int = MAX_PER_PAGE,
        limit: int | None = None,
    ) -> Paginator[UserAvailability]:
        """The detailed availability of every User (``GET /v1/users/availabilities``).

        Yields :class:`UserAvailability` (``id`` and ``availability``). Raises ValueError
        for a naive datetime, a bad ``order`` or ``per_page``/``limit``.
        """
        query = time_query(from_=from_, to=to, order=order)
        return self._list(
            "/users/availabilities",
            "users",
            UserAvailability,
            query,
            per_page=per_page,
            limit=limit,
        )

    async def availability(self, user_id: int) -> UserAvailability:
        """The detailed availability of one User (``GET /v1/users/:id/availability``).

        The API answers ``{"availability": "after_call_work"}``; this returns that as a
        :class:`UserAvailability` whose ``id`` is ``user_id``. Raises NotFoundError for an
        unknown User.
        """
        path = f"/users/{check_id(user_id, 'user_id')}/availability"
        result = await self._get_one(path, None, UserAvailability)
        if result.id is None:
            result.id = user_id
        return result

    async def start_call(self, user_id: int, *, number_id: int, to: str) -> None:
        """Start an outbound call from the User's Phone app (``POST /v1/users/:id/calls``).

        ``to`` must be in E.164 format. Raises ValueError for a bad ``number_id`` or ``to``
        before sending; BadRequestError for an unknown Number or an invalid number;
        MethodNotAllowedError when the User is not available.
        """
        path = f"/users/{check_id(user_id, 'user_id')}/calls"
        body = {"number_id": int(check_id(number_id, "number_id")), "to": check_e164(to, "to")}
        await self._do("POST", path, body)

    async def dial(self, user_id: int, *, to: str) -> None:
        """Fill the User's Phone app with ``to`` (E.164) to dial (``POST /v1/users/:id/dial``).

        Raises ValueError for a ``to`` not in E.164 before sending; BadRequestError for an
        invalid number; MethodNotAllowedError when the User is not available.
        """
        path = f"/users/{check_id(user_id, 'user_id')}/dial"
        await self._do("POST", path, {"to": check_e164(to, "to")})
