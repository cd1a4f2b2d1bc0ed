"""The webhook events (the reference's 34 and the 33 of Aircall's current catalog, see
docs/COVERAGE.md) and the typed objects handlers receive. (Over 400 lines because it is the
whole catalog: the names, their typed events and the parsing, in one place.)

Everything here is pure: :func:`parse_event` turns a decoded delivery (a dict) into a
:class:`WebhookEvent` (or one of its typed subclasses) and raises :class:`InvalidDelivery`
with a short reason when the envelope is unusable (a known event's ``data`` without the
id its model requires included). The ``data`` of a known event is structured leniently
into its model, so any other odd field never stops a delivery, and only when it is first
read: a handler that never reads ``event.data`` (or reads only ``event.raw``) never pays
for the model.
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Mapping
from datetime import datetime, timezone
from enum import Enum
from typing import TYPE_CHECKING, Any, Final, Generic, TypeVar

import attrs

from aircall_async._rules import is_int
from aircall_async.errors import ResponseShapeError
from aircall_async.models import (
    AIVoiceAgentSession,
    AnalyticsReport,
    Call,
    Contact,
    ConversationIntelligence,
    GroupMessage,
    Message,
    Number,
    RealtimeTranscription,
    User,
    check_required,
    structure,
)

__all__ = [
    "INTELLIGENCE_RESOURCES",
    "KNOWN_EVENTS",
    "KNOWN_RESOURCES",
    "REFERENCE_EVENTS",
    "AIVoiceAgentEvent",
    "AnalyticsEvent",
    "CallEvent",
    "ContactEvent",
    "ConversationIntelligenceEvent",
    "EventName",
    "GroupMessageEvent",
    "IntegrationDeleted",
    "IntegrationEvent",
    "InvalidDelivery",
    "MessageEvent",
    "NumberEvent",
    "RealtimeTranscriptionEvent",
    "UserEvent",
    "WebhookEvent",
    "check_event_name",
    "closest_event_name",
    "event_class_of",
    "parse_event",
    "resource_of",
]

logger = logging.getLogger("aircall_async.webhooks")


class EventName(str, Enum):
    """Names of the 67 events of Aircall's catalog (the reference's 34 first); each member
    equals its string."""

    USER_CREATED = "user.created"
    USER_DELETED = "user.deleted"
    USER_CONNECTED = "user.connected"
    USER_DISCONNECTED = "user.disconnected"
    USER_OPENED = "user.opened"
    USER_CLOSED = "user.closed"
    USER_WUT_START = "user.wut_start"
    USER_WUT_END = "user.wut_end"
    CALL_CREATED = "call.created"
    CALL_RINGING_ON_AGENT = "call.ringing_on_agent"
    CALL_AGENT_DECLINED = "call.agent_declined"
    CALL_ANSWERED = "call.answered"
    CALL_TRANSFERRED = "call.transferred"
    CALL_UNSUCCESSFUL_TRANSFER = "call.unsuccessful_transfer"
    CALL_HUNGUP = "call.hungup"
    CALL_ENDED = "call.ended"
    CALL_VOICEMAIL_LEFT = "call.voicemail_left"
    CALL_COMMENTED = "call.commented"
    CALL_TAGGED = "call.tagged"
    CALL_UNTAGGED = "call.untagged"
    CALL_ASSIGNED = "call.assigned"
    CALL_ARCHIVED = "call.archived"
    CALL_HOLD = "call.hold"
    CALL_UNHOLD = "call.unhold"
    CALL_IVR_OPTION_SELECTED = "call.ivr_option_selected"
    CALL_COMM_ASSETS_GENERATED = "call.comm_assets_generated"
    NUMBER_CREATED = "number.created"
    NUMBER_DELETED = "number.deleted"
    NUMBER_OPENED = "number.opened"
    NUMBER_CLOSED = "number.closed"
    CONTACT_CREATED = "contact.created"
    CONTACT_UPDATED = "contact.updated"
    CONTACT_DELETED = "contact.deleted"
    INTEGRATION_DELETED = "integration.deleted"
    # Beyond the reference (docs/COVERAGE.md).
    USER_CREATED_V2 = "user.created.v2"
    USER_DELETED_V2 = "user.deleted.v2"
    USER_CONNECTED_V2 = "user.connected.v2"
    USER_DISCONNECTED_V2 = "user.disconnected.v2"
    USER_OPENED_V2 = "user.opened.v2"
    USER_CLOSED_V2 = "user.closed.v2"
    USER_WUT_START_V2 = "user.wut_start.v2"
    USER_WUT_END_V2 = "user.wut_end.v2"
    CALL_EXTERNAL_TRANSFERRED = "call.external_transferred"
    MESSAGE_SENT = "message.sent"
    MESSAGE_RECEIVED = "message.received"
    MESSAGE_STATUS_UPDATED = "message.status_updated"
    GROUP_MESSAGE_SENT = "group_message.sent"
    GROUP_MESSAGE_RECEIVED = "group_message.received"
    GROUP_MESSAGE_STATUS_UPDATED = "group_message.status_updated"
    TRANSCRIPTION_CREATED = "transcription.created"
    SUMMARY_CREATED = "summary.created"
    TOPICS_CREATED = "topics.created"
    SENTIMENT_CREATED = "sentiment.created"
    ACTION_ITEM_CREATED = "action_item.created"
    PLAYBOOK_RESULT_CREATED = "playbook_result.created"
    PLAYBOOK_RESULT_UPDATED = "playbook_result.updated"
    CUSTOM_SUMMARY_RESULT_CREATED = "custom_summary.result_created"
    CUSTOM_SUMMARY_RESULT_UPDATED = "custom_summary.result_updated"
    CALL_EVALUATION_CREATED = "call_evaluation.created"
    CALL_EVALUATION_UPDATED = "call_evaluation.updated"
    REALTIME_TRANSCRIPTION_UTTERANCES_RECEIVED = "realtime_transcription.utterances_received"
    AI_VOICE_AGENT_STARTED = "ai_voice_agent.started"
    AI_VOICE_AGENT_ENDED = "ai_voice_agent.ended"
    AI_VOICE_AGENT_ESCALATED = "ai_voice_agent.escalated"
    AI_VOICE_AGENT_SUMMARY = "ai_voice_agent.summary"
    ANALYTICS_REPORT_CREATED = "analytics.report_created"
    ANALYTICS_REPORT_FAILED = "analytics.report_failed"

    def __str__(self) -> str:
        # Python 3.11 changed str() of mixed-in enums; keep "call.ended" everywhere.
        return str(self.value)


#: Every event name of the catalog, as plain strings.
KNOWN_EVENTS: Final[frozenset[str]] = frozenset(e.value for e in EventName)

#: The 34 event names of the API reference (the first members of :class:`EventName`).
REFERENCE_EVENTS: Final[frozenset[str]] = frozenset(e.value for e in list(EventName)[:34])

#: The ``resource`` of each event family (the part of the name before the dot).
KNOWN_RESOURCES: Final[frozenset[str]] = frozenset(name.split(".", 1)[0] for name in KNOWN_EVENTS)


def resource_of(event: str) -> str:
    """The resource an event name belongs to: ``"call.ended"`` -> ``"call"``."""
    return str(event).split(".", 1)[0]


def closest_event_name(name: str, candidates: frozenset[str] = KNOWN_EVENTS) -> str | None:
    """The candidate closest to ``name`` (difflib), or None when nothing is close."""
    matches = difflib.get_close_matches(name, sorted(candidates), n=1, cutoff=0.5)
    return matches[0] if matches else None


def check_event_name(name: str, allowed: frozenset[str] = KNOWN_EVENTS) -> str:
    """``name`` (a string or an :class:`EventName`) as a plain string, if it is ``allowed``.

    The one check behind :meth:`WebhookRouter.on`, ``build_delivery`` and the fake
    server's ``fire``.

    Raises:
        ValueError: if ``name`` is not in ``allowed`` (the message suggests the closest).
    """
    value = getattr(name, "value", name)
    if not isinstance(value, str) or value not in allowed:
        closest = closest_event_name(str(value), allowed)
        hint = f"; did you mean {closest!r}?" if closest else ""
        raise ValueError(f"unknown webhook event {value!r}{hint}")
    return value


class InvalidDelivery(ValueError):
    """A delivery whose envelope cannot be used; ``reason`` is short and safe to echo."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@attrs.frozen(slots=True, kw_only=True)
class IntegrationDeleted:
    """The ``data`` of ``integration.deleted``: which integration of which company."""

    integration_id: int | None = None
    company_id: int | None = None
    raw: Mapping[str, Any] = attrs.field(factory=dict, eq=False, repr=False)


if TYPE_CHECKING:
    # A default, so that a bare ``WebhookEvent`` annotation means ``WebhookEvent[Any]``
    # under ``mypy --strict`` (PEP 696; typing_extensions is only needed by the checker).
    from typing_extensions import TypeVar as _DefaultedTypeVar

    D = _DefaultedTypeVar("D", default=Any)
else:
    D = TypeVar("D")


@attrs.frozen(slots=True, kw_only=True)
class WebhookEvent(Generic[D]):
    """One delivery: ``event`` name, ``resource``, ``timestamp`` (aware, UTC), ``token``, ``data``.

    ``data`` is the raw ``dict`` for an event this version does not know; the typed
    subclasses carry a model instead. ``token`` is the webhook token that was verified:
    with several configured tokens it tells which account the event came from. It is
    kept out of ``repr``. ``raw`` is the whole decoded body.
    """

    event: str
    resource: str
    timestamp: datetime
    token: str = attrs.field(repr=False)
    data: D
    raw: Mapping[str, Any] = attrs.field(eq=False, repr=False)

    @property
    def resource_id(self) -> Any:
        """The id of the object the event is about (``integration_id`` for integrations)."""
        return resource_id_of(self.raw.get("data"))

    if not TYPE_CHECKING:  # (for the checker, ``data`` is the plain field it always is)

        def __getattr__(self, name: str) -> Any:
            # Only reached for an unset slot: ``data`` of an event from build_event, which
            # structures it on first read (see _typed_data); set, it is a plain attribute.
            if name != "data":
                raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
            value = _typed_data(self)
            object.__setattr__(self, "data", value)
            return value


@attrs.frozen(slots=True, kw_only=True)
class UserEvent(WebhookEvent[User]):
    """A ``user.*`` event; ``data`` is a :class:`~aircall_async.models.User`."""


@attrs.frozen(slots=True, kw_only=True)
class CallEvent(WebhookEvent[Call]):
    """A ``call.*`` event; ``data`` is a :class:`~aircall_async.models.Call`."""


@attrs.frozen(slots=True, kw_only=True)
class NumberEvent(WebhookEvent[Number]):
    """A ``number.*`` event; ``data`` is a :class:`~aircall_async.models.Number`."""


@attrs.frozen(slots=True, kw_only=True)
class ContactEvent(WebhookEvent[Contact]):
    """A ``contact.*`` event; ``data`` is a :class:`~aircall_async.models.Contact`."""


@attrs.frozen(slots=True, kw_only=True)
class IntegrationEvent(WebhookEvent[IntegrationDeleted]):
    """An ``integration.*`` event; ``data`` is an :class:`IntegrationDeleted`."""


@attrs.frozen(slots=True, kw_only=True)
class MessageEvent(WebhookEvent[Message]):
    """A ``message.*`` event; ``data`` is a :class:`~aircall_async.models.Message`."""


@attrs.frozen(slots=True, kw_only=True)
class GroupMessageEvent(WebhookEvent[GroupMessage]):
    """A ``group_message.*`` event; ``data`` is a :class:`~aircall_async.models.GroupMessage`."""


@attrs.frozen(slots=True, kw_only=True)
class ConversationIntelligenceEvent(WebhookEvent[ConversationIntelligence]):
    """A Conversation Intelligence event (``transcription.created``, ``summary.created``,
    ``topics.created``, ``sentiment.created``, ``action_item.created``, ``playbook_result.*``,
    ``custom_summary.*``, ``call_evaluation.*``); ``data`` is a
    :class:`~aircall_async.models.ConversationIntelligence`."""


@attrs.frozen(slots=True, kw_only=True)
class RealtimeTranscriptionEvent(WebhookEvent[RealtimeTranscription]):
    """``realtime_transcription.utterances_received``; ``data`` is a
    :class:`~aircall_async.models.RealtimeTranscription`."""


@attrs.frozen(slots=True, kw_only=True)
class AIVoiceAgentEvent(WebhookEvent[AIVoiceAgentSession]):
    """An ``ai_voice_agent.*`` event; ``data`` is an
    :class:`~aircall_async.models.AIVoiceAgentSession`."""


@attrs.frozen(slots=True, kw_only=True)
class AnalyticsEvent(WebhookEvent[AnalyticsReport]):
    """An ``analytics.*`` event; ``data`` is an :class:`~aircall_async.models.AnalyticsReport`."""


#: The event families whose ``data`` is a Conversation Intelligence result.
INTELLIGENCE_RESOURCES: Final = frozenset(
    {
        "transcription",
        "summary",
        "topics",
        "sentiment",
        "action_item",
        "playbook_result",
        "custom_summary",
        "call_evaluation",
    }
)

_MODELS: Final[dict[str, tuple[type[WebhookEvent[Any]], type[Any]]]] = {
    "user": (UserEvent, User),
    "call": (CallEvent, Call),
    "number": (NumberEvent, Number),
    "contact": (ContactEvent, Contact),
    "message": (MessageEvent, Message),
    "group_message": (GroupMessageEvent, GroupMessage),
    "realtime_transcription": (RealtimeTranscriptionEvent, RealtimeTranscription),
    "ai_voice_agent": (AIVoiceAgentEvent, AIVoiceAgentSession),
    "analytics": (AnalyticsEvent, AnalyticsReport),
    **{
        family: (ConversationIntelligenceEvent, ConversationIntelligence)
        for family in INTELLIGENCE_RESOURCES
    },
}

# The event class and data model of each known event name, read once per delivery (None
# for integration.deleted, the one known family without a model).
_MODEL_OF_EVENT: Final = {name: _MODELS.get(resource_of(name)) for name in KNOWN_EVENTS}

#: What :func:`check_envelope` returns: (event, resource, timestamp, data).
Envelope = tuple[str, str, datetime, Mapping[str, Any]]

#: Longest event name accepted: far above any real one, small enough to log safely.
MAX_EVENT_NAME_LENGTH: Final = 100


def resource_id_of(data: object) -> Any:
    """The ``id`` (or ``integration_id``) of a ``data`` mapping; None if absent or unusable."""
    if not isinstance(data, Mapping):
        return None
    value = data.get("id", data.get("integration_id"))
    return value if is_int(value) or isinstance(value, str) else None


def parse_timestamp(value: object) -> datetime:
    """An aware UTC datetime from the envelope's UNIX ``timestamp``.

    Raises:
        InvalidDelivery: if the value is missing, not a number or out of range.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidDelivery("missing or invalid timestamp")
    try:
        return datetime.fromtimestamp(value, tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        raise InvalidDelivery("missing or invalid timestamp") from None


def check_envelope(payload: Mapping[str, Any]) -> Envelope:
    """Validate the envelope of a delivery; return (event, resource, timestamp, data).

    Raises:
        InvalidDelivery: if ``event``, ``resource``, ``data`` or ``timestamp`` is missing or
            of the wrong type, or if the ``data`` of a known event lacks the id its model
            requires (``data.id`` of a user, call, number or contact event: missing, null
            or not an int), the reason naming the field.
    """
    event = payload.get("event")
    if not isinstance(event, str) or not event or len(event) > MAX_EVENT_NAME_LENGTH:
        raise InvalidDelivery("missing or invalid event")
    resource = payload.get("resource")
    if not isinstance(resource, str) or not resource:
        raise InvalidDelivery("missing or invalid resource")
    data = payload.get("data")
    if not isinstance(data, dict):
        raise InvalidDelivery("missing or invalid data")
    moment = parse_timestamp(payload.get("timestamp"))
    model = _MODEL_OF_EVENT.get(event)
    if model is not None:
        try:
            check_required(data, model[1])
        except ResponseShapeError as exc:
            raise InvalidDelivery(f"missing or invalid data.{exc.field}") from None
    return event, resource, moment, data


def parse_event(payload: Mapping[str, Any]) -> WebhookEvent[Any]:
    """Turn a decoded delivery into a typed event.

    A known event becomes the typed event of its family (:class:`UserEvent`,
    :class:`CallEvent`, :class:`NumberEvent`, :class:`ContactEvent`, :class:`MessageEvent`,
    :class:`GroupMessageEvent`, :class:`ConversationIntelligenceEvent`,
    :class:`RealtimeTranscriptionEvent`, :class:`AIVoiceAgentEvent`,
    :class:`AnalyticsEvent`) whose ``data`` is the model (structured leniently, bad fields
    becoming None, on its first read); ``integration.deleted`` becomes an
    :class:`IntegrationEvent`. Any other name gives a plain :class:`WebhookEvent` whose
    ``data`` is the raw dict. The token is not checked
    here: the receiver does it before anything is parsed.

    Raises:
        InvalidDelivery: if the envelope is unusable (see :func:`check_envelope`).
    """
    return build_event(payload, check_envelope(payload))


def build_event(payload: Mapping[str, Any], envelope: Envelope) -> WebhookEvent[Any]:
    """:func:`parse_event` for a ``payload`` whose ``envelope`` :func:`check_envelope` returned."""
    event, resource, timestamp, data = envelope
    token = payload.get("token")
    common: dict[str, Any] = {
        "event": event,
        "resource": resource,
        "timestamp": timestamp,
        "token": token if isinstance(token, str) else "",
        "raw": payload,
    }
    if event not in KNOWN_EVENTS:
        return WebhookEvent(data=data, **common)
    model = _MODEL_OF_EVENT[event]
    if model is None:  # integration.deleted
        return IntegrationEvent(data=_integration(data), **common)
    # The typed ``data`` is structured on its first read (a handler that never reads it,
    # or a receiver that only stores the delivery, never pays for it): the event is
    # made without __init__, its ``data`` slot left unset for WebhookEvent.__getattr__.
    typed_event = object.__new__(model[0])
    for name, value in common.items():
        object.__setattr__(typed_event, name, value)
    return typed_event


def _typed_data(event: WebhookEvent[Any]) -> Any:
    """The model of a typed event's ``data``, structured from ``event.raw["data"]``."""
    data: Mapping[str, Any] = event.raw["data"]  # check_envelope made sure it is a dict
    try:
        return structure(data, _MODELS[resource_of(event.event)][1])
    except Exception:
        # check_envelope saw the id, and the models raise for nothing else in a dict; if
        # one does anyway the handlers still get the delivery, as the raw dict, rather
        # than Aircall getting a 500 forever.
        logger.exception("could not structure %s data; delivering it untyped", event.event)
        return data


def event_class_of(pattern: str) -> type[WebhookEvent[Any]]:
    """The class of the events a name or wildcard delivers: ``"call.ended"`` and
    ``"call.*"`` -> :class:`CallEvent`; ``"*"`` and unknown names -> :class:`WebhookEvent`."""
    family = resource_of(pattern)
    if family == "integration":
        return IntegrationEvent
    known = family in _MODELS and (pattern in KNOWN_EVENTS or pattern == f"{family}.*")
    return _MODELS[family][0] if known else WebhookEvent


def _integration(data: Mapping[str, Any]) -> IntegrationDeleted:
    def as_int(value: object) -> int | None:
        return value if is_int(value) else None

    return IntegrationDeleted(
        integration_id=as_int(data.get("integration_id")),
        company_id=as_int(data.get("company_id")),
        raw=data,
    )
