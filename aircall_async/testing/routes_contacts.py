"""Contacts, their phone numbers and their emails.

With ``state.quirks.detail_edits_keep_updated_at`` (as the live service may do: docs/SOURCES.md)
phone and e-mail edits leave the contact's ``updated_at`` alone."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from aiohttp import web

from .api import (
    ApiError,
    Resource,
    body,
    check_text,
    json_answer,
    no_content,
    page_answer,
    path_id,
    query_order,
    query_time_range,
    state_of,
)
from .render import API_ROOT
from .state import State, public

__all__ = ["CONTACTS", "ROUTES"]

Obj = dict[str, Any]

MAX_DETAILS = 20
_TEXT_FIELDS = ("first_name", "last_name", "company_name", "information")
_NON_DIGITS = re.compile(r"\D")

CONTACTS = Resource(
    singular="contact",
    plural="contacts",
    label="Contact",
    table=lambda s: s.contacts,
    render=lambda s, c: public(c),
    deleted_event="contact.deleted",
)


def _ordered(request: web.Request, keep: Callable[[Obj], bool] | None) -> Sequence[Obj]:
    desc = query_order(request)
    start, end = query_time_range(request)
    order_by = request.query.get("order_by") or "created_at"
    if order_by not in ("created_at", "updated_at"):
        raise ApiError(400, f"order_by must be created_at or updated_at, got {order_by!r}.")
    view = state_of(request).contacts.view(start, end, desc)
    if order_by == "created_at":
        return view if keep is None else [c for c in view if keep(c)]
    # updated_at changes on every update, so this order is built per request.
    items = view if keep is None else (c for c in view if keep(c))
    return sorted(items, key=lambda c: (c.get("updated_at") or 0, c["id"]), reverse=desc)


async def list_contacts(request: web.Request) -> web.StreamResponse:
    return page_answer(request, _ordered(request, None), "contacts")


async def search_contacts(request: web.Request) -> web.StreamResponse:
    phone = _NON_DIGITS.sub("", request.query.get("phone_number", ""))
    email = request.query.get("email", "").strip().lower()

    def keep(contact: Obj) -> bool:
        if phone and not any(
            _NON_DIGITS.sub("", str(p.get("value"))) == phone
            for p in contact.get("phone_numbers") or ()
        ):
            return False
        return not email or any(
            str(e.get("value")).lower() == email for e in contact.get("emails") or ()
        )

    return page_answer(request, _ordered(request, keep), "contacts")


def _details(state: State, data: Obj, name: str, *, required: bool) -> list[Obj]:
    raw = data.get(name)
    if raw is None and not required and name not in data:
        return []
    if not isinstance(raw, list) or (required and not raw):
        raise ApiError(
            400,
            f"{name} is mandatory and must be a non-empty array."
            if required
            else f"{name} must be an array.",
        )
    if len(raw) > MAX_DETAILS:
        raise ApiError(400, f"{name} is limited to {MAX_DETAILS} items.")
    out = []
    for index, item in enumerate(raw):
        if not isinstance(item, dict):
            raise ApiError(400, f"{name}[{index}] must be an object with label and value.")
        for key in ("label", "value"):
            if not isinstance(item.get(key), str) or not item[key].strip():
                raise ApiError(400, f"{name}[{index}].{key} must be set.")
        out.append(
            {"id": state.next_id("detail", 3367), "label": item["label"], "value": item["value"]}
        )
    return out


async def create_contact(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    data = body(request)
    for name in _TEXT_FIELDS:
        check_text(data, name, required=False, limit=255 if name != "information" else 0)
    phones = _details(state, data, "phone_numbers", required=True)
    emails = _details(state, data, "emails", required=False)
    cid = state.next_id("contact", 710)
    now = state.timestamp()
    contact: Obj = {
        "id": cid,
        "direct_link": f"{API_ROOT}/contacts/{cid}",
        "first_name": data.get("first_name"),
        "last_name": data.get("last_name"),
        "company_name": data.get("company_name"),
        "description": None,
        "information": data.get("information"),
        "is_shared": True,
        "created_at": now,
        "updated_at": now,
        "emails": emails,
        "phone_numbers": phones,
    }
    state.contacts.add(contact)
    state.emit("contact.created", "contact", public(contact))
    return CONTACTS.answer(request, contact, 201)


def _touch(state: State, contact: Obj, *, detail: bool = False) -> None:
    # The live service may not bump updated_at on phone and e-mail edits (a quirk switch).
    if not (detail and state.quirks.detail_edits_keep_updated_at):
        contact["updated_at"] = state.timestamp()
    state.emit("contact.updated", "contact", public(contact))


async def update_contact(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    contact = CONTACTS.lookup(request)
    data = body(request)
    for name in _TEXT_FIELDS:
        check_text(data, name, required=False, limit=255 if name != "information" else 0)
    for name in _TEXT_FIELDS:
        if name in data:
            contact[name] = data[name]
    _touch(state, contact)
    return CONTACTS.answer(request, contact)


# phone_details and email_details share everything but their names and normalization.
_DETAILS = {
    "phone_details": ("phone_numbers", "phone_detail", "phone_number_id", "Phone number"),
    "email_details": ("emails", "email_detail", "email_id", "Email"),
}


def _normalize(kind: str, value: str) -> str:
    # The reference shows "+19161110000" stored as "19161110000".
    return _NON_DIGITS.sub("", value) if kind == "phone_details" else value


def _detail_input(data: Obj) -> None:
    check_text(data, "value", required=True)
    check_text(data, "label", required=False)


def _add_detail(kind: str) -> Callable[[web.Request], Any]:
    field, singular, _, label = _DETAILS[kind]

    async def handler(request: web.Request) -> web.StreamResponse:
        state = state_of(request)
        contact = CONTACTS.lookup(request)
        data = body(request)
        _detail_input(data)
        if len(contact.get(field) or ()) >= MAX_DETAILS:
            raise ApiError(
                409, f"{label} limit of {MAX_DETAILS} reached on contact {contact['id']}."
            )
        detail = {
            "id": state.next_id("detail", 3367),
            "label": data.get("label", "Work"),
            "value": _normalize(kind, data["value"]),
        }
        contact[field] = [*(contact.get(field) or ()), detail]
        _touch(state, contact, detail=True)
        return json_answer({singular: detail}, 201)

    return handler


def _detail_position(request: web.Request, kind: str) -> tuple[Obj, int]:
    field, _, param, label = _DETAILS[kind]
    contact = CONTACTS.lookup(request)
    detail_id = path_id(request, param)
    for index, detail in enumerate(contact.get(field) or ()):
        if detail.get("id") == detail_id:
            return contact, index
    raise ApiError(404, f"{label} {detail_id} not found on contact {contact['id']}.")


def _update_detail(kind: str) -> Callable[[web.Request], Any]:
    field, singular, _, _ = _DETAILS[kind]

    async def handler(request: web.Request) -> web.StreamResponse:
        contact, index = _detail_position(request, kind)
        data = body(request)
        _detail_input(data)
        details = list(contact[field])
        detail = {**details[index], "value": _normalize(kind, data["value"])}
        if "label" in data:
            detail["label"] = data["label"]
        details[index] = detail
        contact[field] = details
        _touch(state_of(request), contact, detail=True)
        return json_answer({singular: detail}, 202)

    return handler


def _delete_detail(kind: str) -> Callable[[web.Request], Any]:
    field = _DETAILS[kind][0]

    async def handler(request: web.Request) -> web.StreamResponse:
        contact, index = _detail_position(request, kind)
        contact[field] = [d for i, d in enumerate(contact[field]) if i != index]
        _touch(state_of(request), contact, detail=True)
        return no_content()

    return handler


_ID = r"/v1/contacts/{id:\d+}"
ROUTES = [
    web.get("/v1/contacts", list_contacts),
    web.post("/v1/contacts", create_contact),
    web.get("/v1/contacts/search", search_contacts),
    web.get(_ID, CONTACTS.get_handler()),
    web.post(_ID, update_contact),
    web.delete(_ID, CONTACTS.delete_handler()),
]
for _kind, (_field, _singular, _param, _label) in _DETAILS.items():
    ROUTES += [
        web.post(f"{_ID}/{_kind}", _add_detail(_kind)),
        web.put(f"{_ID}/{_kind}/{{{_param}:\\d+}}", _update_detail(_kind)),
        web.delete(f"{_ID}/{_kind}/{{{_param}:\\d+}}", _delete_detail(_kind)),
    ]
