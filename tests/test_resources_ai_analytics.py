"""client.ai_voice_agents and client.analytics against the fake: paths, bodies, answers,
polling within a budget on an injected clock, and the streamed download."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from aircall_async.errors import (
    AircallError,
    APIError,
    BadRequestError,
    ConflictError,
    NotFoundError,
    TransportError,
)
from aircall_async.models import AnalyticsExport, OutboundCallRequest
from aircall_async.resources.analytics import (
    ExportFailedError,
    ExportTimeoutError,
    download_to,
)
from aircall_async.testing.routes_analytics import report_csv

from .resources_support import connect, last, rejected


class FakeTime:
    """A clock that only moves when slept on; records the sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


async def test_outbound_call_is_queued_once_per_key() -> None:
    async with connect() as (fake, client):
        queued = await client.ai_voice_agents.start_outbound_call(
            "agent-7",
            contact_phone="+14155550199",
            idempotency_key="reminder-1",
            context={"first_name": "Ada"},
            expiration_seconds=600,
        )
        request = last(fake)
        with pytest.raises(ConflictError):
            await client.ai_voice_agents.start_outbound_call(
                "agent-7", contact_phone="+14155550199", idempotency_key="reminder-1"
            )
    assert (request.method, request.path) == ("POST", "/outbound-calls/agents/agent-7")
    assert request.json == {
        "contact_phone": "+14155550199",
        "idempotency_key": "reminder-1",
        "context": {"first_name": "Ada"},
        "expiration_seconds": 600,
    }
    assert isinstance(queued, OutboundCallRequest)
    assert (queued.status, queued.virtual_agent_id, queued.idempotency_key) == (
        "PENDING",
        "agent-7",
        "reminder-1",
    )


async def test_outbound_call_input_checks() -> None:
    async with connect() as (fake, client):
        start = client.ai_voice_agents.start_outbound_call
        ok: dict[str, Any] = {"contact_phone": "+14155550199", "idempotency_key": "k"}
        await rejected(fake, lambda: start("a/b", **ok), "agent_id")
        await rejected(fake, lambda: start("a", **{**ok, "contact_phone": "555"}), "contact_phone")
        await rejected(fake, lambda: start("a", **{**ok, "idempotency_key": ""}), "idempotency_key")
        await rejected(fake, lambda: start("a", **ok, expiration_seconds=59), "expiration_seconds")
        await rejected(fake, lambda: start("a", **ok, context=["x"]), "context")  # type: ignore[arg-type]


async def test_create_export_sends_the_input_object() -> None:
    async with connect() as (fake, client):
        relative = await client.analytics.create_export(
            "CALLS_HISTORY",
            timezone="Europe/Paris",
            relative_range="LAST_WEEK",
            filters={"userIDs": [456]},
            export_options={"format": "CSV", "exportName": "weekly"},
        )
        relative_request = last(fake)
        await client.analytics.create_export(
            "USER_STATUS_HISTORY",
            timezone="UTC",
            from_date=date(2024, 1, 1),
            to_date="2024-01-31",
            options={"dateBreakdown": "DAY"},
        )
        absolute_request = last(fake)
    assert (relative_request.method, relative_request.path) == ("POST", "/analytics/report/export")
    assert relative_request.json == {
        "input": {
            "reportName": "CALLS_HISTORY",
            "filter": {
                "dateFilter": {"relative": "LAST_WEEK"},
                "timezone": "Europe/Paris",
                "userIDs": [456],
            },
            "exportOptions": {"format": "CSV", "exportName": "weekly"},
        }
    }
    assert absolute_request.json["input"]["filter"]["dateFilter"] == {
        "absoluteRange": {"fromDate": "2024-01-01", "toDate": "2024-01-31"}
    }
    assert absolute_request.json["input"]["options"] == {"dateBreakdown": "DAY"}
    assert isinstance(relative, AnalyticsExport) and relative.is_pending
    assert relative.exportName == "weekly" and relative.exportID


async def test_export_input_checks() -> None:
    async with connect() as (fake, client):
        create = client.analytics.create_export
        await rejected(
            fake, lambda: create("NOPE", timezone="UTC", relative_range="TODAY"), "report_name"
        )
        await rejected(fake, lambda: create("CALLS_HISTORY", timezone="UTC"), "relative_range")
        await rejected(
            fake,
            lambda: create(
                "CALLS_HISTORY", timezone="UTC", relative_range="TODAY", to_date="2024-01-01"
            ),
            "relative_range",
        )
        await rejected(
            fake,
            lambda: create("CALLS_HISTORY", timezone="UTC", relative_range="SOON"),
            "relative_range",
        )
        await rejected(
            fake,
            lambda: create(
                "CALLS_HISTORY", timezone="UTC", from_date="2024-02-01", to_date="2024-01-01"
            ),
            "from_date",
        )
        await rejected(
            fake,
            lambda: create(
                "CALLS_HISTORY", timezone="UTC", from_date="01/02/2024", to_date="2024-03-01"
            ),
            "from_date",
        )
        await rejected(
            fake, lambda: create("CALLS_HISTORY", timezone=" ", relative_range="TODAY"), "timezone"
        )
        await rejected(fake, lambda: client.analytics.get_export("a/b"), "export_id")
        await rejected(fake, lambda: client.analytics.wait_export("x", timeout=0), "timeout")


async def test_wait_export_polls_until_done_and_returns_the_url() -> None:
    async with connect() as (fake, client):
        fake.state.beyond.export_pending_polls = 3
        events: list[tuple[str, Any]] = []
        fake.state.subscribe(lambda event, resource, data: events.append((event, data)))
        export = await client.analytics.create_export(
            "CALLS_HISTORY", timezone="UTC", relative_range="TODAY"
        )
        time = FakeTime()
        url = await client.analytics.wait_export(
            export.exportID or "", timeout=600, interval=60, clock=time.clock, sleep=time.sleep
        )
        polls = [r for r in fake.requests if r.method == "GET"]
        done = await client.analytics.get_export(export.exportID or "")
        origin = str(fake.base_url.origin())
    assert time.sleeps == [60, 60, 60]
    assert len(polls) == 4 and polls[0].path == f"/analytics/report/export/{export.exportID}"
    assert done.is_complete and url.startswith(origin + "/downloads/")
    assert [name for name, _ in events] == ["analytics.report_created"]
    assert events[0][1]["report_id"] == export.exportID


async def test_wait_export_never_waits_past_its_budget() -> None:
    async with connect() as (fake, client):
        fake.state.beyond.export_pending_polls = 100
        export = await client.analytics.create_export(
            "CALLS_HISTORY", timezone="UTC", relative_range="TODAY"
        )
        time = FakeTime()
        with pytest.raises(ExportTimeoutError, match="still PENDING after 150s") as caught:
            await client.analytics.wait_export(
                export.exportID or "", timeout=150, interval=60, clock=time.clock, sleep=time.sleep
            )
    assert time.sleeps == [60, 60, 30] and time.now == 1150
    assert isinstance(caught.value, TimeoutError)


async def test_wait_export_raises_when_the_export_fails() -> None:
    async with connect() as (fake, client):
        fake.state.beyond.export_outcome = "FAILED"
        fake.state.beyond.export_pending_polls = 0
        export = await client.analytics.create_export(
            "CALLS_HISTORY", timezone="UTC", relative_range="TODAY"
        )
        time = FakeTime()
        with pytest.raises(ExportFailedError, match="could not be generated") as caught:
            await client.analytics.wait_export(
                export.exportID or "", timeout=60, clock=time.clock, sleep=time.sleep
            )
        with pytest.raises(NotFoundError):
            await client.analytics.get_export("export-999")
    assert caught.value.export.is_failed and time.sleeps == []


async def test_download_streams_the_file_without_credentials(tmp_path: Path) -> None:
    async with connect() as (fake, client):
        fake.state.beyond.export_pending_polls = 1
        export = await client.analytics.create_export(
            "CALLS_HISTORY", timezone="UTC", relative_range="TODAY"
        )
        time = FakeTime()
        target = tmp_path / "calls.csv"
        written = await client.analytics.download_export(
            export.exportID or "",
            target,
            timeout=300,
            interval=5,
            clock=time.clock,
            sleep=time.sleep,
        )
        download = last(fake)
        expected = report_csv(fake.state)
    assert written == target and target.read_bytes() == expected
    assert expected.startswith(b"call_id,direction,status\n") and expected.count(b"\n") > 1
    assert download.full_path == f"/downloads/{export.exportID}.csv"
    assert "Authorization" not in download.headers
    assert not (tmp_path / "calls.csv.part").exists()


async def test_completed_without_url_and_failed_downloads_are_errors(tmp_path: Path) -> None:
    async with connect() as (fake, client):
        export = await client.analytics.create_export(
            "CALLS_HISTORY", timezone="UTC", relative_range="TODAY"
        )
        fake.state.beyond.exports[export.exportID or ""]["status"] = "COMPLETED"
        with pytest.raises(AircallError, match="without a downloadUrl"):
            await client.analytics.wait_export(export.exportID or "", timeout=1)
        missing = str(fake.base_url.origin()) + "/downloads/export-999.csv?signature=secret"
        with pytest.raises(APIError) as not_found:
            await download_to(missing, tmp_path / "x.csv")
        await rejected(
            fake, lambda: download_to("http://example.com/a.csv", tmp_path / "y.csv"), "https"
        )
    assert not_found.value.status == 404 and "secret" not in str(not_found.value)
    assert not (tmp_path / "x.csv").exists() and not (tmp_path / "x.csv.part").exists()


async def test_unreachable_download_is_a_transport_error_without_the_signature(
    tmp_path: Path,
) -> None:
    server = await asyncio.start_server(lambda r, w: w.close(), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()
    with pytest.raises(TransportError) as caught:
        await download_to(f"http://127.0.0.1:{port}/f.csv?signature=secret", tmp_path / "f.csv")
    assert "secret" not in str(caught.value) and not (tmp_path / "f.csv").exists()


async def test_the_fake_validates_ai_calls_and_exports() -> None:
    async with connect() as (_fake, client):
        agents = "/outbound-calls/agents/agent-7"
        good = {"contact_phone": "+14155550199", "idempotency_key": "k"}
        for bad, message in [
            ({**good, "contact_phone": "1"}, "E.164"),
            ({"contact_phone": "+14155550199"}, "idempotency_key"),
            ({**good, "context": []}, "context"),
            ({**good, "expiration_seconds": "soon"}, "integer"),
            ({**good, "expiration_seconds": 10}, "between 60 and 86400"),
        ]:
            with pytest.raises(BadRequestError, match=message):
                await client.request("POST", agents, json=bad)
        export = "/analytics/report/export"
        window = {"dateFilter": {"relative": "TODAY"}, "timezone": "UTC"}
        for bad_input, message in [
            (None, "input is mandatory"),
            ({"reportName": "NOPE", "filter": window}, "reportName"),
            ({"reportName": "CALLS_HISTORY", "filter": {}}, "timezone"),
            (
                {"reportName": "CALLS_HISTORY", "filter": {**window, "dateFilter": {}}},
                "exactly one",
            ),
        ]:
            with pytest.raises(BadRequestError, match=message):
                await client.request("POST", export, json={"input": bad_input})
