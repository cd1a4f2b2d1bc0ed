"""What every service shares: the client it is bound to, and the few helpers that turn a
method call into a request (path ids, query, body) and an answer into a model.

Each resource module then reads like its section of the reference: one method per
operation, validation of the inputs, and one call to a helper below.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Literal, Protocol, TypeVar

from yarl import URL

from .._rules import drop_none, is_int, is_secure_url, unix_seconds
from ..errors import AircallError
from ..models import Model, structure, unstructure
from ..pagination import MAX_PER_PAGE, Paginator

__all__ = [
    "MAX_PER_PAGE",
    "Order",
    "Requester",
    "Resource",
    "Timestamp",
    "body_of",
    "check_choice",
    "check_e164",
    "check_email",
    "check_id",
    "check_query_text",
    "check_sequence",
    "check_text",
    "check_url",
    "json_list",
    "json_of",
    "time_query",
    "timestamp",
    "unwrap_single",
    "updates_of",
]

M = TypeVar("M", bound=Model)
T = TypeVar("T")

#: The sort order of a listing (by creation time unless said otherwise).
Order = Literal["asc", "desc"]

#: A time filter: an aware datetime or UNIX seconds.
Timestamp = datetime | int

_E164 = re.compile(r"\+[1-9]\d{1,14}")
# One @, something before it, a dot inside the domain, no whitespace anywhere.
_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+")


class Requester(Protocol):
    """All a service needs of the client: send a request, and page through a listing.

    :class:`~aircall_async.client.AircallClient` is one; the services never import it.
    """

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
    ) -> Any:
        """Send one request and return its decoded JSON body."""

    def paginate(
        self,
        path: str,
        key: str,
        *,
        params: Mapping[str, Any] | None = None,
        per_page: int = MAX_PER_PAGE,
        transform: Callable[[dict[str, Any]], T],
        concurrency: int = 4,
        continue_by: str | None = None,
        limit: int | None = None,
    ) -> Paginator[T]:
        """A paginator over the ``key`` list of ``path``, items passed through ``transform``."""


class Resource:
    """Base of the services: holds the client and sends the requests of its methods."""

    __slots__ = ("_client",)

    def __init__(self, client: Requester) -> None:
        self._client = client

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self._client!r}>"

    async def _get_one(
        self, path: str, key: str | None, cls: type[M], *, params: Mapping[str, Any] | None = None
    ) -> M:
        """``GET path`` and the model under ``key`` (``None``: the body is the object)."""
        return await self._send("GET", path, key, cls, params=params)

    async def _get_list(self, path: str, key: str, cls: type[M]) -> list[M]:
        """``GET path`` and the ``key`` list of the answer as ``cls`` models (not paginated).

        Each object of the list is structured (leniently, as everywhere); an item that is
        not an object is skipped, as the paginator skips it. Raises AircallError when the
        answer has no such list.
        """
        answer = await self._client.request("GET", path)
        items = answer.get(key) if isinstance(answer, dict) else None
        if not isinstance(items, list):
            raise AircallError(f"GET {path} answered without a {key!r} list")
        return [structure(item, cls) for item in items if isinstance(item, dict)]

    async def _send(
        self,
        method: str,
        path: str,
        key: str | None,
        cls: type[M],
        body: Mapping[str, Any] | None = None,
        *,
        params: Mapping[str, Any] | None = None,
    ) -> M:
        """Send a request and structure the object under ``key`` of the answer as ``cls``.

        Raises AircallError when the answer has no such object (never a KeyError).
        """
        answer = await self._client.request(method, path, params=params, json=body)
        data = answer.get(key) if key is not None and isinstance(answer, dict) else answer
        if not isinstance(data, dict):
            what = f"a {key!r} object" if key is not None else "an object"
            raise AircallError(f"{method} {path} answered without {what}")
        return structure(data, cls)

    async def _object(
        self,
        method: str,
        path: str,
        cls: type[M],
        body: Mapping[str, Any] | None = None,
        *,
        params: Mapping[str, Any] | None = None,
    ) -> M:
        """Send a request and structure the object of the answer, bare or wrapped under its
        only key (:func:`unwrap_single`). Raises AircallError when there is no object."""
        data = unwrap_single(await self._client.request(method, path, params=params, json=body))
        if not isinstance(data, dict):
            raise AircallError(f"{method} {path} answered without an object")
        return structure(data, cls)

    async def _do(
        self,
        method: str,
        path: str,
        body: Mapping[str, Any] | None = None,
        *,
        params: Mapping[str, Any] | None = None,
    ) -> None:
        """Send a request whose answer carries nothing to return (204, or 200/201 empty)."""
        await self._client.request(method, path, params=params, json=body)

    def _list(
        self,
        path: str,
        key: str,
        cls: type[M],
        params: Mapping[str, Any] | None = None,
        *,
        per_page: int = MAX_PER_PAGE,
        continue_by: str | None = None,
        limit: int | None = None,
    ) -> Paginator[M]:
        """A paginator over ``path`` yielding ``cls`` models built from the ``key`` list.

        ``continue_by`` declares the item's time field that the endpoint's ``from``/``to``
        filter on, so that the listing goes on past the 10,000-item cap (``None``: it
        cannot); ``limit`` caps the items. Raises ValueError for a bad ``per_page``/``limit``.
        """

        def to_model(item: dict[str, Any]) -> M:
            return structure(item, cls)

        query = drop_none(params or {})
        return self._client.paginate(
            path,
            key,
            params=query,
            per_page=per_page,
            transform=to_model,
            continue_by=continue_by,
            limit=limit,
        )


def check_id(value: object, name: str) -> str:
    """A numeric path id as text; raises ValueError naming ``name`` for anything else.

    Ids land in the URL path: refusing strings and negatives keeps a stray value from
    addressing another endpoint.
    """
    if not is_int(value) or value < 0:
        raise ValueError(f"{name} must be a non-negative integer id, got {value!r}")
    return str(value)


def check_text(value: object, name: str, *, limit: int | None = None) -> str:
    """A string that is not blank (and at most ``limit`` characters); raises ValueError."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name} must be a non-blank string")
    if limit is not None and len(value) > limit:
        raise ValueError(f"{name} must be at most {limit} characters, got {len(value)}")
    return value


def check_e164(value: object, name: str) -> str:
    """A phone number in E.164 format (``+18001231234``); raises ValueError naming ``name``."""
    if not isinstance(value, str) or _E164.fullmatch(value) is None:
        raise ValueError(f"{name} must be a phone number in E.164 format like +18001231234")
    return value


def check_email(value: object, name: str) -> str:
    """An e-mail address at a glance (one ``@``, a dot in the domain, no spaces);
    raises ValueError naming ``name`` for anything else."""
    if not isinstance(value, str) or _EMAIL.fullmatch(value) is None:
        raise ValueError(f"{name} must be an e-mail address like jane@example.com")
    return value


def check_url(value: object, name: str, *, https_only: bool = False) -> str:
    """An absolute http(s) URL with a host; raises ValueError naming ``name`` otherwise.

    With ``https_only``, an ``http://`` URL passes only on a loopback host (local tests).
    """
    check_text(value, name)
    try:
        url: URL | None = URL(str(value))
    except ValueError:
        url = None
    if url is None or url.scheme not in ("http", "https") or not url.host:
        raise ValueError(f"{name} must be an absolute http(s) URL, got {value!r}")
    if https_only and not is_secure_url(url):
        raise ValueError(f"{name} must be an https:// URL (http:// only on a loopback host)")
    return str(value)


def check_query_text(value: str | None, name: str) -> str | None:
    """An optional search filter: None (not sent) or a non-blank string; raises ValueError.

    An empty filter would otherwise be sent as ``name=`` and match nothing or everything.
    """
    return None if value is None else check_text(value, name)


def check_sequence(values: object, name: str, what: str, *, non_empty: bool = False) -> list[Any]:
    """``values`` as a list if it is a sequence (a list, a tuple) but not a string, bytes
    or a mapping, and not empty when ``non_empty``; raises ValueError saying ``name``
    must be ``what`` (e.g. "a non-empty list of Tag ids")."""
    if (
        isinstance(values, (str, bytes, Mapping))
        or not isinstance(values, Sequence)
        or (non_empty and not values)
    ):
        raise ValueError(f"{name} must be {what}")
    return list(values)


def check_choice(value: str | None, name: str, choices: Iterable[str]) -> str | None:
    """``value`` if it is one of ``choices`` (or None); raises ValueError naming ``name``."""
    if value is None:
        return None
    allowed = tuple(choices)
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}; got {value!r}")
    return str(value)


def timestamp(value: Timestamp | None, name: str) -> int | None:
    """A ``from``/``to`` filter as UNIX seconds; raises ValueError naming ``name`` for a
    naive datetime (its instant is unknown) or a value that is not a time."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return unix_seconds(value, name)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{name} must be an aware datetime or UNIX seconds, got {value!r}")
    return int(value)


def time_query(
    *, from_: Timestamp | None = None, to: Timestamp | None = None, order: Order | None = None
) -> dict[str, Any]:
    """The ``from``/``to``/``order`` query of a listing; raises ValueError naming the bad one."""
    return {
        "from": timestamp(from_, "from_"),
        "to": timestamp(to, "to"),
        "order": check_choice(order, "order", ("asc", "desc")),
    }


def _drop_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in drop_none(value).items()}
    if isinstance(value, list):
        return [_drop_none(v) for v in value]
    return value


def json_of(value: Model | Mapping[str, Any], name: str) -> dict[str, Any]:
    """A nested input (a model or a plain dict of the reference's shape) as a JSON dict.

    A model's unset (None) fields are left out, so that a ``PhoneDetail(label=..., value=...)``
    sends no ``"id": null``. Raises ValueError naming ``name`` for another type.
    """
    if isinstance(value, Model):
        result: dict[str, Any] = _drop_none(unstructure(value))
        return result
    if isinstance(value, Mapping):
        return dict(value)
    raise ValueError(f"{name} must be a model or a dict, got {type(value).__name__}")


def json_list(values: Sequence[Model | Mapping[str, Any]], name: str) -> list[dict[str, Any]]:
    """Each item of a list input through :func:`json_of`; ``name[i]`` in the errors."""
    items = check_sequence(values, name, f"a list, got {type(values).__name__}")
    return [json_of(item, f"{name}[{i}]") for i, item in enumerate(items)]


def body_of(**fields: Any) -> dict[str, Any]:
    """A request body of the fields given (not None); the names are the API's."""
    return drop_none(fields)


def updates_of(**fields: Any) -> dict[str, Any]:
    """The body of an update: the fields given; raises ValueError when none is."""
    body = body_of(**fields)
    if not body:
        raise ValueError(f"nothing to update: give at least one of {', '.join(fields)}")
    return body


def unwrap_single(answer: Any) -> Any:
    """The object an answer holds: the answer itself, or the object it wraps under its
    only key (``{"csat": {...}}``).

    For the endpoints beyond the reference whose sources do not show the envelope (see
    docs/COVERAGE.md): both shapes are accepted. A bare object with a single field that is
    itself an object would be mistaken for a wrapper; none of those endpoints has one.
    """
    if isinstance(answer, dict) and len(answer) == 1:
        (inner,) = answer.values()
        if isinstance(inner, dict):
            return inner
    return answer
