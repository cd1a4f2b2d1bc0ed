"""Receive Aircall webhooks in aiohttp: verify, parse into typed events, dispatch.

>>> router = WebhookRouter()
>>> @router.on("call.ended")
... async def store(event: CallEvent) -> None: ...
>>> sub = webhook_app(router, tokens={"45XXYYZZa08"})
>>> app.add_subapp("/aircall/webhooks/", sub)
"""

from __future__ import annotations

from aircall_async.webhooks.app import (
    STATS_KEY,
    DeadLetterHook,
    WebhookStats,
    webhook_app,
    webhook_stats,
)
from aircall_async.webhooks.dedupe import DeliveryMemory, delivery_key
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
from aircall_async.webhooks.inbox import Inbox, InboxEntry, MemoryInbox, PutResult, SQLiteInbox
from aircall_async.webhooks.router import Handler, WebhookRouter
from aircall_async.webhooks.verify import TokenResolver, TokenVerifier

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
    "DeliveryMemory",
    "EventName",
    "GroupMessageEvent",
    "Handler",
    "Inbox",
    "InboxEntry",
    "IntegrationDeleted",
    "IntegrationEvent",
    "InvalidDelivery",
    "MemoryInbox",
    "MessageEvent",
    "NumberEvent",
    "PutResult",
    "RealtimeTranscriptionEvent",
    "SQLiteInbox",
    "TokenResolver",
    "TokenVerifier",
    "UserEvent",
    "WebhookEvent",
    "WebhookRouter",
    "WebhookStats",
    "delivery_key",
    "parse_event",
    "webhook_app",
    "webhook_stats",
]
