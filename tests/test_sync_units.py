"""The pure parts of sync jobs, the export sinks, and the media downloader's failures."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from aircall_async import AircallClient
from aircall_async.sync import (
    RETENTION,
    STREAMS,
    Progress,
    RequestCounter,
    SinkError,
    SQLiteSink,
    StreamProgress,
    SyncEngine,
    epoch,
    parse_since,
    render_line,
    select_streams,
)
from aircall_async.sync.files import CSVSink, JSONLinesSink
from aircall_async.sync.media import MediaDownloader
from aircall_async.sync.state import plan_calls, split
from aircall_async.sync.streams import Column
from aircall_async.testing import FakeAircall
from aircall_async.testing.history import make_recent
from aircall_async.testing.media import FakeMedia

from .sync_support import assert_same, expected

NOW = 1_800_000_000


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        (1_584_998_199, 1_584_998_199),
        (1_584_998_199.9, 1_584_998_199),
        ("1584998199", 1_584_998_199),
        ("2019-12-29T10:03:18.000Z", 1_577_613_798),
        ("2020-11-02T15:38:16.000+00:00", 1_604_331_496),
        ("2019-12-29T10:03:18", 1_577_613_798),
        ("not a time", None),
        (True, None),
        (None, None),
        (float("nan"), None),
        ([1], None),
    ],
)
def test_epoch_reads_every_time_shape(value: object, seconds: int | None) -> None:
    assert epoch(value) == seconds


def test_columns_convert_and_never_raise() -> None:
    assert Column("duration", "int").value({"duration": "42"}) == 42
    assert Column("duration", "int").value({"duration": "n/a"}) is None
    assert Column("duration", "int").value({"duration": True}) is None
    assert Column("archived", "bool").value({"archived": False}) == 0
    assert Column("archived", "bool").value({"archived": "no"}) is None
    assert Column("name", "text").value({"name": {"a": 1}}) == '{"a": 1}'
    assert Column("user_id", "int", ("user", "id")).value({"user": None}) is None
    assert Column("user_id", "int", ("user", "id")).value({"user": {"id": 7}}) == 7
    calls = STREAMS["calls"]
    assert calls.record_id({"id": True}) is None and calls.record_id({"id": 3}) == 3
    assert STREAMS["webhooks"].clean({"id": 1, "token": "secret"}) == {"id": 1}


def test_select_streams() -> None:
    assert [s.name for s in select_streams(["calls", "users"])] == ["users", "calls"]
    with pytest.raises(ValueError, match="unknown stream"):
        select_streams(["calls", "cals"])
    with pytest.raises(ValueError, match="no stream named"):
        select_streams([" "])


def test_parse_since() -> None:
    assert parse_since(None) is None
    assert parse_since(5) == 5
    assert parse_since("2020-01-01") == 1_577_836_800
    assert parse_since("2020-01-01T01:00:00+01:00") == 1_577_836_800
    assert parse_since(date(2020, 1, 1)) == 1_577_836_800
    assert parse_since(datetime(2020, 1, 1, tzinfo=timezone.utc)) == 1_577_836_800
    for bad in (True, datetime(2020, 1, 1), "soon", 1.5):
        with pytest.raises(ValueError, match="date|datetime"):
            parse_since(bad)  # type: ignore[arg-type]


def test_plan_calls_first_run_rerun_resume_and_since() -> None:
    first = plan_calls(None, now=NOW, since=None, lag=3600, workers=3)
    assert first.windows[0].lo == NOW - RETENTION and first.windows[-1].hi == NOW
    assert len(first.windows) == 3
    assert all(a.hi + 1 == b.lo for a, b in zip(first.windows, first.windows[1:], strict=False))
    again = plan_calls(
        {"high_water": NOW - 100, "run": None}, now=NOW, since=None, lag=3600, workers=1
    )
    assert [(w.lo, w.hi) for w in again.windows] == [(NOW - 3700, NOW)]
    stopped = {
        "high_water": None,
        "run": {"to": NOW - 50, "windows": [[0, 9, 10], [10, NOW - 50, 500], "x"]},
    }
    resumed = plan_calls(stopped, now=NOW, since=None, lag=3600, workers=1)
    assert [(w.lo, w.hi, w.pos) for w in resumed.windows] == [
        (10, NOW - 50, NOW - RETENTION),
        (NOW - 49, NOW, NOW - 49),
    ]
    assert plan_calls(stopped, now=NOW, since=NOW - 10, lag=0, workers=1).windows[0].lo == NOW - 10
    assert [(w.lo, w.hi) for w in split(5, 4, 3)] == [(5, 4)] and split(5, 4, 3)[0].done is True


def test_progress_and_counter_rendering() -> None:
    counter = RequestCounter()
    counter.requests, counter.rate_limited = 12, 2
    progress = Progress(streams={"calls": StreamProgress(pages=3, done=True)}, counter=counter)
    assert progress.requests == 12 and progress.rate_limited == 2
    assert "2 x 429" in render_line(progress) and "ETA" not in render_line(progress)
    assert progress.as_dict()["streams"]["calls"]["done"] is True
    assert "RequestCounter" in repr(counter)


async def test_export_sinks_write_each_object_once() -> None:
    out = io.StringIO()
    sink = JSONLinesSink(out)
    calls = STREAMS["calls"]
    await sink.open([calls])
    assert await sink.load_state(calls) is None
    await sink.write(calls, [{"id": 1, "direction": "inbound"}, {"id": 2}], {}, 0)
    await sink.write(calls, [{"id": 2}, {"id": 3}], {}, 0)
    assert await sink.finish_sweep(calls, 1, {}) == 0
    assert await sink.count(calls) == 3
    await sink.close()
    assert [json.loads(line)["id"] for line in out.getvalue().splitlines()] == [1, 2, 3]
    text = io.StringIO()
    table = CSVSink(text)
    await table.write(calls, [{"id": 1, "direction": "inbound", "started_at": 5}], {}, 0)
    with pytest.raises(ValueError, match="one stream"):
        await table.write(STREAMS["users"], [{"id": 9}], {}, 0)
    rows = list(csv.DictReader(io.StringIO(text.getvalue())))
    assert rows[0]["direction"] == "inbound" and rows[0]["started_at"] == "5"
    assert "rows=1" in repr(table)


async def test_sqlite_sink_misuse_is_a_sink_error(tmp_path: Path) -> None:
    sink = SQLiteSink(tmp_path / "s.db")
    with pytest.raises(SinkError, match="not open"):
        await sink.count(STREAMS["calls"])
    await sink.open([STREAMS["tags"]])
    blocker = sqlite3.connect(tmp_path / "s.db", timeout=0)
    blocker.execute("BEGIN EXCLUSIVE")
    sink.connection.execute("PRAGMA busy_timeout = 0")
    with pytest.raises(SinkError, match="writing tags"):
        await sink.write(STREAMS["tags"], [{"id": 1}], {}, 0)
    with pytest.raises(SinkError, match="writing tags"):
        await sink.finish_sweep(STREAMS["tags"], 1, {})
    blocker.rollback()
    blocker.close()
    await sink.close()
    await sink.close()


async def test_contacts_past_the_cap_are_swept_by_creation_time(tmp_path: Path) -> None:
    db = tmp_path / "big.db"
    async with FakeAircall(calls=0, contacts=120, rate_limit=None) as fake:
        # The first page says more than 10,000 contacts: the walk cannot reach them all.
        first = sorted(fake.state.contacts, key=lambda c: (c["updated_at"], c["id"]))[::-1][:50]
        fake.fail(
            "/contacts", status=200, times=1,
            body={"meta": {"total": 20_000, "count": 50}, "contacts": first},
        )  # fmt: skip
        sink = SQLiteSink(db)
        async with fake.client() as client:
            progress = await SyncEngine(client, sink, streams=["contacts"]).run()
        await sink.close()
        sweep = [r for r in fake.requests if r.query.get("order") == "asc"]
        assert sweep and progress.streams["contacts"].pages == 1 + len(sweep)
        assert_same(db, fake, ("contacts",))


async def test_media_failures_are_counted_not_raised(tmp_path: Path) -> None:
    db, folder = tmp_path / "m.db", tmp_path / "files"
    folder.mkdir()
    fake = FakeAircall(calls=60, contacts=5, rate_limit=None)
    make_recent(fake.state)
    async with fake, FakeMedia(fake.state) as media, fake.client() as client:
        media.publish()
        sink = SQLiteSink(db)
        await SyncEngine(client, sink, streams=["calls"]).run()
        with_media = [dict(c) for c in fake.state.calls if c.get("recording") or c.get("voicemail")]
        media.publish()  # every stored URL expires...
        fake.state.calls.remove(with_media[0]["id"])  # ...and this call is no more
        with pytest.raises(ValueError, match="concurrency"):
            MediaDownloader(client, sink, folder, concurrency=0)
        downloader = MediaDownloader(client, sink, folder, concurrency=2)
        report = await downloader.run()
        assert report.failed == 1 and "not renewed" in report.errors[0]
        assert report.downloaded == len(with_media) - 1 == report.refreshed
        assert repr(downloader).startswith("<MediaDownloader")
        await sink.close()
        now_served = expected(fake, "calls")[with_media[1]["id"]]
    with sqlite3.connect(db) as conn:
        (raw,) = conn.execute(
            "SELECT raw FROM calls WHERE id = ?", (with_media[1]["id"],)
        ).fetchone()
    refreshed = json.loads(raw)
    # The refreshed URL was stored with the call (its download has spent it since).
    kind = "recording" if refreshed["recording"] else "voicemail"
    assert refreshed[kind] not in (with_media[1][kind], now_served[kind])
    rest = {k: v for k, v in refreshed.items() if k != kind}
    assert rest == {k: v for k, v in now_served.items() if k != kind}
    sink = SQLiteSink(db)
    async with FakeAircall(calls=0, rate_limit=None) as other, other.client() as client:
        for path in folder.glob("*.mp3"):
            path.unlink()
        report = await MediaDownloader(client, sink, folder).run()
    await sink.close()
    # The media host is gone: every download fails with the error's type, nothing raised.
    assert report.downloaded == 0 and report.failed == len(with_media)
    assert all("ClientConnectorError" in e or "ClientOSError" in e for e in report.errors)


def test_lag_accepts_a_timedelta() -> None:
    engine = SyncEngine(fake_client(), SQLiteSink(":memory:"), lag=timedelta(hours=2))
    assert engine.lag == 7200 and "SyncEngine" in repr(engine)


def fake_client() -> AircallClient:
    return AircallClient(access_token="t", base_url="http://127.0.0.1:1/v1")


async def test_progress_counts_requests_and_429s(tmp_path: Path) -> None:
    import aiohttp

    from aircall_async import Backoff

    counter = RequestCounter()
    async with (
        FakeAircall(calls=30, contacts=10, rate_limit=None) as fake,
        aiohttp.ClientSession(trace_configs=[counter.trace_config]) as session,
        fake.client(session=session, backoff=Backoff(base=0.01)) as client,
    ):
        fake.fail("/tags", status=429, times=1)
        # A listing without meta: followed while its pages come full.
        fake.fail("/users", status=200, times=1, body={"users": [{"id": 1, "name": "A"}]})
        seen: list[Progress] = []
        sink = SQLiteSink(tmp_path / "p.db")
        progress = await SyncEngine(
            client, sink, streams=["tags", "users", "contacts"], counter=counter,
            on_progress=seen.append,
        ).run()  # fmt: skip
        await sink.close()
    assert progress.rate_limited == 1
    assert progress.requests == progress.pages + 1 == len(fake.requests)
    assert progress.streams["users"].items == 1 and seen[-1] is progress


async def test_an_altered_file_is_downloaded_again(tmp_path: Path) -> None:
    db, folder = tmp_path / "a.db", tmp_path / "files"
    folder.mkdir()
    fake = FakeAircall(calls=30, contacts=5, rate_limit=None)
    make_recent(fake.state)
    async with fake, FakeMedia(fake.state) as media, fake.client() as client:
        media.publish()
        sink = SQLiteSink(db)
        await SyncEngine(client, sink, streams=["calls"]).run()
        first = await MediaDownloader(client, sink, folder).run()
        victim = sorted(folder.iterdir())[0]
        victim.write_bytes(b"x" * len(victim.read_bytes()))  # same size, other bytes
        again = await MediaDownloader(client, sink, folder).run()
        await sink.close()
        call_id, kind = victim.stem.split("-")
        assert victim.read_bytes() == media.content(int(call_id), kind)
    assert first.downloaded > 1 and again.downloaded == 1 and again.refreshed == 1
    assert again.present == first.downloaded - 1
