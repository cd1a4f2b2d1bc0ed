"""pytest plugin of the fake Aircall server (registered as the ``aircall_async`` pytest11
entry point, so installing aircall-async makes the fixtures available).

Fixtures
--------
``fake_aircall``
    A started :class:`~aircall_async.testing.FakeAircall`, fresh for each test. It runs in a
    background thread with its own event loop, so it works the same in plain sync tests, in
    pytest-asyncio and in pytest-aiohttp tests (it never uses the test's loop)::

        async def test_export(fake_aircall):
            async with fake_aircall.client() as client:
                calls = await client.paginate("/calls", "calls").collect()
            assert len(calls) == 100
            assert fake_aircall.requests[0].headers["Authorization"].startswith("Basic ")

        def test_sync(fake_aircall):
            import urllib.request
            ...  # hit f"{fake_aircall.base_url}/ping" with the credentials

``fake_aircall_options``
    The keyword arguments given to ``FakeAircall`` (default ``{}``). Override it in a
    ``conftest.py`` or a module to change every server there::

        @pytest.fixture
        def fake_aircall_options():
            return {"calls": 2_000, "rate_limit": None}

Marker
------
``@pytest.mark.fake_aircall(**options)`` adds options for one test (or class/module), on top
of ``fake_aircall_options``::

    @pytest.mark.fake_aircall(rate_limit=5, window=1.0)
    def test_throttled(fake_aircall): ...
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from .server import FakeAircall

__all__ = ["fake_aircall", "fake_aircall_options"]


def pytest_configure(config: pytest.Config) -> None:
    """Declare the ``fake_aircall`` marker."""
    config.addinivalue_line(
        "markers", "fake_aircall(**options): FakeAircall keyword arguments for fake_aircall"
    )


@pytest.fixture
def fake_aircall_options() -> dict[str, Any]:
    """Keyword arguments for the ``fake_aircall`` server; override to change them."""
    return {}


@pytest.fixture
def fake_aircall(
    request: pytest.FixtureRequest, fake_aircall_options: dict[str, Any]
) -> Iterator[FakeAircall]:
    """A started FakeAircall in a background thread, closed after the test."""
    options = dict(fake_aircall_options)
    for marker in reversed(list(request.node.iter_markers("fake_aircall"))):
        options.update(marker.kwargs)
    with FakeAircall(**options) as fake:
        yield fake
