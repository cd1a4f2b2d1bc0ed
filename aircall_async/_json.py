"""JSON decoding: orjson when it is installed (the ``orjson`` extra), else the standard
library, with the same results either way.

orjson refuses some documents the standard library reads (``NaN``, lone surrogates,
nesting deeper than 1024), and reads an integer past 64 bits as a float. The standard
library therefore decides for the documents orjson refuses, for any with a run of 19
digits or more (a cheap scan), and for text given as ``str``: a body decodes to the same
value, or fails with the same error, with or without orjson. One difference is left: a
document nested deeper than the interpreter's stack lets ``json.loads`` go, yet less than
1024 deep, reads with orjson; nothing the API sends comes near.

Encoding stays with the standard library: orjson writes ``NaN`` as ``null`` and
serializes datetimes and enums that ``json.dumps`` refuses, and request bodies are small.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from typing import Any

__all__ = ["loads", "orjson_in_use", "use_orjson"]


def _find_orjson() -> Callable[[bytes | str], Any] | None:
    # Imported by name: mypy then needs no orjson where the extra is not installed.
    try:
        module = importlib.import_module("orjson")
    except ImportError:
        return None
    return module.loads  # type: ignore[no-any-return]


_orjson_loads = _find_orjson()
_fast_loads = _orjson_loads

# An integer orjson could turn into a float has at least 19 digits (2**63 has 19).
# Digits to 1, anything else to 0: a run of 19 ones is a run of 19 digits. (Faster than a
# regular expression on a page of 100 KB, which would cost more than orjson saves.)
_DIGITS = bytes(1 if chr(i).isdigit() and i < 128 else 0 for i in range(256))
_LONG_RUN = b"\x01" * 19


def _has_long_number(data: bytes) -> bool:
    return _LONG_RUN in data.translate(_DIGITS)


def loads(data: bytes | str) -> Any:
    """Decode one JSON document, as ``json.loads`` does (faster with orjson).

    Raises ValueError (``json.JSONDecodeError``, or UnicodeDecodeError for bytes that
    are not UTF-8) for a document that is not JSON, RecursionError for one nested past
    the interpreter's recursion limit: exactly what ``json.loads`` raises.
    """
    if _fast_loads is not None and isinstance(data, bytes) and not _has_long_number(data):
        try:
            return _fast_loads(data)
        except ValueError:
            pass  # maybe JSON orjson refuses (see the module docstring): json decides
    return json.loads(data)


def orjson_in_use() -> bool:
    """True when :func:`loads` tries orjson first."""
    return _fast_loads is not None


def use_orjson(enabled: bool) -> bool:
    """Turn the use of orjson on or off (benchmarks and tests); True if it is now in use.

    Turning it on without orjson installed leaves the standard library in use.
    """
    global _fast_loads
    _fast_loads = _orjson_loads if enabled else None
    return _fast_loads is not None
