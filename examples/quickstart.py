"""A tour of aircall-async: ping, users, a full export of calls, a contact search.

Without AIRCALL_API_ID / AIRCALL_API_TOKEN in the environment it starts the fake Aircall
server in-process (5,000 seeded calls, 60 requests per 3 s) and runs against it. With
them, it runs read-only calls against the real API.

    python examples/quickstart.py
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aircall_async import AircallClient
from aircall_async.errors import AircallError


@asynccontextmanager
async def open_client() -> AsyncIterator[AircallClient]:
    """A client on the real API when credentials are set, else on an embedded fake."""
    api_id, api_token = os.environ.get("AIRCALL_API_ID"), os.environ.get("AIRCALL_API_TOKEN")
    if api_id and api_token:
        print("Using the real Aircall API (read-only calls).")
        async with AircallClient(api_id=api_id, api_token=api_token) as client:
            yield client
        return
    from aircall_async.testing import FakeAircall

    async with FakeAircall(calls=5_000, contacts=40, rate_limit=60, window=3.0) as fake:
        print(f"No AIRCALL_API_ID/AIRCALL_API_TOKEN: using the fake Aircall at {fake.base_url}")
        async with fake.client() as client:  # paced like the fake: 60 per 3 s
            yield client


async def main() -> None:
    async with open_client() as client:
        assert await client.ping()
        print("ping: ok")

        company = await client.company.get()
        print(f"company: {company.name} ({company.users_count} users)")

        users = await client.users.list().collect()
        print(f"users: {len(users)}, e.g. {users[0].name if users else '-'}")

        # The main job: every call, newest first, as typed models, paced to the budget.
        started = time.monotonic()
        directions: Counter[str] = Counter()
        latest = None
        async for call in client.calls.list(order="desc"):
            latest = latest or call
            directions[str(call.direction)] += 1
        elapsed = time.monotonic() - started
        print(f"calls exported: {sum(directions.values())} in {elapsed:.1f}s {dict(directions)}")
        if latest is not None:
            print(f"latest call: #{latest.id} at {latest.started_at} by {latest.raw_digits}")

        contacts = await client.contacts.list(per_page=20).collect()
        print(f"contacts: {len(contacts)}")

        status = client.rate_limit_status
        if status is not None:
            print(f"budget: {status.remaining}/{status.limit} left until {status.reset}")


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    try:
        asyncio.run(main())
    except AircallError as error:
        raise SystemExit(f"error: {error}") from None
