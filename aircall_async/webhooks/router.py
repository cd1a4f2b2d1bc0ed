"""WebhookRouter: which coroutine handles which event.

Patterns are an event name of the reference (``"call.ended"``), ``"*"`` (every event,
including names this version does not know) or ``"<resource>.*"`` (every known event of a
family, ``"call.*"``). An event name this version does not know (``"call.new_thing"``)
reaches only the ``"*"`` handlers, as a plain :class:`WebhookEvent` with the raw dict: a
``"call.*"`` handler can rely on getting a :class:`CallEvent`. Routers compose: a router
built as ``WebhookRouter(a, b)`` or extended with ``include(a)`` also dispatches to the
handlers of ``a`` and ``b``, including handlers registered on them later.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any, Final, TypeVar

from aircall_async.webhooks.events import (
    KNOWN_EVENTS,
    KNOWN_RESOURCES,
    check_event_name,
    resource_of,
)

__all__ = ["Handler", "WebhookRouter", "is_coroutine_callable"]

Handler = Callable[[Any], Awaitable[Any]]
H = TypeVar("H", bound=Handler)

_WILDCARDS: Final = frozenset({"*"} | {f"{r}.*" for r in KNOWN_RESOURCES})
_VALID_PATTERNS: Final = KNOWN_EVENTS | _WILDCARDS


def is_coroutine_callable(handler: object) -> bool:
    """True for an ``async def`` function or an object whose ``__call__`` is one."""
    if inspect.iscoroutinefunction(handler):
        return True
    call = getattr(handler, "__call__", None)  # noqa: B004 - async callable objects
    return call is not None and inspect.iscoroutinefunction(call)


class WebhookRouter:
    """Maps event names to async handlers; each handler receives one :class:`WebhookEvent`.

    ``WebhookRouter(*routers)`` starts with the given routers included.
    """

    def __init__(self, *routers: WebhookRouter) -> None:
        self._routes: list[tuple[str, Handler]] = []
        self._children: list[WebhookRouter] = []
        self._parents: list[WebhookRouter] = []
        # Per known event name; every unknown name shares the "*" handlers.
        self._cache: dict[str, tuple[Handler, ...]] = {}
        self._unknown: tuple[Handler, ...] | None = None
        self.include(*routers)

    def on(self, *names: str) -> Callable[[H], H]:
        """Decorator registering an ``async def`` handler for one or more event patterns.

        Raises:
            ValueError: if no name is given, or a name is neither one of the 67 events nor
                a wildcard (the message suggests the closest known name).
            TypeError: (when decorating) if the handler is not a coroutine function.
        """
        patterns = self._check_names(names)

        def decorator(handler: H) -> H:
            self.add(handler, *patterns)
            return handler

        return decorator

    def add(self, handler: Handler, *names: str) -> None:
        """Register ``handler`` for the given patterns (the non-decorator form of :meth:`on`).

        Raises:
            ValueError: as :meth:`on`.
            TypeError: if ``handler`` is not a coroutine function or async callable.
        """
        patterns = self._check_names(names)
        if not is_coroutine_callable(handler):
            raise TypeError(
                f"webhook handlers must be coroutine functions (async def), got {handler!r}"
            )
        self._routes.extend((pattern, handler) for pattern in patterns)
        self._invalidate()

    def include(self, *routers: WebhookRouter) -> None:
        """Dispatch to the handlers of ``routers`` too (now and as they gain handlers).

        Raises:
            TypeError: if an argument is not a WebhookRouter.
            ValueError: if including a router would create a cycle.
        """
        for router in routers:
            if not isinstance(router, WebhookRouter):
                raise TypeError(f"expected a WebhookRouter, got {type(router).__name__}")
            if router is self or self in router._descendants():
                raise ValueError("including this router would create a cycle")
            self._children.append(router)
            router._parents.append(self)
        self._invalidate()

    def handlers_for(self, event: str) -> tuple[Handler, ...]:
        """Handlers to run for ``event``, in registration order, each at most once.

        A name this version does not know gets the ``"*"`` handlers only.
        """
        cached = self._cache.get(event)
        if cached is not None:
            return cached
        if event not in KNOWN_EVENTS:
            # Unknown names come from the network: one shared entry, never one per name.
            if self._unknown is None:
                self._unknown = self._handlers_matching({"*"})
            return self._unknown
        handlers = self._handlers_matching({"*", resource_of(event) + ".*", event})
        self._cache[event] = handlers
        return handlers

    def _handlers_matching(self, patterns: set[str]) -> tuple[Handler, ...]:
        found: dict[Handler, None] = {}
        self._collect(patterns, found)
        return tuple(found)

    def _collect(self, patterns: set[str], found: dict[Handler, None]) -> None:
        for pattern, handler in self._routes:
            if pattern in patterns:
                found.setdefault(handler, None)
        for child in self._children:
            child._collect(patterns, found)

    def _descendants(self) -> set[WebhookRouter]:
        seen: set[WebhookRouter] = set()
        stack = list(self._children)
        while stack:
            router = stack.pop()
            if router not in seen:
                seen.add(router)
                stack.extend(router._children)
        return seen

    def _invalidate(self) -> None:
        self._cache.clear()
        self._unknown = None
        for parent in self._parents:
            parent._invalidate()

    @staticmethod
    def _check_names(names: tuple[str, ...]) -> tuple[str, ...]:
        if not names:
            raise ValueError("give at least one event name or wildcard, e.g. on('call.ended')")
        return tuple(check_event_name(name, _VALID_PATTERNS) for name in names)
