"""Run the fake Aircall server standalone: ``python -m aircall_async.testing --port 8080``.

It prints its base URL and credentials, then serves until Ctrl-C (or SIGTERM).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from collections.abc import Sequence

from .server import FakeAircall


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m aircall_async.testing", description="Serve a fake Aircall Public API."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080, help="0 picks a free port")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--calls", type=int, default=100)
    parser.add_argument("--contacts", type=int, default=50)
    parser.add_argument("--users", type=int, default=5)
    parser.add_argument(
        "--rate-limit", type=int, default=60, help="requests per window; 0 turns the limit off"
    )
    parser.add_argument("--window", type=float, default=60.0, help="window length in seconds")
    parser.add_argument(
        "--window-kind",
        choices=("fixed", "sliding", "leaky"),
        default="fixed",
        help="how the budget is counted: Aircall's fixed windows, a sliding window, a leaky bucket",
    )
    parser.add_argument(
        "--rate-limit-headers",
        choices=("always", "429-only"),
        default="always",
        help="send X-AircallApi-* on every answer, or only on a 429",
    )
    return parser


async def serve(args: argparse.Namespace) -> None:
    """Start the server described by ``args`` and wait until cancelled or signalled."""
    fake = FakeAircall(
        seed=args.seed,
        calls=args.calls,
        contacts=args.contacts,
        users=args.users,
        rate_limit=args.rate_limit or None,
        window=args.window,
        rate_limit_headers=args.rate_limit_headers,
        window_kind=args.window_kind,
        host=args.host,
        port=args.port,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    handled = []
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # Windows
            loop.add_signal_handler(signum, stop.set)
            handled.append(signum)
    try:
        await _serve_until(fake, args, stop)
    finally:
        for signum in handled:
            loop.remove_signal_handler(signum)


async def _serve_until(fake: FakeAircall, args: argparse.Namespace, stop: asyncio.Event) -> None:
    async with fake:
        limit = "off" if args.rate_limit <= 0 else f"{args.rate_limit} per {args.window:g}s"
        print(f"Fake Aircall API at {fake.base_url}", flush=True)
        print(f"  Basic auth: api_id={fake.api_id} api_token={fake.api_token}", flush=True)
        print(f"  Bearer token: {fake.access_token}", flush=True)
        print(
            f"  {len(fake.state.calls)} calls, {len(fake.state.contacts)} contacts, "
            f"{len(fake.state.users)} users; rate limit {limit}. Ctrl-C to stop.",
            flush=True,
        )
        await stop.wait()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    args = _parser().parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
