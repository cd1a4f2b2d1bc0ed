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
import typing
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Final, TypeVar, overload

from aircall_async.webhooks.events import (
    KNOWN_EVENTS,
    KNOWN_RESOURCES,
    AIVoiceAgentEvent,
    AnalyticsEvent,
    CallEvent,
    ContactEvent,
    ConversationIntelligenceEvent,
    GroupMessageEvent,
    IntegrationEvent,
    MessageEvent,
    NumberEvent,
    RealtimeTranscriptionEvent,
    UserEvent,
    WebhookEvent,
    check_event_name,
    event_class_of,
    resource_of,
)

if TYPE_CHECKING:
    from aircall_async.webhooks._typed_names import (
        AIVoiceAgentEventName,
        AnalyticsEventName,
        CallEventName,
        ContactEventName,
        ConversationIntelligenceEventName,
        GroupMessageEventName,
        IntegrationEventName,
        MessageEventName,
        NumberEventName,
        RealtimeTranscriptionEventName,
        UserEventName,
    )

__all__ = ["Handler", "WebhookRouter", "is_coroutine_callable"]

Handler = Callable[[Any], Awaitable[Any]]
H = TypeVar("H", bound=Handler)
_UserH = TypeVar("_UserH", bound=Callable[[UserEvent], Awaitable[Any]])
_CallH = TypeVar("_CallH", bound=Callable[[CallEvent], Awaitable[Any]])
_NumberH = TypeVar("_NumberH", bound=Callable[[NumberEvent], Awaitable[Any]])
_ContactH = TypeVar("_ContactH", bound=Callable[[ContactEvent], Awaitable[Any]])
_IntegrationH = TypeVar("_IntegrationH", bound=Callable[[IntegrationEvent], Awaitable[Any]])
_MessageH = TypeVar("_MessageH", bound=Callable[[MessageEvent], Awaitable[Any]])
_GroupH = TypeVar("_GroupH", bound=Callable[[GroupMessageEvent], Awaitable[Any]])
_IntelH = TypeVar("_IntelH", bound=Callable[[ConversationIntelligenceEvent], Awaitable[Any]])
_RealtimeH = TypeVar("_RealtimeH", bound=Callable[[RealtimeTranscriptionEvent], Awaitable[Any]])
_AgentH = TypeVar("_AgentH", bound=Callable[[AIVoiceAgentEvent], Awaitable[Any]])
_AnalyticsH = TypeVar("_AnalyticsH", bound=Callable[[AnalyticsEvent], Awaitable[Any]])

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

    # One overload per typed event class: mypy rejects a handler whose parameter cannot
    # take the events the names deliver (a ContactEvent handler on "call.ended").
    @overload
    def on(self, name: UserEventName, /, *names: UserEventName) -> Callable[[_UserH], _UserH]: ...
    @overload
    def on(self, name: CallEventName, /, *names: CallEventName) -> Callable[[_CallH], _CallH]: ...
    @overload
    def on(
        self, name: NumberEventName, /, *names: NumberEventName
    ) -> Callable[[_NumberH], _NumberH]: ...
    @overload
    def on(
        self, name: ContactEventName, /, *names: ContactEventName
    ) -> Callable[[_ContactH], _ContactH]: ...
    @overload
    def on(
        self, name: IntegrationEventName, /, *names: IntegrationEventName
    ) -> Callable[[_IntegrationH], _IntegrationH]: ...
    @overload
    def on(
        self, name: MessageEventName, /, *names: MessageEventName
    ) -> Callable[[_MessageH], _MessageH]: ...
    @overload
    def on(
        self, name: GroupMessageEventName, /, *names: GroupMessageEventName
    ) -> Callable[[_GroupH], _GroupH]: ...
    @overload
    def on(
        self, name: ConversationIntelligenceEventName, /, *names: ConversationIntelligenceEventName
    ) -> Callable[[_IntelH], _IntelH]: ...
    @overload
    def on(
        self, name: RealtimeTranscriptionEventName, /, *names: RealtimeTranscriptionEventName
    ) -> Callable[[_RealtimeH], _RealtimeH]: ...
    @overload
    def on(
        self, name: AIVoiceAgentEventName, /, *names: AIVoiceAgentEventName
    ) -> Callable[[_AgentH], _AgentH]: ...
    @overload
    def on(
        self, name: AnalyticsEventName, /, *names: AnalyticsEventName
    ) -> Callable[[_AnalyticsH], _AnalyticsH]: ...
    @overload
    def on(self, *names: str) -> Callable[[H], H]: ...

    def on(self, *names: str) -> Callable[[H], H]:
        """Decorator registering an ``async def`` handler for one or more event patterns.

        Typed per event family: ``on("call.ended")`` takes a handler of
        :class:`CallEvent` (or of a base class such as ``WebhookEvent``), and mypy rejects
        one of ``ContactEvent``; the same mistake raises TypeError when registering.

        Raises:
            ValueError: if no name is given, or a name is neither a known event nor a
                wildcard (the message suggests the closest known name).
            TypeError: (when decorating) if the handler is not a coroutine function, or its
                first parameter is annotated with an event class the names do not deliver.
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
            TypeError: if ``handler`` is not a coroutine function or async callable, or its
                first parameter is annotated with an event class the names do not deliver.
        """
        patterns = self._check_names(names)
        if not is_coroutine_callable(handler):
            raise TypeError(
                f"webhook handlers must be coroutine functions (async def), got {handler!r}"
            )
        _check_event_type(handler, patterns)
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


def _expected_event_class(handler: Handler) -> type[Any] | None:
    """The class the handler's first parameter is annotated with, if it can be read."""
    target = handler if inspect.isfunction(handler) or inspect.ismethod(handler) else None
    if target is None:
        target = getattr(handler, "__call__", None)  # noqa: B004 - async callable objects
    if target is None:
        return None
    try:
        hints = typing.get_type_hints(target)
        parameters = [
            p
            for p in inspect.signature(target).parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
    except Exception:
        # Annotations that cannot be resolved (a name only imported for the type checker):
        # nothing to check at run time; mypy still checks them.
        return None
    if not parameters:
        return None
    hint = hints.get(parameters[0].name)
    hint = typing.get_origin(hint) or hint
    return hint if isinstance(hint, type) and issubclass(hint, WebhookEvent) else None


def _check_event_type(handler: Handler, patterns: tuple[str, ...]) -> None:
    expected = _expected_event_class(handler)
    if expected is None:
        return
    for pattern in patterns:
        delivered = event_class_of(pattern)
        if not issubclass(delivered, expected):
            raise TypeError(
                f"{getattr(handler, '__qualname__', handler)!r} takes a {expected.__name__}, "
                f"but {pattern!r} delivers {delivered.__name__}; annotate it with "
                f"{delivered.__name__} (or WebhookEvent)"
            )
