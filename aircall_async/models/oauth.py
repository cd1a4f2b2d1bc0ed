"""AccessToken (reference section "Authentication / OAuth")."""

from __future__ import annotations

from datetime import datetime

import attrs

from ._base import UNIX_TIME, Model

__all__ = ["AccessToken"]


@attrs.define
class AccessToken(Model):
    """The token returned by ``POST /v1/oauth/token``; ``access_token`` stays out of the repr."""

    access_token: str | None = attrs.field(default=None, repr=False)
    token_type: str | None = None
    created_at: datetime | None = attrs.field(default=None, metadata=UNIX_TIME)
