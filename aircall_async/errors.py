"""Exceptions raised by the client, one class per kind of failure.

Every exception derives from :class:`AircallError`. HTTP failures carry what the
server said (``error`` and ``troubleshoot`` from the body), the method and the path,
never the query string (it can hold e-mails and phone numbers). An :class:`APIError`
also keeps the answer's headers (less those that can hold a credential) and the start of
its body, with the credentials masked; its message shows neither.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any

#: Masks the credentials in a text the server wrote (the identity when there are none).
Redact = Callable[[str], str]

__all__ = [
    "BODY_EXCERPT_SIZE",
    "APIError",
    "AircallError",
    "AmbiguousMatchError",
    "BadRequestError",
    "ConflictError",
    "ForbiddenError",
    "MethodNotAllowedError",
    "NotFoundError",
    "PaginationLimitError",
    "PaginationStalledError",
    "RateLimitError",
    "ResponseHeaders",
    "ResponseShapeError",
    "ServerError",
    "TransportError",
    "UnprocessableEntityError",
    "body_excerpt",
    "error_for_response",
    "safe_headers",
]


class AircallError(Exception):
    """Base class of every error this package raises on purpose.

    Every one of them can be pickled (to cross a process boundary: a process pool, a
    multiprocessing queue) and comes back with its message and attributes.
    """

    def __reduce__(self) -> tuple[Any, ...]:
        # Rebuilt without calling __init__, whose keyword-only arguments pickle's default
        # (the class called with ``args``) cannot give; the attributes come back as they were.
        return (_rebuild, (type(self), self.args, self.__dict__))


def _rebuild(cls: type[AircallError], args: tuple[Any, ...], state: dict[str, Any]) -> Any:
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


class TransportError(AircallError):
    """The request never got an HTTP answer: connection refused or dropped, or a timeout.

    Raised after the retries allowed for the method are spent. ``method`` and ``path``
    say which request failed; ``__cause__`` holds the underlying aiohttp or asyncio error.
    """

    def __init__(self, message: str, *, method: str, path: str) -> None:
        super().__init__(f"{message} ({method} {path})")
        self.method = method
        self.path = path

    @classmethod
    def no_answer(
        cls, exc: BaseException, method: str, path: str, *, attempts: int = 1, redact: Redact = str
    ) -> TransportError:
        """The error for a request that got no answer after ``attempts`` attempt(s).

        The message names the type of ``exc`` and its text, with ``redact`` applied (a
        malformed status line echoed by aiohttp is the server's text).
        """
        reason = type(exc).__name__ if not str(exc) else f"{type(exc).__name__}: {exc}"
        return cls(
            f"no answer after {attempts} attempt(s): {redact(reason)}", method=method, path=path
        )


class AmbiguousMatchError(AircallError):
    """Several objects match where one was expected (e.g. an upsert by phone number).

    ``ids`` holds the ids of every match, so that the caller can merge or pick one.
    """

    def __init__(self, message: str, *, ids: list[int]) -> None:
        super().__init__(message)
        self.ids = ids


class ResponseShapeError(AircallError):
    """An answer's object lacks a field no object of its kind comes without: its id.

    Raised by :func:`aircall_async.models.structure` (and so by every client method that
    returns a model, a listing included: one item without an id ends it) when the ``id``
    of a :class:`~aircall_async.models.Call`, ``User``... (``webhook_id`` of a ``Webhook``)
    is missing, null or not an int (not a str for ``webhook_id``). ``model`` and ``field``
    name them; ``problem`` says what was wrong (``"missing"``, ``"null"``, or
    ``"not an int (got str)"``). The message holds these three only, never the payload
    (answers can carry secrets). A nested object without its id does not raise: its
    field degrades to None (``[]`` for a list) like any field of the wrong type.
    """

    def __init__(self, *, model: str, field: str, problem: str) -> None:
        super().__init__(f"cannot read a {model}: its {field!r} is {problem}")
        self.model = model
        self.field = field
        self.problem = problem


class PaginationLimitError(AircallError):
    """A listing reached the API's 10,000-item cap and cannot be continued.

    Raised when the endpoint has no ``from``/``to`` filter on the creation time, when
    the order is not by creation time, or when more than the cap share one timestamp.
    """


#: How much of an error answer's body an :class:`APIError` keeps, in characters.
BODY_EXCERPT_SIZE = 2048

# Answer headers never kept: those that carry or set a credential.
_SECRET_HEADER_WORDS = ("authorization", "cookie", "token", "secret", "api-key", "apikey")


class ResponseHeaders(Mapping[str, str]):
    """Read-only answer headers, looked up without regard to case (``h["content-type"]``).

    A header sent several times holds its values joined by ``", "``, as HTTP reads them.
    """

    __slots__ = ("_items",)

    def __init__(self, items: Iterable[tuple[str, str]] = ()) -> None:
        merged: dict[str, tuple[str, str]] = {}
        for name, value in items:
            key = name.lower()
            if key in merged:
                first, before = merged[key]
                merged[key] = (first, f"{before}, {value}")
            else:
                merged[key] = (name, value)
        self._items = merged

    def __getitem__(self, name: str) -> str:
        return self._items[name.lower()][1]

    def __iter__(self) -> Iterator[str]:
        return (name for name, _ in self._items.values())

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._items

    def __repr__(self) -> str:
        return f"ResponseHeaders({dict(self.items())!r})"


_NO_HEADERS = ResponseHeaders()


def safe_headers(headers: Mapping[str, str] | None, redact: Redact = str) -> ResponseHeaders:
    """A read-only, case-insensitive copy of an answer's ``headers`` fit to keep and show.

    Headers whose name speaks of a credential (``Set-Cookie``, ``Authorization``, any
    ``...token...``/``...secret...``/``...api-key...``) are left out, and ``redact`` masks
    the credentials in the values of the others. Never raises.
    """
    if not headers:
        return _NO_HEADERS
    return ResponseHeaders(
        (name, redact(value))
        for name, value in headers.items()
        if not any(word in name.lower() for word in _SECRET_HEADER_WORDS)
    )


def body_excerpt(body: bytes, redact: Redact = str, size: int = BODY_EXCERPT_SIZE) -> str:
    """The first ``size`` characters of ``body`` as text, with the credentials masked.

    Masked before the cut (a secret cut in two would pass the mask); bytes that are not
    UTF-8 become U+FFFD. Never raises.
    """
    # A character takes at most 4 bytes; the slack lets a secret that starts inside the
    # excerpt be read whole, so that it is masked rather than cut.
    text = body[: 4 * size + 4096].decode("utf-8", errors="replace")
    return redact(text)[:size]


class APIError(AircallError):
    """The API answered with an error status (any 4xx or 5xx without a subclass of its own).

    Attributes: ``status`` (int), ``error`` and ``troubleshoot`` (from the JSON body,
    ``None`` when the body had none), ``method`` and ``path`` of the request,
    ``headers`` (the answer's headers as a read-only, case-insensitive mapping, without
    ``Set-Cookie`` or any header that can carry a credential; empty when there was no
    answer to keep) and ``body`` (the first :data:`BODY_EXCERPT_SIZE` characters of the
    answer's body, credentials masked; ``""`` when none was read). ``str()`` shows neither.
    """

    headers: ResponseHeaders
    body: str

    def __init__(
        self,
        status: int,
        *,
        error: str | None = None,
        troubleshoot: str | None = None,
        method: str = "",
        path: str = "",
        headers: ResponseHeaders = _NO_HEADERS,
        body: str = "",
    ) -> None:
        self.status = status
        self.error = error
        self.troubleshoot = troubleshoot
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
        super().__init__(self._describe())

    def _describe(self) -> str:
        text = f"{self.status}"
        if self.error:
            text += f" {self.error}"
        if self.troubleshoot:
            text += f": {self.troubleshoot}"
        if self.method or self.path:
            text += f" ({self.method} {self.path})"
        return text


class PaginationStalledError(APIError):
    """A listing's page brought only items of earlier pages: the server ignores ``page``.

    Raised instead of asking for page after page forever, once the items of the pages
    before are handed out. ``status`` is the status of that answer (200), ``error`` is
    ``"Repeated page"`` and ``troubleshoot`` names the page.
    """


class BadRequestError(APIError):
    """400: the request was malformed or broke a rule of the endpoint."""


class ForbiddenError(APIError):
    """403: the credentials are missing, wrong, or not allowed for this endpoint."""


class NotFoundError(APIError):
    """404: the resource does not exist (or is not visible to these credentials)."""


class MethodNotAllowedError(APIError):
    """405: the action is not possible now (for example the user is not available)."""


class ConflictError(APIError):
    """409: the request conflicts with the current state (for example a 21st phone number)."""


class UnprocessableEntityError(APIError):
    """422: a mandatory attribute is missing or invalid; ``troubleshoot`` says which."""


class RateLimitError(APIError):
    """429: the rate limit was exceeded and the retries are spent.

    ``reset_at`` is the aware UTC datetime when the server's window ends, or ``None``
    when the answer did not say.
    """

    def __init__(
        self,
        status: int,
        *,
        error: str | None = None,
        troubleshoot: str | None = None,
        method: str = "",
        path: str = "",
        reset_at: datetime | None = None,
        headers: ResponseHeaders = _NO_HEADERS,
        body: str = "",
    ) -> None:
        self.reset_at = reset_at
        super().__init__(
            status,
            error=error,
            troubleshoot=troubleshoot,
            method=method,
            path=path,
            headers=headers,
            body=body,
        )

    def _describe(self) -> str:
        text = super()._describe()
        if self.reset_at is not None:
            text += f"; budget resets at {self.reset_at.isoformat()}"
        return text


class ServerError(APIError):
    """5xx: the server failed; raised after the retries allowed for the method."""


_BY_STATUS: Mapping[int, type[APIError]] = {
    400: BadRequestError,
    403: ForbiddenError,
    404: NotFoundError,
    405: MethodNotAllowedError,
    409: ConflictError,
    422: UnprocessableEntityError,
}


def _error_fields(body: bytes, redact: Redact) -> tuple[str | None, str | None]:
    """Read ``error`` and ``troubleshoot`` from an error body; tolerate any content.

    A field nested too deeply to read (or to write back as text) is left out: it is
    noise, and echoing it would only bloat the message.
    """
    try:
        decoded: Any = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None, None
    if not isinstance(decoded, dict):
        return None, None

    def text(key: str) -> str | None:
        value = decoded.get(key)
        if value is None:
            return None
        try:
            shown = value if isinstance(value, str) else json.dumps(value)
        except (ValueError, RecursionError):
            return None
        return redact(shown)

    return text("error"), text("troubleshoot")


def error_for_response(
    status: int,
    body: bytes,
    *,
    method: str,
    path: str,
    reset_at: datetime | None = None,
    redact: Redact = str,
    headers: Mapping[str, str] | None = None,
) -> APIError:
    """Build the exception for an error answer: the class follows the status alone.

    A body that is empty, not JSON or nested too deeply still gives the right class,
    with ``error`` and ``troubleshoot`` left ``None``; ``redact`` masks the credentials
    in what the server wrote there, in the kept ``headers`` (see :func:`safe_headers`)
    and in the body excerpt (see :func:`body_excerpt`). Never raises.
    """
    error, troubleshoot = _error_fields(body, redact)
    kept = safe_headers(headers, redact)
    excerpt = body_excerpt(body, redact)
    if status == 429:
        return RateLimitError(
            status,
            error=error,
            troubleshoot=troubleshoot,
            method=method,
            path=path,
            reset_at=reset_at,
            headers=kept,
            body=excerpt,
        )
    cls = _BY_STATUS.get(status) or (ServerError if status >= 500 else APIError)
    return cls(
        status,
        error=error,
        troubleshoot=troubleshoot,
        method=method,
        path=path,
        headers=kept,
        body=excerpt,
    )
