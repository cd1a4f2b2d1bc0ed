"""client.calls' Conversation Intelligence against the fake: paths, typed results, the 404s
(no result yet, add-on disabled), and the events an ended call fires."""

from __future__ import annotations

from typing import Any

import pytest

from aircall_async.errors import NotFoundError
from aircall_async.models import (
    CallEvaluations,
    ConversationIntelligence,
    CustomSummaryResult,
    PredictedCsat,
)
from aircall_async.testing import FakeAircall

from .resources_support import connect, last, rejected


def ended_call_id(fake: FakeAircall) -> int:
    return int(next(c for c in fake.state.calls if c["status"] == "done")["id"])


def live_call_id(fake: FakeAircall) -> int:
    return int(next(c for c in fake.state.calls if c["status"] != "done")["id"])


@pytest.mark.parametrize(
    ("method", "endpoint", "model"),
    [
        ("transcription", "transcription", ConversationIntelligence),
        ("summary", "summary", ConversationIntelligence),
        ("sentiments", "sentiments", ConversationIntelligence),
        ("topics", "topics", ConversationIntelligence),
        ("action_items", "action_items", ConversationIntelligence),
        ("evaluations", "evaluations", CallEvaluations),
        ("playbook_result", "playbook_result", ConversationIntelligence),
        ("custom_summary_result", "custom_summary_result", CustomSummaryResult),
        ("predicted_csat", "predicted_csat", PredictedCsat),
    ],
)
async def test_each_result_is_typed_and_asked_at_its_path(
    method: str, endpoint: str, model: type[Any]
) -> None:
    async with connect() as (fake, client):
        call_id = ended_call_id(fake)
        result = await getattr(client.calls, method)(call_id)
        request = last(fake)
    assert (request.method, request.path, request.json) == (
        "GET",
        f"/calls/{call_id}/{endpoint}",
        None,
    )
    assert type(result) is model and result.raw
    if isinstance(result, ConversationIntelligence):
        assert str(result.call_id) == str(call_id)


async def test_result_contents() -> None:
    async with connect() as (fake, client):
        call_id = ended_call_id(fake)
        transcription = await client.calls.transcription(call_id, mode="realtime")
        assert last(fake).query["mode"] == "realtime"
        sentiments = await client.calls.sentiments(call_id)
        topics = await client.calls.topics(call_id)
        playbook = await client.calls.playbook_result(call_id, fetch_playbook=True)
        assert last(fake).query["fetch_playbook"] == "true"
        csat = await client.calls.predicted_csat(call_id)
        custom = await client.calls.custom_summary_result(call_id)
    assert transcription.language == "en-US"
    assert [u.participant_type for u in transcription.utterances] == ["internal", "external"]
    assert transcription.utterances[1].text == "I would like to follow up on my order."
    assert sentiments.participants[0].value == "POSITIVE"
    assert topics.content == ["order", "follow-up"] and topics.utterances == []
    assert playbook.adherence_score == 0.5
    assert [t.name for t in playbook.playbook_result_topics] == ["Greeting", "Next steps"]
    assert (csat.score, csat.drivers) == (4, ["quick answer"])
    assert custom.summary_template_results[0]["name"] == "Outcome"


async def test_no_result_yet_and_add_on_disabled_are_404s_that_say_why() -> None:
    async with connect() as (fake, client):
        with pytest.raises(NotFoundError) as not_yet:
            await client.calls.summary(live_call_id(fake))
        with pytest.raises(NotFoundError, match="Call 999999 not found"):
            await client.calls.topics(999_999)
        fake.state.beyond.intelligence_enabled = False
        with pytest.raises(NotFoundError) as disabled:
            await client.calls.transcription(ended_call_id(fake))
    assert "yet" in str(not_yet.value) and "add-on" in str(not_yet.value)
    message = str(disabled.value)
    assert "not enabled" in message and "Conversation Intelligence add-on" in message
    assert disabled.value.status == 404 and disabled.value.path.endswith("/transcription")


async def test_bad_input_is_refused_before_sending() -> None:
    async with connect() as (fake, client):
        await rejected(fake, lambda: client.calls.summary(-1), "call_id")
        await rejected(fake, lambda: client.calls.transcription(1, mode="live"), "mode")  # type: ignore[arg-type]
        await rejected(
            fake,
            lambda: client.calls.playbook_result(1, fetch_playbook="yes"),  # type: ignore[arg-type]
            "fetch_playbook",
        )


async def test_ending_a_call_makes_its_results_appear_and_fires_their_events() -> None:
    async with connect() as (fake, client):
        events: list[tuple[str, Any]] = []
        fake.state.subscribe(lambda event, resource, data: events.append((event, data)))
        call_id = live_call_id(fake)
        with pytest.raises(NotFoundError):
            await client.calls.transcription(call_id)
        ended = await fake.end_call(call_id)
        transcription = await client.calls.transcription(call_id)
        with pytest.raises(ValueError, match="already ended"):
            await fake.end_call(call_id)
        with pytest.raises(KeyError):
            await fake.end_call(999_999)
    assert ended["status"] == "done" and ended["ended_at"] is not None
    names = [name for name, _ in events]
    assert names[0] == "call.ended"
    assert "transcription.created" in names and "summary.created" in names
    assert names.count("transcription.created") == 1  # asked again: not fired again
    data = dict(events)["transcription.created"]
    assert data["id"] == transcription.id and data["call_id"] == call_id
