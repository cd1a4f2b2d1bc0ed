"""Company (reference section "Company")."""

from __future__ import annotations

import attrs

from ._base import Model

__all__ = ["Company"]


@attrs.define
class Company(Model):
    """The company behind the credentials: name and User/Number counts.

    Real answers carry no ``id`` and no ``created_at`` (captured), hence none here.
    """

    name: str | None = None
    users_count: int | None = None
    numbers_count: int | None = None
