"""The event names of each typed event class, as ``Literal`` types for the router's overloads.

``router.on("call.ended")`` is typed so that mypy rejects a handler whose parameter is not a
:class:`CallEvent` (or a base of it). ``Literal`` types cannot be computed from the catalog,
so they are written out here; ``tests/test_webhooks_typing.py`` fails when one of them and
the catalog in ``events.py`` disagree.
"""

from __future__ import annotations

from typing import Any, Final, Literal

from aircall_async.webhooks.events import (
    AIVoiceAgentEvent,
    AnalyticsEvent,
    CallEvent,
    ContactEvent,
    ConversationIntelligenceEvent,
    GroupMessageEvent,
    IntegrationEvent,
    MessageEvent,
    NumberEvent,
    RealtimeTranscriptionEvent,
    UserEvent,
    WebhookEvent,
)

__all__ = [
    "NAMES_BY_CLASS",
    "AIVoiceAgentEventName",
    "AnalyticsEventName",
    "CallEventName",
    "ContactEventName",
    "ConversationIntelligenceEventName",
    "GroupMessageEventName",
    "IntegrationEventName",
    "MessageEventName",
    "NumberEventName",
    "RealtimeTranscriptionEventName",
    "UserEventName",
]

UserEventName = Literal[
    "user.*",
    "user.created",
    "user.deleted",
    "user.connected",
    "user.disconnected",
    "user.opened",
    "user.closed",
    "user.wut_start",
    "user.wut_end",
    "user.created.v2",
    "user.deleted.v2",
    "user.connected.v2",
    "user.disconnected.v2",
    "user.opened.v2",
    "user.closed.v2",
    "user.wut_start.v2",
    "user.wut_end.v2",
]
CallEventName = Literal[
    "call.*",
    "call.created",
    "call.ringing_on_agent",
    "call.agent_declined",
    "call.answered",
    "call.transferred",
    "call.unsuccessful_transfer",
    "call.hungup",
    "call.ended",
    "call.voicemail_left",
    "call.commented",
    "call.tagged",
    "call.untagged",
    "call.assigned",
    "call.archived",
    "call.hold",
    "call.unhold",
    "call.ivr_option_selected",
    "call.comm_assets_generated",
    "call.external_transferred",
]
NumberEventName = Literal[
    "number.*", "number.created", "number.deleted", "number.opened", "number.closed"
]
ContactEventName = Literal["contact.*", "contact.created", "contact.updated", "contact.deleted"]
IntegrationEventName = Literal["integration.*", "integration.deleted"]
MessageEventName = Literal[
    "message.*", "message.sent", "message.received", "message.status_updated"
]
GroupMessageEventName = Literal[
    "group_message.*",
    "group_message.sent",
    "group_message.received",
    "group_message.status_updated",
]
ConversationIntelligenceEventName = Literal[
    "transcription.*",
    "transcription.created",
    "summary.*",
    "summary.created",
    "topics.*",
    "topics.created",
    "sentiment.*",
    "sentiment.created",
    "action_item.*",
    "action_item.created",
    "playbook_result.*",
    "playbook_result.created",
    "playbook_result.updated",
    "custom_summary.*",
    "custom_summary.result_created",
    "custom_summary.result_updated",
    "call_evaluation.*",
    "call_evaluation.created",
    "call_evaluation.updated",
]
RealtimeTranscriptionEventName = Literal[
    "realtime_transcription.*", "realtime_transcription.utterances_received"
]
AIVoiceAgentEventName = Literal[
    "ai_voice_agent.*",
    "ai_voice_agent.started",
    "ai_voice_agent.ended",
    "ai_voice_agent.escalated",
    "ai_voice_agent.summary",
]
AnalyticsEventName = Literal["analytics.*", "analytics.report_created", "analytics.report_failed"]

#: Each typed event class and the ``Literal`` of the names that deliver it.
NAMES_BY_CLASS: Final[dict[type[WebhookEvent[Any]], Any]] = {
    UserEvent: UserEventName,
    CallEvent: CallEventName,
    NumberEvent: NumberEventName,
    ContactEvent: ContactEventName,
    IntegrationEvent: IntegrationEventName,
    MessageEvent: MessageEventName,
    GroupMessageEvent: GroupMessageEventName,
    ConversationIntelligenceEvent: ConversationIntelligenceEventName,
    RealtimeTranscriptionEvent: RealtimeTranscriptionEventName,
    AIVoiceAgentEvent: AIVoiceAgentEventName,
    AnalyticsEvent: AnalyticsEventName,
}
