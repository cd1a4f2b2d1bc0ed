"""Ctrl-C while the main thread runs the blocking client's loop (see ``_portal``)."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import threading
from _thread import get_ident
from types import FrameType
from typing import Any, Final, Protocol

__all__ = ["Cancellable", "Interrupt"]

# The C module under ``signal``: its functions take and return plain ints and handlers,
# where ``signal``'s wrappers convert every value to an enum (about 5 us a call, paid
# twice per blocking call).
_signal: Any = importlib.import_module("_signal")
_MAIN_THREAD: Final = threading.main_thread().ident
_SIGINT: Final = int(_signal.SIGINT)
_default_int_handler: Final = _signal.default_int_handler


class Cancellable(Protocol):
    """The call an :class:`Interrupt` watches: whether it runs, and how to cancel it."""

    started: bool
    finished: bool

    def cancel(self) -> None:
        """Cancel the call's task on the loop."""


class Interrupt:
    """Ctrl-C while the main thread runs the loop: cancel the work, as ``asyncio.run`` does.

    Installed only in the main thread and over Python's default SIGINT handler; a second
    Ctrl-C (or one before the work started) raises ``KeyboardInterrupt`` at once.

    While installed, the signal's wakeup fd is the loop's self-pipe (as asyncio's own
    signal handlers do): a SIGINT that lands between the interpreter's last check for
    signals and the loop's ``select()`` would otherwise run its handler only when the
    select returned for another reason, up to a keep-alive timer later (seen: 15 s).
    """

    __slots__ = ("call", "count", "loop", "wakeup_fd")

    def __init__(self, loop: asyncio.AbstractEventLoop, call: Cancellable) -> None:
        self.loop, self.call, self.count = loop, call, 0
        self.wakeup_fd: int | None = None  # the one it replaced, while installed

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        self.count += 1
        call = self.call
        if self.count == 1 and call.started and not call.finished:
            call.cancel()
            self.loop.call_soon_threadsafe(_nothing)  # wake a select() with a long timeout
            return
        raise KeyboardInterrupt

    @classmethod
    def install(cls, loop: asyncio.AbstractEventLoop, call: Cancellable) -> Interrupt | None:
        """The handler, installed for ``call`` on ``loop``; ``None`` where it does not apply
        (not the main thread, an application's own SIGINT handler, no signals). Never raises."""
        if get_ident() != _MAIN_THREAD:
            return None
        if _signal.getsignal(_SIGINT) is not _default_int_handler:
            return None  # the application's own handler stays in charge
        handler = cls(loop, call)
        try:
            _signal.signal(_SIGINT, handler)
        except ValueError:  # an embedded interpreter without signals
            return None
        self_pipe = getattr(loop, "_csock", None)  # where call_soon_threadsafe writes
        if self_pipe is not None:
            with contextlib.suppress(ValueError, OSError):
                handler.wakeup_fd = _signal.set_wakeup_fd(
                    self_pipe.fileno(), warn_on_full_buffer=False
                )
        return handler

    def uninstall(self) -> None:
        """Put back Python's default SIGINT handler and the wakeup fd it replaced."""
        if self.wakeup_fd is not None:
            _signal.set_wakeup_fd(self.wakeup_fd)
        if _signal.getsignal(_SIGINT) is self:
            _signal.signal(_SIGINT, _default_int_handler)


def _nothing() -> None:
    return None
