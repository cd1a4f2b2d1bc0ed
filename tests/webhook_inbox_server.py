"""A receiver with a SQLiteInbox in its own process, for the kill -9 test.

Usage: python webhook_inbox_server.py DB OUTPUT MODE
MODE "block": the handler writes OUTPUT.started and then waits forever (never records).
MODE "record": the handler appends the call id to OUTPUT.
Prints the port it listens on (loopback), then serves until SIGTERM.
"""

from __future__ import annotations

import asyncio
import socket
import sys
from pathlib import Path

from aiohttp import web

from aircall_async.webhooks import CallEvent, SQLiteInbox, WebhookRouter, webhook_app

TOKEN = "kill-nine-token"


def main() -> None:
    db, output, mode = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
    router = WebhookRouter()

    @router.on("call.ended")
    async def record(event: CallEvent) -> None:
        if mode == "block":
            output.with_suffix(".started").write_text("started")
            await asyncio.Event().wait()
        # A tiny local append; blocking the loop for it is fine in this test helper.
        with output.open("a") as out:  # noqa: ASYNC230
            out.write(f"{event.data.id}\n")

    app = web.Application()
    sub = webhook_app(
        router,
        tokens={TOKEN},
        ack="immediate",
        inbox=SQLiteInbox(db),
        shutdown_timeout=1.0,
    )
    app.add_subapp("/hooks/", sub)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    print(sock.getsockname()[1], flush=True)
    web.run_app(app, sock=sock, access_log=None, print=None, shutdown_timeout=1.0)


if __name__ == "__main__":
    main()
