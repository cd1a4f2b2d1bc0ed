"""Receive Aircall webhooks in an aiohttp app.

    AIRCALL_WEBHOOK_TOKEN=45XXYYZZa08 python examples/webhook_server.py

Then point an Aircall webhook at https://<your host>/aircall/webhooks/ (during
development, a tunnel such as ngrok to http://localhost:8080). The token is the one
Aircall shows for the webhook; several can be given, separated by commas (key rotation,
or one server for several accounts). GET /health returns the receiver's counters.
"""

from __future__ import annotations

import logging
import os
import sys

from aiohttp import web

from aircall_async.webhooks import (
    CallEvent,
    WebhookEvent,
    WebhookRouter,
    webhook_app,
    webhook_stats,
)

router = WebhookRouter()


@router.on("call.ended", "call.voicemail_left")
async def store_call(event: CallEvent) -> None:
    """Runs for finished calls: event.data is a Call model."""
    call = event.data
    logging.info(
        "%s: call %s (%s, %s s, recording %s)",
        event.event,
        call.id,
        call.direction,
        call.duration,
        "yes" if call.recording else "no",
    )


@router.on("*")
async def audit(event: WebhookEvent[object]) -> None:
    """Runs for every event, including ones this SDK version does not know yet."""
    logging.info("received %s for %s %s", event.event, event.resource, event.resource_id)


def make_app(tokens: set[str]) -> web.Application:
    """The whole server: the receiver mounted under /aircall/webhooks/, plus /health."""
    app = web.Application()
    receiver = webhook_app(router, tokens=tokens)
    app.add_subapp("/aircall/webhooks/", receiver)

    async def health(request: web.Request) -> web.Response:
        return web.json_response(webhook_stats(receiver).as_dict())

    app.router.add_get("/health", health)
    return app


def main() -> None:
    tokens = {t.strip() for t in os.environ.get("AIRCALL_WEBHOOK_TOKEN", "").split(",")}
    tokens.discard("")
    if not tokens:
        sys.exit("set AIRCALL_WEBHOOK_TOKEN to the token of your Aircall webhook")
    logging.basicConfig(level=logging.INFO)
    port = int(os.environ.get("PORT", "8080"))
    web.run_app(make_app(tokens), host="0.0.0.0", port=port)


if __name__ == "__main__":
    main()
