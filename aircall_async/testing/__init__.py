"""A fake Aircall server for tests, examples and benchmarks.

Three ways to use it::

    async with FakeAircall(calls=500) as fake:      # in the running event loop
        ...fake.base_url, fake.api_id, fake.api_token...

    with FakeAircall() as fake:                     # in a background thread (sync code)
        ...

    def test_x(fake_aircall): ...                   # pytest fixture (see pytest_plugin)

and standalone: ``python -m aircall_async.testing --port 8080``.

Webhooks created on the fake receive deliveries when its state changes, and
``await fake.fire("call.ended", call_id)`` sends any of the 67 events. For your own tests of a
receiver, :func:`build_delivery` builds a valid delivery for any event.
"""

from .api import CONTROL_KEY
from .app import build_control, create_app
from .control import Control, Fault, RecordedRequest, Stats
from .deliveries import build_delivery, deliver, mount_receiver, sample_data
from .seed import seed_state
from .server import FakeAircall
from .state import Quirks, State, Table
from .webhook_dispatch import DeliveryAttempt, WebhookDelivery, WebhookDispatcher

__all__ = [
    "CONTROL_KEY",
    "Control",
    "DeliveryAttempt",
    "FakeAircall",
    "Fault",
    "Quirks",
    "RecordedRequest",
    "State",
    "Stats",
    "Table",
    "WebhookDelivery",
    "WebhookDispatcher",
    "build_control",
    "build_delivery",
    "create_app",
    "deliver",
    "mount_receiver",
    "sample_data",
    "seed_state",
]
