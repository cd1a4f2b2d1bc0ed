"""The README's OpenTelemetry recipe, exactly as printed, against real OpenTelemetry.

The recipe's definitions (the ``trace_attempt`` hook and the tracer it uses) are taken from
the README block itself, so what is tested is what readers copy; each test gives it a
tracer of its own whose spans go to the SDK's ``InMemorySpanExporter``. Requests go over
loopback HTTP to the fake server.
"""

from __future__ import annotations

import socket
import threading
from typing import Any

import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from aircall_async import AircallClient
from aircall_async.errors import TransportError
from aircall_async.testing import FakeAircall

from .conftest import NoJitter
from .test_readme import BLOCKS

RECIPE = next(source for _, source in BLOCKS if "InMemorySpanExporter" in source)


class Traced:
    """The README's recipe loaded with a tracer whose spans this test reads."""

    def __init__(self) -> None:
        namespace: dict[str, Any] = {"__name__": "otel_recipe"}
        exec(RECIPE.split("\nasync def main")[0], namespace)  # the definitions only
        self.exporter = InMemorySpanExporter()
        provider = TracerProvider()
        provider.add_span_processor(SimpleSpanProcessor(self.exporter))
        self.tracer = provider.get_tracer("test")
        namespace["tracer"] = self.tracer
        self.hook = namespace["trace_attempt"]

    def spans(self, name: str | None = None) -> list[ReadableSpan]:
        return [s for s in self.exporter.get_finished_spans() if name is None or s.name == name]


@pytest.fixture
def traced() -> Traced:
    return Traced()


def _attributes(span: ReadableSpan) -> dict[str, Any]:
    assert span.attributes is not None
    return dict(span.attributes)


def _client(fake: FakeAircall, traced: Traced, **kwargs: Any) -> AircallClient:
    return fake.client(
        rate_limit=None, backoff=NoJitter(base=0.01, cap=0.05), on_request=traced.hook, **kwargs
    )


async def test_a_retried_request_gives_one_span_per_attempt_under_the_callers_span(
    traced: Traced,
) -> None:
    async with FakeAircall() as fake:  # its rate-limit headers on
        fake.fail("/users", status=503, times=1)
        async with _client(fake, traced) as client:
            with traced.tracer.start_as_current_span("job") as job:
                await client.request("GET", "/users")
    first, second = traced.spans("GET")
    assert first.kind is SpanKind.CLIENT and second.kind is SpanKind.CLIENT
    first_attributes = _attributes(first)
    assert isinstance(first_attributes.pop("aircall.rate_limit.remaining"), int)
    assert first_attributes == {
        "http.request.method": "GET",
        "url.path": "/users",
        "aircall.attempt": 1,
        "http.response.status_code": 503,
        "error.type": "503",
        "aircall.retry_reason": "503",
    }
    assert first.status.status_code is StatusCode.ERROR
    second_attributes = _attributes(second)
    assert second_attributes["aircall.attempt"] == 2
    assert second_attributes["http.request.resend_count"] == 1
    assert second_attributes["http.response.status_code"] == 200
    assert "error.type" not in second_attributes and "aircall.retry_reason" not in second_attributes
    assert isinstance(second_attributes["aircall.rate_limit.remaining"], int)
    assert second.status.status_code is StatusCode.UNSET
    for span in (first, second):
        assert span.start_time is not None and span.end_time is not None
        assert span.start_time <= span.end_time
        assert span.parent is not None and span.parent.span_id == job.get_span_context().span_id


async def test_spans_hold_no_credential_and_no_query_value(traced: Traced) -> None:
    email = "private.person@example.com"
    async with FakeAircall(rate_limit=None) as fake, _client(fake, traced) as client:
        found = await client.contacts.find_by_email(email)
        assert found == []  # an address the seeded address book does not hold
        [span] = traced.spans()
        text = repr(sorted(_attributes(span).items())) + span.name
        for secret in (fake.api_token, fake.api_id, email, "private.person"):
            assert secret not in text
    assert _attributes(span)["url.path"] == "/contacts/search"


async def test_an_attempt_without_an_answer_is_an_error_span(traced: Traced) -> None:
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    async with AircallClient(
        api_id="id",
        api_token="token",
        base_url=f"http://127.0.0.1:{port}/v1",
        rate_limit=None,
        max_retries=0,
        on_request=traced.hook,
    ) as client:
        with pytest.raises(TransportError):
            await client.ping()
    [span] = traced.spans()
    attributes = _attributes(span)
    assert "http.response.status_code" not in attributes
    assert attributes["error.type"] == "ClientConnectorError"
    assert span.status.status_code is StatusCode.ERROR


def test_the_blocking_client_parents_each_span_to_the_calling_threads_span(
    traced: Traced,
) -> None:
    from aircall_async.blocking import AircallClient as BlockingClient

    parents: dict[str, int] = {}
    with (
        FakeAircall(rate_limit=None) as fake,
        BlockingClient(
            api_id=fake.api_id,
            api_token=fake.api_token,
            base_url=fake.base_url,
            rate_limit=None,
            on_request=traced.hook,
        ) as client,
    ):

        def work(name: str) -> None:
            with traced.tracer.start_as_current_span(name) as job:
                parents[name] = job.get_span_context().span_id
                client.ping()

        threads = [threading.Thread(target=work, args=(f"job {i}",)) for i in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    requests = traced.spans("GET")
    assert len(requests) == 3
    assert {s.parent.span_id for s in requests if s.parent is not None} == set(parents.values())
