"""The running loop without a system call: always the loop asyncio itself would name.

``running_loop`` trusts the loop it last saw in a thread while that loop says this thread
runs it; these tests put it where that shortcut could mislead: a second loop in the same
thread, a loop moved to another thread, a forked child.
"""

from __future__ import annotations

import asyncio
import os
import sys
import threading
import warnings

import pytest

from aircall_async import AircallClient
from aircall_async._loops import running_loop
from aircall_async.errors import AircallError, TransportError


async def _same_as_asyncio() -> bool:
    return running_loop() is asyncio.get_running_loop()


def test_each_loop_of_a_thread_is_named_and_none_between_them() -> None:
    assert asyncio.run(_same_as_asyncio())
    with pytest.raises(RuntimeError):
        running_loop()  # the loop seen last has ended
    assert asyncio.run(_same_as_asyncio())


async def test_the_loop_seen_last_is_not_asked_again(monkeypatch: pytest.MonkeyPatch) -> None:
    loop = running_loop()
    asked = 0
    real = asyncio.get_running_loop

    def counting() -> asyncio.AbstractEventLoop:
        nonlocal asked
        asked += 1
        return real()

    monkeypatch.setattr(asyncio, "get_running_loop", counting)
    assert all(running_loop() is loop for _ in range(10))
    assert asked == 0


def test_a_loop_moved_to_another_thread_is_not_taken_for_this_thread_s() -> None:
    first = asyncio.new_event_loop()
    try:
        assert first.run_until_complete(_same_as_asyncio())  # seen in this thread
        started = threading.Event()
        first.call_soon(started.set)
        elsewhere = threading.Thread(target=first.run_forever)
        elsewhere.start()
        try:
            assert started.wait(10)
            assert first.is_running()  # running, but in the other thread
            assert asyncio.run(_same_as_asyncio())
        finally:
            first.call_soon_threadsafe(first.stop)
            elsewhere.join(10)
    finally:
        first.close()


def _in_a_forked_child(check: object) -> int:
    """Fork, run ``check()`` in the child, and return the child's exit status."""
    with warnings.catch_warnings():  # 3.12+ warns about forking with threads around
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        code = 1
        try:
            code = 0 if check() else 1  # type: ignore[operator]
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


@pytest.mark.skipif(not hasattr(os, "fork") or sys.platform == "darwin", reason="needs fork")
async def test_a_forked_child_does_not_take_its_parent_s_loop(unused_tcp_port: int) -> None:
    assert running_loop() is asyncio.get_running_loop()  # seen before the fork
    client = AircallClient(
        api_id="id",
        api_token="secret-token",
        base_url=f"http://127.0.0.1:{unused_tcp_port}/v1",
        max_retries=0,
        rate_limit=None,
    )
    with pytest.raises(TransportError):  # nothing listens: bound to this loop all the same
        await client.ping()

    def child_loop_is_its_own() -> bool:
        return asyncio.run(_same_as_asyncio())

    def child_client_refuses_the_new_loop() -> bool:
        async def ping() -> bool:
            try:
                await client.ping()
            except AircallError as exc:
                return "event loop" in str(exc) and not isinstance(exc, TransportError)
            return False

        return asyncio.run(ping())

    assert _in_a_forked_child(child_loop_is_its_own) == 0
    assert _in_a_forked_child(child_client_refuses_the_new_loop) == 0
    await client.close()
