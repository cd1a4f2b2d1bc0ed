"""The state of each stream between runs, and the pure decisions made from it.

A state is a small JSON object stored in ``_aircall_sync_state`` in the same transaction
as the rows it describes, so that after a crash the rows and the state always agree.

Calls: ``high_water`` is the upper bound (UNIX seconds) of the last complete run; a run
re-reads from ``high_water - lag`` because calls change after they start (they end, get
tags, comments and recordings) without any update time. While a run is under way its
``windows`` are stored: each ``[lo, hi, pos]`` still has the calls started in ``[pos, hi]``
to read, so a rerun continues where the last commit left it.

Contacts: ``cursor`` is the highest ``updated_at`` at the start of the last complete walk
(newest first); an interrupted walk stores the page it reached. A full ``sweep`` by creation
time replaces the walk when it cannot work (more than 10,000 contacts to walk) and finds the
deleted ones: every row seen by sweep ``n`` is marked ``n``; the rest are deleted at its end.
"""

from __future__ import annotations

import itertools
from typing import Any

import attrs

from .sinks import corrupt_state

__all__ = [
    "DEFAULT_LAG",
    "RETENTION",
    "CallsPlan",
    "Window",
    "plan_calls",
    "split",
]

#: How long calls keep changing after they start (seconds): re-read on the next run.
DEFAULT_LAG = 24 * 3600
#: How far back ``/v1/calls`` is read: it serves about six months; a window straddling that
#: edge can lose rows while paged, so stay clear of it (Estuary's connector clamps to 175 days).
RETENTION = 175 * 86_400

State = dict[str, Any]


@attrs.define
class Window:
    """The calls started in ``[lo, hi]``, read up to ``pos`` (``pos > hi``: done)."""

    lo: int
    hi: int
    pos: int

    @property
    def done(self) -> bool:
        """Whether every call of the window is committed."""
        return self.pos > self.hi

    def as_list(self) -> list[int]:
        """The JSON form ``[lo, hi, pos]``."""
        return [self.lo, self.hi, self.pos]


@attrs.frozen
class CallsPlan:
    """What a calls run reads: its ``windows`` (some maybe done) and its upper bound ``to``."""

    to: int
    windows: list[Window]

    def state(self, high_water: int | None) -> State:
        """The state to store while the run is under way (``high_water`` of the last one)."""
        return {
            "high_water": high_water,
            "run": {"to": self.to, "windows": [w.as_list() for w in self.windows]},
        }


def split(lo: int, hi: int, parts: int) -> list[Window]:
    """``[lo, hi]`` cut into up to ``parts`` windows of equal length (at least one second)."""
    if hi < lo:
        return [Window(lo, hi, lo)]
    span = hi - lo + 1
    parts = max(1, min(parts, span))
    bounds = [lo + span * i // parts for i in range(parts + 1)]
    return [Window(a, b - 1, a) for a, b in itertools.pairwise(bounds)]


def _run_to(state: State) -> int:
    """The upper bound of the interrupted run in ``state``.

    Raises:
        SinkError: when it is missing or not an integer (a corrupt state): a guessed bound
            could skip calls.
    """
    to = state["run"].get("to")
    if isinstance(to, float) and to.is_integer():  # 1e9 (1e400 is inf: refused)
        to = int(to)
    if not isinstance(to, int) or isinstance(to, bool):
        raise corrupt_state("calls", "its run has no integer 'to'")
    return to


def _windows(state: State) -> list[Window] | None:
    run = state.get("run")
    if not isinstance(run, dict):
        return None
    out = []
    for item in run.get("windows") or ():
        if isinstance(item, list) and len(item) == 3 and all(isinstance(v, int) for v in item):
            out.append(Window(*item))
    return out


def plan_calls(
    state: State | None, *, now: int, since: int | None, lag: int, workers: int
) -> CallsPlan:
    """The windows of the next calls run.

    An interrupted run is continued (its unfinished windows, plus the calls started since
    its upper bound); ``since`` re-reads from that time; otherwise the run starts ``lag``
    seconds before the last run's upper bound, or at the retention horizon the first time.
    Nothing older than ``now - RETENTION`` is asked for.

    Raises:
        SinkError: when ``state`` holds an interrupted run without a valid upper bound.
    """
    horizon = now - RETENTION
    previous = _windows(state) if state and since is None else None
    if previous is not None:
        old_to = _run_to(state) if state else now
        pending = [w for w in previous if not w.done]
        for w in pending:
            w.pos = max(w.pos, horizon)
        extra = split(old_to + 1, now, 1) if now > old_to else []
        return CallsPlan(to=max(now, old_to), windows=pending + extra)
    high_water = state.get("high_water") if state else None
    if since is not None:
        start = since
    elif isinstance(high_water, int):
        start = high_water - lag
    else:
        start = horizon
    return CallsPlan(to=now, windows=split(max(start, horizon), now, workers))


def calls_high_water(state: State | None) -> int | None:
    """The upper bound of the last complete calls run, if any."""
    value = state.get("high_water") if state else None
    return value if isinstance(value, int) else None
