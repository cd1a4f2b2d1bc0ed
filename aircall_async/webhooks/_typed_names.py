"""The event names of each typed event class, as ``Literal`` types for the router's overloads.

``router.on("call.ended")`` is typed so that mypy rejects a handler whose parameter is not a
:class:`CallEvent` (or a base of it). ``Literal`` types cannot be computed from the catalog,
so they are written out here; ``tests/test_webhooks_typing.py`` fails when one of them and
the catalog in ``events.py`` disagree.
"""

from __future__ import annotations

from typing import Any, Final, Literal

from aircall_async.webhooks.events import (
    CallEvent,
    ContactEvent,
    IntegrationEvent,
    NumberEvent,
    UserEvent,
    WebhookEvent,
)

__all__ = [
    "NAMES_BY_CLASS",
    "CallEventName",
    "ContactEventName",
    "IntegrationEventName",
    "NumberEventName",
    "UserEventName",
]

UserEventName = Literal[
    "user.*",
    "user.created",
    "user.deleted",
    "user.connected",
    "user.disconnected",
    "user.opened",
    "user.closed",
    "user.wut_start",
    "user.wut_end",
]
CallEventName = Literal[
    "call.*",
    "call.created",
    "call.ringing_on_agent",
    "call.agent_declined",
    "call.answered",
    "call.transferred",
    "call.unsuccessful_transfer",
    "call.hungup",
    "call.ended",
    "call.voicemail_left",
    "call.commented",
    "call.tagged",
    "call.untagged",
    "call.assigned",
    "call.archived",
    "call.hold",
    "call.unhold",
    "call.ivr_option_selected",
    "call.comm_assets_generated",
]
NumberEventName = Literal[
    "number.*", "number.created", "number.deleted", "number.opened", "number.closed"
]
ContactEventName = Literal["contact.*", "contact.created", "contact.updated", "contact.deleted"]
IntegrationEventName = Literal["integration.*", "integration.deleted"]

#: Each typed event class and the ``Literal`` of the names that deliver it.
NAMES_BY_CLASS: Final[dict[type[WebhookEvent[Any]], Any]] = {
    UserEvent: UserEventName,
    CallEvent: CallEventName,
    NumberEvent: NumberEventName,
    ContactEvent: ContactEventName,
    IntegrationEvent: IntegrationEventName,
}
