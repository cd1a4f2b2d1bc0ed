"""The three kinds of Insight Card lines sent with ``POST /v1/calls/:id/insight_cards``."""

from __future__ import annotations

from typing import Union

import attrs

from ._base import Model, OpenStrEnum

__all__ = [
    "InsightCardLine",
    "InsightCardLineBase",
    "InsightCardText",
    "InsightCardTitle",
    "InsightCardType",
    "InsightCardUser",
]


class InsightCardType(OpenStrEnum):
    """The ``type`` of an Insight Card line."""

    TITLE = "title"
    SHORT_TEXT = "shortText"
    USER = "user"


@attrs.define
class InsightCardLineBase(Model):
    """The common base of :class:`InsightCardTitle`, :class:`InsightCardText` and
    :class:`InsightCardUser`; a list mixing them is a list of this type for mypy."""


@attrs.define
class InsightCardTitle(InsightCardLineBase):
    """A large title line (``text`` mandatory), optionally a link."""

    type: InsightCardType = InsightCardType.TITLE
    text: str | None = None
    link: str | None = None


@attrs.define
class InsightCardText(InsightCardLineBase):
    """A ``shortText`` line: ``text`` (mandatory) after an optional ``label``, maybe a link."""

    type: InsightCardType = InsightCardType.SHORT_TEXT
    text: str | None = None
    link: str | None = None
    label: str | None = None


@attrs.define
class InsightCardUser(InsightCardLineBase):
    """A user card line: ``label`` and ``user_id`` are mandatory."""

    type: InsightCardType = InsightCardType.USER
    label: str | None = None
    user_id: int | None = None


InsightCardLine = Union[InsightCardTitle, InsightCardText, InsightCardUser]  # noqa: UP007
"""Any Insight Card line (a union; :class:`InsightCardLineBase` is their common base)."""
