"""The small rules the package applies in many places, each written once.

Pure functions without I/O: which URLs may carry credentials, how an aware datetime
becomes UNIX seconds and how the API's times are read back, what counts as an integer,
and how ``None`` values are left out of what is sent.
"""

from __future__ import annotations

import ipaddress
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timezone
from typing import Any, TypeGuard

from yarl import URL

__all__ = [
    "REDACTED",
    "as_utc",
    "drop_none",
    "is_int",
    "is_loopback",
    "is_secure_url",
    "parse_datetime",
    "redactor",
    "secure_base_url",
    "unix_seconds",
]

_UTC = timezone.utc
# From 3.11 fromisoformat reads a trailing "Z" itself (and returns timezone.utc).
_ISO_Z_NATIVE = sys.version_info >= (3, 11)


def is_int(value: object) -> TypeGuard[int]:
    """Whether ``value`` is an int and not a bool (``True`` is an int to Python, not to us)."""
    return isinstance(value, int) and not isinstance(value, bool)


def drop_none(values: Mapping[str, Any]) -> dict[str, Any]:
    """The items of ``values`` whose value is not ``None`` (an unset option is not sent)."""
    return {name: value for name, value in values.items() if value is not None}


def unix_seconds(value: datetime, name: str = "datetime") -> int:
    """An aware datetime as whole UNIX seconds.

    Raises:
        ValueError: naming ``name`` for a naive datetime, whose instant is unknown.
    """
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime (or UNIX seconds)")
    return int(value.timestamp())


def _fail(value: object, expected: str) -> TypeError:
    return TypeError(f"expected {expected}, got {type(value).__name__}")


def as_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=_UTC)
    return value.astimezone(_UTC)


def parse_datetime(value: Any) -> datetime:
    """Turn UNIX seconds or an ISO 8601 string into an aware UTC datetime.

    A string may end in ``Z`` or ``z`` (UTC, on every Python version), carry an offset
    (converted to UTC) or none (taken as UTC); a string of digits is UNIX seconds.
    Raises TypeError for another type, ValueError/OverflowError/OSError for a value
    out of range or not a date (e.g. the year 20120).
    """
    # The two common shapes first: UNIX seconds as an int, and an ISO string.
    cls = value.__class__
    if cls is int or cls is float:
        return datetime.fromtimestamp(value, _UTC)
    if isinstance(value, str):
        text: str = value
        if text.endswith(("Z", "z")) and not (_ISO_Z_NATIVE and text[-1] == "Z"):
            # 3.10's fromisoformat reads no "Z"; no version reads a lowercase "z".
            text = text[:-1] + "+00:00"
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            if text.isdigit():
                return datetime.fromtimestamp(int(text), _UTC)
            raise
        if parsed.tzinfo is _UTC:
            return parsed
        return as_utc(parsed)
    if isinstance(value, datetime):
        return as_utc(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, _UTC)
    raise _fail(value, "UNIX seconds or an ISO 8601 string")


def is_loopback(host: str | None) -> bool:
    """Whether ``host`` names this machine (``localhost``, 127.0.0.0/8, ``::1``)."""
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def is_secure_url(url: URL) -> bool:
    """Whether ``url`` may carry a secret: https with a host, or http on a loopback host.

    Credentials must never travel in clear text off this machine.
    """
    if url.scheme == "https":
        return bool(url.host)
    return url.scheme == "http" and is_loopback(url.host)


def secure_base_url(base_url: str | URL) -> URL:
    """``base_url`` as a URL if it is https (or http on loopback), plain and without credentials.

    Raises:
        ValueError: for clear text off loopback, a user or password in the URL, or a
            query string or fragment (every path is appended to the base: they would
            end up in the middle of each request's URL).
    """
    url = URL(base_url) if isinstance(base_url, str) else base_url
    if url.user is not None or url.password is not None:
        # Said without the URL: it holds the credentials.
        raise ValueError("base_url must not carry credentials; pass them to the client")
    given = base_url if isinstance(base_url, str) else ""
    if url.raw_query_string or url.raw_fragment or "?" in given or "#" in given:
        raise ValueError("base_url must have no query string or fragment")
    if not is_secure_url(url):
        # Said by scheme and host only: a malformed URL ("https:id:token@host") hides its
        # credentials where the user check above cannot see them.
        raise ValueError(
            "base_url must be an https:// URL (http:// only on a loopback host), got scheme "
            f"{url.scheme or '(none)'!r} and host {url.host or '(none)'!r}"
        )
    return url


#: What a secret is replaced with in any text shown to a person or a log.
REDACTED = "[redacted]"


# A credential after its scheme word, whole or cut: a text quoting a header may have been
# shortened before it reached us (aiohttp cuts an over-long header line), leaving a prefix
# of a secret that no exact match finds.
_AUTH_VALUE = re.compile(r"(?i)\b(Basic|Bearer)(\s+)[A-Za-z0-9+/=._~-]+")


def redactor(secrets: Iterable[str | None]) -> Callable[[str], str]:
    """A function that masks each of ``secrets`` in a text (the longer ones first, as one
    secret may contain another), and any value after ``Basic``/``Bearer``. Blank secrets
    are ignored."""
    masked = sorted({s for s in secrets if s and s.strip()}, key=len, reverse=True)

    def redact(text: str) -> str:
        for secret in masked:
            if secret in text:
                text = text.replace(secret, REDACTED)
        return _AUTH_VALUE.sub(rf"\1\2{REDACTED}", text)

    return redact
