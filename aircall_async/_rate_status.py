"""What the server says of the budget: :class:`RateLimitStatus`, read from the
``X-AircallApi-*`` headers of an answer. Pure: no clock but the one ``seconds_until_reset``
is given (or the system's), no I/O.

A header that makes no sense (a negative, fractional or absurd number) is left out as if
absent and reported, so the last good value stays in force. The public home of these
names is :mod:`aircall_async.ratelimit`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timezone

import attrs

from .clock import SystemClock

__all__ = ["OnNonsense", "RateLimitStatus"]

#: The largest limit or remaining count believed from a header: the API documents 60
#: per minute, some accounts get 120; a number past this one is a broken header.
_MAX_BUDGET = 100_000

#: What a nonsensical header is reported to: its name and its (raw) value.
OnNonsense = Callable[[str, str], None]

# The most digits read from a header (int() refuses more than 4300; no sane count nears 12).
_MAX_DIGITS = 12


def _header_int(
    headers: Mapping[str, str], name: str, lowest: int, on_nonsense: OnNonsense | None
) -> int | None:
    """The header as a whole number >= ``lowest`` (and not absurd); ``None`` otherwise."""
    value = headers.get(name)
    if value is None:
        return None
    text = value if value.isdigit() else value.strip()
    number = int(text) if text.isascii() and text.isdigit() and len(text) <= _MAX_DIGITS else None
    if number is None or number < lowest or (name != _RESET and number > _MAX_BUDGET):
        if on_nonsense is not None:
            on_nonsense(name, value)
        return None
    return number


_LIMIT, _REMAINING, _RESET = "X-AircallApi-Limit", "X-AircallApi-Remaining", "X-AircallApi-Reset"

# The last reset read, and its moment: every answer of a window carries the same reset,
# and making an aware datetime was a fifth of reading the headers.
_last_reset: tuple[int, datetime | None] = (-1, None)


def _reset_moment(timestamp: int) -> datetime | None:
    """The aware UTC moment of a UNIX ``timestamp``; None when out of range."""
    global _last_reset
    seen, moment = _last_reset
    if seen == timestamp:
        return moment
    try:
        moment = datetime.fromtimestamp(timestamp, tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        moment = None
    _last_reset = (timestamp, moment)
    return moment


@attrs.frozen
class RateLimitStatus:
    """The budget as the server last reported it.

    ``limit`` and ``remaining`` are request counts; ``reset`` is the aware UTC datetime
    when the server's current window ends. Any of them is ``None`` when the answer did
    not carry (or garbled) the header.
    """

    limit: int | None
    remaining: int | None
    reset: datetime | None

    @classmethod
    def from_http(
        cls, headers: Mapping[str, str], *, on_nonsense: OnNonsense | None = None
    ) -> RateLimitStatus | None:
        """Read the ``X-AircallApi-*`` headers; ``None`` when none is usable. Never raises.

        A value that makes no sense (not a whole number, a limit below 1, a negative or
        absurdly large count, a reset out of range) is left out as if absent, and
        reported to ``on_nonsense(name, value)`` when given.
        """
        limit_text = headers.get(_LIMIT)
        remaining_text = headers.get(_REMAINING)
        reset_text = headers.get(_RESET)
        # Every answer of the real API: three plain numbers, read in one go (reading each
        # header on its own was half the client's own work per request). Anything else
        # takes the path below, which judges each header and reports the nonsense.
        if limit_text and remaining_text and reset_text:
            digits = limit_text + remaining_text + reset_text
            if (
                digits.isdigit()
                and digits.isascii()
                and len(limit_text) <= _MAX_DIGITS
                and len(remaining_text) <= _MAX_DIGITS
                and len(reset_text) <= _MAX_DIGITS
            ):
                limit, remaining = int(limit_text), int(remaining_text)
                if 1 <= limit <= _MAX_BUDGET and remaining <= _MAX_BUDGET:
                    reset = _reset_moment(int(reset_text))
                    if reset is not None:
                        return cls(limit=limit, remaining=remaining, reset=reset)
        return cls._from_each_header(headers, on_nonsense)

    @classmethod
    def _from_each_header(
        cls, headers: Mapping[str, str], on_nonsense: OnNonsense | None
    ) -> RateLimitStatus | None:
        """:meth:`from_http`, each header judged on its own (a garbled one left out)."""
        limit = _header_int(headers, _LIMIT, 1, on_nonsense)
        remaining = _header_int(headers, _REMAINING, 0, on_nonsense)
        reset_ts = _header_int(headers, _RESET, 0, on_nonsense)
        reset = None
        if reset_ts is not None:
            reset = _reset_moment(reset_ts)
            if reset is None and on_nonsense is not None:
                on_nonsense(_RESET, str(reset_ts))
        if limit is None and remaining is None and reset is None:
            return None
        return cls(limit=limit, remaining=remaining, reset=reset)

    def updated_by(self, new: RateLimitStatus) -> RateLimitStatus:
        """``new``, with this status's value for each field ``new`` lacks (or garbled)."""
        if new.limit is not None and new.remaining is not None and new.reset is not None:
            return new  # (every answer of the real API: nothing to merge)
        return RateLimitStatus(
            limit=self.limit if new.limit is None else new.limit,
            remaining=self.remaining if new.remaining is None else new.remaining,
            reset=self.reset if new.reset is None else new.reset,
        )

    def seconds_until_reset(self, now: float | None = None) -> float | None:
        """Seconds from ``now`` (UNIX time, default: the current time) to the reset, >= 0."""
        reset = self.reset
        if reset is None:
            return None
        current = SystemClock().time() if now is None else now
        seen, moment = _last_reset
        # The reset of every answer of a window is the moment last read, whose timestamp is
        # known: an aware datetime's timestamp() builds two timedeltas each time.
        epoch = seen if reset is moment else reset.timestamp()
        return max(0.0, epoch - current)
