"""Shared pieces of the endpoints: the error type, JSON answers, query parsing, pagination,
validation helpers and a declarative helper for the list/get/delete routes every resource has."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from aiohttp import web

from .control import Control
from .state import State, Table, public

__all__ = [
    "CAP_MESSAGE",
    "CONTROL_KEY",
    "E164",
    "REQUEST_AUTH",
    "REQUEST_JSON",
    "ApiError",
    "Resource",
    "body",
    "error_body",
    "find",
    "json_answer",
    "no_content",
    "page_answer",
    "path_id",
    "query_bool",
    "query_order",
    "query_time_range",
    "state_of",
]

Obj = dict[str, Any]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

CONTROL_KEY: web.AppKey[Control] = web.AppKey("aircall_fake_control", Control)
# Set by the middleware for the handler's task (context variables rather than request keys:
# they need no aiohttp version-specific RequestKey).
REQUEST_JSON: ContextVar[Any] = ContextVar("aircall_fake_json", default=None)
REQUEST_AUTH: ContextVar[str | None] = ContextVar("aircall_fake_auth", default=None)

CAP = 10_000
CAP_MESSAGE = (
    "Your query is limited to 10k results and pagination is out of bound, "
    "please use timestamps or other filters."
)
E164 = re.compile(r"\+[1-9]\d{1,14}")
MAX_PER_PAGE = 50
DEFAULT_PER_PAGE = 20


class ApiError(Exception):
    """An error answer: ``status`` with ``{"error", "troubleshoot"}``; ``error`` defaults to
    the status's reason phrase."""

    def __init__(self, status: int, troubleshoot: str, error: str | None = None) -> None:
        super().__init__(troubleshoot)
        self.status = status
        self.troubleshoot = troubleshoot
        self.error = error or HTTPStatus(status).phrase


def error_body(status: int, troubleshoot: str, error: str | None = None) -> Obj:
    """The JSON error object the API sends."""
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    return {"error": error or phrase, "troubleshoot": troubleshoot}


def json_answer(data: Any, status: int = 200) -> web.Response:
    """A JSON answer."""
    return web.json_response(data, status=status)


def no_content(status: int = 204) -> web.Response:
    """An answer without a body (204, or 200/201 when the reference shows no body)."""
    return web.Response(status=status)


def state_of(request: web.Request) -> State:
    """The in-memory state of the server answering ``request``."""
    return request.app[CONTROL_KEY].state


def path_id(request: web.Request, name: str = "id") -> int:
    """An integer path parameter (routes constrain them to digits)."""
    return int(request.match_info[name])


def body(request: web.Request) -> Obj:
    """The JSON object sent as body ({} when there is none); raises ApiError 400 otherwise."""
    data = REQUEST_JSON.get()
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ApiError(400, "The request body must be a JSON object.")
    return data


def _query_int(query: Mapping[str, str], name: str, default: int, minimum: int) -> int:
    raw = query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, f"{name} must be an integer, got {raw!r}.") from None
    if value < minimum:
        raise ApiError(400, f"{name} must be greater than or equal to {minimum}.")
    return value


def query_bool(request: web.Request, name: str) -> bool:
    """A boolean query flag: ``true``/``1`` is True, anything else False."""
    return request.query.get(name, "").lower() in ("true", "1")


def query_order(request: web.Request) -> bool:
    """``order`` (asc|desc, default asc); returns True for desc, raises ApiError 400 otherwise."""
    order = request.query.get("order", "asc") or "asc"
    if order not in ("asc", "desc"):
        raise ApiError(400, f"order must be asc or desc, got {order!r}.")
    return order == "desc"


def query_time_range(request: web.Request) -> tuple[int | None, int | None]:
    """``from``/``to`` as UNIX seconds (None when absent); raises ApiError 400 when not integers."""
    out: list[int | None] = []
    for name in ("from", "to"):
        raw = request.query.get(name)
        if raw is None or raw == "":
            out.append(None)
            continue
        try:
            out.append(int(float(raw)))
        except ValueError:
            raise ApiError(400, f"{name} must be a UNIX timestamp, got {raw!r}.") from None
    return out[0], out[1]


def _page_link(request: web.Request, page: int, per_page: int) -> str:
    query = [(k, v) for k, v in request.query.items() if k not in ("page", "per_page")]
    query += [("page", str(page)), ("per_page", str(per_page))]
    return str(request.url.with_query(query))


def page_answer(
    request: web.Request,
    items: Sequence[Obj],
    key: str,
    render: Callable[[Obj], Obj] = public,
) -> web.Response:
    """One page of ``items`` under ``key`` with the ``meta`` object and absolute links.

    The 10,000-item cap is positional, on every list, as captured from the service
    (docs/SOURCES.md): ``page * per_page > 10000`` is a 400 even when ``total`` is 0; the
    last page within the cap has no ``next_page_link``; ``meta.total`` stays the true total.
    Raises ApiError 400 on a bad ``page``/``per_page`` or a page past the cap.
    """
    page = _query_int(request.query, "page", 1, 1)
    per_page = min(_query_int(request.query, "per_page", DEFAULT_PER_PAGE, 1), MAX_PER_PAGE)
    if page * per_page > CAP:
        raise ApiError(400, CAP_MESSAGE)
    total = len(items)
    start = (page - 1) * per_page
    end = min(start + per_page, total)
    chunk = [render(item) for item in items[start:end]] if start < end else []
    more = end < total and (page + 1) * per_page <= CAP
    meta = {
        "count": len(chunk),
        "total": total,
        "current_page": page,
        "per_page": per_page,
        "next_page_link": _page_link(request, page + 1, per_page) if more else None,
        "previous_page_link": _page_link(request, page - 1, per_page) if page > 1 else None,
    }
    return json_answer({"meta": meta, key: chunk})


def find(table: Table, obj_id: int, label: str) -> Obj:
    """The object with this id; raises ApiError 404 naming ``label`` when there is none."""
    obj = table.get(obj_id)
    if obj is None:
        raise ApiError(404, f"{label} {obj_id} not found.")
    return obj


@dataclass(frozen=True)
class Resource:
    """The list/get/delete endpoints of one resource, declared once.

    ``render(state, obj)`` gives the object of a retrieve; ``render_item`` the one in a list
    (defaults to ``render``). ``timed`` lists accept ``from``/``to``/``order``.
    ``deleted_event`` is emitted on delete.
    """

    singular: str
    plural: str
    label: str
    table: Callable[[State], Table]
    render: Callable[[State, Obj], Obj]
    render_item: Callable[[State, Obj], Obj] | None = None
    timed: bool = True
    deleted_event: str | None = None

    def lookup(self, request: web.Request, name: str = "id") -> Obj:
        """The object named by the path; raises ApiError 404."""
        return find(self.table(state_of(request)), path_id(request, name), self.label)

    def answer(self, request: web.Request, obj: Obj, status: int = 200) -> web.Response:
        """``{"<singular>": obj}`` rendered."""
        return json_answer({self.singular: self.render(state_of(request), obj)}, status)

    def list_handler(self) -> Handler:
        """``GET /<plural>``: paginated, optionally filtered by creation time and ordered."""

        async def handler(request: web.Request) -> web.StreamResponse:
            state = state_of(request)
            desc = query_order(request)
            start, end = query_time_range(request) if self.timed else (None, None)
            items = self.table(state).view(start, end, desc)
            render = self.render_item or self.render
            return page_answer(request, items, self.plural, lambda o: render(state, o))

        return handler

    def get_handler(self) -> Handler:
        """``GET /<plural>/:id``; 404 when unknown."""

        async def handler(request: web.Request) -> web.StreamResponse:
            return self.answer(request, self.lookup(request))

        return handler

    def delete_handler(self) -> Handler:
        """``DELETE /<plural>/:id``: 204, 404 when unknown."""

        async def handler(request: web.Request) -> web.StreamResponse:
            state = state_of(request)
            obj = self.lookup(request)
            data = self.render(state, obj)
            self.table(state).remove(obj["id"])
            if self.deleted_event:
                state.emit(self.deleted_event, self.singular, data)
            return no_content()

        return handler


def check_text(data: Obj, name: str, *, required: bool, status: int = 400, limit: int = 0) -> None:
    """Validate a string field: present when ``required``, never blank when given, at most
    ``limit`` characters when ``limit``; raises ApiError ``status`` naming the field."""
    if name not in data:
        if required:
            raise ApiError(status, f"{name} is mandatory.")
        return
    value = data[name]
    if not isinstance(value, str) or not value.strip():
        raise ApiError(status, f"{name} can't be blank.")
    if limit and len(value) > limit:
        raise ApiError(status, f"{name} can't exceed {limit} characters.")
