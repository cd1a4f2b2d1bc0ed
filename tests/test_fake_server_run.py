"""The three ways to run the fake server besides ``async with``: in a background thread, as
the pytest fixture, and standalone (``python -m aircall_async.testing``)."""

from __future__ import annotations

import asyncio
import base64
import importlib.metadata
import json
import subprocess
import sys
import urllib.error
import urllib.request
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from aircall_async.testing import CONTROL_KEY, FakeAircall, __main__, create_app
from aircall_async.testing import pytest_plugin as plugin

pytest_plugins = ["pytester"]

# The plugin's fixtures, whether or not the package's pytest11 entry point is installed.
fake_aircall = plugin.fake_aircall
fake_aircall_options = plugin.fake_aircall_options


def get_json(url: str, api_id: str, api_token: str) -> tuple[int, Any]:
    token = base64.b64encode(f"{api_id}:{api_token}".encode()).decode()
    request = urllib.request.Request(url, headers={"Authorization": f"Basic {token}"})
    try:
        with urllib.request.urlopen(request, timeout=5) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_threaded_server_in_sync_code() -> None:
    with FakeAircall(calls=30, rate_limit=None) as fake:
        status, body = get_json(f"{fake.base_url}/calls?per_page=5", fake.api_id, fake.api_token)
        assert status == 200
        assert body["meta"]["total"] == 30
        assert get_json(f"{fake.base_url}/ping", fake.api_id, "wrong")[0] == 403
        assert fake.requests[-1].path == "/ping"
    with pytest.raises(RuntimeError):
        _ = fake.base_url


async def test_start_close_and_restart() -> None:
    fake = FakeAircall(calls=0, contacts=0)
    with pytest.raises(RuntimeError):
        _ = fake.base_url
    await fake.start()
    with pytest.raises(RuntimeError):
        await fake.start()
    async with aiohttp.ClientSession() as session:
        auth = {"Authorization": aiohttp.encode_basic_auth(fake.api_id, fake.api_token)}
        async with session.get(f"{fake.base_url}/ping", headers=auth) as resp:
            assert resp.status == 200
        await fake.close()
        await fake.close()
        await fake.start()
        async with session.get(f"{fake.base_url}/ping", headers=auth) as resp:
            assert resp.status == 200
    await fake.close()


async def test_create_app_under_aiohttp_test_server() -> None:
    app = create_app(calls=3, rate_limit=None)
    async with TestClient(TestServer(app)) as client:
        control = app[CONTROL_KEY]
        auth = {"Authorization": aiohttp.encode_basic_auth(control.credentials.api_id, "x")}
        assert (await client.get("/v1/ping", headers=auth)).status == 403
        auth = {
            "Authorization": aiohttp.encode_basic_auth("fake-api-id", control.credentials.api_token)
        }
        resp = await client.get("/v1/calls", headers=auth)
        assert (await resp.json())["meta"]["total"] == 3


def test_fixture_in_a_sync_test(fake_aircall: FakeAircall) -> None:
    status, body = get_json(f"{fake_aircall.base_url}/users", "fake-api-id", "fake-api-token")
    assert status == 200
    assert body["meta"]["total"] == 5


async def test_fixture_in_an_async_test(fake_aircall: FakeAircall) -> None:
    # The server runs in its own loop: this test's loop is free to block on it.
    auth = {"Authorization": aiohttp.encode_basic_auth(fake_aircall.api_id, fake_aircall.api_token)}
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{fake_aircall.base_url}/calls", headers=auth) as resp,
    ):
        assert (await resp.json())["meta"]["total"] == 100
        assert resp.headers["X-AircallApi-Limit"] == "60"


def _plugin_args() -> list[str]:
    installed = any(
        ep.value == "aircall_async.testing.pytest_plugin"
        for ep in importlib.metadata.entry_points(group="pytest11")
    )
    return [] if installed else ["-p", "aircall_async.testing.pytest_plugin"]


def test_plugin_as_users_load_it(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(
        """
        import asyncio, urllib.request
        import pytest

        @pytest.fixture
        def fake_aircall_options():
            return {"calls": 7, "rate_limit": None}

        def test_sync(fake_aircall):
            assert len(fake_aircall.state.calls) == 7
            with urllib.request.urlopen(f"http://127.0.0.1:{fake_aircall.port}/") as resp:
                assert resp.status == 200

        @pytest.mark.fake_aircall(calls=3, users=2)
        def test_marker(fake_aircall):
            assert (len(fake_aircall.state.calls), len(fake_aircall.state.users)) == (3, 2)

        @pytest.mark.asyncio
        async def test_async(fake_aircall):
            await asyncio.sleep(0)
            assert fake_aircall.control.limiter.limit is None
        """
    )
    result = pytester.runpytest_inprocess(*_plugin_args(), "-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)


async def test_standalone_entry_point() -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "aircall_async.testing",
        "--port",
        "0",
        "--calls",
        "12",
        "--rate-limit",
        "0",
        stdout=subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        first = (await asyncio.wait_for(proc.stdout.readline(), 20)).decode()
        second = (await asyncio.wait_for(proc.stdout.readline(), 5)).decode()
        base_url = first.rsplit(" ", 1)[-1].strip()
        assert base_url.startswith("http://127.0.0.1:")
        creds = dict(part.split("=", 1) for part in second.split()[2:])
        auth = {"Authorization": aiohttp.encode_basic_auth(creds["api_id"], creds["api_token"])}
        async with aiohttp.ClientSession() as session:
            async with session.get(f"{base_url}/ping", headers=auth) as resp:
                assert await resp.json() == {"ping": "pong"}
            async with session.get(f"{base_url}/calls", headers=auth) as resp:
                assert (await resp.json())["meta"]["total"] == 12
                assert "X-AircallApi-Limit" not in resp.headers
    finally:
        proc.terminate()
        assert await asyncio.wait_for(proc.wait(), 10) == 0


async def test_standalone_serve_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    args = __main__._parser().parse_args(["--port", "0", "--calls", "4", "--window", "5"])
    task = asyncio.create_task(__main__.serve(args))
    try:
        for _ in range(200):
            out = capsys.readouterr().out
            if out:
                break
            await asyncio.sleep(0.01)
        assert "rate limit 60 per 5s" in out
        base_url = out.splitlines()[0].rsplit(" ", 1)[-1]
        auth = {"Authorization": aiohttp.encode_basic_auth("fake-api-id", "fake-api-token")}
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"{base_url}/calls", headers=auth) as resp,
        ):
            assert (await resp.json())["meta"]["total"] == 4
            assert resp.headers["X-AircallApi-Limit"] == "60"
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


def test_main_rejects_bad_arguments() -> None:
    with pytest.raises(SystemExit):
        __main__.main(["--port", "not-a-port"])


async def test_client_points_at_the_fake() -> None:
    pytest.importorskip("aircall_async.client")
    async with FakeAircall(calls=3, rate_limit=10, window=1.0) as fake:
        async with fake.client() as client:
            assert await client.ping() is True
        async with fake.client(access_token=fake.access_token, rate_limit=None) as client:
            assert await client.ping() is True
    assert fake.requests[0].headers["Authorization"].startswith("Basic ")
    assert fake.requests[1].headers["Authorization"] == f"Bearer {fake.access_token}"
