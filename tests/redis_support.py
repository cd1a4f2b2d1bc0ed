"""Real Redis for the tests: the shared server's own database, or a private redis-server.

Tests take the server from the ``redis_url`` fixture (``AIRCALL_TEST_REDIS_URL``, which skips
with the reason where no Redis answers, and fails under ``CI=true``) and use a database of
their own on it, number 13, flushed per test.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from yarl import URL

#: The database these tests own and flush, on whatever server they are given (another one
#: with ``AIRCALL_TEST_REDIS_DB``, so that suites running side by side keep apart).
DATABASE = int(os.environ.get("AIRCALL_TEST_REDIS_DB", "13"))
ROOT = Path(__file__).resolve().parent.parent


def unavailable(reason: str) -> None:
    """Skip the test, or fail it under CI (where Redis must be there)."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason}, and CI=true: the Redis tests must run in CI")
    pytest.skip(reason)


def own_database(url: str) -> str:
    """``url`` with the database number of these tests, whatever it named: they flush it."""
    return str(URL(url).with_path(f"/{DATABASE}"))


def fresh_redis_url(server_url: str) -> str:
    """Database 13 of the Redis at ``server_url`` (the ``redis_url`` fixture's), flushed."""
    url = own_database(server_url)
    client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
    try:
        client.flushdb()
    finally:
        client.close()
    return url


def free_port() -> int:
    """A TCP port on loopback nobody listens on (right now)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class PrivateRedis:
    """A redis-server of the test's own, on a free port, that the test may kill and restart.

    Append-only file with ``appendfsync always``: whatever Redis acknowledged survives a
    SIGKILL. Never touches the machine's own server.
    """

    def __init__(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            unavailable("redis-server is not installed")
        self.binary = str(binary)
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="aircall-redis-")
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """Its URL (database 0)."""
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start the server and wait until it answers PING."""
        self.proc = subprocess.Popen(
            [
                self.binary,
                "--port", str(self.port),
                "--bind", "127.0.0.1",
                "--dir", self.dir,
                "--save", "",
                "--appendonly", "yes",
                "--appendfsync", "always",
                "--daemonize", "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        client = redis.Redis(port=self.port, socket_timeout=1, socket_connect_timeout=1)
        try:
            for _ in range(200):
                try:
                    if client.ping():
                        return
                except (redis.RedisError, OSError):
                    time.sleep(0.05)
        finally:
            client.close()
        raise RuntimeError("the private redis-server did not start")

    def kill(self) -> None:
        """SIGKILL the server (an outage: nothing is flushed beyond what was fsynced)."""
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None

    def stop(self) -> None:
        """Kill the server and delete its files."""
        self.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


def private_redis() -> Iterator[PrivateRedis]:
    """Body of a fixture: a started :class:`PrivateRedis`, stopped afterwards."""
    server = PrivateRedis()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def spawn(role: str, config: dict[str, Any]) -> subprocess.Popen[str]:
    """Start ``python -m tests.redis_workers <role> <config>``; its stdout is a pipe of lines."""
    import json

    return subprocess.Popen(
        [sys.executable, "-m", "tests.redis_workers", role, json.dumps(config)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        bufsize=1,
    )


def wait_line(proc: subprocess.Popen[str], expected: str) -> str:
    """Read lines of ``proc`` until one starts with ``expected``; return it.

    Raises:
        RuntimeError: if the process ends first.
    """
    assert proc.stdout is not None
    while True:
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError(f"worker ended (status {proc.wait()}) before {expected!r}")
        if line.startswith(expected):
            return line.strip()
