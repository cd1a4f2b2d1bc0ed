"""Tags (reference section "Tag"): list, retrieve, create, update and delete the company's
Tags (a name and a hex color)."""

from __future__ import annotations

import re

from ..models import Tag
from ..pagination import Paginator
from ._base import MAX_PER_PAGE, Resource, check_id, check_text, updates_of

__all__ = ["Tags"]

_HEX_COLOR = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")


def _color(value: str) -> str:
    if not isinstance(value, str) or _HEX_COLOR.fullmatch(value) is None:
        raise ValueError(f"color must be a hexadecimal color like #00B388, got {value!r}")
    return value


class Tags(Resource):
    """``client.tags``: the Tags Agents put on Calls."""

    __slots__ = ()

    def list(self, *, per_page: int = MAX_PER_PAGE, limit: int | None = None) -> Paginator[Tag]:
        """Every Tag (``GET /v1/tags``). Raises ValueError for a bad ``per_page``/``limit``."""
        return self._list("/tags", "tags", Tag, per_page=per_page, limit=limit)

    async def get(self, tag_id: int) -> Tag:
        """One Tag (``GET /v1/tags/:id``); NotFoundError if unknown."""
        return await self._get_one(f"/tags/{check_id(tag_id, 'tag_id')}", "tag", Tag)

    async def create(self, *, name: str, color: str) -> Tag:
        """Create a Tag (``POST /v1/tags``).

        Raises ValueError for a blank ``name`` or a ``color`` that is not ``#RRGGBB`` (or
        ``#RGB``), before sending; BadRequestError when the API refuses the payload.
        """
        body = {"name": check_text(name, "name"), "color": _color(color)}
        return await self._send("POST", "/tags", "tag", Tag, body)

    async def update(
        self, tag_id: int, *, name: str | None = None, color: str | None = None
    ) -> Tag:
        """Change the ``name`` and/or ``color`` given (``PUT /v1/tags/:id``).

        Raises ValueError when neither is given, ``name`` is blank or ``color`` is not hex,
        before sending; NotFoundError for an unknown Tag.
        """
        body = updates_of(
            name=None if name is None else check_text(name, "name"),
            color=None if color is None else _color(color),
        )
        return await self._send("PUT", f"/tags/{check_id(tag_id, 'tag_id')}", "tag", Tag, body)

    async def delete(self, tag_id: int) -> None:
        """Delete a Tag; it is removed from Calls (``DELETE /v1/tags/:id``, 204).

        Raises NotFoundError for an unknown Tag.
        """
        await self._do("DELETE", f"/tags/{check_id(tag_id, 'tag_id')}")
