"""Sync jobs: replicate an Aircall account into your own store, incrementally and resumably.

::

    async with AircallClient(api_id=..., api_token=...) as client:
        sink = SQLiteSink("aircall.db")
        await SyncEngine(client, sink, streams=["calls", "contacts"]).run()
        await sink.close()

See the README section "Sync jobs" and :mod:`aircall_async.sync.state` for how each stream
is read and resumed.
"""

from .engine import SyncEngine, parse_since
from .fence import ClaimLostError
from .progress import (
    Progress,
    ProgressCallback,
    ProgressFigures,
    RateMeter,
    RequestCounter,
    StreamProgress,
    observed_rate,
    render_line,
)
from .sinks import STATE_TABLE, Guard, SharedSink, Sink, SinkError, SQLiteSink
from .state import DEFAULT_LAG, RETENTION
from .streams import STREAMS, Column, Stream, epoch, select_streams
from .walkers import DEFAULT_SWEEP_EVERY, SyncError

__all__ = [
    "DEFAULT_LAG",
    "DEFAULT_SWEEP_EVERY",
    "RETENTION",
    "STATE_TABLE",
    "STREAMS",
    "ClaimLostError",
    "Column",
    "Guard",
    "Progress",
    "ProgressCallback",
    "ProgressFigures",
    "RateMeter",
    "RequestCounter",
    "SQLiteSink",
    "SharedSink",
    "Sink",
    "SinkError",
    "Stream",
    "StreamProgress",
    "SyncEngine",
    "SyncError",
    "epoch",
    "observed_rate",
    "parse_since",
    "render_line",
    "select_streams",
]
