"""Calls (reference section "Call"): list, retrieve and search Calls, transfer, comment,
tag, archive them, control their recording and voicemail, and push Insight Cards."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

from ..models import Call, DispatchingStrategy, InsightCardLineBase
from ..pagination import Paginator
from ._base import (
    MAX_PER_PAGE,
    Order,
    Timestamp,
    check_choice,
    check_e164,
    check_id,
    check_query_text,
    check_sequence,
    check_text,
    json_list,
    time_query,
)
from .conversation_intelligence import CallIntelligence

__all__ = ["Calls"]

# Mandatory fields of each kind of Insight Card line (reference "Insight Cards").
_CARD_FIELDS: Mapping[str, tuple[str, ...]] = {
    "title": ("text",),
    "shortText": ("text",),
    "user": ("label", "user_id"),
}


def _fetch_query(fetch_contact: bool | None, fetch_short_urls: bool | None) -> dict[str, Any]:
    return {"fetch_contact": fetch_contact, "fetch_short_urls": fetch_short_urls}


def _call_path(call_id: int, tail: str = "") -> str:
    return f"/calls/{check_id(call_id, 'call_id')}{tail}"


def _tag_ids(tags: Sequence[int], name: str) -> list[int]:
    items = check_sequence(tags, name, "a non-empty list of Tag ids", non_empty=True)
    return [int(check_id(tag, f"{name}[{i}]")) for i, tag in enumerate(items)]


def _card_lines(
    contents: Sequence[InsightCardLineBase | Mapping[str, Any]],
) -> list[dict[str, Any]]:
    lines = json_list(contents, "contents")
    if not lines:
        raise ValueError("contents must hold at least one Insight Card line")
    for i, line in enumerate(lines):
        kind = line.get("type")
        required = _CARD_FIELDS.get(kind) if isinstance(kind, str) else None
        if required is None:
            raise ValueError(
                f"contents[{i}].type must be one of {', '.join(_CARD_FIELDS)}; got {kind!r}"
            )
        for field in required:
            value = line.get(field)
            if field == "user_id":
                check_id(value, f"contents[{i}].user_id")
            else:
                check_text(value, f"contents[{i}].{field}")
    return lines


class Calls(CallIntelligence):
    """``client.calls``: inbound and outbound Calls of the company (three months of history)."""

    __slots__ = ()

    def list(
        self,
        *,
        from_: Timestamp | None = None,
        to: Timestamp | None = None,
        order: Order | None = None,
        fetch_contact: bool | None = None,
        fetch_short_urls: bool | None = None,
        per_page: int = MAX_PER_PAGE,
        limit: int | None = None,
    ) -> Paginator[Call]:
        """Every Call, optionally started in ``(from_, to]`` (``GET /v1/calls``).

        The service excludes a Call started exactly at ``from_`` (captured behaviour, see
        docs/SOURCES.md). Past the API's 10,000-item cap the paginator continues by
        creation time. ``fetch_contact=True`` adds the Contact to each Call,
        ``fetch_short_urls=True`` fills ``recording_short_url``/``voicemail_short_url``
        (null otherwise). Raises ValueError for a naive datetime, a bad ``order`` or
        ``per_page``.
        """
        query = {
            **time_query(from_=from_, to=to, order=order),
            **_fetch_query(fetch_contact, fetch_short_urls),
        }
        return self._list(
            "/calls", "calls", Call, query, per_page=per_page, limit=limit, continue_by="started_at"
        )

    async def get(
        self,
        call_id: int,
        *,
        fetch_contact: bool | None = None,
        fetch_short_urls: bool | None = None,
    ) -> Call:
        """One Call with its participants (``GET /v1/calls/:id``); NotFoundError if unknown.

        ``fetch_contact``/``fetch_short_urls`` as for :meth:`list`.
        """
        params = _fetch_query(fetch_contact, fetch_short_urls)
        return await self._get_one(_call_path(call_id), "call", Call, params=params)

    def search(
        self,
        *,
        from_: Timestamp | None = None,
        to: Timestamp | None = None,
        order: Order | None = None,
        direction: Literal["inbound", "outbound"] | None = None,
        user_id: int | None = None,
        phone_number: str | None = None,
        tags: Sequence[int] | None = None,
        fetch_contact: bool | None = None,
        fetch_short_urls: bool | None = None,
        per_page: int = MAX_PER_PAGE,
        limit: int | None = None,
    ) -> Paginator[Call]:
        """The Calls matching every filter given (``GET /v1/calls/search``).

        ``tags`` are Tag ids, all of which a Call must carry (sent as ``tags[]=``);
        ``fetch_contact``/``fetch_short_urls`` as for :meth:`list`.
        Raises ValueError for a naive datetime, a blank ``phone_number`` or a bad
        ``order``/``direction``/``user_id``/``tags``/``per_page``/``limit``.
        """
        query = {
            **time_query(from_=from_, to=to, order=order),
            "direction": check_choice(direction, "direction", ("inbound", "outbound")),
            "user_id": None if user_id is None else check_id(user_id, "user_id"),
            "phone_number": check_query_text(phone_number, "phone_number"),
            "tags": None if tags is None else _tag_ids(tags, "tags"),
            **_fetch_query(fetch_contact, fetch_short_urls),
        }
        return self._list(
            "/calls/search",
            "calls",
            Call,
            query,
            per_page=per_page,
            limit=limit,
            continue_by="started_at",
        )

    async def transfer(
        self,
        call_id: int,
        *,
        user_id: int | None = None,
        team_id: int | None = None,
        number: str | None = None,
        dispatching_strategy: DispatchingStrategy | str | None = None,
    ) -> None:
        """Cold-transfer a Call to a User, a Team or an external number
        (``POST /v1/calls/:id/transfers``, 204).

        Give exactly one of ``user_id``, ``team_id`` or ``number`` (E.164);
        ``dispatching_strategy`` only with ``team_id``: a :class:`DispatchingStrategy`
        (simultaneous, random, longest_idle) or any other non-blank string, sent as is
        since Aircall adds strategies over time. Raises ValueError otherwise, before
        sending; BadRequestError when the Call ended, the Team is too large or Aircall
        does not know the strategy; NotFoundError for an unknown Call or User.
        """
        targets = {"user_id": user_id, "team_id": team_id, "number": number}
        given = [name for name, value in targets.items() if value is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of user_id, team_id or number")
        if dispatching_strategy is not None and team_id is None:
            raise ValueError("dispatching_strategy is only valid with team_id")
        body: dict[str, Any] = {}
        if user_id is not None:
            body["user_id"] = int(check_id(user_id, "user_id"))
        elif team_id is not None:
            body["team_id"] = int(check_id(team_id, "team_id"))
        else:
            body["number"] = check_e164(number, "number")
        if dispatching_strategy is not None:
            # An open set: Aircall adds strategies, so an unlisted one is sent as given.
            strategy = check_text(dispatching_strategy, "dispatching_strategy")
            body["dispatching_strategy"] = str(strategy)
        await self._do("POST", _call_path(call_id, "/transfers"), body)

    async def comment(self, call_id: int, *, content: str) -> None:
        """Add a comment (a note) to a Call (``POST /v1/calls/:id/comments``, 201, no body).

        Raises ValueError for a blank ``content`` before sending; BadRequestError once the
        Call holds five comments.
        """
        body = {"content": check_text(content, "content")}
        await self._do("POST", _call_path(call_id, "/comments"), body)

    async def tag(self, call_id: int, *, tags: Sequence[int]) -> None:
        """Tag a Call with existing Tag ids (``POST /v1/calls/:id/tags``, 201, no body).

        Raises ValueError for an empty ``tags`` or a non-integer id, before sending.
        """
        body = {"tags": _tag_ids(tags, "tags")}
        await self._do("POST", _call_path(call_id, "/tags"), body)

    async def archive(self, call_id: int) -> Call:
        """Mark a Call as done and return it (``PUT /v1/calls/:id/archive``).

        Raises NotFoundError for an unknown Call.
        """
        return await self._send("PUT", _call_path(call_id, "/archive"), "call", Call)

    async def unarchive(self, call_id: int) -> Call:
        """Put a Call back in the To-do view and return it (``PUT /v1/calls/:id/unarchive``).

        Raises NotFoundError for an unknown Call.
        """
        return await self._send("PUT", _call_path(call_id, "/unarchive"), "call", Call)

    async def pause_recording(self, call_id: int) -> None:
        """Pause the live recording of an ongoing Call (``POST /v1/calls/:id/pause_recording``).

        Raises BadRequestError when the Call ended, NotFoundError for an unknown Call,
        MethodNotAllowedError when recording is disabled on its Number.
        """
        await self._do("POST", _call_path(call_id, "/pause_recording"))

    async def resume_recording(self, call_id: int) -> None:
        """Resume a paused recording (``POST /v1/calls/:id/resume_recording``).

        Raises BadRequestError when the Call ended, NotFoundError for an unknown Call,
        MethodNotAllowedError when recording is disabled on its Number.
        """
        await self._do("POST", _call_path(call_id, "/resume_recording"))

    async def delete_recording(self, call_id: int) -> None:
        """Delete a Call's recording, irreversibly (``DELETE /v1/calls/:id/recording``).

        Raises NotFoundError for an unknown Call.
        """
        await self._do("DELETE", _call_path(call_id, "/recording"))

    async def delete_voicemail(self, call_id: int) -> None:
        """Delete a Call's voicemail, irreversibly (``DELETE /v1/calls/:id/voicemail``).

        Raises NotFoundError for an unknown Call.
        """
        await self._do("DELETE", _call_path(call_id, "/voicemail"))

    async def insight_cards(
        self, call_id: int, *, contents: Sequence[InsightCardLineBase | Mapping[str, Any]]
    ) -> None:
        """Show an Insight Card on an ongoing Call (``POST /v1/calls/:id/insight_cards``).

        ``contents`` are :class:`InsightCardTitle`, :class:`InsightCardText` or
        :class:`InsightCardUser` lines, or dicts of the reference's shape. Raises
        ValueError (naming ``contents[i].field``) for an empty list, an unknown ``type`` or
        a missing mandatory field, before sending; BadRequestError for a malformed card;
        NotFoundError for an unknown Call.
        """
        body = {"contents": _card_lines(contents)}
        await self._do("POST", _call_path(call_id, "/insight_cards"), body)
