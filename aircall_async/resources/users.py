"""Users (reference section "User"): list, retrieve, create, update, delete, availabilities,
start an outbound call and dial a number in the Phone app.

List, retrieve, create and update go through Users v2 (``/v2/users``) by default: Aircall
retires their v1 forms on 2026-09-30 (docs/COVERAGE.md). ``api_version="v1"`` still reaches
them, with a DeprecationWarning. The other endpoints have no v2 form and keep their paths.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Literal

from .._rules import is_int
from ..models import Number, User, UserAvailability, UserAvailabilityStatus, UserRole
from ..pagination import Paginator
from ._base import (
    MAX_PER_PAGE,
    Order,
    Resource,
    Timestamp,
    body_of,
    check_choice,
    check_e164,
    check_email,
    check_id,
    check_sequence,
    check_text,
    time_query,
    updates_of,
)

__all__ = ["USER_V1_SUNSET", "Users", "UsersApiVersion"]

#: The version of the Users endpoints a call goes through.
UsersApiVersion = Literal["v1", "v2"]

#: Aircall's removal date of the v1 user list/retrieve/create/update endpoints.
USER_V1_SUNSET = "2026-09-30"


def _users_path(api_version: UsersApiVersion, method: str) -> str:
    """The collection path of ``api_version``; warns (DeprecationWarning) for v1."""
    check_choice(api_version, "api_version", ("v1", "v2"))
    if api_version == "v2":
        return "/v2/users"
    warnings.warn(
        f"client.users.{method}(api_version='v1') uses Aircall's v1 Users endpoint, which "
        f"Aircall removes on {USER_V1_SUNSET}; use the default api_version='v2'",
        DeprecationWarning,
        # _users_path <- the Users method <- the caller's code.
        stacklevel=3,
    )
    return "/users"


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


def _name(value: str | None, name: str, *, required: bool = False) -> str | None:
    if value is None and not required:
        return None
    return check_text(value, name)


def _optional_id(value: int | None, name: str) -> int | None:
    return None if value is None else int(check_id(value, name))


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
        api_version: UsersApiVersion = "v2",
    ) -> Paginator[User]:
        """Every User, optionally created in ``[from_, to]``, ordered by creation time.

        ``GET /v2/users`` (``GET /v1/users`` with ``api_version="v1"``, which warns).
        Raises ValueError for a naive datetime, a bad ``order``, ``per_page`` or
        ``api_version``; iterating raises the client's errors.
        """
        query = time_query(from_=from_, to=to, order=order)
        path = _users_path(api_version, "list")
        return self._list(
            path, "users", User, query, per_page=per_page, limit=limit, continue_by="created_at"
        )

    async def get(self, user_id: int, *, api_version: UsersApiVersion = "v2") -> User:
        """One User (``GET /v2/users/:id``; v2 Users carry no ``numbers``, see
        :meth:`numbers`). With ``api_version="v1"`` (which warns) the v1 User with its
        Numbers.

        Raises ValueError for a bad id or ``api_version``; NotFoundError when there is no
        such User.
        """
        path = f"{_users_path(api_version, 'get')}/{check_id(user_id, 'user_id')}"
        return await self._get_one(path, "user", User)

    def numbers(
        self, user_id: int, *, per_page: int = MAX_PER_PAGE, limit: int | None = None
    ) -> Paginator[Number]:
        """The Numbers assigned to a User (``GET /v2/users/:id/numbers``), at most
        ``limit`` of them.

        Raises ValueError for a bad id, ``per_page`` or ``limit``; iterating raises
        NotFoundError for an unknown User.
        """
        path = f"/v2/users/{check_id(user_id, 'user_id')}/numbers"
        return self._list(path, "numbers", Number, per_page=per_page, limit=limit)

    async def create(
        self,
        *,
        email: str,
        first_name: str | None = None,
        last_name: str | None = None,
        availability_status: UserAvailabilityStatus | str | None = None,
        role_ids: Sequence[UserRole | str] | None = None,
        wrap_up_time: int | None = None,
        time_zone: str | None = None,
        language: str | None = None,
        inviter_user_id: int | None = None,
        api_version: UsersApiVersion = "v2",
    ) -> User:
        """Invite a User (``POST /v2/users``); Aircall e-mails them an invitation.

        v2 needs only ``email``; ``api_version="v1"`` (which warns) needs ``first_name``
        and ``last_name`` too. Raises ValueError (naming the field) for an ``email`` that
        is not an e-mail address (one ``@``, a dot in the domain, no spaces), a blank
        name, time zone or language, or a bad ``role_ids``/``wrap_up_time``/
        ``inviter_user_id``, before sending; UnprocessableEntityError when the API
        rejects a field.
        """
        path = _users_path(api_version, "create")
        required = api_version == "v1"
        body = body_of(
            email=check_email(email, "email"),
            first_name=_name(first_name, "first_name", required=required),
            last_name=_name(last_name, "last_name", required=required),
            availability_status=availability_status,
            role_ids=_role_ids(role_ids),
            wrap_up_time=_wrap_up_time(wrap_up_time),
            time_zone=_name(time_zone, "time_zone"),
            language=_name(language, "language"),
            inviter_user_id=_optional_id(inviter_user_id, "inviter_user_id"),
        )
        return await self._send("POST", path, "user", User, body)

    async def update(
        self,
        user_id: int,
        *,
        first_name: str | None = None,
        last_name: str | None = None,
        availability_status: UserAvailabilityStatus | str | None = None,
        role_ids: Sequence[UserRole | str] | None = None,
        wrap_up_time: int | None = None,
        time_zone: str | None = None,
        language: str | None = None,
        api_version: UsersApiVersion = "v2",
    ) -> User:
        """Change the fields given, and only those (``PUT /v2/users/:id``; v1 with
        ``api_version="v1"``, which warns).

        Raises ValueError when no field is given or one is blank/invalid, before sending;
        NotFoundError for an unknown User.
        """
        path = f"{_users_path(api_version, 'update')}/{check_id(user_id, 'user_id')}"
        body = updates_of(
            first_name=_name(first_name, "first_name"),
            last_name=_name(last_name, "last_name"),
            availability_status=availability_status,
            role_ids=_role_ids(role_ids),
            wrap_up_time=_wrap_up_time(wrap_up_time),
            time_zone=_name(time_zone, "time_zone"),
            language=_name(language, "language"),
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
