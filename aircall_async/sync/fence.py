"""Fencing the streams of a shared sync that one process runs (every stream but calls).

The process running a stream holds its claim row ``<stream>:claim`` (see
:mod:`aircall_async.sync.shared`). A process frozen past its lease (SIGSTOP, a paused VM)
loses the claim to another one; when it wakes up, its walker still holds pages to write.
So every ``write`` and ``finish_sweep`` of the walker goes through a :class:`FencedSink`,
which commits it only while the claim row still names this process, checked in the same
transaction as the write (:class:`~aircall_async.sync.sinks.Guard`); otherwise nothing is
written and the walker stops with :class:`ClaimLostError`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .sinks import Guard, SharedSink
from .streams import Stream
from .walkers import SyncError

__all__ = ["ClaimLostError", "FencedSink", "claim_guard"]


class ClaimLostError(SyncError):
    """This process no longer holds the claim of a stream of a shared sync (it stalled
    past its lease and another process took the stream over): its write was refused,
    nothing of it was written. ``stream`` names the stream."""

    def __init__(self, stream: str, holder: Any) -> None:
        self.stream = stream
        who = f"now held by {holder}" if isinstance(holder, str) else "no longer held"
        super().__init__(
            f"{stream}: this process lost its claim of the stream ({who}); "
            "its write was refused, nothing of it was written"
        )


def claim_guard(stream: str, owner: str) -> Guard:
    """The :class:`~aircall_async.sync.sinks.Guard` of a write of ``stream`` by ``owner``:
    its claim row ``<stream>:claim`` must name ``owner``, else :class:`ClaimLostError`."""

    def check(state: dict[str, Any] | None) -> None:
        holder = state.get("owner") if state else None
        if holder != owner:
            raise ClaimLostError(stream, holder)

    return Guard(key=f"{stream}:claim", check=check)


class FencedSink:
    """The sink a walker of a claimed stream writes through: ``write`` and
    ``finish_sweep`` of ``stream`` commit only under ``guard`` (they raise
    :class:`ClaimLostError` when the claim was lost); the rest goes straight to ``sink``."""

    def __init__(self, sink: SharedSink, stream: Stream, guard: Guard) -> None:
        self.sink = sink
        self.stream = stream
        self.guard = guard

    def __repr__(self) -> str:
        return f"<FencedSink {self.stream.name} of {self.sink!r}>"

    async def open(self, streams: Sequence[Stream]) -> None:
        """:meth:`Sink.open` of the wrapped sink."""
        await self.sink.open(streams)

    async def load_state(self, stream: Stream) -> dict[str, Any] | None:
        """:meth:`Sink.load_state` of the wrapped sink."""
        return await self.sink.load_state(stream)

    async def write(
        self, stream: Stream, objs: Sequence[dict[str, Any]], state: dict[str, Any], sweep: int
    ) -> None:
        """Write under the guard; raises ClaimLostError (nothing written) or SinkError."""
        await self.sink.write(stream, objs, state, sweep, guard=self.guard)

    async def finish_sweep(self, stream: Stream, sweep: int, state: dict[str, Any]) -> int:
        """Finish the sweep under the guard; raises ClaimLostError (nothing deleted)."""
        return await self.sink.finish_sweep(stream, sweep, state, guard=self.guard)

    async def count(self, stream: Stream) -> int:
        """:meth:`Sink.count` of the wrapped sink."""
        return await self.sink.count(stream)

    async def close(self) -> None:
        """Nothing: the wrapped sink belongs to the engine's caller."""
