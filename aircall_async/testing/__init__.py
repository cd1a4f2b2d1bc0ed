"""A fake Aircall server for tests, examples and benchmarks.

Three ways to use it::

    async with FakeAircall(calls=500) as fake:      # in the running event loop
        ...fake.base_url, fake.api_id, fake.api_token...

    with FakeAircall() as fake:                     # in a background thread (sync code)
        ...

    def test_x(fake_aircall): ...                   # pytest fixture (see pytest_plugin)

and standalone: ``python -m aircall_async.testing --port 8080``.
"""

from .api import CONTROL_KEY
from .app import build_control, create_app
from .control import Control, Fault, RecordedRequest, Stats
from .seed import seed_state
from .server import FakeAircall
from .state import State, Table

__all__ = [
    "CONTROL_KEY",
    "Control",
    "FakeAircall",
    "Fault",
    "RecordedRequest",
    "State",
    "Stats",
    "Table",
    "build_control",
    "create_app",
    "seed_state",
]
