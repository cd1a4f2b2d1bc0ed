"""The ``aircall-async`` command line, run as real subprocesses against the fake server."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import pty
import random
import signal
import sqlite3
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from aircall_async import AircallClient
from aircall_async.sync import STATE_TABLE
from aircall_async.testing import FakeAircall
from aircall_async.testing.history import make_recent
from aircall_async.testing.media import FakeMedia

from .sync_support import assert_same, expected, stored

FAST = ("--rate-limit", "1000000/1")


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def env_for(fake: FakeAircall | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRCALL_")}
    if fake is not None:
        env.update(AIRCALL_API_ID=fake.api_id, AIRCALL_API_TOKEN=fake.api_token)
    return env


async def start(
    args: Sequence[str], env: dict[str, str], **kwargs: Any
) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "aircall_async", *args, env=env,
        stdout=kwargs.pop("stdout", asyncio.subprocess.PIPE),
        stderr=kwargs.pop("stderr", asyncio.subprocess.PIPE), **kwargs,
    )  # fmt: skip


async def cli(args: Sequence[str], fake: FakeAircall | None) -> tuple[int, str, str]:
    proc = await start(args, env_for(fake))
    out, err = await proc.communicate()
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


def sync_args(fake: FakeAircall, db: Path, *more: str) -> list[str]:
    return ["sync", "--base-url", str(fake.base_url), *FAST, "--db", str(db), *more]


def recent(calls: int, contacts: int, **kwargs: Any) -> FakeAircall:
    fake = FakeAircall(calls=calls, contacts=contacts, rate_limit=None, **kwargs)
    make_recent(fake.state)
    return fake


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["sync", "--db", "{tmp}/x.db", "--streams", "calls,nope"], "unknown stream(s): nope"),
        (["sync", "--db", "{tmp}/x.db", "--since", "last tuesday"], "--since: not a date"),
        (["sync", "--db", "{tmp}/no/x.db"], "does not exist"),
        (["sync", "--db", "{tmp}"], "is a directory"),
        (["sync", "--db", "{tmp}/x.db", "--workers", "0"], "integer >= 1"),
        (["sync", "--db", "{tmp}/x.db", "--rate-limit", "fast"], "LIMIT/SECONDS"),
        # NaN seconds passed the check and then spun a core forever; a huge limit crashed.
        (["sync", "--db", "{tmp}/x.db", "--rate-limit", "5/nan"], "LIMIT/SECONDS"),
        (["sync", "--db", "{tmp}/x.db", "--rate-limit", "5/inf"], "LIMIT/SECONDS"),
        (["sync", "--db", "{tmp}/x.db", "--rate-limit", "9" * 23 + "/1"], "LIMIT/SECONDS"),
        (["export", "calls", "--format", "xml"], "invalid choice"),
        (["export", "calls,contacts"], "one stream"),
        (["recordings", "--db", "{tmp}/x.db", "--dir", "{tmp}/m"], "does not exist"),
        (["frobnicate"], "invalid choice"),
        (["fake", "--calls", "-5"], "calls must be >= 0"),
    ],
)
def test_usage_errors_exit_2_with_one_line_and_write_nothing(
    argv: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    from aircall_async.cli import main

    monkeypatch.setenv("AIRCALL_ACCESS_TOKEN", "token-from-env")
    status = main([a.replace("{tmp}", str(tmp_path)) for a in argv])
    err = capsys.readouterr().err
    assert status == 2
    assert err.count("\n") == 1 and message in err, err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("env", "more"),
    [
        # A newline would end the Authorization header: aiohttp refused it mid-request.
        ({"AIRCALL_ACCESS_TOKEN": "SeCrEt\r\nX-Evil: 1"}, []),
        # An id from an undecodable environment crashed the budget key's hashing first.
        (
            {
                "AIRCALL_API_ID": "id\udcff",
                "AIRCALL_API_TOKEN": "SeCrEtTok",
                "AIRCALL_REDIS_URL": "redis://127.0.0.1:1/0",
            },
            ["--shared"],
        ),
    ],
    ids=["newline-in-token", "undecodable-id-shared"],
)
def test_credentials_a_header_cannot_carry_exit_2_without_showing_them(
    env: dict[str, str], more: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    from aircall_async.cli import main

    for name in [k for k in os.environ if k.startswith("AIRCALL_")]:
        monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    base = ["--base-url", "http://127.0.0.1:1/v1", "--db", str(tmp_path / "x.db")]
    status = main(["sync", *base, *more])
    err = capsys.readouterr().err
    assert status == 2
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert "SeCrEt" not in err
    assert list(tmp_path.iterdir()) == []


async def test_bad_credentials_or_database_exit_2_in_a_subprocess(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    async with recent(20, 5) as fake:
        status, _, err = await cli(sync_args(fake, db), None)
        assert status == 2 and err.startswith("aircall-async: error: no credentials: set ")
        wrong = env_for(fake) | {"AIRCALL_API_TOKEN": "not-the-token"}
        proc = await start(sync_args(fake, db), wrong)
        _, err_bytes = await proc.communicate()
        assert proc.returncode == 2
        assert err_bytes.decode() == (
            "aircall-async: error: wrong credentials: the API answered 403 Forbidden\n"
        )
        assert not db.exists()
        junk = tmp_path / "junk.db"
        junk.write_bytes(b"this is no SQLite database" * 50)
        status, _, err = await cli(sync_args(fake, junk), fake)
        assert status == 2 and err.count("\n") == 1 and "cannot use" in err
        assert junk.read_bytes() == b"this is no SQLite database" * 50


async def test_json_summary_and_plain_progress_lines(tmp_path: Path) -> None:
    db = tmp_path / "j.db"
    async with recent(300, 80) as fake:
        status, out, err = await cli(sync_args(fake, db, "--json", "--log-interval", "0"), fake)
        assert status == 0, err
        summary = json.loads(out)
        assert summary["status"] == "ok"
        assert summary["streams"]["calls"]["items"] == 300
        assert summary["streams"]["contacts"]["items"] == 80
        lines = err.splitlines()
        assert len(lines) > 3 and all("items" in line for line in lines)
        assert lines[-1].startswith("done: ")
        assert_same(db, fake)
        # Without a terminal and at the default interval: the final line only.
        status, out, err = await cli(sync_args(fake, db, "--streams", "calls"), fake)
        assert status == 0 and out == ""
        assert err.count("\n") == 1 and err.startswith("done: ")


async def test_progress_bar_on_a_terminal(tmp_path: Path) -> None:
    async with recent(2_000, 10) as fake:
        leader, follower = pty.openpty()
        proc = await start(
            sync_args(fake, tmp_path / "t.db", "--streams", "calls"), env_for(fake),
            stderr=follower,
        )  # fmt: skip
        os.close(follower)
        await proc.wait()
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        os.close(leader)
        screen = b"".join(chunks).decode()
        assert proc.returncode == 0
        assert "\r\x1b[2K[" in screen and "#" in screen
        assert "done: " in screen and "2,000 items" in screen


def untraced(env: dict[str, str]) -> dict[str, str]:
    """The environment without coverage's subprocess measurement (for the heavy runs)."""
    return {k: v for k, v in env.items() if not k.startswith("COVERAGE_")}


@pytest.mark.slow
async def test_sigkill_at_random_points_then_reruns_equal_a_clean_run(tmp_path: Path) -> None:
    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    credentials = {"AIRCALL_API_ID": "fake-api-id", "AIRCALL_API_TOKEN": "fake-api-token"}
    env = untraced(env_for(None)) | credentials
    server = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.sync_fake_process", "25000", "3000",
        env=env, stdout=asyncio.subprocess.PIPE, cwd=Path(__file__).parent.parent,
    )  # fmt: skip
    try:
        assert server.stdout is not None
        base, control = (await server.stdout.readline()).decode().split()
        async with aiohttp.ClientSession() as http:

            async def get(what: str) -> Any:
                async with http.get(f"{control}/{what}") as response:
                    return await response.json()

            async def received() -> int:
                return sum((await get("requests")).values())

            def args(db: Path) -> list[str]:
                return ["sync", "--base-url", base, *FAST, "--db", str(db)]

            clean = tmp_path / "clean.db"
            run = await start(args(clean), env)
            assert await run.wait() == 0
            clean_pages = await get("requests")
            db = tmp_path / "killed.db"
            kills = 0
            for _ in range(3):
                target = await received() + rng.randint(20, 150)
                run = await start(args(db), env)
                while run.returncode is None and await received() < target:  # noqa: ASYNC110
                    await asyncio.sleep(0.01)
                if run.returncode is None:
                    run.send_signal(signal.SIGKILL)
                    kills += 1
                await run.communicate()
            run = await start(args(db), env)
            assert await run.wait() == 0
            every = await get("requests")
            want = await get("expected")
        for stream, objects in want.items():
            by_id = {o["id"]: o for o in objects}
            assert stored(clean, stream) == by_id, stream
            assert stored(db, stream) == by_id, stream
        assert len(want["calls"]) == 25_000 and len(want["contacts"]) == 3_000
        for path, pages in clean_pages.items():
            if path != "/ping":
                # All runs together: the clean one twice over, plus at most 3 pages a kill.
                assert every[path] - pages <= pages + 3 * kills, (path, every[path], pages, seed)
    finally:
        server.kill()
        await server.wait()


async def test_ctrl_c_commits_and_exits_130(tmp_path: Path) -> None:
    db = tmp_path / "i.db"
    async with recent(3_000, 10) as fake:
        proc = await start(sync_args(fake, db, "--streams", "calls"), env_for(fake))
        while len([r for r in fake.requests if r.path == "/calls"]) < 5:  # noqa: ASYNC110
            await asyncio.sleep(0.005)
        proc.send_signal(signal.SIGINT)
        _, err = await proc.communicate()
        assert proc.returncode == 130, err
        assert "interrupted" in err.decode()
        with sqlite3.connect(db) as conn:
            rows = conn.execute("SELECT count(*) FROM calls").fetchone()[0]
            (state,) = conn.execute(f"SELECT state FROM {STATE_TABLE}").fetchone()
        assert 0 < rows < 3_000 and '"windows"' in state
        status, _, _ = await cli(sync_args(fake, db, "--streams", "calls"), fake)
        assert status == 0
        assert_same(db, fake, ("calls",))


async def test_export_jsonl_to_stdout_and_csv_to_a_file(tmp_path: Path) -> None:
    async with recent(400, 10) as fake:
        calls = list(fake.state.calls)
        since = calls[150]["started_at"]
        base = ["--base-url", str(fake.base_url), *FAST, "--since", str(since)]
        status, out, err = await cli(["export", "calls", *base], fake)
        assert status == 0, err
        lines = [json.loads(line) for line in out.splitlines()]
        want = expected(fake, "calls")
        assert [c["id"] for c in lines] == [c["id"] for c in calls if c["started_at"] >= since]
        assert all(c == want[c["id"]] for c in lines)
        target = tmp_path / "calls.csv"
        status, out, err = await cli(
            ["export", "calls", *base, "--format", "csv", "--out", str(target)], fake
        )
        assert status == 0 and out == ""
        rows = list(csv.DictReader(io.StringIO(target.read_text())))
        assert [int(r["id"]) for r in rows] == [c["id"] for c in lines]
        assert json.loads(rows[0]["raw"]) == lines[0]
        assert rows[0]["direction"] == lines[0]["direction"]
        assert names(tmp_path) == ["calls.csv"]
        contacts = sorted(c["updated_at"] for c in fake.state.contacts)
        args = ["export", "contacts", "--base-url", str(fake.base_url), *FAST]
        status, out, err = await cli([*args, "--since", str(contacts[4])], fake)
        assert status == 0, err
        updated = sorted(json.loads(line)["updated_at"] for line in out.splitlines())
        assert updated == contacts[4:]
        status, out, err = await cli([*args, "--json"], fake)
        assert status == 2 and "--json needs --out" in err and out == ""
        fake.fail("/calls", status=400)
        status, out, err = await cli(
            ["export", "calls", *base, "--out", str(tmp_path / "failed.jsonl")], fake
        )
        assert status == 1 and "400" in err
        assert names(tmp_path) == ["calls.csv"]


async def test_recordings_download_once_with_expiring_urls_and_resume(tmp_path: Path) -> None:
    db, folder = tmp_path / "r.db", tmp_path / "media"
    async with recent(120, 10) as fake, FakeMedia(fake.state, cut=2) as media:
        published = media.publish()
        assert published > 10
        status, _, err = await cli(sync_args(fake, db, "--streams", "calls"), fake)
        assert status == 0, err
        media.publish()  # every URL stored is now expired
        args = ["recordings", "--base-url", str(fake.base_url), *FAST, "--db", str(db)]
        args += ["--dir", str(folder), "--json"]
        status, out, err = await cli(args, fake)
        first = json.loads(out)
        assert status == 1 and first["failed"] == 2  # the two cut downloads
        assert first["refreshed"] == published
        assert len(list(folder.glob("*.part"))) == 2
        status, out, err = await cli(args, fake)
        second = json.loads(out)
        assert status == 0, err
        assert second["downloaded"] == 2 and second["present"] == published - 2
        files = sorted(p for p in folder.iterdir())
        assert len(files) == published and not list(folder.glob("*.part"))
        for path in files:
            call_id, kind = path.stem.split("-")
            assert path.read_bytes() == media.content(int(call_id), kind)
        assert all(n == 1 for n in media.downloads.values())
        assert len(media.downloads) == published
        with sqlite3.connect(db) as conn:
            sums = conn.execute("SELECT count(DISTINCT sha256) FROM _aircall_media").fetchone()
        assert sums == (published,)
        # The refreshed URLs were stored with the calls.
        assert stored(db, "calls") == expected(fake, "calls") or media.expired > 0


async def test_fake_command_serves_recent_calls_until_interrupted() -> None:
    proc = await start(["fake", "--port", "0", "--calls", "30"], env_for(None))
    assert proc.stdout is not None
    line = (await proc.stdout.readline()).decode()
    assert line.startswith("Fake Aircall API at http://127.0.0.1:") and "(30 calls)" in line
    port = line.split(":")[2].split("/")[0]
    status, _, err = await cli(["fake", "--port", port], None)
    assert status == 2 and err.startswith(
        f"aircall-async: error: cannot listen on 127.0.0.1:{port}"
    )
    proc.send_signal(signal.SIGINT)
    await proc.communicate()
    assert proc.returncode == 0


async def test_fake_command_switches_on_the_live_quirks() -> None:
    # The seeded calls end now, spread over more than 0.01 day (14.4 minutes).
    args = ["fake", "--port", "0", "--calls", "40", "--rate-limit", "0"]
    proc = await start([*args, "--calls-retention", "0.01"], env_for(None))
    assert proc.stdout is not None
    base = (await proc.stdout.readline()).decode().split(" at ")[1].split()[0]
    env = (await proc.stdout.readline()).decode().split()
    creds = dict(part.split("=", 1) for part in env[1:])
    try:
        async with AircallClient(
            api_id=creds["AIRCALL_API_ID"], api_token=creds["AIRCALL_API_TOKEN"], base_url=base
        ) as client:
            served = await client.calls.list().collect()
            everything = await client.calls.search().collect()  # search is not limited
        assert len(everything) == 40
        assert 0 < len(served) < 40
        edge = time.time() - 864 - 5  # 0.01 day, and a margin for the test's own time
        assert all(c.started_at is not None and c.started_at.timestamp() >= edge for c in served)
    finally:
        proc.send_signal(signal.SIGINT)
        await proc.communicate()
    status, _, err = await cli([*args, "--calls-retention", "-1"], None)
    assert status == 2 and "expected a number of days > 0, got '-1'" in err


@pytest.mark.parametrize("argv", [["--help"], ["sync", "--help"]])
def test_help_exits_0(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    from aircall_async.cli import main

    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 0
    assert "aircall-async" in capsys.readouterr().out
