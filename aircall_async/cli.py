"""The ``aircall-async`` command: sync an account into SQLite, export a stream, download
recordings, or run the fake server. ``python -m aircall_async`` is the same.

Credentials come only from the environment (``AIRCALL_API_ID`` and ``AIRCALL_API_TOKEN``,
or ``AIRCALL_ACCESS_TOKEN``), never from arguments that would land in shell history.

Exit status: 0 done, 1 failed (the API or the network), 2 bad usage (arguments,
credentials, paths: one line on stderr and nothing written), 130 interrupted (what was
committed stays; the next run continues from it).

(Over 400 lines: one parser and one small runner per sub-command, kept together so that the
exit codes and error lines stay uniform; the multi-process part lives in ``_cli_shared``
and the progress line in ``_cli_progress``.)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import sys
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn, TextIO

import aiohttp

from . import _cli_shared as shared
from ._cli_progress import Reporter, WorkerReporter
from .client import DEFAULT_BASE_URL, AircallClient
from .errors import AircallError, ForbiddenError
from .ratelimit import RateLimit, Throttle
from .sync import (
    STREAMS,
    RequestCounter,
    SinkError,
    SQLiteSink,
    SyncEngine,
    parse_since,
    select_streams,
)
from .sync.files import CSVSink, JSONLinesSink
from .sync.sinks import Sink

__all__ = ["UsageError", "main"]

PROG = "aircall-async"
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


class UsageError(Exception):
    """Bad usage: printed as one line on stderr, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def _rate(value: str) -> RateLimit:
    limit, _, per = value.partition("/")
    try:
        return RateLimit(int(limit), per=float(per or 60))
    except (ValueError, TypeError):
        raise argparse.ArgumentTypeError(
            f"expected LIMIT or LIMIT/SECONDS (e.g. 60/60), got {value!r}"
        ) from None


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected an integer >= 1, got {value!r}")
    return number


def _more_than_zero(unit: str) -> Callable[[str], float]:
    """An argparse type: a finite number of ``unit`` > 0."""

    def parse(value: str) -> float:
        try:
            number = float(value)
        except ValueError:
            number = 0.0
        if not number > 0 or number == float("inf"):
            raise argparse.ArgumentTypeError(f"expected a number of {unit} > 0, got {value!r}")
        return number

    return parse


_seconds = _more_than_zero("seconds")
_positive_days = _more_than_zero("days")


def _parser() -> argparse.ArgumentParser:
    api = _Parser(add_help=False)
    api.add_argument("--base-url", default=str(DEFAULT_BASE_URL), help="the API root")
    api.add_argument(
        "--rate-limit", type=_rate, default=None, metavar="N[/SECONDS]",
        help="client budget (default: 60 a minute, lowered by the server's headers)",
    )  # fmt: skip
    out = _Parser(add_help=False)
    out.add_argument("--json", action="store_true", help="print a JSON summary on stdout")
    out.add_argument(
        "--log-interval", type=float, default=60.0, metavar="SECONDS",
        help="seconds between progress lines when stderr is not a terminal",
    )  # fmt: skip
    parser = _Parser(prog=PROG, description="Replicate an Aircall account; see README.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    sync = commands.add_parser("sync", parents=[api, out], help="sync streams into SQLite")
    sync.add_argument(
        "--db", required=True,
        help="the SQLite file (created when missing), or postgresql://... (password: PGPASSWORD)",
    )  # fmt: skip
    sync.add_argument("--schema", default="public", help="the PostgreSQL schema")
    sync.add_argument("--streams", help=f"comma-separated, among: {','.join(STREAMS)}")
    sync.add_argument("--since", help="re-read calls started from this date (YYYY-MM-DD)")
    sync.add_argument("--workers", type=_positive, default=1, help="concurrent call windows")
    sync.add_argument(
        "--full-contacts", action="store_true", help="re-read every contact (a full sweep)"
    )
    sync.add_argument(
        "--processes", type=_positive, default=1,
        help="spread the sync over N processes (needs --redis-url: one shared budget)",
    )  # fmt: skip
    sync.add_argument(
        "--shared", action="store_true",
        help="join the processes syncing into this --db (run the same command on each machine)",
    )  # fmt: skip
    sync.add_argument(
        "--redis-url", help=f"the Redis of the shared budget (or ${shared.REDIS_ENV})"
    )
    sync.add_argument("--redis-key", help="the shared budget's name (default: from the API id)")
    sync.add_argument(
        "--lease", type=_seconds, default=60.0,
        help="seconds after which a dead process' share is taken over (--processes, --shared)",
    )  # fmt: skip
    sync.add_argument(
        "--expected-processes", type=_positive, default=None,
        help="with --shared: how many processes share the budget; while Redis is unreachable "
        "this one goes on with 1/N of it (without: it stops)",
    )  # fmt: skip
    sync.add_argument("--windows", type=_positive, default=None, help=argparse.SUPPRESS)
    sync.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    export = commands.add_parser("export", parents=[api, out], help="export one stream")
    export.add_argument("stream", help=f"one of: {','.join(STREAMS)}")
    export.add_argument("--since", help="calls started / contacts updated from this date")
    export.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    export.add_argument("--out", help="the file to write (stdout by default)")
    media = commands.add_parser(
        "recordings", parents=[api, out], help="download recordings and voicemails"
    )
    media.add_argument("--db", required=True, help="a SQLite file filled by `sync`")
    media.add_argument("--dir", required=True, help="where the files go")
    media.add_argument("--concurrency", type=_positive, default=4, help="parallel downloads")
    fake = commands.add_parser("fake", help="serve the fake Aircall API (recent calls)")
    fake.add_argument("--host", default="127.0.0.1")
    fake.add_argument("--port", type=int, default=8080, help="0 picks a free port")
    fake.add_argument("--calls", type=int, default=2_000)
    fake.add_argument("--contacts", type=int, default=500)
    fake.add_argument("--rate-limit", type=int, default=60, help="per window; 0: no limit")
    fake.add_argument("--window", type=float, default=60.0, help="seconds")
    fake.add_argument(
        "--calls-retention", type=_positive_days, metavar="DAYS",
        help="serve /v1/calls only this far back, the edge moving with the clock (live: ~183)",
    )  # fmt: skip
    fake.add_argument(
        "--detail-edits-keep-updated-at", action="store_true",
        help="phone and e-mail edits leave a contact's updated_at alone (as live ones may)",
    )  # fmt: skip
    return parser


# -- inputs ------------------------------------------------------------------------------


def _credentials() -> dict[str, Any]:
    env = os.environ
    if env.get("AIRCALL_ACCESS_TOKEN"):
        return {"access_token": env["AIRCALL_ACCESS_TOKEN"]}
    if env.get("AIRCALL_API_ID") and env.get("AIRCALL_API_TOKEN"):
        return {"api_id": env["AIRCALL_API_ID"], "api_token": env["AIRCALL_API_TOKEN"]}
    raise UsageError(
        "no credentials: set AIRCALL_API_ID and AIRCALL_API_TOKEN, or AIRCALL_ACCESS_TOKEN"
    )


def _writable_file(value: str, what: str) -> Path:
    path = Path(value)
    if path.is_dir():
        raise UsageError(f"{what} {value} is a directory")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise UsageError(f"{what} {value}: the directory {parent} does not exist")
    if not os.access(parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise UsageError(f"{what} {value} is not writable")
    return path


def _since(value: str | None) -> int | None:
    try:
        return parse_since(value)
    except ValueError as exc:
        raise UsageError(f"--since: {exc}") from None


@contextlib.asynccontextmanager
async def _open_client(
    args: argparse.Namespace, counter: RequestCounter, throttle: Throttle | None = None
) -> AsyncIterator[AircallClient]:
    """A client whose session counts requests and 429s; both closed on exit."""
    kwargs: dict[str, Any] = {"base_url": args.base_url}
    if throttle is not None or args.rate_limit is not None:
        kwargs["rate_limit"] = throttle or args.rate_limit
    credentials = _credentials()
    async with aiohttp.ClientSession(trace_configs=[counter.trace_config]) as session:
        try:
            client = AircallClient(**credentials, session=session, **kwargs)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        async with client:
            yield client


async def _checked(client: AircallClient) -> None:
    try:
        await client.ping()
    except ForbiddenError:
        raise UsageError("wrong credentials: the API answered 403 Forbidden") from None


async def _run_engine(
    args: argparse.Namespace, sink: Sink, streams: list[str], since: int | None, workers: int,
    throttle: Throttle | None = None, redis_url: str = "",
) -> int:  # fmt: skip
    counter = RequestCounter()
    processes = getattr(args, "processes", 1)
    windows = getattr(args, "windows", None) or processes * workers
    sharing = processes > 1 or getattr(args, "shared", False)
    async with (
        _open_client(args, counter, throttle) as client,
        contextlib.AsyncExitStack() as stack,
    ):
        await _checked(client)
        await sink.open(select_streams(streams))  # a SinkError here is bad usage (exit 2)
        worker = getattr(args, "worker", False)
        others: shared.WorkerOutput | None = None
        reporter: Reporter | WorkerReporter = (
            WorkerReporter()
            if worker
            else Reporter(sys.stderr, args.log_interval, lambda: others.figures() if others else [])
        )
        engine = SyncEngine(
            client, sink, streams=streams, since=since, workers=workers,
            updated_since=since if args.command == "export" else None,
            full_contacts=getattr(args, "full_contacts", False),
            on_progress=reporter, counter=counter,
            shared=sharing, windows=windows, lease=getattr(args, "lease", 60.0),
        )  # fmt: skip
        if processes > 1:
            cm = shared.workers(args, redis_url, processes - 1, windows)
            procs = await stack.enter_async_context(cm)
            assert isinstance(reporter, Reporter)  # (a worker never starts workers)
            others = shared.WorkerOutput(procs, on_progress=reporter.refresh)
        outcome = "stopped"
        ended: list[tuple[int, dict[str, Any]]] = []
        try:
            await engine.run()
            outcome = "done"
        except (AircallError, SinkError) as exc:
            sys.stderr.write(f"\n{PROG}: {exc}\n")
            outcome = "failed"
        finally:
            ended = await others.collect() if others and outcome != "stopped" else []
            if any(status != EXIT_OK for status, _ in ended):
                outcome = "failed"
            reporter.finish(engine.progress, outcome)
            if args.json:
                summary = {"status": "ok" if outcome == "done" else outcome}
                mine = engine.progress.as_dict()
                if ended:
                    mine = shared.merge_summaries([mine, *(o for _, o in ended)])
                print(json.dumps({**summary, **mine}), flush=True)
        return EXIT_OK if outcome == "done" else EXIT_FAILED


async def _sync(args: argparse.Namespace) -> int:
    streams = [s.name for s in _streams(args.streams)]
    since = _since(args.since)
    credentials = _credentials()
    try:
        redis_url = shared.redis_url(args)
    except shared.SharedUsageError as exc:
        raise UsageError(str(exc)) from None
    sink: Sink
    if args.db.startswith(("postgres://", "postgresql://")):
        from .sync.postgres import PostgresSink

        try:
            sink = PostgresSink(args.db, schema=args.schema)
        except ValueError as exc:
            raise UsageError(f"--schema: {exc}") from None
    else:
        sink = SQLiteSink(_writable_file(args.db, "--db"))
    try:
        if redis_url is None:
            return await _run_engine(args, sink, streams, since, args.workers)
        key = shared.budget_key(args, credentials)
        rate = args.rate_limit or RateLimit()
        try:
            group = args.processes if args.processes > 1 else args.expected_processes
            async with shared.redis_throttle(redis_url, key, rate, group) as throttle:
                return await _run_engine(
                    args, sink, streams, since, args.workers, throttle, redis_url
                )
        except shared.SharedUsageError as exc:
            raise UsageError(str(exc)) from None
    finally:
        await sink.close()


def _streams(value: str | None) -> list[Any]:
    try:
        return select_streams(None if value is None else value.split(","))
    except ValueError as exc:
        raise UsageError(str(exc)) from None


async def _export(args: argparse.Namespace) -> int:
    (stream,) = _streams(args.stream) if "," not in args.stream else (None,)
    if stream is None:
        raise UsageError("export takes one stream")
    since = _since(args.since)
    _credentials()
    make: Callable[[TextIO], Sink] = CSVSink if args.format == "csv" else JSONLinesSink
    if args.out is None:
        if args.json:
            raise UsageError("--json needs --out: the export itself goes to stdout")
        return await _run_engine(args, make(sys.stdout), [stream.name], since, 1)
    target = _writable_file(args.out, "--out")
    # Written beside the target and renamed at the end: never a half-written file.
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent or ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            status = await _run_engine(args, make(out), [stream.name], since, 1)
        if status == EXIT_OK:
            os.replace(tmp, target)
        return status
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def _media_paths(args: argparse.Namespace) -> tuple[Path, Path]:
    db = Path(args.db)
    if not db.is_file():
        raise UsageError(f"--db {args.db} does not exist (run `{PROG} sync` first)")
    folder = Path(args.dir)
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"--dir {args.dir} is not a directory")
    if not os.access(folder if folder.exists() else folder.parent, os.W_OK):
        raise UsageError(f"--dir {args.dir} is not writable")
    _credentials()
    folder.mkdir(parents=True, exist_ok=True)
    return db, folder


async def _recordings(args: argparse.Namespace) -> int:
    from .sync.media import MediaDownloader

    db, folder = _media_paths(args)
    counter = RequestCounter()
    async with _open_client(args, counter) as client:
        await _checked(client)
        sink = SQLiteSink(db)
        try:
            downloader = MediaDownloader(client, sink, folder, concurrency=args.concurrency)
            report = await downloader.run()
        finally:
            await sink.close()
    summary = report.as_dict()
    sys.stderr.write(
        f"recordings: {summary['downloaded']} downloaded, {summary['present']} already there, "
        f"{summary['refreshed']} URLs refreshed, {summary['failed']} failed\n"
    )
    if args.json:
        print(json.dumps(summary), flush=True)
    return EXIT_OK if not summary["failed"] else EXIT_FAILED


async def _fake(args: argparse.Namespace) -> int:
    from .testing import FakeAircall
    from .testing.history import make_recent

    try:
        server = FakeAircall(
            calls=args.calls, contacts=args.contacts, rate_limit=args.rate_limit or None,
            window=args.window, host=args.host, port=args.port,
        )  # fmt: skip
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    make_recent(server.state)
    if args.calls_retention is not None:
        server.state.quirks.calls_retention = round(args.calls_retention * 86_400)
    server.state.quirks.detail_edits_keep_updated_at = args.detail_edits_keep_updated_at
    try:
        await server.start()
    except OSError as exc:
        raise UsageError(f"cannot listen on {args.host}:{args.port}: {exc.strerror}") from None
    try:
        print(f"Fake Aircall API at {server.base_url} ({len(server.state.calls)} calls)")
        print(f"  export AIRCALL_API_ID={server.api_id} AIRCALL_API_TOKEN={server.api_token}")
        print(f"  {PROG} sync --base-url {server.base_url} --db aircall.db", flush=True)
        await asyncio.Event().wait()
    finally:
        await server.close()
    return EXIT_OK  # pragma: no cover - only a signal ends it


_COMMANDS: dict[str, Callable[[argparse.Namespace], Awaitable[int]]] = {
    "sync": _sync,
    "export": _export,
    "recordings": _recordings,
    "fake": _fake,
}


async def _main(args: argparse.Namespace) -> int:
    task = asyncio.ensure_future(_COMMANDS[args.command](args))
    loop = asyncio.get_running_loop()
    stopped: list[int] = []

    def stop(signum: int) -> None:
        stopped.append(signum)
        task.cancel()

    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop, signum)
    try:
        return await task
    except asyncio.CancelledError:
        if not stopped:
            raise
        if args.command == "fake":
            return EXIT_OK
        sys.stderr.write(f"{PROG}: interrupted; what was committed stays\n")
        return EXIT_INTERRUPTED if stopped[0] == signal.SIGINT else 128 + stopped[0]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); returns the exit
    status. Never raises for bad input: it prints one line on stderr and returns 2."""
    try:
        args = _parser().parse_args(argv)
        return asyncio.run(_main(args))
    except UsageError as exc:
        sys.stderr.write(f"{PROG}: error: {exc}\n")
        return EXIT_USAGE
    except SinkError as exc:
        sys.stderr.write(f"{PROG}: error: {exc}\n")
        return EXIT_USAGE
    except AircallError as exc:
        sys.stderr.write(f"{PROG}: {exc}\n")
        return EXIT_FAILED
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
