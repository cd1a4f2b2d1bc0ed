"""The fake delivers the events beyond the reference, typed, to a real mounted receiver
when its state changes: a message sent, a call ending, an export settling."""

from __future__ import annotations

import pytest

from aircall_async.testing import sample_data
from aircall_async.webhooks import (
    AnalyticsEvent,
    CallEvent,
    ConversationIntelligenceEvent,
    GroupMessageEvent,
    MessageEvent,
    UserEvent,
    WebhookRouter,
)

from .test_fake_webhooks import fake_and_client, hooked, live_call


async def test_sends_endings_and_exports_reach_the_receiver_typed() -> None:
    async with fake_and_client() as (fake, client):
        events = [
            "message.sent",
            "group_message.sent",
            "call.ended",
            "transcription.created",
            "sentiment.created",
            "analytics.report_created",
        ]
        async with hooked(client, events) as (_hook, rec):
            sent = await client.messages.send_in_conversation(1234, to="+14155550199", body="Hi")
            group = await client.messages.send_group_in_conversation(
                1234, participants=["+14155550199", "+14155550198"], body="Hi all"
            )
            call_id = live_call(fake)["id"]
            await fake.end_call(call_id)
            fake.state.beyond.export_pending_polls = 0
            export = await client.analytics.create_export(
                "CALLS_HISTORY", timezone="UTC", relative_range="TODAY"
            )
            await client.analytics.get_export(export.exportID or "")
            await fake.deliveries_idle()
    by_name = {event.event: event for event in rec.events}
    assert sorted(by_name) == sorted(events) and len(rec.events) == len(events)
    message = by_name["message.sent"]
    assert isinstance(message, MessageEvent) and message.data.id == sent.id
    assert message.data.body == "Hi" and message.resource == "message"
    grouped = by_name["group_message.sent"]
    assert isinstance(grouped, GroupMessageEvent)
    assert grouped.data.group_message_id == group.group_message_id
    ended = by_name["call.ended"]
    assert isinstance(ended, CallEvent) and ended.data.id == call_id
    transcription = by_name["transcription.created"]
    assert isinstance(transcription, ConversationIntelligenceEvent)
    assert transcription.data.call_id == call_id and transcription.data.utterances
    assert by_name["sentiment.created"].data.participants[0].value == "POSITIVE"
    report = by_name["analytics.report_created"]
    assert isinstance(report, AnalyticsEvent) and report.data.report_id == export.exportID
    assert report.data.download_url and "signature" not in report.data.download_url


async def test_fire_renders_v2_users_and_needs_data_for_the_new_families() -> None:
    events = ["user.connected.v2", "message.received"]
    async with fake_and_client() as (fake, client), hooked(client, events) as (_hook, rec):
        await fake.fire("user.connected.v2", 456)
        with pytest.raises(TypeError, match="give the data"):
            await fake.fire("message.received", 3)
        await fake.fire("message.received", sample_data("message"))
    v2, received = rec.events
    assert isinstance(v2, UserEvent) and v2.data.substatus and "numbers" not in v2.raw["data"]
    assert isinstance(received, MessageEvent) and received.data.external_number


def test_typed_registration_covers_the_new_families() -> None:
    router = WebhookRouter()

    @router.on("message.sent", "message.*")
    async def on_message(event: MessageEvent) -> None: ...

    @router.on("transcription.created", "call_evaluation.*", "custom_summary.result_updated")
    async def on_intelligence(event: ConversationIntelligenceEvent) -> None: ...

    @router.on("user.created.v2", "user.*")
    async def on_user(event: UserEvent) -> None: ...

    with pytest.raises(TypeError, match="'analytics.report_failed' delivers AnalyticsEvent"):
        router.add(on_message, "analytics.report_failed")
    assert router.handlers_for("message.received") == (on_message,)
    assert router.handlers_for("call_evaluation.updated") == (on_intelligence,)
    assert router.handlers_for("user.wut_end.v2") == (on_user,)
    assert router.handlers_for("message.teleported") == ()
