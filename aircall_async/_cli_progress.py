"""The command line's progress: the line drawn on stderr, and what a worker of a shared
sync sends the first process instead (a JSON line a second on stdout, added into that
process's line by :class:`~aircall_async._cli_shared.WorkerOutput`)."""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from typing import TextIO

from .sync.progress import Progress, ProgressFigures, render_line

__all__ = ["Reporter", "WorkerReporter"]


class Reporter:
    """Draws progress: a redrawn line on a terminal, else a line every ``interval``. The
    line adds up this process's run and the latest figures of ``others`` (the workers of a
    shared sync)."""

    def __init__(
        self,
        stream: TextIO,
        interval: float,
        others: Callable[[], list[ProgressFigures]] = list,
    ) -> None:
        self._stream = stream
        self._tty = stream.isatty()
        self._interval = 0.1 if self._tty else interval
        self._last = time.monotonic()
        self._others = others
        self._progress: Progress | None = None

    def _line(self, progress: Progress) -> str:
        return render_line(ProgressFigures.total([progress.figures(), *self._others()]))

    def __call__(self, progress: Progress) -> None:
        """Take this process's latest progress (the engine's callback) and redraw."""
        self._progress = progress
        self.refresh()

    def refresh(self) -> None:
        """Redraw, unless the last line is more recent than the interval."""
        now = time.monotonic()
        if self._progress is None or now - self._last < self._interval:
            return
        self._last = now
        line = self._line(self._progress)
        self._stream.write(f"\r\x1b[2K{line}" if self._tty else line + "\n")
        self._stream.flush()

    def finish(self, progress: Progress, verb: str) -> None:
        """The last line: ``verb`` (done, failed, stopped), the figures and the time taken."""
        end = "\r\x1b[2K" if self._tty else ""
        seconds = time.monotonic() - progress.started
        self._stream.write(f"{end}{verb}: {self._line(progress)} in {seconds:.1f}s\n")
        self._stream.flush()


class WorkerReporter:
    """A worker's progress, for the first process: a JSON line on ``stream`` (stdout) every
    second. If the first process is gone (a broken pipe), the worker goes on with its share
    of the sync without reporting: the stream is pointed at the null device, so that neither
    a later line nor the final summary fails."""

    def __init__(self, interval: float = 1.0, stream: TextIO | None = None) -> None:
        self._interval = interval
        self._last = float("-inf")
        self._stream = stream
        self._orphaned = False

    def __call__(self, progress: Progress) -> None:
        """Send the progress, unless the last line is more recent than the interval."""
        now = time.monotonic()
        if now - self._last >= self._interval:
            self._last = now
            self.finish(progress)

    def finish(self, progress: Progress, verb: str = "") -> None:
        """Send the final progress (before the worker's ``--json`` summary)."""
        if self._orphaned:
            return
        stream = self._stream or sys.stdout
        try:
            stream.write(json.dumps({"progress": progress.figures().as_dict()}) + "\n")
            stream.flush()
        except BrokenPipeError:
            # Python's own recipe: the rest of the output goes to the null device.
            self._orphaned = True
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, stream.fileno())
            os.close(devnull)
