"""Conversation Intelligence results of a Call: transcription, summary, sentiments, topics,
action items, playbook result, custom summary result, evaluations, predicted CSAT.

Beyond the reference: see docs/COVERAGE.md. ``content`` varies with the kind of result (a
string, a list, an object) and is kept as the API sends it; :attr:`ConversationIntelligence
.utterances` reads the sentences of a transcription out of it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

from ._base import Model
from ._converter import structure

__all__ = [
    "CallEvaluations",
    "ConversationIntelligence",
    "CustomSummaryResult",
    "IntelligenceParticipant",
    "Playbook",
    "PlaybookResultTopic",
    "PredictedCsat",
    "RealtimeTranscription",
    "RealtimeUtterance",
    "Utterance",
]


@attrs.define
class IntelligenceParticipant(Model):
    """A side of the conversation (``participant_type``: internal, external, ai_voice_agent);
    ``value`` is its sentiment (NEUTRAL, POSITIVE, NEGATIVE) in a sentiment result."""

    participant_type: str | None = None
    phone_number: str | None = None
    value: str | None = None
    user_id: int | str | None = None
    ai_voice_agent_id: str | None = None


@attrs.define
class Utterance(Model):
    """One sentence of a transcription; times are seconds from the start of the call."""

    start_time: float | None = None
    end_time: float | None = None
    text: str | None = None
    participant_type: str | None = None
    user_id: int | None = None
    phone_number: str | None = None


@attrs.define
class Playbook(Model):
    """A playbook definition (only when ``fetch_playbook=True``)."""

    id: int | None = None
    name: str | None = None
    language: str | None = None


@attrs.define
class PlaybookResultTopic(Model):
    """One topic's result in a playbook result (``result`` as the API sends it)."""

    name: str | None = None
    result: Any = None


@attrs.define
class ConversationIntelligence(Model):
    """One AI result of a call (transcription, summary, sentiments, topics, action items,
    playbook result). ``content`` is as the API sends it."""

    id: int | None = None
    call_id: int | str | None = None
    call_uuid: str | None = None
    number_id: int | None = None
    participants: list[IntelligenceParticipant] = attrs.field(factory=list)
    type: str | None = None
    content: Any = None
    call_created_at: datetime | None = None
    created_at: datetime | None = None
    created_by: int | None = None
    updated_at: datetime | None = None
    updated_by: int | None = None
    ai_generated: bool | None = None
    adherence_score: float | None = None
    playbook: Playbook | None = None
    playbook_result_topics: list[PlaybookResultTopic] = attrs.field(factory=list)

    @property
    def language(self) -> str | None:
        """The language of a transcription (``content.language``), else None."""
        value = self.content.get("language") if isinstance(self.content, dict) else None
        return value if isinstance(value, str) else None

    @property
    def utterances(self) -> list[Utterance]:
        """The sentences of a transcription (``content.utterances``); [] for other kinds."""
        items = self.content.get("utterances") if isinstance(self.content, dict) else None
        if not isinstance(items, list):
            return []
        return [structure(item, Utterance) for item in items if isinstance(item, dict)]


@attrs.define
class CustomSummaryResult(Model):
    """A call's custom summary result: only ``summary_template_results`` is evidenced."""

    call_id: int | str | None = None
    summary_template_results: list[dict[str, Any]] = attrs.field(factory=list)


@attrs.define
class CallEvaluations(Model):
    """A call's evaluations. The sources give no schema: ``raw`` holds the answer."""

    call_id: int | str | None = None


@attrs.define
class PredictedCsat(Model):
    """A call's predicted customer satisfaction score and its drivers."""

    score: float | None = None
    drivers: list[Any] = attrs.field(factory=list)


@attrs.define
class RealtimeUtterance(Model):
    """One utterance of ``realtime_transcription.utterances_received``."""

    participant_type: str | None = None
    user_id: int | None = None
    timestamp: int | None = None
    duration_ms: int | None = None
    text: str | None = None
    language: str | None = None


@attrs.define
class RealtimeTranscription(Model):
    """The ``data`` of ``realtime_transcription.utterances_received``; ``call`` as sent."""

    id: str | None = None
    call: dict[str, Any] | None = None
    utterances: list[RealtimeUtterance] = attrs.field(factory=list)
