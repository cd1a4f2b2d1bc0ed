"""Receive Aircall webhooks in aiohttp: verify, parse into typed events, dispatch.

>>> router = WebhookRouter()
>>> @router.on("call.ended")
... async def store(event: CallEvent) -> None: ...
>>> sub = webhook_app(router, tokens={"45XXYYZZa08"})
>>> app.add_subapp("/aircall/webhooks/", sub)

Receivers and consumers apart: ``webhook_app(router, tokens=..., ack="immediate",
inbox=inbox, workers=0)`` stores deliveries, ``await consume(router, inbox)`` handles
them. An inbox implements :class:`Inbox` (see :mod:`aircall_async.webhooks.inbox`).
"""

from __future__ import annotations

from aircall_async.webhooks._verify import TokenResolver
from aircall_async.webhooks.app import webhook_app
from aircall_async.webhooks.consumer import DeadLetterHook, consume
from aircall_async.webhooks.events import (
    KNOWN_EVENTS,
    KNOWN_RESOURCES,
    REFERENCE_EVENTS,
    AIVoiceAgentEvent,
    AnalyticsEvent,
    CallEvent,
    ContactEvent,
    ConversationIntelligenceEvent,
    EventName,
    GroupMessageEvent,
    IntegrationDeleted,
    IntegrationEvent,
    InvalidDelivery,
    MessageEvent,
    NumberEvent,
    RealtimeTranscriptionEvent,
    UserEvent,
    WebhookEvent,
    parse_event,
)
from aircall_async.webhooks.inbox import Inbox, MemoryInbox, PutResult, StoredDelivery
from aircall_async.webhooks.router import Handler, WebhookRouter
from aircall_async.webhooks.sqlite_inbox import SQLiteInbox
from aircall_async.webhooks.stats import STATS_KEY, WebhookStats, webhook_stats

__all__ = [
    "KNOWN_EVENTS",
    "KNOWN_RESOURCES",
    "REFERENCE_EVENTS",
    "STATS_KEY",
    "AIVoiceAgentEvent",
    "AnalyticsEvent",
    "CallEvent",
    "ContactEvent",
    "ConversationIntelligenceEvent",
    "DeadLetterHook",
    "EventName",
    "GroupMessageEvent",
    "Handler",
    "Inbox",
    "IntegrationDeleted",
    "IntegrationEvent",
    "InvalidDelivery",
    "MemoryInbox",
    "MessageEvent",
    "NumberEvent",
    "PutResult",
    "RealtimeTranscriptionEvent",
    "SQLiteInbox",
    "StoredDelivery",
    "TokenResolver",
    "UserEvent",
    "WebhookEvent",
    "WebhookRouter",
    "WebhookStats",
    "consume",
    "parse_event",
    "webhook_app",
    "webhook_stats",
]
