"""Integration (reference section "Integration")."""

from __future__ import annotations

from datetime import datetime

import attrs

from ._base import ISO_TIME, Model
from .users import User

__all__ = ["Integration"]


@attrs.define
class Integration(Model):
    """The OAuth integration of an access token; ``user`` installed it (None if deleted)."""

    id: int | None = None
    name: str | None = None
    custom_name: str | None = None
    logo: str | None = None
    company_id: int | None = None
    status: str | None = None
    active: bool | None = None
    created_at: datetime | None = attrs.field(default=None, metadata=ISO_TIME)
    updated_at: datetime | None = attrs.field(default=None, metadata=ISO_TIME)
    deleted_at: datetime | None = attrs.field(default=None, metadata=ISO_TIME)
    number_ids: list[int] = attrs.field(factory=list)
    numbers_count: int | None = None
    user: User | None = None
