"""Sync jobs in action: ``aircall-async sync`` into a SQLite file, with its progress bar,
then a query of the file, then a second run that reads only what may have changed.

Without AIRCALL_API_ID / AIRCALL_API_TOKEN it serves an embedded fake Aircall (6,000 recent
calls, 800 contacts) at a scaled rate limit (60 requests a second instead of a minute, so the
demo takes seconds); with them, it syncs the real account's small collections and the last
day of calls (read-only).

    python examples/sync_demo.py [DB]
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from aircall_async.testing import FakeAircall
from aircall_async.testing.history import make_recent


def sync(args: list[str], env: dict[str, str]) -> None:
    """Run the command line; its progress bar draws on this terminal's stderr."""
    command = [sys.executable, "-m", "aircall_async", "sync", *args]
    print("$ aircall-async sync " + " ".join(args), flush=True)
    subprocess.run(command, env=env, check=True)


def query(db: Path) -> None:
    """What people ask a synced database."""
    with sqlite3.connect(db) as conn:
        print("\nCalls by direction and status:")
        for direction, status, count, minutes in conn.execute(
            "SELECT direction, status, count(*), round(sum(duration) / 60.0) FROM calls "
            "GROUP BY direction, status ORDER BY count(*) DESC"
        ):
            print(f"  {direction:<9} {status:<9} {count:>6} calls {minutes or 0:>8.0f} min")
        print("\nBusiest users (answered calls, talk time):")
        for name, count, minutes in conn.execute(
            "SELECT json_extract(u.raw, '$.name'), count(*), round(sum(c.duration) / 60.0) "
            "FROM calls c JOIN users u ON u.id = c.user_id WHERE c.answered_at IS NOT NULL "
            "GROUP BY c.user_id ORDER BY count(*) DESC LIMIT 3"
        ):
            print(f"  {name:<20} {count:>6} calls {minutes:>8.0f} min")
        states = conn.execute("SELECT stream, state FROM _aircall_sync_state ORDER BY stream")
        print("\nState per stream (committed with the rows):")
        for stream, state in states:
            print(f"  {stream:<26} {state[:70]}")


def main() -> int:
    db = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp()) / "aircall.db"
    env = dict(os.environ)
    if env.get("AIRCALL_API_ID") and env.get("AIRCALL_API_TOKEN"):
        since = time.strftime("%Y-%m-%d", time.gmtime(time.time() - 86_400))
        sync(
            ["--db", str(db), "--streams", "users,teams,numbers,tags,calls", "--since", since], env
        )
        query(db)
        return 0
    fake = FakeAircall(calls=6_000, contacts=800, rate_limit=60, window=1.0)
    make_recent(fake.state)
    with fake:
        env.update(AIRCALL_API_ID=fake.api_id, AIRCALL_API_TOKEN=fake.api_token)
        common = ["--base-url", str(fake.base_url), "--rate-limit", "60/1", "--db", str(db)]
        print(f"Fake Aircall at {fake.base_url}, 60 requests a second; database {db}\n")
        sync(common, env)
        query(db)
        before = len(fake.requests)
        print("\nA second run re-reads only the last 24 h of calls and the small collections:")
        sync(common, env)
        print(f"  {len(fake.requests) - before} requests")
    return 0


if __name__ == "__main__":
    sys.exit(main())
