"""The router's typing: overload literals match the catalog; wrong handlers fail at registration."""

from __future__ import annotations

import typing
from typing import Any

import pytest

from aircall_async.webhooks import CallEvent, ContactEvent, WebhookEvent, WebhookRouter
from aircall_async.webhooks._typed_names import NAMES_BY_CLASS
from aircall_async.webhooks.events import KNOWN_EVENTS, event_class_of


def test_every_known_event_is_in_the_literal_of_its_class() -> None:
    literal_of = {name: cls for cls, lit in NAMES_BY_CLASS.items() for name in typing.get_args(lit)}
    for name in KNOWN_EVENTS:
        assert name in literal_of, f"{name} is missing from webhooks/_typed_names.py"
        assert literal_of[name] is event_class_of(name), name
    for name, cls in literal_of.items():
        assert name in KNOWN_EVENTS or name.endswith(".*"), f"{name} is not a known event"
        assert event_class_of(name) is cls, name


def test_a_handler_of_the_wrong_event_class_is_refused_when_registered() -> None:
    router = WebhookRouter()

    async def on_call(event: CallEvent) -> None: ...

    with pytest.raises(TypeError, match=r"takes a CallEvent, but 'contact.created' delivers"):
        router.on("contact.created")(on_call)  # type: ignore[type-var]
    with pytest.raises(TypeError, match="'\\*' delivers WebhookEvent"):
        router.add(on_call, "*")
    assert router.handlers_for("contact.created") == ()


def test_handlers_of_the_right_class_or_a_base_are_accepted() -> None:
    router = WebhookRouter()

    async def on_call(event: CallEvent) -> None: ...
    async def on_any(event: WebhookEvent[Any]) -> None: ...
    async def on_bare(event: WebhookEvent) -> None: ...
    async def unannotated(event):  # type: ignore[no-untyped-def]
        return None

    class Callable_:
        async def __call__(self, event: ContactEvent) -> None: ...

    router.add(on_call, "call.ended", "call.*")
    router.add(on_any, "*", "contact.created")
    router.add(on_bare, "*")
    router.add(unannotated, "*")
    handler = Callable_()
    router.add(handler, "contact.*")
    assert router.handlers_for("call.ended") == (on_call, on_any, on_bare, unannotated)
    with pytest.raises(TypeError, match="ContactEvent"):
        router.add(handler, "call.ended")


def test_event_class_of_names_and_wildcards() -> None:
    assert event_class_of("call.ended") is CallEvent
    assert event_class_of("call.*") is CallEvent
    assert event_class_of("contact.deleted") is ContactEvent
    assert event_class_of("*") is WebhookEvent
    assert event_class_of("call.brand_new") is WebhookEvent
