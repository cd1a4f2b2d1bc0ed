"""Export sinks: JSON Lines and CSV, written to a text stream once per object.

They keep no state (an export always starts afresh) and write each object once even when
a listing returns it twice (a window's edges, a page that shifted): they remember the ids
written, about 60 bytes each.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from typing import Any, TextIO

from .streams import Stream, column_names

__all__ = ["CSVSink", "JSONLinesSink"]


class _FileSink:
    def __init__(self, out: TextIO) -> None:
        self._out = out
        self._written: dict[str, set[int]] = {}
        self.rows = 0

    def __repr__(self) -> str:
        return f"<{type(self).__name__} rows={self.rows}>"

    async def open(self, streams: Sequence[Stream]) -> None:
        """Nothing to create."""

    async def load_state(self, stream: Stream) -> dict[str, Any] | None:
        """An export has no state: always ``None``."""
        return None

    async def write(
        self, stream: Stream, objs: Sequence[dict[str, Any]], state: dict[str, Any], sweep: int
    ) -> None:
        """Write the objects not written yet (the state is not kept)."""
        written = self._written.setdefault(stream.name, set())
        for obj in objs:
            if obj["id"] in written:
                continue
            written.add(obj["id"])
            self._emit(stream, obj)
            self.rows += 1

    def _emit(self, stream: Stream, obj: dict[str, Any]) -> None:
        raise NotImplementedError

    async def finish_sweep(self, stream: Stream, sweep: int, state: dict[str, Any]) -> int:
        """Nothing to delete in an export: 0."""
        return 0

    async def count(self, stream: Stream) -> int:
        """How many objects of ``stream`` were written."""
        return len(self._written.get(stream.name, ()))

    async def close(self) -> None:
        """Flush the stream (the caller closes it)."""
        self._out.flush()


class JSONLinesSink(_FileSink):
    """One JSON object per line, as the API sent it (redacted fields left out)."""

    def _emit(self, stream: Stream, obj: dict[str, Any]) -> None:
        self._out.write(json.dumps(obj, separators=(",", ":"), ensure_ascii=False) + "\n")


class CSVSink(_FileSink):
    """A header line, then per object its id, typed columns and ``raw`` JSON (times as UNIX
    seconds, booleans 0/1). One stream per file: a second one raises ValueError."""

    def __init__(self, out: TextIO) -> None:
        super().__init__(out)
        self._writer = csv.writer(out, lineterminator="\n")
        self._stream: str | None = None

    def _emit(self, stream: Stream, obj: dict[str, Any]) -> None:
        if self._stream is None:
            self._stream = stream.name
            self._writer.writerow(column_names(stream))
        elif self._stream != stream.name:
            raise ValueError(f"a CSV export holds one stream; {stream.name} after {self._stream}")
        self._writer.writerow(stream.row(obj))
