"""Benchmark of the webhook receiver (a script, not a test): python bench/bench_webhooks.py

Each server runs in its own process with access logs off; the load generator is this
process (a minimal keep-alive HTTP/1.1 client on asyncio protocols, much lighter than
aiohttp's client, so the servers are the bottleneck). Uses ``wrk`` for the throughput
phase instead when it is installed. Prints:

1. throughput: a bare aiohttp handler that only ``json.loads`` the body, then the
   receiver sub-app (token check, dedupe, typed parsing, one trivial handler) mounted in
   an aiohttp app; requests/second of each and the ratio (target >= 0.5);
2. p99 answer time of the receiver at a fixed 500 deliveries/second (target < 20 ms);
3. RSS growth of the receiver over 200,000 distinct deliveries (target < 20 MB).

Every delivery is distinct (its timestamp is a counter), so none is a cheap duplicate.
Options: --seconds N (per throughput run, default 3), --deliveries N (default 200000).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TOKEN = "bench-token"
PATH = "/aircall/webhooks/"


# ---- servers (run in child processes) ---------------------------------------------------


def serve(kind: str) -> None:
    from aiohttp import web

    from aircall_async.webhooks import CallEvent, WebhookRouter, webhook_app

    app = web.Application()
    if kind == "bare":

        async def bare(request: web.Request) -> web.Response:
            json.loads(await request.read())
            return web.Response(text='{"status": "ok"}', content_type="application/json")

        app.router.add_post(PATH, bare)
    else:
        router = WebhookRouter()

        @router.on("call.ended")
        async def trivial(event: CallEvent) -> None:
            return None

        app.add_subapp(PATH, webhook_app(router, tokens={TOKEN}))

    async def rss(request: web.Request) -> web.Response:
        return web.Response(text=str(_rss_kib()))

    app.router.add_get("/rss", rss)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    print(sock.getsockname()[1], flush=True)
    web.run_app(app, sock=sock, access_log=None, print=None, shutdown_timeout=1.0)


def _rss_kib() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


# ---- load generator -------------------------------------------------------------------


class Requests:
    """Distinct call.ended deliveries as raw HTTP/1.1 requests (timestamp = counter)."""

    def __init__(self, port: int) -> None:
        from aircall_async.testing.deliveries import build_delivery

        payload = build_delivery("call.ended", token=TOKEN, timestamp=123456789)
        body = json.dumps(payload).encode()
        self.prefix, self.suffix = body.split(b"123456789", 1)
        self.head = (
            f"POST {PATH} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
        ).encode()
        self.counter = 1_000_000_000
        self.size = len(body)

    def next(self) -> bytes:
        self.counter += 1
        body = self.prefix + str(self.counter).encode() + self.suffix
        return self.head + b"Content-Length: %d\r\n\r\n" % len(body) + body


class Conn(asyncio.Protocol):
    """One keep-alive connection with one request in flight."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = b""
        self.waiter: asyncio.Future[int] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return
        head = self.buffer[:end].decode("latin-1")
        length = 0
        for line in head.split("\r\n")[1:]:
            name, _, value = line.partition(":")
            if name.lower() == "content-length":
                length = int(value)
        if len(self.buffer) < end + 4 + length:
            return
        self.buffer = self.buffer[end + 4 + length :]
        status = int(head.split(" ", 2)[1])
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(status)

    def connection_lost(self, exc: Exception | None) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(ConnectionError("closed"))

    async def send(self, request: bytes) -> int:
        assert self.transport is not None
        self.waiter = asyncio.get_running_loop().create_future()
        self.transport.write(request)
        return await self.waiter


async def _connect(port: int, count: int) -> list[Conn]:
    loop = asyncio.get_running_loop()
    conns = []
    for _ in range(count):
        _, proto = await loop.create_connection(Conn, "127.0.0.1", port)
        conns.append(proto)
    return conns


async def closed_loop(port: int, seconds: float, connections: int = 32) -> tuple[int, float]:
    """As many requests as possible for ``seconds``; return (answers, requests/second)."""
    requests = Requests(port)
    conns = await _connect(port, connections)
    loop = asyncio.get_running_loop()
    stop = loop.time() + seconds
    done = 0
    failures = 0

    async def run(conn: Conn) -> None:
        nonlocal done, failures
        while loop.time() < stop:
            status = await conn.send(requests.next())
            done += 1
            failures += status != 200

    started = loop.time()
    await asyncio.gather(*(run(c) for c in conns))
    elapsed = loop.time() - started
    for conn in conns:
        assert conn.transport is not None
        conn.transport.close()
    if failures:
        print(f"  warning: {failures} non-200 answers")
    return done, done / elapsed


async def send_many(port: int, total: int, connections: int = 32) -> None:
    requests = Requests(port)
    conns = await _connect(port, connections)
    remaining = total

    async def run(conn: Conn) -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            await conn.send(requests.next())

    await asyncio.gather(*(run(c) for c in conns))
    for conn in conns:
        assert conn.transport is not None
        conn.transport.close()


async def fixed_rate(port: int, rate: float, seconds: float) -> list[float]:
    """Open loop at ``rate``/s; latencies (s) measured from each request's scheduled time."""
    requests = Requests(port)
    free = await _connect(port, 32)
    loop = asyncio.get_running_loop()
    latencies: list[float] = []
    tasks = []
    start = loop.time() + 0.05
    count = int(rate * seconds)
    available = asyncio.Queue[Conn]()
    for conn in free:
        available.put_nowait(conn)

    async def one(scheduled: float) -> None:
        conn = await available.get()
        await conn.send(requests.next())
        latencies.append(loop.time() - scheduled)
        available.put_nowait(conn)

    for i in range(count):
        scheduled = start + i / rate
        delay = scheduled - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.ensure_future(one(scheduled)))
    await asyncio.gather(*tasks)
    for conn in free:
        assert conn.transport is not None
        conn.transport.close()
    return latencies


def wrk_rps(port: int, seconds: float) -> float | None:
    wrk = shutil.which("wrk")
    if wrk is None:
        return None
    script = ROOT / "bench" / ".wrk_post.lua"
    requests = Requests(port)
    prefix, suffix = requests.prefix.decode(), requests.suffix.decode()
    # JSON string literals are valid Lua string literals for this ASCII body.
    script.write_text(
        'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
        "local n = 1000000000\n"
        "request = function()\n  n = n + 1\n"
        f"  local body = {json.dumps(prefix)} .. n .. {json.dumps(suffix)}\n"
        "  return wrk.format(nil, nil, nil, body)\nend\n"
    )
    try:
        out = subprocess.run(
            [
                wrk,
                "-t1",
                "-c32",
                f"-d{int(seconds)}s",
                "-s",
                str(script),
                f"http://127.0.0.1:{port}{PATH}",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        script.unlink(missing_ok=True)
    for line in out.splitlines():
        if line.startswith("Requests/sec:"):
            return float(line.split()[1])
    return None


# ---- orchestration --------------------------------------------------------------------


class Server:
    def __init__(self, kind: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--serve", kind],
            stdout=subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        assert self.proc.stdout is not None
        self.port = int(self.proc.stdout.readline())
        pin(self.proc.pid, SERVER_CPU)

    async def rss_kib(self) -> int:
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        writer.write(b"GET /rss HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data = await reader.read()
        writer.close()
        return int(data.split(b"\r\n\r\n", 1)[1])

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


SERVER_CPU, CLIENT_CPU = 0, 1


def pin(pid: int, cpu: int) -> None:
    """One core for the server, the other for the load generator, when the OS allows it."""
    setaffinity = getattr(os, "sched_setaffinity", None)
    if setaffinity is not None and (os.cpu_count() or 1) > 1:
        setaffinity(pid, {cpu})


async def throughput(kind: str, seconds: float) -> float:
    server = Server(kind)
    try:
        await asyncio.sleep(0.3)
        await closed_loop(server.port, 0.5)  # warm-up
        rps = wrk_rps(server.port, seconds)
        tool = "wrk"
        if rps is None:
            _, rps = await closed_loop(server.port, seconds)
            tool = "asyncio client"
        print(f"  {kind:>8}: {rps:8.0f} requests/s ({tool}, 32 connections, {seconds:.0f} s)")
        return rps
    finally:
        server.stop()


async def main(seconds: float, deliveries: int) -> None:
    payload_size = Requests(0).size
    print(f"call.ended deliveries of {payload_size} bytes, every one distinct\n")
    pin(0, CLIENT_CPU)
    print("1. throughput (3 interleaved rounds; best of each)")
    bare_runs, receiver_runs = [], []
    for _ in range(3):
        bare_runs.append(await throughput("bare", seconds))
        receiver_runs.append(await throughput("webhook", seconds))
    bare, receiver = max(bare_runs), max(receiver_runs)
    print(
        f"  best: bare {bare:.0f}/s, receiver {receiver:.0f}/s; "
        f"ratio receiver/bare: {receiver / bare:.2f}x (target >= 0.5x)\n"
    )

    server = Server("webhook")
    try:
        await asyncio.sleep(0.3)
        await send_many(server.port, 2_000)  # warm-up: imports, caches, allocator
        print("2. latency at 500 deliveries/s for 5 s")
        latencies = sorted(await fixed_rate(server.port, 500, 5))
        p50 = latencies[len(latencies) // 2] * 1000
        p99 = latencies[int(len(latencies) * 0.99)] * 1000
        print(
            f"  p50 {p50:.2f} ms, p99 {p99:.2f} ms, max {latencies[-1] * 1000:.2f} ms"
            " (target p99 < 20 ms)\n"
        )
        print(f"3. memory over {deliveries:,} distinct deliveries (dedupe on, default bounds)")
        before = await server.rss_kib()
        started = time.perf_counter()
        await send_many(server.port, deliveries)
        elapsed = time.perf_counter() - started
        after = await server.rss_kib()
        print(
            f"  RSS {before / 1024:.1f} MiB -> {after / 1024:.1f} MiB: growth "
            f"{(after - before) / 1024:.1f} MiB in {elapsed:.0f} s (target < 20 MB)"
        )
    finally:
        server.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--serve", choices=["bare", "webhook"])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--deliveries", type=int, default=200_000)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
    else:
        asyncio.run(main(args.seconds, args.deliveries))
