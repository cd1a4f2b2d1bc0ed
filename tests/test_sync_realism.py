"""The fake's opt-in quirks of the live service (issue 12: the retention edge of /v1/calls,
phone and e-mail edits leaving updated_at alone) and the sync engine against them."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from aircall_async import AircallClient
from aircall_async.clock import ManualClock
from aircall_async.sync import (
    DEFAULT_SWEEP_EVERY,
    RETENTION,
    Progress,
    SQLiteSink,
    SyncEngine,
)
from aircall_async.testing import FakeAircall
from aircall_async.testing.history import CALLS_SERVED

from .sync_support import assert_same, expected, stored
from .test_cli import cli, sync_args

DAY = 86_400
HOUR = 3_600
T0 = 1_800_000_000


def timed_fake(calls: int, contacts: int, *, every: int = 0) -> tuple[FakeAircall, ManualClock]:
    """A fake on a manual clock at ``T0``; its calls start ``every`` seconds apart, the last
    one at ``T0``."""
    fake = FakeAircall(calls=calls, contacts=contacts, rate_limit=None)
    clock = ManualClock(wall=T0)
    fake.state.now = clock.time
    table = fake.state.calls
    ordered = list(table)
    for call in ordered:
        table.remove(call["id"])
    for i, call in enumerate(ordered):
        delta = T0 - (len(ordered) - 1 - i) * every - call["started_at"]
        for name in ("started_at", "answered_at", "ended_at"):
            if isinstance(call.get(name), int):
                call[name] += delta
        table.add(call)
    return fake, clock


async def run(fake: FakeAircall, db: Path, clock: ManualClock, **kwargs: Any) -> Progress:
    sink = SQLiteSink(db)
    try:
        async with fake.client() as client:
            return await SyncEngine(client, sink, clock=clock.time, **kwargs).run()
    finally:
        await sink.close()


async def listing(client: AircallClient, clock: ManualClock, advance: float) -> set[int]:
    """A naive listing of every call, oldest first, page after page, ``advance`` seconds
    passing between pages."""
    seen: set[int] = set()
    page = 1
    while True:
        params = {"order": "asc", "from": T0 - 400 * DAY, "per_page": 50, "page": page}
        body = await client.request("GET", "/calls", params=params)
        seen |= {c["id"] for c in body["calls"]}
        if len(body["calls"]) < 50:
            return seen
        page += 1
        clock.advance(advance)


async def test_the_fake_serves_only_the_last_six_months_of_calls() -> None:
    fake, clock = timed_fake(400, 0, every=12 * HOUR)  # 200 days of calls
    starts = [c["started_at"] for c in fake.state.calls]
    async with fake, fake.client() as client:
        old = {"from": T0 - 250 * DAY, "to": T0 - 190 * DAY}
        body = await client.request("GET", "/calls", params=old)
        assert body["meta"]["total"] == 20  # the switch is off by default
        fake.state.quirks.calls_retention = CALLS_SERVED
        body = await client.request("GET", "/calls", params=old)
        assert body["calls"] == [] and body["meta"]["total"] == 0  # 200, nothing
        body = await client.request("GET", "/calls")
        assert body["meta"]["total"] == sum(s >= T0 - CALLS_SERVED for s in starts)
        clock.advance(DAY)  # the edge moves with the fake's clock
        later = await client.request("GET", "/calls")
        assert later["meta"]["total"] == body["meta"]["total"] - 2
        # Search and retrieve are not limited (not probed).
        oldest = fake.state.calls.by_position(0)["id"]
        assert (await client.request("GET", f"/calls/{oldest}"))["call"]["id"] == oldest


async def test_a_listing_straddling_the_edge_loses_rows_while_paged() -> None:
    fake, clock = timed_fake(760, 0, every=6 * HOUR)  # 190 days: older than the edge
    every_id = {c["id"] for c in fake.state.calls}
    async with fake, fake.client() as client:
        assert await listing(client, clock, DAY) == every_id  # switch off: nothing lost
        fake.state.quirks.calls_retention = CALLS_SERVED
        seen = await listing(client, clock, DAY)
        # Rows still served when the listing ended, yet never listed: each day four rows
        # aged out at the old end, and the rest shifted up under the pages already read.
        edge = fake.state.timestamp() - CALLS_SERVED
        still_served = {c["id"] for c in fake.state.calls if c["started_at"] >= edge}
        lost = still_served - seen
        assert len(lost) >= 40, len(lost)


async def test_the_engine_loses_nothing_inside_its_horizon_at_the_edge(tmp_path: Path) -> None:
    fake, clock = timed_fake(1_000, 0, every=5 * HOUR)  # 208 days: straddles the edge
    fake.state.quirks.calls_retention = CALLS_SERVED
    db = tmp_path / "r.db"

    def tick(progress: Progress) -> None:
        clock.advance(3 * HOUR)  # the edge moves between pages

    async with fake:
        progress = await run(fake, db, clock, streams=["calls"], on_progress=tick)
        assert progress.streams["calls"].error is None and progress.streams["calls"].done
        horizon = T0 - RETENTION
        want = {i: c for i, c in expected(fake, "calls").items() if c["started_at"] >= horizon}
        assert stored(db, "calls") == want
        assert len(want) < len(fake.state.calls)  # older calls exist, past the horizon

        # A run cut short and continued 30 days later: its pending windows are clamped to
        # the new horizon, so it neither fails nor misses a call inside it.
        later = tmp_path / "later.db"
        holder: dict[str, asyncio.Future[Any]] = {}

        def cut(progress: Progress) -> None:
            clock.advance(HOUR)
            if progress.pages == 4:
                holder["task"].cancel()

        holder["task"] = asyncio.ensure_future(
            run(fake, later, clock, streams=["calls"], on_progress=cut)
        )
        with pytest.raises(asyncio.CancelledError):
            await holder["task"]
        clock.advance(30 * DAY)
        progress = await run(fake, later, clock, streams=["calls"], on_progress=tick)
        assert progress.streams["calls"].error is None
        horizon = int(clock.time()) - RETENTION
        have = stored(later, "calls")
        inside = {i for i, c in expected(fake, "calls").items() if c["started_at"] >= horizon}
        assert inside <= set(have) and inside


async def test_the_fake_can_leave_updated_at_alone_on_phone_and_email_edits() -> None:
    for keep in (False, True):
        fake, clock = timed_fake(0, 3)
        fake.state.quirks.detail_edits_keep_updated_at = keep
        contact = fake.state.contacts.by_position(1)
        before, base = contact["updated_at"], f"/contacts/{contact['id']}"
        async with fake, fake.client() as client:
            added = await client.request(
                "POST", f"{base}/email_details", json={"value": "a@example.com"}
            )
            assert contact["updated_at"] == (before if keep else T0)
            clock.advance(10)
            email_id = added["email_detail"]["id"]
            await client.request(
                "PUT", f"{base}/email_details/{email_id}", json={"value": "b@example.com"}
            )
            assert contact["updated_at"] == (before if keep else T0 + 10)
            phone_id = contact["phone_numbers"][0]["id"]
            clock.advance(10)
            await client.request("DELETE", f"{base}/phone_details/{phone_id}")
            assert contact["updated_at"] == (before if keep else T0 + 20)
            assert contact["emails"][-1]["value"] == "b@example.com"
            await client.request("POST", base, json={"first_name": "Bumped"})
            assert contact["updated_at"] == T0 + 20  # other edits still bump it


def sweeps(fake: FakeAircall) -> int:
    """Requests of contacts by creation time (a sweep), not by update time (a walk)."""
    listed = [r for r in fake.requests if r.path == "/contacts"]
    return sum(r.query.get("order_by") != "updated_at" for r in listed)


async def test_a_phone_edit_without_an_update_time_needs_a_sweep(tmp_path: Path) -> None:
    fake, clock = timed_fake(0, 120)
    fake.state.quirks.detail_edits_keep_updated_at = True
    db = tmp_path / "c.db"
    contacts = list(fake.state.contacts)

    async def edit(contact: dict[str, Any], value: str) -> None:
        phone_id = contact["phone_numbers"][0]["id"]
        path = f"/contacts/{contact['id']}/phone_details/{phone_id}"
        async with fake.client() as client:
            await client.request("PUT", path, json={"value": value})

    def phone(contact: dict[str, Any]) -> Any:
        return stored(db, "contacts")[contact["id"]]["phone_numbers"][0]["value"]

    async with fake:
        await run(fake, db, clock, streams=["contacts"])
        assert sweeps(fake) == 0  # the first walk read every contact: no sweep due
        await edit(contacts[7], "+14155550107")
        clock.advance(DAY)
        await run(fake, db, clock, streams=["contacts"])
        assert phone(contacts[7]) != "14155550107"  # the walk by updated_at missed it
        assert sweeps(fake) == 0
        clock.advance(DAY)
        await run(fake, db, clock, streams=["contacts"], full_contacts=True)
        assert phone(contacts[7]) == "14155550107" and sweeps(fake) == 3
        assert_same(db, fake, ("contacts",))

        # The periodic sweep: due 7 days after the last one, not before.
        await edit(contacts[90], "+14155550190")
        clock.advance(7 * DAY - 1)
        await run(fake, db, clock, streams=["contacts"])
        assert phone(contacts[90]) != "14155550190" and sweeps(fake) == 3
        clock.advance(1)
        await run(fake, db, clock, streams=["contacts"])
        assert phone(contacts[90]) == "14155550190" and sweeps(fake) == 6
        assert_same(db, fake, ("contacts",))
        # No periodic sweep at all when switched off.
        await edit(contacts[3], "+14155550103")
        clock.advance(30 * DAY)
        await run(fake, db, clock, streams=["contacts"], contacts_sweep_every=None)
        assert phone(contacts[3]) != "14155550103" and sweeps(fake) == 6


async def test_the_cli_sweeps_contacts_when_asked(tmp_path: Path) -> None:
    fake, _ = timed_fake(0, 60)
    fake.state.quirks.detail_edits_keep_updated_at = True
    db = tmp_path / "cli.db"
    contact = fake.state.contacts.by_position(5)
    async with fake:
        status, _, err = await cli(sync_args(fake, db, "--streams", "contacts"), fake)
        assert status == 0, err
        path = f"/contacts/{contact['id']}/email_details"
        async with fake.client() as client:
            await client.request("POST", path, json={"value": "new@example.com"})
        status, _, err = await cli(sync_args(fake, db, "--streams", "contacts"), fake)
        assert status == 0, err
        assert stored(db, "contacts")[contact["id"]]["emails"] != contact["emails"]
        more = ("--streams", "contacts", "--full-contacts")
        status, _, err = await cli(sync_args(fake, db, *more), fake)
        assert status == 0, err
        assert stored(db, "contacts")[contact["id"]]["emails"] == contact["emails"]


async def test_the_sweep_period_is_checked(tmp_path: Path) -> None:
    fake, _ = timed_fake(0, 1)
    async with fake, fake.client() as client:
        sink = SQLiteSink(tmp_path / "p.db")
        with pytest.raises(ValueError, match="contacts_sweep_every"):
            SyncEngine(client, sink, contacts_sweep_every=-1)
        engine = SyncEngine(client, sink, contacts_sweep_every=timedelta(days=2))
        assert engine.contacts_sweep_every == 2 * DAY
        assert SyncEngine(client, sink).contacts_sweep_every == DEFAULT_SWEEP_EVERY == 7 * DAY
        assert SyncEngine(client, sink, contacts_sweep_every=None).contacts_sweep_every is None
