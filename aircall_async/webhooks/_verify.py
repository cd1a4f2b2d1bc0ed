"""Checking the ``token`` field of a delivery (Aircall sends no signature header).

The comparison is constant-time with respect to the token's content: the candidate and
every configured token are hashed to equal-length digests and compared with
:func:`hmac.compare_digest`, and the loop never stops at the first match.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Awaitable, Callable, Iterable
from typing import Final

__all__ = ["MAX_TOKEN_LENGTH", "TokenResolver", "TokenVerifier"]

TokenResolver = Callable[[str], Awaitable[bool]]

#: Longer candidates are rejected without hashing them.
MAX_TOKEN_LENGTH: Final = 1024


def _digest(token: str) -> bytes:
    # surrogatepass: JSON can carry lone surrogates ("\ud800"), which plain utf-8 refuses.
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()


class TokenVerifier:
    """Accepts a token equal to one of ``tokens`` or approved by the async ``resolver``.

    Raises:
        ValueError: (constructor) if neither ``tokens`` nor ``resolver`` is given, or a
            configured token is empty.
    """

    __slots__ = ("_digests", "_resolver")

    def __init__(
        self, tokens: Iterable[str] | None = None, resolver: TokenResolver | None = None
    ) -> None:
        token_list = [] if tokens is None else list(tokens)
        if isinstance(tokens, str):
            raise ValueError("tokens must be a collection of strings, not one string")
        if not token_list and resolver is None:
            raise ValueError("configure tokens= or token_resolver= to verify deliveries")
        if any(not isinstance(t, str) or not t for t in token_list):
            raise ValueError("webhook tokens must be non-empty strings")
        self._digests = tuple(_digest(t) for t in token_list)
        self._resolver = resolver

    def __repr__(self) -> str:
        return (
            f"TokenVerifier(<{len(self._digests)} tokens>, resolver={self._resolver is not None})"
        )

    def matches_configured(self, candidate: object) -> bool:
        """True if ``candidate`` is a string equal to one of the configured tokens."""
        if not isinstance(candidate, str) or not candidate or len(candidate) > MAX_TOKEN_LENGTH:
            return False
        digest = _digest(candidate)
        ok = False
        for known in self._digests:
            ok |= hmac.compare_digest(digest, known)
        return ok

    async def verify(self, candidate: object) -> bool:
        """True if ``candidate`` is accepted by the configured tokens or by the resolver.

        Raises:
            Exception: whatever the resolver raises (the app answers 503 then).
        """
        if self.matches_configured(candidate):
            return True
        if self._resolver is None or not isinstance(candidate, str):
            return False
        if not candidate or len(candidate) > MAX_TOKEN_LENGTH:
            return False
        return bool(await self._resolver(candidate))
