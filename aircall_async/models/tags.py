"""Tag (reference section "Tag")."""

from __future__ import annotations

import attrs

from ._base import Model

__all__ = ["Tag"]


@attrs.define
class Tag(Model):
    """A Tag of the company (name and hex color) that Agents put on Calls.

    Real answers carry only ``id``, ``name``, ``color`` and ``description``: the
    reference's ``direct_link`` stays None. ``id`` is required
    (:class:`~aircall_async.errors.ResponseShapeError` when an answer lacks it).
    """

    id: int
    direct_link: str | None = None
    name: str | None = None
    color: str | None = None
    description: str | None = None
