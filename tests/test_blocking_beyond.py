"""The blocking client reaches the APIs beyond the reference too (its twins are generated,
mixin methods included): a message, a transcription, an export waited for and downloaded."""

from __future__ import annotations

from pathlib import Path

from aircall_async.blocking import AircallClient
from aircall_async.testing import FakeAircall


def test_blocking_messages_intelligence_and_exports(tmp_path: Path) -> None:
    with (
        FakeAircall(calls=12, rate_limit=None) as fake,
        AircallClient(
            api_id=fake.api_id, api_token=fake.api_token, base_url=fake.base_url, rate_limit=None
        ) as client,
    ):
        message = client.messages.send_in_conversation(1234, to="+14155550199", body="Hi")
        call_id = next(c for c in fake.state.calls if c["status"] == "done")["id"]
        transcription = client.calls.transcription(call_id)
        users = client.users.list(limit=2).collect()
        export = client.analytics.create_export(
            "CALLS_HISTORY", timezone="UTC", relative_range="TODAY"
        )
        path = client.analytics.download_export(
            export.exportID or "", tmp_path / "calls.csv", timeout=30, interval=0.01
        )
        paths = [r.path for r in fake.requests]
    assert message.body == "Hi" and transcription.utterances
    assert len(users) == 2 and path.read_bytes().startswith(b"call_id,")
    assert paths[:3] == [
        "/numbers/1234/messages/native/send",
        f"/calls/{call_id}/transcription",
        "/v2/users",
    ]
