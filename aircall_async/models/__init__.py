"""Typed attrs models of every object of the Aircall Public API, and their conversion.

>>> call = structure(payload, Call)   # lenient, except for the id
>>> call.raw                          # the payload it was built from
>>> unstructure(call)                 # JSON-ready dict in the API's shape

Every model is a slotted, mutable ``attrs`` class whose field names are the API's;
each field defaults to None (or ``[]`` for lists) when the payload lacks it, except the
id of the objects the reference always gives one (``Call``, ``Comment``, ``User``,
``Team``, ``Number``, ``Contact``, ``Tag``, ``DialerCampaign``, ``DialerPhoneNumber``,
``A2PCampaignAssociation``: ``id: int``; ``Webhook``: ``webhook_id: str``): a payload
without it raises :class:`~aircall_async.errors.ResponseShapeError`.
Times are aware UTC datetimes, closed sets are :class:`OpenStrEnum` subclasses
that also accept values the reference does not list (see ``_base``), and a field
whose value has the wrong type degrades to its default while ``raw`` keeps it.
"""

from __future__ import annotations

from ._base import Model, OpenStrEnum
from ._converter import check_required, structure
from ._unstructure import unstructure
from .a2p import A2PCampaignAssociation, A2PUpdateStatus
from .ai_voice_agents import AIVoiceAgentSession, OutboundCallRequest, OutboundCallStatus
from .analytics import (
    RELATIVE_DATE_RANGES,
    REPORT_NAMES,
    AnalyticsExport,
    AnalyticsReport,
    ExportStatus,
)
from .calls import (
    Call,
    CallDirection,
    CallStatus,
    CallTag,
    Comment,
    DispatchingStrategy,
    IvrOption,
    MissedCallReason,
    Participant,
    ParticipantType,
)
from .company import Company
from .contacts import Contact, EmailDetail, PhoneDetail
from .conversation_intelligence import (
    CallEvaluations,
    ConversationIntelligence,
    CustomSummaryResult,
    IntelligenceParticipant,
    Playbook,
    PlaybookResultTopic,
    PredictedCsat,
    RealtimeTranscription,
    RealtimeUtterance,
    Utterance,
)
from .dialer import DialerCampaign, DialerPhoneNumber
from .insight_cards import (
    InsightCardLine,
    InsightCardLineBase,
    InsightCardText,
    InsightCardTitle,
    InsightCardType,
    InsightCardUser,
)
from .integrations import Integration
from .messages import (
    GroupMessage,
    MediaDetail,
    Message,
    MessageDirection,
    MessagingConfiguration,
    SmsTemplate,
    WhatsAppLineStatus,
    WhatsAppTemplatePage,
)
from .numbers import Number, NumberAvailabilityStatus, NumberMessages
from .oauth import AccessToken
from .tags import Tag
from .teams import Team
from .users import Availability, User, UserAvailability, UserAvailabilityStatus, UserRole
from .webhooks import Webhook

__all__ = [
    "RELATIVE_DATE_RANGES",
    "REPORT_NAMES",
    "A2PCampaignAssociation",
    "A2PUpdateStatus",
    "AIVoiceAgentSession",
    "AccessToken",
    "AnalyticsExport",
    "AnalyticsReport",
    "Availability",
    "Call",
    "CallDirection",
    "CallEvaluations",
    "CallStatus",
    "CallTag",
    "Comment",
    "Company",
    "Contact",
    "ConversationIntelligence",
    "CustomSummaryResult",
    "DialerCampaign",
    "DialerPhoneNumber",
    "DispatchingStrategy",
    "EmailDetail",
    "ExportStatus",
    "GroupMessage",
    "InsightCardLine",
    "InsightCardLineBase",
    "InsightCardText",
    "InsightCardTitle",
    "InsightCardType",
    "InsightCardUser",
    "Integration",
    "IntelligenceParticipant",
    "IvrOption",
    "MediaDetail",
    "Message",
    "MessageDirection",
    "MessagingConfiguration",
    "MissedCallReason",
    "Model",
    "Number",
    "NumberAvailabilityStatus",
    "NumberMessages",
    "OpenStrEnum",
    "OutboundCallRequest",
    "OutboundCallStatus",
    "Participant",
    "ParticipantType",
    "PhoneDetail",
    "Playbook",
    "PlaybookResultTopic",
    "PredictedCsat",
    "RealtimeTranscription",
    "RealtimeUtterance",
    "SmsTemplate",
    "Tag",
    "Team",
    "User",
    "UserAvailability",
    "UserAvailabilityStatus",
    "UserRole",
    "Utterance",
    "Webhook",
    "WhatsAppLineStatus",
    "WhatsAppTemplatePage",
    "check_required",
    "structure",
    "unstructure",
]
