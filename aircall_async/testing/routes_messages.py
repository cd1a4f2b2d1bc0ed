"""Messages (beyond the reference, docs/COVERAGE.md): sends in conversation or skipping the
inbox, group and WhatsApp sends, SMS and WhatsApp templates, line status, configuration.

Every send is validated like the API (E.164 numbers, body length, media URLs), stored in
``state.beyond.messages`` and fires ``message.sent`` (``group_message.sent`` for groups).
:func:`receive_message` stores an inbound message and fires ``message.received``.
Sending skipping the inbox needs the Number's messaging configuration (400 otherwise).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web
from yarl import URL

from .api import (
    E164,
    ApiError,
    body,
    check_text,
    find,
    json_answer,
    no_content,
    page_answer,
    path_id,
    state_of,
)
from .render import API_ROOT, number_summary
from .state import State, epoch_to_iso

__all__ = ["ROUTES", "WHATSAPP_TEMPLATES", "receive_message"]

Obj = dict[str, Any]

MAX_BODY = 1600
MAX_WHATSAPP_TEXT = 4096

#: The templates every Number of the fake offers on WhatsApp (the fake's own examples).
WHATSAPP_TEMPLATES: tuple[Obj, ...] = tuple(
    {"name": f"template_{i}", "status": status, "category": category, "language": "en"}
    for i, (status, category) in enumerate(
        [
            ("APPROVED", "UTILITY"),
            ("APPROVED", "MARKETING"),
            ("PENDING", "UTILITY"),
            ("REJECTED", "AUTHENTICATION"),
        ],
        start=1,
    )
)


def _e164(value: Any, name: str) -> str:
    if not isinstance(value, str) or not E164.fullmatch(value):
        raise ApiError(400, f"{name} must be a phone number in E.164 format (+18001231234).")
    return value


def _media(data: Obj) -> list[str]:
    urls = data.get("mediaUrl")
    if urls is None:
        return []
    if not isinstance(urls, list) or not urls:
        raise ApiError(400, "mediaUrl must be a non-empty list of URLs.")
    for url in urls:
        parsed = URL(url) if isinstance(url, str) else None
        if parsed is None or parsed.scheme not in ("http", "https") or not parsed.host:
            raise ApiError(400, f"mediaUrl holds an invalid URL: {url!r}.")
    return list(urls)


def _number(request: web.Request, state: State, number_id: int | None = None) -> Obj:
    return find(state.numbers, path_id(request) if number_id is None else number_id, "Number")


def _store(state: State, number: Obj, message: Obj, event: str, resource: str) -> Obj:
    now = epoch_to_iso(state.timestamp())
    message.update(created_at=now, updated_at=now, number=number_summary(number))
    state.beyond.messages.append(message)
    state.emit(event, resource, message)
    return message


def _message(state: State, number: Obj, to: str, data: Obj, **extra: Any) -> Obj:
    mid = f"msg{state.next_id('message', 1)}"
    message: Obj = {
        "id": mid,
        "direct_link": f"{API_ROOT}/messages/{mid}",
        "direction": "outbound",
        "external_number": to,
        "raw_digits": to,
        "status": "sent",
        "sent_at": epoch_to_iso(state.timestamp()),
        **extra,
    }
    message.setdefault("body", data.get("body"))
    return _store(state, number, message, "message.sent", "message")


async def _send(request: web.Request, *, needs_configuration: bool) -> web.StreamResponse:
    state = state_of(request)
    number = _number(request, state)
    if needs_configuration and number["id"] not in state.beyond.messaging_configurations:
        raise ApiError(400, f"Number {number['id']} has no messaging configuration.")
    data = body(request)
    to = _e164(data.get("to"), "to")
    check_text(data, "body", required=True, limit=MAX_BODY)
    media = _media(data)
    return json_answer(_message(state, number, to, data, media_url=media), 201)


async def send_native(request: web.Request) -> web.StreamResponse:
    return await _send(request, needs_configuration=False)


async def send_skipping_inbox(request: web.Request) -> web.StreamResponse:
    return await _send(request, needs_configuration=True)


async def _send_group(request: web.Request, *, native: bool) -> web.StreamResponse:
    state = state_of(request)
    number = _number(request, state)
    data = body(request)
    participants = data.get("participants")
    if not isinstance(participants, list) or not participants:
        raise ApiError(400, "participants must be a non-empty list of phone numbers.")
    for value in participants:
        _e164(value, "participants")
    if native or "mediaUrl" not in data:
        check_text(data, "body", required=True, limit=MAX_BODY)
    media = _media(data)
    if "body" in data and media:
        raise ApiError(400, "Send either body or mediaUrl, not both.")
    gid = state.next_id("group_message", 1)
    message: Obj = {
        "group_message_id": f"gm{gid}",
        "group_conversation_id": f"gc{number['id']}",
        "direct_link": f"{API_ROOT}/group_messages/gm{gid}",
        "direction": "outbound",
        "status": "sent",
        "participants": list(participants),
        "body": data.get("body"),
        "media_url": media,
        "sent_at": epoch_to_iso(state.timestamp()),
    }
    _store(state, number, message, "group_message.sent", "group_message")
    return json_answer(message, 201)


async def send_group_native(request: web.Request) -> web.StreamResponse:
    return await _send_group(request, native=True)


async def send_group_skipping_inbox(request: web.Request) -> web.StreamResponse:
    return await _send_group(request, native=False)


async def _send_whatsapp(request: web.Request, recipient_field: str) -> web.StreamResponse:
    state = state_of(request)
    data = body(request)
    line = data.get("lineId")
    if isinstance(line, bool) or not isinstance(line, int):
        raise ApiError(400, "lineId must be the id of a Number.")
    number = _number(request, state, line)
    to = _e164(data.get(recipient_field), recipient_field)
    has_text, has_template = "text" in data, "templateParams" in data
    if has_text == has_template:
        raise ApiError(400, "Send exactly one of text or templateParams.")
    if has_text:
        check_text(data, "text", required=True, limit=MAX_WHATSAPP_TEXT)
    elif not isinstance(data["templateParams"], dict):
        raise ApiError(400, "templateParams must be an object.")
    extra = {"channel": "whatsapp", "body": data.get("text")}
    return json_answer(_message(state, number, to, data, **extra), 201)


async def send_whatsapp_native(request: web.Request) -> web.StreamResponse:
    return await _send_whatsapp(request, "externalNumber")


async def send_whatsapp_skipping_inbox(request: web.Request) -> web.StreamResponse:
    return await _send_whatsapp(request, "to")


async def create_configuration(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    number = _number(request, state)
    data = body(request)
    callback = data.get("callbackUrl")
    parsed = URL(callback) if isinstance(callback, str) else None
    if parsed is None or parsed.scheme not in ("http", "https") or not parsed.host:
        raise ApiError(400, "callbackUrl must be an absolute URL.")
    check_text(data, "type", required=True)
    config = {"callbackUrl": callback, "type": data["type"]}
    state.beyond.messaging_configurations[number["id"]] = config
    return json_answer(config, 201)


def _configuration(request: web.Request) -> tuple[State, Obj]:
    state = state_of(request)
    number = _number(request, state)
    config = state.beyond.messaging_configurations.get(number["id"])
    if config is None:
        raise ApiError(404, f"Number {number['id']} has no messaging configuration.")
    return state, number


async def get_configuration(request: web.Request) -> web.StreamResponse:
    state, number = _configuration(request)
    return json_answer(state.beyond.messaging_configurations[number["id"]])


async def delete_configuration(request: web.Request) -> web.StreamResponse:
    state, number = _configuration(request)
    del state.beyond.messaging_configurations[number["id"]]
    return no_content()


async def list_sms_templates(request: web.Request) -> web.StreamResponse:
    state = state_of(request)
    search = request.query.get("search", "").lower()
    templates = [
        t
        for t in state.beyond.sms_templates
        if search in str(t.get("name", "")).lower() or search in str(t.get("body", "")).lower()
    ]
    return page_answer(request, templates, "templates")


async def list_whatsapp_templates(request: web.Request) -> web.StreamResponse:
    _number(request, state_of(request))
    query = request.query
    templates = [
        t
        for t in WHATSAPP_TEMPLATES
        if query.get("status", t["status"]) == t["status"]
        and query.get("category", t["category"]) == t["category"]
    ]
    try:
        start = int(query.get("token") or 0)
        limit = int(query.get("limit") or 20)
    except ValueError:
        raise ApiError(400, "token and limit must be integers.") from None
    if start < 0 or limit < 1:
        raise ApiError(400, "token must be >= 0 and limit >= 1.")
    end = start + limit
    next_token = str(end) if end < len(templates) else None
    return json_answer({"templates": templates[start:end], "pageInfo": {"nextToken": next_token}})


async def whatsapp_status(request: web.Request) -> web.StreamResponse:
    number = _number(request, state_of(request))
    return json_answer(
        {
            "wabaId": f"waba-{number['id']}",
            "status": "CONNECTED",
            "canSendMessage": True,
            "messagingLimitTier": "TIER_1K",
            "qualityRating": "GREEN",
            "businessVerificationStatus": "verified",
        }
    )


def receive_message(state: State, number_id: int, *, from_: str, body: str) -> Obj:
    """Store an inbound message on a Number and fire ``message.received``.

    Raises KeyError for an unknown Number, ValueError for ``from_`` not in E.164.
    """
    number = state.numbers.get(number_id)
    if number is None:
        raise KeyError(f"no number {number_id}")
    if not E164.fullmatch(from_):
        raise ValueError("from_ must be a phone number in E.164 format")
    mid = f"msg{state.next_id('message', 1)}"
    message: Obj = {
        "id": mid,
        "direct_link": f"{API_ROOT}/messages/{mid}",
        "direction": "inbound",
        "external_number": from_,
        "raw_digits": from_,
        "body": body,
        "status": "received",
    }
    return _store(state, number, message, "message.received", "message")


_NUMBER = r"/v1/numbers/{id:\d+}"
ROUTES = [
    web.post(_NUMBER + "/messages/configuration", create_configuration),
    web.get(_NUMBER + "/messages/configuration", get_configuration),
    web.delete(_NUMBER + "/messages/configuration", delete_configuration),
    web.post(_NUMBER + "/messages/native/send", send_native),
    web.post(_NUMBER + "/messages/send", send_skipping_inbox),
    web.post(_NUMBER + "/messages/group/native/send", send_group_native),
    web.post(_NUMBER + "/messages/group/send", send_group_skipping_inbox),
    web.post("/v1/messages/send/whatsapp/native", send_whatsapp_native),
    web.post("/v1/messages/whatsapp/send", send_whatsapp_skipping_inbox),
    web.get("/v1/sms/templates", list_sms_templates),
    web.get(_NUMBER + "/templates", list_whatsapp_templates),
    web.get(_NUMBER + "/whatsapp_status", whatsapp_status),
]
