"""Matching Contacts by phone number: the E.164 form numbers are compared in, and what an
upsert did. Pure functions and a value; :class:`~aircall_async.resources.contacts.Contacts`
does the requests."""

from __future__ import annotations

import re
from typing import Literal

import attrs

from ..models import Contact
from ._base import check_e164

__all__ = ["UpsertResult", "normalize_phone", "same_phone"]

# What people write between the digits of a phone number.
_SEPARATORS = re.compile(r"[\s().\-/]+")
_NON_DIGITS = re.compile(r"\D+")


def normalize_phone(value: str) -> str:
    """A phone number in the E.164 form Aircall stores (``+33612345678``).

    Spaces, dots, dashes, slashes and parentheses are dropped and a leading ``00`` is read
    as ``+``. Aircall normalizes the numbers it stores to E.164 (reference, "Add phone
    number to a Contact"), so two numbers are the same when their E.164 forms are.

    Raises:
        ValueError: for anything else, including a number without its country code
            (``0612345678``): the country cannot be guessed.
    """
    if not isinstance(value, str):
        raise ValueError("phone_number must be a string like +33612345678")
    text = _SEPARATORS.sub("", value)
    if text.startswith("00"):
        text = "+" + text[2:]
    return check_e164(text, "phone_number")


def same_phone(stored: str | None, wanted: str) -> bool:
    """Whether a stored number is ``wanted`` (E.164); compares digits, so that a stored
    value in a stray format still matches."""
    return stored is not None and _NON_DIGITS.sub("", stored) == wanted[1:]


@attrs.frozen
class UpsertResult:
    """What :meth:`Contacts.upsert` did: the ``contact`` as it is now, the ``outcome``
    (``"created"``, ``"updated"`` or ``"unchanged"``) and the fields it ``changed``."""

    contact: Contact
    outcome: Literal["created", "updated", "unchanged"]
    changed: tuple[str, ...] = ()
