# mypy: disable-error-code="import-not-found,misc"
"""Benchmark: structure the reference's full Call example N times, several ways.

Run: ``python bench/bench_models.py [N]``. Prints calls/second for json.loads alone
(baseline), a plain (non-lenient) cattrs converter on the same classes, the lenient
``aircall_async.models.structure`` (each including json.loads, as a client does),
and pydantic v2 on equivalent models when pydantic is importable. Pinned to one
core when the OS allows it. A script, not a test.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aircall_async.models import Call, structure  # noqa: E402
from aircall_async.models._converter import _make_converter  # noqa: E402
from tests.test_models_data import FULL_CALL  # noqa: E402


def pin_one_core() -> str:
    """Pin this process to one CPU if the OS supports it; say which."""
    setaffinity = getattr(os, "sched_setaffinity", None)
    if setaffinity is None:
        return "not pinned (no sched_setaffinity)"
    cpu = max(os.sched_getaffinity(0))
    setaffinity(0, {cpu})
    return f"pinned to CPU {cpu}"


def rates(variants: dict[str, Callable[[], object]], n: int, rounds: int = 7) -> dict[str, float]:
    """Best calls/second of each variant over ``rounds`` rounds of ``n`` calls.

    The variants take turns within each round, so a noisy neighbour on a shared
    machine slows them alike instead of skewing one ratio.
    """
    best = dict.fromkeys(variants, float("inf"))
    for fn in variants.values():
        fn()
    for _ in range(rounds):
        for name, fn in variants.items():
            start = time.perf_counter()
            for _ in range(n):
                fn()
            best[name] = min(best[name], time.perf_counter() - start)
    return {name: n / seconds for name, seconds in best.items()}


def pydantic_call_model() -> Any:
    """A pydantic v2 Call model equivalent to ours, or None without pydantic."""
    try:
        import pydantic
    except ImportError:
        return None

    class PUser(pydantic.BaseModel):
        id: int | None = None
        direct_link: str | None = None
        name: str | None = None
        email: str | None = None
        created_at: datetime | None = None
        available: bool | None = None
        availability_status: str | None = None
        numbers: list[PNumber] = []
        time_zone: str | None = None
        language: str | None = None
        wrap_up_time: int | None = None
        default_number_id: int | None = None

    class PMessages(pydantic.BaseModel):
        welcome: str | None = None
        waiting: str | None = None
        ringing_tone: str | None = None
        unanswered_call: str | None = None
        after_hours: str | None = None
        ivr: str | None = None
        voicemail: str | None = None
        closed: str | None = None
        callback_later: str | None = None

    class PNumber(pydantic.BaseModel):
        id: int | None = None
        direct_link: str | None = None
        name: str | None = None
        digits: str | None = None
        created_at: datetime | None = None
        country: str | None = None
        time_zone: str | None = None
        open: bool | None = None
        availability_status: str | None = None
        is_ivr: bool | None = None
        live_recording_activated: bool | None = None
        users: list[PUser] = []
        priority: int | None = None
        messages: PMessages | None = None

    class PTeam(pydantic.BaseModel):
        id: int | None = None
        direct_link: str | None = None
        name: str | None = None
        created_at: datetime | None = None
        users: list[PUser] = []

    class PComment(pydantic.BaseModel):
        id: int | None = None
        content: str | None = None
        posted_at: datetime | None = None
        posted_by: PUser | None = None

    class PCallTag(pydantic.BaseModel):
        id: int | None = None
        name: str | None = None
        created_at: datetime | None = None
        tagged_by: PUser | None = None

    class PParticipant(pydantic.BaseModel):
        id: int | str | None = None
        type: str | None = None
        name: str | None = None
        phone_number: str | None = None

    class PContact(pydantic.BaseModel):
        id: int | None = None

    class PCall(pydantic.BaseModel):
        id: int | None = None
        direct_link: str | None = None
        started_at: datetime | None = None
        answered_at: datetime | None = None
        ended_at: datetime | None = None
        duration: int | None = None
        status: str | None = None
        direction: str | None = None
        raw_digits: str | None = None
        asset: str | None = None
        recording: str | None = None
        recording_short_url: str | None = None
        voicemail: str | None = None
        voicemail_short_url: str | None = None
        archived: bool | None = None
        missed_call_reason: str | None = None
        cost: str | None = None
        number: PNumber | None = None
        user: PUser | None = None
        contact: PContact | None = None
        assigned_to: PUser | None = None
        teams: list[PTeam] = []
        transferred_by: PUser | None = None
        transferred_to: PUser | None = None
        comments: list[PComment] = []
        tags: list[PCallTag] = []
        participants: list[PParticipant] = []

    PUser.model_rebuild()
    PCall.model_rebuild()
    return PCall


def main() -> None:
    """Run the benchmark and print the figures and ratios."""
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    print(
        f"structuring the full Call example x{n}, {pin_one_core()}, Python {sys.version.split()[0]}"
    )
    text = json.dumps(FULL_CALL)
    payload = json.loads(text)
    plain = _make_converter(lenient=False)  # cattrs' generated hooks alone: a bad field raises
    assert structure(payload, Call) == plain.structure(payload, Call)

    variants: dict[str, Callable[[], object]] = {
        "json.loads alone": lambda: json.loads(text),
        "json.loads + plain cattrs": lambda: plain.structure(json.loads(text), Call),
        "json.loads + lenient structure()": lambda: structure(json.loads(text), Call),
        "plain cattrs (dict in)": lambda: plain.structure(payload, Call),
        "lenient structure() (dict in)": lambda: structure(payload, Call),
    }
    pcall = pydantic_call_model()
    if pcall is not None:
        variants["pydantic v2 model_validate_json"] = lambda: pcall.model_validate_json(text)
        variants["pydantic v2 model_validate (dict in)"] = lambda: pcall.model_validate(payload)
    results = rates(variants, n)

    for name, value in results.items():
        print(f"{name:<36} {value:>10,.0f} calls/s")
    overhead = results["plain cattrs (dict in)"] / results["lenient structure() (dict in)"] - 1
    print(f"lenient layer overhead vs plain cattrs (dict in): {overhead:+.1%}")
    overhead = (
        results["json.loads + plain cattrs"] / results["json.loads + lenient structure()"] - 1
    )
    print(f"lenient layer overhead vs plain cattrs (with json.loads): {overhead:+.1%}")
    if pcall is None:
        print("pydantic v2: not importable here, skipped (it is not a dependency)")
    else:
        ratio = (
            results["json.loads + lenient structure()"] / results["pydantic v2 model_validate_json"]
        )
        print(f"ours vs pydantic v2, JSON text in: {ratio:.2f}x")
        ratio = (
            results["lenient structure() (dict in)"]
            / results["pydantic v2 model_validate (dict in)"]
        )
        print(f"ours vs pydantic v2, dict in: {ratio:.2f}x")
    target = results["lenient structure() (dict in)"]
    verdict = "meets" if target >= 30_000 else "MISSES"
    print(f"lenient structure(): {target:,.0f} calls/s {verdict} the 30,000 calls/s target")


if __name__ == "__main__":
    main()
