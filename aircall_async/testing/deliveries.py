"""Build valid Aircall webhook deliveries, to test your handlers.

>>> payload = build_delivery("call.ended", sample_data("call"), token="45XXYYZZa08")
>>> status = await deliver(session, "http://127.0.0.1:8080/aircall/webhooks/", payload)

The sample ``data`` dicts are the object examples of the API reference (User, Call,
Number, Contact), the ``integration.deleted`` example, and samples of the events beyond the
reference (:mod:`.samples_beyond`); :func:`sample_data` returns a
fresh copy each time, so tests may mutate it.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

import aiohttp
from aiohttp import web

from aircall_async._rules import is_int, unix_seconds
from aircall_async.webhooks.events import KNOWN_RESOURCES, check_event_name, resource_of

from .samples_beyond import SAMPLE_DATA_BEYOND

__all__ = [
    "SAMPLE_DATA",
    "WEBHOOK_PATH",
    "build_delivery",
    "deliver",
    "mount_receiver",
    "sample_data",
]

#: Where :func:`mount_receiver` mounts the receiver by default.
WEBHOOK_PATH: Final = "/aircall/webhooks/"

_NUMBER_MESSAGES: Final = {
    "welcome": "https://example.com/welcome.mp3",
    "waiting": "https://example.com/waiting_music.mp3",
    "ivr": "https://example.com/ivr_message.mp3",
    "voicemail": "https://example.com/voicemail.mp3",
    "closed": "https://example.com/closed_message.mp3",
    "callback_later": "https://example.com/callback_later.mp3",
    "unanswered_call": "https://example.com/unanswered_call.mp3",
    "after_hours": "https://example.com/closed_message.mp3",
    "ringing_tone": "https://example.com/waiting_music.mp3",
}

_NUMBER_SUMMARY: Final = {
    "id": 1234,
    "direct_link": "https://api.aircall.io/v1/numbers/1234",
    "name": "French Office",
    "digits": "+33 1 76 11 11 11",
    "created_at": "2020-01-02T11:41:01.000Z",
    "country": "FR",
    "time_zone": "Europe/Paris",
    "open": True,
    "availability_status": "custom",
    "is_ivr": True,
    "live_recording_activated": True,
    "priority": None,
    "messages": _NUMBER_MESSAGES,
}

_USER_SUMMARY: Final = {
    "id": 456,
    "direct_link": "https://api.aircall.io/v1/users/456",
    "name": "John Doe",
    "email": "john.doe@aircall.io",
    "available": True,
    "availability_status": "available",
    "created_at": "2019-12-29T10:03:18.000Z",
}

#: ``data`` examples per resource, from the reference ("Retrieve a ..." responses).
SAMPLE_DATA: Final[Mapping[str, Mapping[str, Any]]] = {
    "user": {
        **_USER_SUMMARY,
        "time_zone": "America/New_York",
        "language": "en-US",
        "wrap_up_time": 0,
        "default_number_id": 1234,
        "numbers": [_NUMBER_SUMMARY],
    },
    "call": {
        "id": 812,
        "direct_link": "https://api.aircall.io/v1/calls/812",
        "direction": "outbound",
        "status": "done",
        "missed_call_reason": None,
        "started_at": 1584998199,
        "answered_at": 1584998205,
        "ended_at": 1584998210,
        "duration": 11,
        "voicemail": None,
        "recording": None,
        "asset": None,
        "raw_digits": "+1 800-123-4567",
        "user": {**_USER_SUMMARY, "time_zone": "America/New_York", "language": "en-US"},
        "contact": None,
        "archived": False,
        "assigned_to": None,
        "transferred_by": None,
        "transferred_to": None,
        "cost": "2.34",
        "number": _NUMBER_SUMMARY,
        "comments": [
            {
                "id": 735,
                "content": "Please call back this customer!",
                "posted_at": 1587994808,
                "posted_by": {**_USER_SUMMARY, "name": "Johnn Doe"},
            }
        ],
        "tags": [
            {
                "id": 678,
                "name": "General Inquiries",
                "created_at": 1587995020,
                "tagged_by": {**_USER_SUMMARY, "name": "Johnn Doe"},
            }
        ],
        "participants": [
            {"name": "John Doe", "id": 456, "type": "user"},
            {
                "name": "Jennifer Smith",
                "phone_number": "+33 7 49 88 29 71",
                "id": 5443,
                "type": "contact",
            },
            {"name": "Rafael Lopez", "id": 457, "type": "user"},
        ],
        "teams": [],
    },
    "number": {
        **_NUMBER_SUMMARY,
        "users": [{**_USER_SUMMARY, "time_zone": "America/New_York"}],
    },
    "contact": {
        "id": 710,
        "direct_link": "https://api.aircall.io/v1/contacts/710",
        "first_name": "Vicente",
        "last_name": "Abad",
        "company_name": None,
        "information": None,
        "is_shared": True,
        "created_at": 1400691054,
        "updated_at": 1444336506,
        "emails": [],
        "phone_numbers": [{"id": 3367, "label": "Mobile", "value": "+34664673697"}],
    },
    "integration": {"integration_id": 42, "company_id": 1},
    **SAMPLE_DATA_BEYOND,
}


def sample_data(resource: str) -> dict[str, Any]:
    """A fresh deep copy of the reference's example ``data`` for ``resource``.

    Raises:
        KeyError: if ``resource`` is not user, call, number, contact or integration.
    """
    return copy.deepcopy(dict(SAMPLE_DATA[resource]))


def _timestamp(value: int | datetime | None) -> int:
    if value is None:
        return int(time.time())
    if isinstance(value, datetime):
        return unix_seconds(value, "timestamp")
    if not is_int(value):
        raise TypeError("timestamp must be an int, an aware datetime or None")
    return value


def build_delivery(
    event: str,
    data: Mapping[str, Any] | object | None = None,
    *,
    token: str,
    timestamp: int | datetime | None = None,
) -> dict[str, Any]:
    """A delivery body exactly as Aircall sends it for ``event``.

    ``data`` is a mapping or a model of :mod:`aircall_async.models` (unstructured to the
    API's shape); None uses :func:`sample_data` of the event's resource. ``timestamp``
    defaults to now.

    Raises:
        ValueError: if ``event`` is not one of the 67 events (the message suggests the
            closest), or ``timestamp`` is a naive datetime.
        TypeError: if ``data`` is neither a mapping nor a model, or ``timestamp`` has a
            wrong type.
    """
    name = check_event_name(event)
    resource = resource_of(name)
    assert resource in KNOWN_RESOURCES
    if data is None:
        body: dict[str, Any] = sample_data(resource)
    elif isinstance(data, Mapping):
        body = copy.deepcopy(dict(data))
    else:
        from aircall_async.models import unstructure

        body = unstructure(data)
    return {
        "event": name,
        "resource": resource,
        "timestamp": _timestamp(timestamp),
        "token": token,
        "data": body,
    }


async def deliver(
    session: aiohttp.ClientSession, url: str, payload: Mapping[str, Any]
) -> tuple[int, Any]:
    """POST ``payload`` to ``url`` as Aircall does; return (status, decoded JSON body or None).

    Raises:
        aiohttp.ClientError: if the request fails without an answer.
    """
    async with session.post(url, json=dict(payload)) as response:
        try:
            answer = await response.json(content_type=None)
        except ValueError:
            answer = None
        return response.status, answer


def mount_receiver(sub: web.Application, prefix: str = WEBHOOK_PATH) -> web.Application:
    """A parent aiohttp app with the receiver ``sub`` mounted at ``prefix``, as in production.

    Serve it with pytest-aiohttp's ``aiohttp_client`` and post to ``prefix``.
    """
    app = web.Application()
    app.add_subapp(prefix, sub)
    return app
