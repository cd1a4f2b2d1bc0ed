"""Helpers shared by the resource tests: a fake server with a client, and the checks that
a validation error named its field and sent nothing. (Not a test module.)"""

from __future__ import annotations

import inspect
import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest

from aircall_async import AircallClient
from aircall_async.testing import FakeAircall, RecordedRequest

__all__ = ["connect", "last", "rejected"]


@asynccontextmanager
async def connect(
    *, bearer: bool = False, **options: Any
) -> AsyncIterator[tuple[FakeAircall, AircallClient]]:
    """A small fake account without rate limit, and a client on it that never retries."""
    options = {"rate_limit": None, "calls": 12, "contacts": 5, **options}
    async with FakeAircall(**options) as fake:
        auth = {"access_token": fake.access_token} if bearer else {}
        async with fake.client(max_retries=0, **auth) as client:
            yield fake, client


def last(fake: FakeAircall) -> RecordedRequest:
    """The last request the fake received."""
    assert fake.requests, "no request was sent"
    return fake.requests[-1]


async def rejected(fake: FakeAircall, action: Callable[[], Any], field: str) -> None:
    """``action()`` raises ValueError naming ``field`` and sends nothing."""
    before = len(fake.requests)
    with pytest.raises(ValueError, match=re.escape(field)):
        result = action()
        if inspect.isawaitable(result):
            await result
    assert len(fake.requests) == before, "a request was sent despite the validation error"
