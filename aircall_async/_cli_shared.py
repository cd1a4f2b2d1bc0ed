"""The command line's side of a sync shared by several processes (``aircall-async sync
--processes N`` or ``--shared``): the Redis budget they share, the worker processes the
first one starts, and the summary of them all."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import os
import sys
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any

from .ratelimit import RateLimit, Throttle
from .sync.progress import ProgressFigures

__all__ = [
    "REDIS_ENV",
    "SharedUsageError",
    "WorkerOutput",
    "merge_summaries",
    "redis_throttle",
    "workers",
]

#: The environment variable holding the Redis URL (it may hold a password: never an argument).
REDIS_ENV = "AIRCALL_REDIS_URL"


class SharedUsageError(Exception):
    """A shared sync that cannot run as asked (no Redis, Redis unreachable...): one line."""


def redis_url(args: argparse.Namespace) -> str | None:
    """The Redis URL of ``--redis-url`` or ``AIRCALL_REDIS_URL``; checks that a shared sync
    has one. Raises SharedUsageError."""
    url: str | None = args.redis_url or os.environ.get(REDIS_ENV) or None
    if url is None and (args.processes > 1 or args.shared):
        what = f"--processes {args.processes}" if args.processes > 1 else "--shared"
        raise SharedUsageError(
            f"{what} needs one rate budget shared by every process: give a Redis with "
            f"--redis-url URL or {REDIS_ENV} (without one, {what} would exceed the budget)"
        )
    if url is None and args.expected_processes:
        raise SharedUsageError(
            f"--expected-processes is the share of a budget on Redis: give --redis-url URL "
            f"or {REDIS_ENV}"
        )
    return url


def budget_key(args: argparse.Namespace, credentials: Mapping[str, str]) -> str:
    """``--redis-key``, or a name derived from the credentials' id (hashed: no secret in
    Redis key names), so that syncs of one company share a budget and others do not."""
    if args.redis_key:
        return str(args.redis_key)
    ident = credentials.get("api_id") or credentials.get("access_token") or ""
    # (surrogatepass: an id from an undecodable environment is refused by the client, with
    # one line, rather than crash here first)
    return (
        "aircall-async-" + hashlib.sha256(ident.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    )


@contextlib.asynccontextmanager
async def redis_throttle(
    url: str, key: str, rate: RateLimit, processes: int | None
) -> AsyncIterator[Throttle]:
    """A :class:`~aircall_async.redis.RedisThrottler` on ``url`` (checked with a PING),
    closed on exit; when the number of ``processes`` sharing it is known, this one falls back
    to its share of ``rate`` while Redis is unreachable (else a request then fails). Raises
    SharedUsageError when the extra is missing, the URL is bad or Redis does not answer (the
    message names the server, never its password)."""
    try:
        import redis.asyncio as aioredis

        from .redis import RedisThrottler
    except ImportError:
        raise SharedUsageError(
            "--redis-url needs redis-py: pip install 'aircall-async[redis]'"
        ) from None
    from .redis._common import describe

    try:
        client = aioredis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
    except ValueError:
        raise SharedUsageError("--redis-url: not a Redis URL (redis://host:port/db)") from None
    try:
        try:
            await asyncio.wait_for(client.ping(), 10)
        except (OSError, TimeoutError, aioredis.RedisError) as exc:
            raise SharedUsageError(
                f"cannot reach {describe(client)}: {type(exc).__name__}"
            ) from None
        try:
            throttler = RedisThrottler(
                client, key=key, limit=rate.limit, per=rate.per,
                # Redis gone mid-run: each process falls back to its share, never more.
                expected_processes=processes,
            )  # fmt: skip
        except ValueError as exc:
            raise SharedUsageError(f"--redis-key: {exc}") from None
        yield throttler
    finally:
        await client.aclose()


def worker_argv(args: argparse.Namespace, windows: int) -> list[str]:
    """The arguments of a worker process: this sync, ``--shared``, reporting only JSON."""
    argv = ["sync", "--db", args.db, "--schema", args.schema, "--base-url", args.base_url]
    if args.rate_limit is not None:
        argv += ["--rate-limit", f"{args.rate_limit.limit}/{args.rate_limit.per}"]
    for flag, value in (("--streams", args.streams), ("--since", args.since),
                        ("--redis-key", args.redis_key)):  # fmt: skip
        if value:
            argv += [flag, value]
    argv += ["--workers", str(args.workers), "--lease", str(args.lease)]
    # Each worker knows the group's size: while Redis is away it goes on with its share.
    argv += ["--expected-processes", str(args.processes)]
    if args.full_contacts:
        argv.append("--full-contacts")
    return [*argv, "--shared", "--windows", str(windows), "--worker", "--json"]


@contextlib.asynccontextmanager
async def workers(
    args: argparse.Namespace, url: str, count: int, windows: int
) -> AsyncIterator[list[asyncio.subprocess.Process]]:
    """Start ``count`` worker processes (the Redis URL through the environment); on exit
    they are asked to stop (SIGTERM) unless they ended, and waited for."""
    env = {**os.environ, REDIS_ENV: url}
    argv = [sys.executable, "-m", "aircall_async", *worker_argv(args, windows)]
    procs: list[asyncio.subprocess.Process] = []
    try:
        for _ in range(count):
            procs.append(
                await asyncio.create_subprocess_exec(*argv, env=env, stdout=asyncio.subprocess.PIPE)
            )
        yield procs
    finally:
        for proc in procs:
            if proc.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    proc.terminate()
        for proc in procs:
            await proc.wait()


class WorkerOutput:
    """What the worker processes print, read as it comes: each one's latest progress (a
    ``{"progress": ...}`` JSON line a second, :class:`ProgressFigures`) and its final
    ``--json`` summary. Read all along, so that a worker never blocks on a full pipe;
    ``on_progress`` is called after each progress line. Lines that are not such JSON are
    skipped."""

    def __init__(
        self,
        procs: list[asyncio.subprocess.Process],
        on_progress: Callable[[], None] = lambda: None,
    ) -> None:
        self._procs = procs
        self._on_progress = on_progress
        self._latest: list[ProgressFigures | None] = [None] * len(procs)
        self._summaries: list[dict[str, Any]] = [{} for _ in procs]
        self._readers = [asyncio.ensure_future(self._read(i)) for i in range(len(procs))]

    def figures(self) -> list[ProgressFigures]:
        """The latest progress figures of each worker that sent some."""
        return [figures for figures in self._latest if figures is not None]

    async def _read(self, index: int) -> None:
        stdout = self._procs[index].stdout
        assert stdout is not None
        while True:
            try:
                line = await stdout.readline()
            except ValueError:  # a line past the reader's limit: not ours; drop the rest
                await stdout.read()
                return
            if not line:
                return
            try:
                message = json.loads(line)
            except ValueError:
                continue
            if not isinstance(message, dict):
                continue
            if "progress" in message:
                figures = ProgressFigures.from_dict(message["progress"])
                if figures is not None:
                    self._latest[index] = figures
                    self._on_progress()
            else:
                self._summaries[index] = message

    async def collect(self) -> list[tuple[int, dict[str, Any]]]:
        """Each worker's exit status and JSON summary (``{}`` when it printed none), once
        they all ended."""
        await asyncio.gather(*self._readers)
        return [
            (await proc.wait() or 0, summary)
            for proc, summary in zip(self._procs, self._summaries, strict=True)
        ]


def merge_summaries(summaries: list[dict[str, Any]]) -> dict[str, Any]:
    """The ``--json`` summaries of several processes as one: counts added up, ``elapsed``
    the longest, a stream ``done`` when every process that reports it is done, and its
    ``error`` the first one reported."""
    total: dict[str, Any] = {"processes": len(summaries), "streams": {}}
    for summary in summaries:
        for key in ("items", "pages", "requests", "rate_limited"):
            total[key] = total.get(key, 0) + int(summary.get(key) or 0)
        total["elapsed"] = max(total.get("elapsed", 0.0), float(summary.get("elapsed") or 0))
        for name, stream in (summary.get("streams") or {}).items():
            into = total["streams"].setdefault(
                name, {"items": 0, "pages": 0, "deleted": 0, "done": True, "error": None}
            )
            for key in ("items", "pages", "deleted"):
                into[key] += int(stream.get(key) or 0)
            into["done"] = into["done"] and bool(stream.get("done"))
            into["error"] = into["error"] or stream.get("error")
    return total
