"""Make the fake's seeded calls recent, as the real ``/v1/calls`` only serves about the
last six months (the seed's fixed dates are from 2023, so a sync clamped to the retention
horizon would see none of them)."""

from __future__ import annotations

from typing import Any

from .state import State, Table

__all__ = ["make_recent"]

_TIMES = ("started_at", "answered_at", "ended_at")


def _started(obj: dict[str, Any]) -> int:
    value = obj.get("started_at")
    return int(value) if isinstance(value, int | float) else 0


def make_recent(state: State, now: float | None = None, *, gap: int = 60) -> int:
    """Shift every call's times (start, answer, end, comments, tags) so that the latest
    starts ``gap`` seconds before ``now`` (default: the state's clock). Order and spacing
    are kept. Returns the shift in seconds. Never raises for a state it seeded."""
    calls = list(state.calls)
    if not calls:
        return 0
    end = int(state.now() if now is None else now) - gap
    delta = end - _started(calls[-1])
    table = Table(_started)
    for call in calls:
        for name in _TIMES:
            if isinstance(call.get(name), int):
                call[name] += delta
        for item in (*(call.get("comments") or ()), *(call.get("tags") or ())):
            for name in ("posted_at", "created_at"):
                if isinstance(item.get(name), int):
                    item[name] += delta
        table.add(call)
    state.calls = table
    return delta
