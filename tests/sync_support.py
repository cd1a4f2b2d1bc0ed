"""Helpers of the sync tests: compare a synced database with the fake's state."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

from aircall_async.sync import STREAMS
from aircall_async.testing import (
    FakeAircall,
    routes_numbers,
    routes_tags,
    routes_teams,
    routes_users,
    routes_webhooks,
)
from aircall_async.testing.routes_calls import render_call
from aircall_async.testing.state import public

_RESOURCES = {
    "users": routes_users.USERS,
    "teams": routes_teams.TEAMS,
    "numbers": routes_numbers.NUMBERS,
    "tags": routes_tags.TAGS,
    "webhooks": routes_webhooks.WEBHOOKS,
}

TABLES = {
    "users": "users",
    "teams": "teams",
    "numbers": "numbers",
    "tags": "tags",
    "webhooks": "webhooks",
    "contacts": "contacts",
    "calls": "calls",
}


def expected(fake: FakeAircall, stream: str) -> dict[int, Any]:
    """What the fake lists for ``stream``, as the sync stores it (redacted)."""
    table = getattr(fake.state, TABLES[stream])
    out = {}
    for obj in table:
        if stream == "calls":
            shown = render_call(fake.state, obj, False)
        elif stream == "contacts":
            shown = public(obj)
        else:
            resource = _RESOURCES[stream]
            shown = (resource.render_item or resource.render)(fake.state, obj)
        out[obj["id"]] = STREAMS[stream].clean(shown)
    return out


def stored(db: Path, stream: str) -> dict[int, Any]:
    """The rows of ``stream`` in the SQLite file, decoded."""
    with sqlite3.connect(db) as conn:
        return {i: json.loads(raw) for i, raw in conn.execute(f'SELECT id, raw FROM "{stream}"')}


def assert_same(db: Path, fake: FakeAircall, streams: tuple[str, ...] = tuple(TABLES)) -> None:
    """Every stream's rows equal the fake's objects exactly (ids and payloads)."""
    for stream in streams:
        want, have = expected(fake, stream), stored(db, stream)
        assert set(have) == set(want), f"{stream}: ids differ"
        wrong = [i for i in want if have[i] != want[i]]
        assert not wrong, f"{stream}: {len(wrong)} objects differ, e.g. {wrong[:3]}"


def pages_by_path(fake: FakeAircall) -> Counter[str]:
    """GET requests received per path."""
    return Counter(r.path for r in fake.requests if r.method == "GET")
