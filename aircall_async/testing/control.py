"""What the fake does around the endpoints: credentials, the rate limit (Aircall's fixed
windows, or sliding/leaky ones), fault injection, request recording and counters. One
:class:`Control` holds them for one server."""

from __future__ import annotations

import math
import re
import secrets
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .state import State

if TYPE_CHECKING:
    # Only named for the checker: aiohttp's own types, not a dependency of ours.
    from multidict import CIMultiDict, MultiDict

__all__ = [
    "RATE_LIMIT_HEADER_MODES",
    "Control",
    "Credentials",
    "Fault",
    "FaultBook",
    "RateLimiter",
    "RecordedRequest",
    "Stats",
    "relative_path",
]

API_PREFIX = "/v1"


def relative_path(path: str) -> str:
    """``/v1/calls/812`` -> ``/calls/812`` (the form used by ``fail()`` and the client)."""
    if path == API_PREFIX:
        return "/"
    if path.startswith(API_PREFIX + "/"):
        return path[len(API_PREFIX) :]
    return path


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the fake received it.

    ``path`` is relative to ``/v1`` (``"/calls/812"``), like the paths given to the client and
    to ``fail()``; ``full_path`` is the path on the wire. ``json`` is the parsed body (None
    when empty or not JSON); ``body`` the raw bytes. The repr leaves out headers and body,
    which carry secrets.
    """

    method: str
    path: str
    query: MultiDict[str]
    json: Any = field(repr=False)
    headers: CIMultiDict[str] = field(repr=False)
    body: bytes = field(repr=False, default=b"")
    full_path: str = field(repr=False, default="")


@dataclass
class Stats:
    """Counters of one server: requests received, 429s sent, faults applied, answers by status."""

    requests: int = 0
    rate_limited: int = 0
    faults: int = 0
    dropped: int = 0
    by_status: Counter[int] = field(default_factory=Counter)

    def reset(self) -> None:
        """Set every counter back to zero."""
        self.requests = self.rate_limited = self.faults = self.dropped = 0
        self.by_status.clear()


@dataclass
class Fault:
    """One injected fault; see :meth:`FaultBook.add`. ``hits`` counts the requests it took."""

    pattern: str
    method: str | None = None
    status: int | None = None
    delay: float = 0.0
    drop: bool = False
    times: int | None = None
    body: Any = None
    headers: dict[str, str] | None = None
    hits: int = 0
    _regex: re.Pattern[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        pattern = relative_path(
            self.pattern if self.pattern.startswith("/") else "/" + self.pattern
        )
        if len(pattern) > 1:
            pattern = pattern.rstrip("/")
        parts = re.split(r"(\*\*|\*)", pattern)
        regex = "".join(".*" if p == "**" else "[^/]+" if p == "*" else re.escape(p) for p in parts)
        self._regex = re.compile(regex + "/?")

    @property
    def exhausted(self) -> bool:
        """True once it has applied to ``times`` requests."""
        return self.times is not None and self.hits >= self.times

    def matches(self, method: str, path: str) -> bool:
        """Whether it applies to this method and relative path."""
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return self._regex.fullmatch(path) is not None


class FaultBook:
    """The faults registered on a server, consulted in order of registration."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()  # fail() may be called from a test's thread

    def add(self, fault: Fault) -> Fault:
        """Register ``fault`` and return it."""
        if fault.status is None and not fault.drop and fault.delay <= 0:
            raise ValueError("a fault needs a status, a delay or drop=True")
        if fault.status is not None and not 100 <= fault.status <= 599:
            raise ValueError(f"status must be an HTTP status code, got {fault.status}")
        if fault.delay < 0:
            raise ValueError("delay must be >= 0")
        if fault.times is not None and fault.times < 1:
            raise ValueError("times must be >= 1 or None")
        with self._lock:
            self._faults.append(fault)
        return fault

    def take(self, method: str, path: str) -> Fault | None:
        """Return the first live fault matching the request and count the hit, or None."""
        with self._lock:
            for fault in self._faults:
                if not fault.exhausted and fault.matches(method, path):
                    fault.hits += 1
                    return fault
        return None

    def clear(self) -> None:
        """Forget every fault."""
        with self._lock:
            self._faults.clear()

    def __len__(self) -> int:
        with self._lock:
            return sum(1 for f in self._faults if not f.exhausted)


WINDOW_KINDS = ("fixed", "sliding", "leaky")
"""How the fake counts its budget of ``limit`` requests per ``window`` seconds:

- ``"fixed"``: Aircall's documented kind: windows aligned to multiples of ``window`` since
  the epoch; ``X-AircallApi-Reset`` is the end of the current window, when the whole budget
  comes back.
- ``"sliding"``: at most ``limit`` requests in any ``window`` seconds; the reset is when the
  oldest counted request leaves the window (one more request fits then).
- ``"leaky"``: a bucket of ``limit`` requests draining ``limit`` per ``window`` seconds
  evenly; the reset is when the remaining budget next grows by one.

Every kind's ``X-AircallApi-Remaining`` is what it would accept right now. Only ``"fixed"``
is Aircall's; the others check that a client which trusts the headers stays within a
budget counted some other way."""


class RateLimiter:
    """The fake's request budget: at most ``limit`` requests per ``window`` seconds, counted
    as ``kind`` says (:data:`WINDOW_KINDS`; Aircall's fixed windows by default). ``limit=None``
    turns it off (then no rate-limit headers are sent).

    Raises ValueError for ``limit < 1``, ``window <= 0`` or another ``kind``."""

    def __init__(
        self,
        limit: int | None,
        window: float,
        clock: Callable[[], float] = time.time,
        kind: str = "fixed",
    ) -> None:
        if limit is not None and limit < 1:
            raise ValueError("rate_limit must be >= 1 or None")
        if window <= 0:
            raise ValueError("window must be > 0")
        if kind not in WINDOW_KINDS:
            raise ValueError(f"window_kind must be one of {', '.join(WINDOW_KINDS)}, got {kind!r}")
        self.limit = limit
        self.window = window
        self.clock = clock
        self.kind = kind
        self._start = -1.0  # fixed: the current window's start
        self._count = 0  # fixed: requests counted in it
        self._times: deque[float] = deque()  # sliding: when each counted request came
        self._level = 0.0  # leaky: the bucket's content at _leaked_at
        self._leaked_at = 0.0

    def _state(self, now: float) -> tuple[int, float]:
        """(requests that still fit now, the UNIX time the reset header says)."""
        assert self.limit is not None
        if self.kind == "fixed":
            start = math.floor(now / self.window) * self.window
            if start != self._start:
                self._start, self._count = start, 0
            return self.limit - self._count, self._start + self.window
        if self.kind == "sliding":
            times = self._times
            while times and times[0] <= now - self.window:
                times.popleft()
            oldest = times[0] if times else now
            return self.limit - len(times), oldest + self.window
        rate = self.limit / self.window
        self._level = max(0.0, self._level - (now - self._leaked_at) * rate)
        self._leaked_at = now
        fits = math.floor(self.limit - self._level + 1e-9)
        # The remaining budget grows by one once the level is below limit - fits - 1.
        return fits, now + max(0.0, self._level - (self.limit - fits - 1)) / rate

    def _count_one(self, now: float) -> None:
        if self.kind == "fixed":
            self._count += 1
        elif self.kind == "sliding":
            self._times.append(now)
        else:
            self._level += 1.0

    def _headers(self, fits: int, reset: float) -> dict[str, str]:
        return {
            "X-AircallApi-Limit": str(self.limit),
            "X-AircallApi-Remaining": str(max(0, fits)),
            "X-AircallApi-Reset": str(math.ceil(reset)),
        }

    def hit(self) -> tuple[bool, dict[str, str]]:
        """Count one request; return (allowed, headers to send)."""
        if self.limit is None:
            return True, {}
        now = self.clock()
        fits, reset = self._state(now)
        if fits < 1:
            return False, self._headers(fits, reset)
        self._count_one(now)
        return True, self._headers(*self._state(now))

    def peek(self) -> dict[str, str]:
        """The headers for an answer that does not count (unauthenticated requests)."""
        if self.limit is None:
            return {}
        return self._headers(*self._state(self.clock()))


class Credentials:
    """Who may call: one api_id/api_token pair (Basic) and the Bearer tokens issued, plus the
    OAuth codes waiting to be exchanged. Its repr shows no secret."""

    def __init__(self, api_id: str, api_token: str, client_secret: str) -> None:
        self.api_id = api_id
        self.api_token = api_token
        self.client_secret = client_secret
        self.access_tokens: set[str] = set()
        # code -> (client_id, redirect_uri, expiry)
        self.oauth_codes: dict[str, tuple[str, str, float]] = {}

    def __repr__(self) -> str:
        return f"Credentials(api_id={self.api_id!r}, access_tokens={len(self.access_tokens)})"

    def issue_access_token(self) -> str:
        """Mint a Bearer token the server accepts from now on."""
        token = secrets.token_hex(16)
        self.access_tokens.add(token)
        return token

    def issue_oauth_code(self, client_id: str, redirect_uri: str, ttl: float = 600.0) -> str:
        """Mint an authorization code, valid ``ttl`` seconds and once, for ``POST /oauth/token``."""
        code = secrets.token_urlsafe(24)
        self.oauth_codes[code] = (client_id, redirect_uri, time.time() + ttl)
        return code


RATE_LIMIT_HEADER_MODES = ("always", "429-only")
"""When answers carry ``X-AircallApi-*``: on every answer (as the reference says), or only
on a 429 (as one capture of the service showed: absent from normal 200/400 answers)."""


class Control:
    """Everything one fake server needs besides its routes: state, credentials, limiter,
    faults, recorded requests and counters.

    ``rate_limit_headers`` (one of :data:`RATE_LIMIT_HEADER_MODES`) says which answers carry
    the rate-limit headers; it may be changed while the server runs. ``window_kind`` (one of
    :data:`WINDOW_KINDS`) says how the budget is counted. Raises ValueError for another
    value of either.
    """

    def __init__(
        self,
        state: State,
        *,
        api_id: str = "fake-api-id",
        api_token: str = "fake-api-token",
        client_secret: str = "fake-client-secret",
        rate_limit: int | None = 60,
        window: float = 60.0,
        record: bool = True,
        rate_limit_headers: str = "always",
        window_kind: str = "fixed",
    ) -> None:
        if rate_limit_headers not in RATE_LIMIT_HEADER_MODES:
            raise ValueError(
                f"rate_limit_headers must be 'always' or '429-only', got {rate_limit_headers!r}"
            )
        self.rate_limit_headers = rate_limit_headers
        self.state = state
        self.credentials = Credentials(api_id, api_token, client_secret)
        self.limiter = RateLimiter(rate_limit, window, kind=window_kind)
        self.faults = FaultBook()
        self.requests: list[RecordedRequest] = []
        self.record = record
        self.stats = Stats()

    def __repr__(self) -> str:
        return f"Control(credentials={self.credentials!r}, stats={self.stats!r})"
