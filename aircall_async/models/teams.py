"""Team (reference section "Team")."""

from __future__ import annotations

from datetime import datetime

import attrs

from ._base import ISO_TIME, Model
from .users import User

__all__ = ["Team"]


@attrs.define
class Team(Model):
    """A group of Users used in call distribution. ``created_at`` is an aware UTC datetime.

    ``id`` is required (:class:`~aircall_async.errors.ResponseShapeError` when missing)."""

    id: int
    direct_link: str | None = None
    name: str | None = None
    created_at: datetime | None = attrs.field(default=None, metadata=ISO_TIME)
    users: list[User] = attrs.field(factory=list)
