"""The event loop running in this thread, without a system call each time.

``asyncio.get_running_loop()`` (and ``asyncio.current_task()``, which calls it) makes a
``getpid()`` system call on Python 3.10 and 3.11, its guard against a loop inherited
through ``fork``. On a sandboxed machine that one call cost about 5 us of kernel time,
as much as the rest of the client's wrapper around a request. So the loop last seen in
this thread is remembered, and trusted while it records this thread as the one running
it (asyncio's loops keep that id; one thread runs one loop at a time). A forked child
forgets it, which is the case the ``getpid()`` guards against.
"""

from __future__ import annotations

import asyncio
import os
import threading

__all__ = ["running_loop"]

# The loop last seen running in each thread. It holds the loop (closed or not) until
# that thread next asks: one loop per thread at most.
_seen = threading.local()


def _forget_in_child() -> None:
    _seen.__dict__.clear()


if hasattr(os, "register_at_fork"):  # not on Windows, which has no fork
    os.register_at_fork(after_in_child=_forget_in_child)


def running_loop() -> asyncio.AbstractEventLoop:
    """The event loop running in this thread: ``asyncio.get_running_loop()``, cheaper.

    Raises:
        RuntimeError: when no event loop is running in this thread.
    """
    loop: asyncio.AbstractEventLoop | None = getattr(_seen, "loop", None)
    # BaseEventLoop keeps the id of the thread running it in ``_thread_id`` (None once
    # stopped); a loop without it (uvloop) always takes asyncio's own answer.
    if loop is not None and getattr(loop, "_thread_id", None) == threading.get_ident():
        return loop
    loop = asyncio.get_running_loop()
    _seen.loop = loop
    return loop
