"""A blocking client, for code that is not async: scripts, Django, Celery, notebooks.

>>> from aircall_async.blocking import AircallClient
>>> with AircallClient(api_id="...", api_token="...") as client:
...     for call in client.calls.list(order="desc"):
...         print(call.id)

Same constructor, services, methods and models as :class:`aircall_async.AircallClient`;
the services are generated from the async ones (see ``_codegen.py``), never written twice.
"""

from ._client import AircallClient
from ._paginator import BlockingPaginator

__all__ = ["AircallClient", "BlockingPaginator"]
