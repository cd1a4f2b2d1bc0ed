"""Benchmark: how long the fake Aircall server takes to seed its state.

Run: ``python bench/bench_fake.py [CALLS]`` (default 25,000 calls and 500 contacts, the size
the export benchmark uses). Prints the best of five seedings and a verdict against the target
(under 2 s on a 2-core CI machine). A script, not a test: the suite asserts what the seeded
state holds, never how fast it was built.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aircall_async.testing import State, seed_state  # noqa: E402

TARGET_SECONDS = 2.0


def best_seconds(calls: int, contacts: int, rounds: int = 5) -> float:
    """The fastest of ``rounds`` seedings of a fresh state, in seconds."""
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        state = seed_state(State(), calls=calls, contacts=contacts)
        best = min(best, time.perf_counter() - started)
        assert len(state.calls) == calls
    return best


def main() -> None:
    """Print the seeding time and whether it meets the target."""
    calls = int(sys.argv[1]) if len(sys.argv) > 1 else 25_000
    seconds = best_seconds(calls, contacts=500)
    verdict = "OK" if seconds < TARGET_SECONDS else "SLOW"
    target = f"target < {TARGET_SECONDS} s"
    print(f"seed {calls:,} calls + 500 contacts: {seconds:.2f} s ({target}) {verdict}")


if __name__ == "__main__":
    main()
