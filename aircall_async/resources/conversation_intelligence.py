"""Conversation Intelligence results of a Call (beyond the reference, docs/COVERAGE.md):
transcription, summary, sentiments, topics, action items, evaluations, playbook result,
custom summary result and predicted CSAT. Mixed into ``client.calls``.

A 404 here has three causes the API does not tell apart: no such call, no result yet, or
an account without the Conversation Intelligence add-on; the NotFoundError says so.
"""

from __future__ import annotations

from typing import Any, Literal, TypeVar

from ..errors import NotFoundError
from ..models import (
    CallEvaluations,
    ConversationIntelligence,
    CustomSummaryResult,
    Model,
    PredictedCsat,
)
from ._base import Resource, check_choice, check_id

__all__ = ["CallIntelligence", "TranscriptionMode"]

M = TypeVar("M", bound=Model)

#: ``mode`` of :meth:`CallIntelligence.transcription`.
TranscriptionMode = Literal["async", "realtime"]


class CallIntelligence(Resource):
    """The Conversation Intelligence endpoints of ``client.calls``."""

    __slots__ = ()

    async def _result(
        self, call_id: int, what: str, cls: type[M], params: dict[str, Any] | None = None
    ) -> M:
        path = f"/calls/{check_id(call_id, 'call_id')}/{what}"
        try:
            return await self._object("GET", path, cls, params=params)
        except NotFoundError as exc:
            hint = (
                f"no {what.replace('_', ' ')} for call {call_id}: the call does not exist, "
                "has none yet, or the account does not have the Conversation Intelligence "
                "add-on enabled"
            )
            detail = f"{exc.troubleshoot} ({hint})" if exc.troubleshoot else hint
            raise NotFoundError(
                exc.status, error=exc.error, troubleshoot=detail, method=exc.method, path=exc.path
            ) from exc

    async def transcription(
        self, call_id: int, *, mode: TranscriptionMode | None = None
    ) -> ConversationIntelligence:
        """The transcription of a call (``GET /v1/calls/:id/transcription``); ``mode``
        ``"realtime"`` gives the one made for the agent during the call. Its sentences
        are ``.utterances``.

        Raises ValueError for a bad id or ``mode``; NotFoundError (see the module).
        """
        params = {"mode": check_choice(mode, "mode", ("async", "realtime"))}
        return await self._result(call_id, "transcription", ConversationIntelligence, params)

    async def summary(self, call_id: int) -> ConversationIntelligence:
        """The AI summary of a call (``GET /v1/calls/:id/summary``); text in ``content``.

        Raises ValueError for a bad id; NotFoundError (see the module).
        """
        return await self._result(call_id, "summary", ConversationIntelligence)

    async def sentiments(self, call_id: int) -> ConversationIntelligence:
        """The sentiment of each participant (``GET /v1/calls/:id/sentiments``), in
        ``participants[].value``.

        Raises ValueError for a bad id; NotFoundError (see the module).
        """
        return await self._result(call_id, "sentiments", ConversationIntelligence)

    async def topics(self, call_id: int) -> ConversationIntelligence:
        """The topics of a call (``GET /v1/calls/:id/topics``); a list in ``content``.

        Raises ValueError for a bad id; NotFoundError (see the module).
        """
        return await self._result(call_id, "topics", ConversationIntelligence)

    async def action_items(self, call_id: int) -> ConversationIntelligence:
        """The action items of a call (``GET /v1/calls/:id/action_items``).

        Raises ValueError for a bad id; NotFoundError (see the module).
        """
        return await self._result(call_id, "action_items", ConversationIntelligence)

    async def evaluations(self, call_id: int) -> CallEvaluations:
        """The evaluations of a call (``GET /v1/calls/:id/evaluations``); no schema is
        published, so the answer is in ``.raw``.

        Raises ValueError for a bad id; NotFoundError (see the module).
        """
        return await self._result(call_id, "evaluations", CallEvaluations)

    async def playbook_result(
        self, call_id: int, *, fetch_playbook: bool | None = None
    ) -> ConversationIntelligence:
        """The playbook result of a call (``GET /v1/calls/:id/playbook_result``):
        ``adherence_score``, ``playbook_result_topics``, and ``playbook`` when
        ``fetch_playbook``.

        Raises ValueError for a bad id; NotFoundError (see the module).
        """
        if fetch_playbook is not None and not isinstance(fetch_playbook, bool):
            raise ValueError(f"fetch_playbook must be True or False, got {fetch_playbook!r}")
        params = {"fetch_playbook": fetch_playbook}
        return await self._result(call_id, "playbook_result", ConversationIntelligence, params)

    async def custom_summary_result(self, call_id: int) -> CustomSummaryResult:
        """The custom summary result of a call (``GET /v1/calls/:id/custom_summary_result``).

        Raises ValueError for a bad id; NotFoundError (see the module).
        """
        return await self._result(call_id, "custom_summary_result", CustomSummaryResult)

    async def predicted_csat(self, call_id: int) -> PredictedCsat:
        """The predicted customer satisfaction of a call and its drivers
        (``GET /v1/calls/:id/predicted_csat``).

        Raises ValueError for a bad id; NotFoundError (see the module).
        """
        return await self._result(call_id, "predicted_csat", PredictedCsat)
