"""In-memory store of the fake Aircall server.

Objects are plain dicts in the JSON shape of the API reference. Keys that start with an
underscore are private to the fake (a call's contact id, a user's granular availability...)
and are stripped by :func:`public` before anything is sent.

Each collection is a :class:`Table` that keeps its objects sorted by (creation time, id), so
that ``from``/``to`` filters are two bisections and ``order=desc`` is reversed indexing: a
request never re-sorts the collection.

State changes go through :meth:`State.emit` so that webhook delivery can subscribe later.
"""

from __future__ import annotations

import bisect
import calendar
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, overload

from .state_beyond import BeyondState

__all__ = [
    "Listener",
    "Quirks",
    "State",
    "Table",
    "View",
    "epoch_to_iso",
    "iso_to_epoch",
    "public",
]

Obj = dict[str, Any]
Listener = Callable[[str, str, Obj], None]

_MAX_ID = sys.maxsize


def epoch_to_iso(seconds: float) -> str:
    """Format UNIX seconds the way the API renders ISO times: ``2019-12-29T10:03:18.000Z``."""
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(int(seconds)))


def iso_to_epoch(value: Any) -> int:
    """Parse an API ISO time (``2019-12-29T10:03:18.000Z``) to UNIX seconds.

    Integers pass through; anything unparsable (the reference shows a year 20120) gives 0
    rather than raising, so a malformed object added by a test still sorts somewhere.
    """
    if isinstance(value, bool):
        return 0
    if isinstance(value, int | float):
        return int(value)
    if not isinstance(value, str):
        return 0
    try:
        return calendar.timegm(time.strptime(value[:19], "%Y-%m-%dT%H:%M:%S"))
    except ValueError:
        return 0


def public(obj: Obj) -> Obj:
    """Return a copy of ``obj`` without its private (underscore) keys."""
    return {k: v for k, v in obj.items() if not k.startswith("_")}


class View(Sequence[Obj]):
    """A read-only window of a :class:`Table`, in ascending or descending (time, id) order."""

    __slots__ = ("_desc", "_hi", "_lo", "_table")

    def __init__(self, table: Table, lo: int, hi: int, desc: bool) -> None:
        self._table = table
        self._lo = lo
        self._hi = hi
        self._desc = desc

    def __len__(self) -> int:
        return self._hi - self._lo

    def _positions(self, start: int, stop: int) -> range:
        if self._desc:
            return range(self._hi - 1 - start, self._hi - 1 - stop, -1)
        return range(self._lo + start, self._lo + stop)

    @overload
    def __getitem__(self, index: int) -> Obj: ...

    @overload
    def __getitem__(self, index: slice) -> list[Obj]: ...

    def __getitem__(self, index: int | slice) -> Obj | list[Obj]:
        table = self._table
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            if step != 1:
                raise ValueError("View slices take no step")
            return [table.by_position(p) for p in self._positions(start, max(start, stop))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return table.by_position(self._positions(index, index + 1)[0])

    def __iter__(self) -> Iterator[Obj]:
        table = self._table
        for p in self._positions(0, len(self)):
            yield table.by_position(p)


class Table:
    """Objects of one kind, indexed by id and kept sorted by (creation time, id).

    ``time_of(obj)`` gives an object's creation time in UNIX seconds; it must not change while
    the object is in the table (creation times never do).
    """

    def __init__(self, time_of: Callable[[Obj], int]) -> None:
        self._time_of = time_of
        self._keys: list[tuple[int, int]] = []
        self._objs: dict[int, Obj] = {}

    def __len__(self) -> int:
        return len(self._objs)

    def __contains__(self, obj_id: object) -> bool:
        return obj_id in self._objs

    def __iter__(self) -> Iterator[Obj]:
        """Iterate in ascending (time, id) order."""
        return iter(self.view())

    def add(self, obj: Obj) -> Obj:
        """Insert ``obj`` (which must carry an integer ``id``); replaces one with the same id.

        Appending in order is O(1), which keeps seeding 25,000 calls fast.
        """
        obj_id = int(obj["id"])
        if obj_id in self._objs:
            self.remove(obj_id)
        key = (self._time_of(obj), obj_id)
        if not self._keys or key > self._keys[-1]:
            self._keys.append(key)
        else:
            bisect.insort(self._keys, key)
        self._objs[obj_id] = obj
        return obj

    def get(self, obj_id: int) -> Obj | None:
        """Return the object with this id, or None."""
        return self._objs.get(obj_id)

    def remove(self, obj_id: int) -> Obj | None:
        """Remove and return the object with this id, or None when there is none."""
        obj = self._objs.pop(obj_id, None)
        if obj is None:
            return None
        key = (self._time_of(obj), obj_id)
        pos = bisect.bisect_left(self._keys, key)
        if pos < len(self._keys) and self._keys[pos] == key:
            del self._keys[pos]
        else:  # the time changed behind our back: fall back to a scan
            self._keys = [k for k in self._keys if k[1] != obj_id]
        return obj

    def by_position(self, pos: int) -> Obj:
        """Return the object at this position of the (time, id) order."""
        return self._objs[self._keys[pos][1]]

    def view(self, start: int | None = None, end: int | None = None, desc: bool = False) -> View:
        """Objects created within [start, end] (UNIX seconds, both inclusive, None = open)."""
        keys = self._keys
        lo = 0 if start is None else bisect.bisect_left(keys, (start, -1))
        hi = len(keys) if end is None else bisect.bisect_right(keys, (end, _MAX_ID))
        return View(self, lo, max(lo, hi), desc)

    def ids(self) -> list[int]:
        """All ids in (time, id) order."""
        return [k[1] for k in self._keys]


def _iso_created(obj: Obj) -> int:
    return iso_to_epoch(obj.get("created_at"))


def _int_field(name: str) -> Callable[[Obj], int]:
    def time_of(obj: Obj) -> int:
        value = obj.get(name)
        return int(value) if isinstance(value, int | float) else iso_to_epoch(value)

    return time_of


def _zero(obj: Obj) -> int:
    return 0


@dataclass
class Quirks:
    """Opt-in behaviours of the live service that the reference does not describe, seen in
    Estuary's connector probes (issue 12, docs/SOURCES.md). All off by default.

    ``calls_retention``: ``GET /v1/calls`` serves only the calls started within this many
    seconds before ``state.now()`` (about six months on the live service: see
    :data:`~aircall_async.testing.history.CALLS_SERVED`); the edge is computed on every
    request, so a listing straddling it loses rows at its old end while it is paged, and the
    later pages shift. ``None``: every call is served.

    ``detail_edits_keep_updated_at``: adding, changing or deleting a contact's phone number
    or e-mail leaves its ``updated_at`` alone (a walk by ``updated_at`` misses the edit).
    """

    calls_retention: int | None = None
    detail_edits_keep_updated_at: bool = False


class State:
    """The whole in-memory account: one :class:`Table` per resource, plus ids and listeners.

    Tests may add objects directly (``state.contacts.add({...})``); use :meth:`next_id` for
    ids that do not collide with the seeded ones.
    """

    def __init__(self) -> None:
        self.users = Table(_iso_created)
        self.teams = Table(_iso_created)
        self.numbers = Table(_iso_created)
        self.calls = Table(_int_field("started_at"))
        self.contacts = Table(_int_field("created_at"))
        self.tags = Table(_zero)
        self.webhooks = Table(_iso_created)
        self.a2p_campaign_associations = Table(_iso_created)
        # user id -> {"id", "number_id", "created_at", "_numbers": [...]}
        self.dialer_campaigns: dict[int, Obj] = {}
        self.company: Obj = {"name": "Fake Company"}
        self.integration: Obj = {}
        # Beyond the reference: messages, AI results, exports (docs/COVERAGE.md).
        self.beyond = BeyondState()
        self.now: Callable[[], float] = time.time
        self.quirks = Quirks()
        self._ids: dict[str, int] = {}
        self._listeners: list[Listener] = []

    def next_id(self, kind: str, start: int = 1) -> int:
        """Return a fresh id for ``kind`` ("user", "call", ...), above every id handed so far."""
        value = self._ids.get(kind, start - 1) + 1
        self._ids[kind] = value
        return value

    def reserve_id(self, kind: str, used: int) -> None:
        """Record that ``used`` is taken, so :meth:`next_id` goes above it."""
        if used > self._ids.get(kind, 0):
            self._ids[kind] = used

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener(event, resource, data)`` on every change; returns an unsubscriber."""
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    def emit(self, event: str, resource: str, data: Obj) -> None:
        """Announce a state change (``"contact.created"``, ``"contact"``, the public object).

        The seam for webhook delivery: with no listener this does nothing. A failing listener
        propagates its exception to the request that caused the change (a bug in a test).
        """
        for listener in list(self._listeners):
            listener(event, resource, data)

    def timestamp(self) -> int:
        """The current time in whole UNIX seconds (``state.now`` can be replaced in tests)."""
        return int(self.now())
