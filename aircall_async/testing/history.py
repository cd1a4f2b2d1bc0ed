"""Calls as they age on the real service, for the fake server (opt-in, applied to its state).

:func:`make_recent` moves the seeded calls (fixed dates from 2023) to end now, as
``/v1/calls`` only serves about the last six months; :func:`forget_older_than` drops what is
past that horizon once; ``state.quirks.calls_retention = CALLS_SERVED`` makes ``/v1/calls``
serve only that much on every request, the edge moving with the fake's clock (see
:class:`~aircall_async.testing.state.Quirks`); :func:`settle_call` applies the changes a call
gets after it ends. These behaviours come from Estuary's Aircall connector probes (issue 12,
docs/SOURCES.md)."""

from __future__ import annotations

from typing import Any

from .state import State, Table

__all__ = ["CALLS_SERVED", "forget_older_than", "make_recent", "settle_call"]

#: How far back the live ``/v1/calls`` serves, "about six months": half a year, rounded up
#: to whole days (the probes give no exact figure; the sync engine stays 8 days inside it).
CALLS_SERVED = 183 * 86_400

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


def settle_call(state: State, call_id: int, *, shift: int = -1) -> dict[str, Any]:
    """What the real service does to a call about 20 minutes after it ends, with no update
    time to show for it: ``cost`` and ``duration`` change, ``pricing_type`` appears, and
    ``started_at`` moves by ``shift`` seconds. Returns the call; raises KeyError when unknown.
    """
    call = state.calls.remove(call_id)
    if call is None:
        raise KeyError(call_id)
    call["started_at"] = _started(call) + shift
    if isinstance(call.get("duration"), int):
        call["duration"] += 1
    call["cost"] = f"{float(call.get('cost') or 0) + 1:.1f}"
    call["pricing_type"] = "in_bundle"
    state.calls.add(call)
    return call


def forget_older_than(state: State, seconds: int, now: float | None = None) -> int:
    """Drop the calls started more than ``seconds`` ago, as ``/v1/calls`` serves only about
    the last six months (a window wholly older answers 200 with nothing). Returns how many."""
    horizon = int(state.now() if now is None else now) - seconds
    old = [c["id"] for c in state.calls.view(None, horizon - 1)]
    for call_id in old:
        state.calls.remove(call_id)
    return len(old)
