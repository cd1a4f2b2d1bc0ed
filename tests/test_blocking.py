"""The blocking client: derived from the async services, driven over real HTTP against the fake."""

from __future__ import annotations

import asyncio
import inspect
import signal
import threading
import traceback
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest
from aiohttp import web

from aircall_async import AircallClient as AsyncAircallClient
from aircall_async import RateLimit
from aircall_async.blocking import AircallClient, BlockingPaginator, _codegen
from aircall_async.errors import AircallError, NotFoundError
from aircall_async.models import Call, User
from aircall_async.observe import RequestEvent
from aircall_async.testing import FakeAircall


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeAircall]:
    with FakeAircall(calls=120, rate_limit=None) as server:
        yield server


@pytest.fixture
def client(fake: FakeAircall) -> Iterator[AircallClient]:
    with AircallClient(
        api_id=fake.api_id, api_token=fake.api_token, base_url=fake.base_url, rate_limit=None
    ) as blocking:
        yield blocking


def _twin_annotation(annotation: Any) -> Any:
    text = str(annotation)
    return "Blocking" + text if text.startswith("Paginator[") else annotation


def test_the_generated_services_match_the_async_services() -> None:
    assert _codegen.TARGET.read_text() == _codegen.generate(), (
        "aircall_async/blocking/_services.py is stale: run "
        "`python -m aircall_async.blocking._codegen`"
    )


def test_every_async_method_has_a_blocking_twin_with_the_same_signature(
    client: AircallClient,
) -> None:
    async_client = AsyncAircallClient(api_id="a", api_token="b")
    checked = 0
    for attr, cls, _doc in _codegen.services_of():
        twin = getattr(client, attr)
        for name, _method in inspect.getmembers(cls, inspect.isfunction):
            if name.startswith("_"):
                continue
            mine = inspect.signature(getattr(twin, name))
            theirs = inspect.signature(getattr(getattr(async_client, attr), name))
            assert list(mine.parameters.values()) == list(theirs.parameters.values()), (
                f"{attr}.{name}"
            )
            assert mine.return_annotation == _twin_annotation(theirs.return_annotation)
            assert not inspect.iscoroutinefunction(getattr(twin, name))
            checked += 1
    assert checked > 50
    for name in ("ping", "request", "paginate"):
        mine = inspect.signature(getattr(client, name))
        theirs = inspect.signature(getattr(async_client, name))
        assert mine.parameters == theirs.parameters, name
    constructor = dict(inspect.signature(AsyncAircallClient).parameters)
    del constructor["session"]  # a session belongs to the caller's loop, not to ours
    assert dict(inspect.signature(AircallClient).parameters) == constructor


def test_calls_return_models_and_raise_the_async_errors(
    client: AircallClient, fake: FakeAircall
) -> None:
    assert client.ping() is True
    user_id = next(iter(fake.state.users))["id"]
    user = client.users.get(user_id)
    assert isinstance(user, User)
    assert user.id == user_id
    with pytest.raises(NotFoundError):
        client.calls.get(999_999_999)
    with pytest.raises(ValueError, match="call_id"):
        client.calls.get("nope")  # type: ignore[arg-type]
    assert client.request("GET", "/ping") is not None


def test_listings_are_plain_iterators(client: AircallClient, fake: FakeAircall) -> None:
    listing = client.calls.list(per_page=20)
    assert isinstance(listing, BlockingPaginator)
    ids = [call.id for call in listing]
    assert ids == [call["id"] for call in fake.state.calls]
    assert [c.id for c in listing.collect()] == ids
    pages = list(listing.pages())
    assert [len(page.items) for page in pages] == [20] * 6
    first = client.calls.list(order="desc").first()
    assert isinstance(first, Call)
    assert first.id == ids[-1]
    raw = client.paginate("/calls", "calls", per_page=50).collect()
    assert [item["id"] for item in raw] == ids


def test_leaving_a_loop_early_stops_the_listing(client: AircallClient, fake: FakeAircall) -> None:
    fake.requests.clear()
    for _call in client.calls.list(per_page=10):
        break
    sent = len(fake.requests)
    assert 1 <= sent <= 5  # the first page and at most the concurrent ones after it
    client.ping()  # the loop is still healthy


def test_threads_share_one_client_and_one_budget() -> None:
    with FakeAircall(calls=10, rate_limit=5, window=0.2) as fake:
        with AircallClient(
            api_id=fake.api_id,
            api_token=fake.api_token,
            base_url=fake.base_url,
            rate_limit=RateLimit(5, per=0.2),
        ) as client:
            results: list[bool] = []
            errors: list[BaseException] = []

            def work() -> None:
                try:
                    results.extend(client.ping() for _ in range(6))
                except BaseException as exc:  # pragma: no cover - reported below
                    errors.append(exc)

            threads = [threading.Thread(target=work) for _ in range(4)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        assert errors == []
        assert results == [True] * 24
        assert fake.stats.rate_limited == 0  # four threads, one budget


def test_close_stops_the_thread_and_refuses_further_calls(fake: FakeAircall) -> None:
    before = {t.ident for t in threading.enumerate()}
    client = AircallClient(api_id=fake.api_id, api_token=fake.api_token, base_url=fake.base_url)
    assert client.ping()
    portal_threads = [t for t in threading.enumerate() if t.ident not in before]
    assert len(portal_threads) == 1
    client.close()
    client.close()  # idempotent
    assert client.closed
    assert not portal_threads[0].is_alive()
    with pytest.raises(AircallError, match="client is closed"):
        client.ping()
    with pytest.raises(AircallError, match="client is closed"):
        client.calls.list().collect()


def test_bad_arguments_are_refused_and_leave_no_thread() -> None:
    before = threading.active_count()
    with pytest.raises(ValueError, match="credentials"):
        AircallClient()
    assert threading.active_count() == before


def test_works_from_inside_a_running_event_loop(client: AircallClient) -> None:
    # A notebook cell or a sync library called from async code: the call blocks the
    # caller's loop but runs on the client's own.
    async def inside() -> bool:
        return client.ping()

    assert asyncio.run(inside()) is True


def test_repr_shows_no_secret(fake: FakeAircall, client: AircallClient) -> None:
    text = repr(client) + repr(client.calls) + repr(client.calls.list())
    assert fake.api_token not in text
    assert "blocking" in text


def test_an_error_is_raised_in_the_caller_with_the_loop_side_traceback(
    client: AircallClient,
) -> None:
    with pytest.raises(NotFoundError) as caught:
        client.calls.get(999_999_999)
    frames = traceback.extract_tb(caught.value.__traceback__)
    files = [frame.filename.replace("\\", "/") for frame in frames]
    assert files[0].endswith("tests/test_blocking.py")  # the caller's own frame first
    assert any(f.endswith("aircall_async/client.py") for f in files)  # then the loop's
    client.ping()  # and the loop is still healthy


class Holder:
    """An ``on_request`` hook that, once ``hold`` is set, waits until cancelled."""

    def __init__(self) -> None:
        self.hold = threading.Event()
        self.entered = threading.Event()
        self.cancelled = threading.Event()

    async def __call__(self, event: RequestEvent) -> None:
        if not self.hold.is_set():
            return
        self.entered.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            self.cancelled.set()
            raise


def _held_client(
    fake: FakeAircall, hook: Callable[[RequestEvent], Awaitable[None]]
) -> AircallClient:
    return AircallClient(
        api_id=fake.api_id,
        api_token=fake.api_token,
        base_url=fake.base_url,
        rate_limit=None,
        on_request=hook,
    )


class WakeupRecorder(Holder):
    """A Holder that notes the signal wakeup fd in force while the hook runs."""

    def __init__(self) -> None:
        super().__init__()
        self.wakeup_fds: list[int] = []

    async def __call__(self, event: RequestEvent) -> None:
        if threading.current_thread() is threading.main_thread():
            fd = signal.set_wakeup_fd(-1)
            signal.set_wakeup_fd(fd)
            self.wakeup_fds.append(fd)
        await super().__call__(event)


def test_an_interrupt_while_waiting_cancels_the_call_on_the_loop(fake: FakeAircall) -> None:
    hook = WakeupRecorder()
    main = threading.get_ident()

    def interrupt() -> None:
        if hook.entered.wait(10):
            signal.pthread_kill(main, signal.SIGINT)

    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with _held_client(fake, hook) as client:
            hook.hold.set()
            interrupter = threading.Thread(target=interrupt)
            interrupter.start()
            with pytest.raises(KeyboardInterrupt):
                client.ping()
            interrupter.join()
            assert hook.cancelled.wait(10)  # the work on the loop was cancelled
            hook.hold.clear()
            assert client.ping() is True  # and the client still works
            assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # restored
        # A SIGINT wakes the loop's select() through its self-pipe even when it lands just
        # before the select (its handler would otherwise wait for the select's timeout).
        assert len(hook.wakeup_fds) == 2
        assert all(fd != -1 for fd in hook.wakeup_fds)
        assert signal.set_wakeup_fd(-1) == -1  # and the previous one (none) is back
    finally:
        signal.signal(signal.SIGINT, previous)


def test_the_loop_reads_plain_sockets_in_64_kib_and_big_answers_arrive_whole(
    client: AircallClient, fake: FakeAircall
) -> None:
    # asyncio's 256 KiB reads cost page faults in a non-main thread (see _portal.py).
    from aircall_async.blocking._portal import READ_SIZE

    async def read_size() -> int:
        loop = asyncio.get_running_loop()
        url = fake.base_url
        transport, _ = await loop.create_connection(asyncio.Protocol, url.host, url.port)
        try:
            return int(transport.max_size)  # type: ignore[attr-defined]
        finally:
            transport.close()

    assert client._portal.run(read_size()) == READ_SIZE == 64 * 1024
    page = client.request("GET", "/calls", params={"per_page": 50})
    assert len(page["calls"]) == 50
    assert len(repr(page)) > READ_SIZE  # one answer over several reads, intact


def test_a_keyboard_interrupt_inside_the_work_reaches_the_caller_and_the_loop_survives(
    fake: FakeAircall,
) -> None:
    raised: list[bool] = []

    async def interrupting(event: RequestEvent) -> None:
        if not raised:
            raised.append(True)
            raise KeyboardInterrupt

    with _held_client(fake, interrupting) as client:
        with pytest.raises(KeyboardInterrupt):
            client.ping()
        assert client.ping() is True  # the loop was not stopped by it


# ---- which thread runs the loop -------------------------------------------------------


def _recording_client(fake: FakeAircall, seen: list[tuple[int, str]]) -> AircallClient:
    async def record(event: RequestEvent) -> None:
        seen.append((threading.get_ident(), event.path))

    return _held_client(fake, record)


def test_the_calling_thread_runs_the_loop_itself_unless_it_runs_one_of_its_own(
    fake: FakeAircall,
) -> None:
    seen: list[tuple[int, str]] = []
    with _recording_client(fake, seen) as client:
        assert client.ping()
        other: list[int] = []
        thread = threading.Thread(target=lambda: other.append(int(client.ping())))
        thread.start()
        thread.join()
        assert [ident for ident, _ in seen] == [threading.get_ident(), thread.ident]

        async def inside() -> bool:  # a notebook cell: this thread runs a loop already
            return client.ping()

        assert asyncio.run(inside()) is True
        assert seen[-1][0] not in (threading.get_ident(), thread.ident)  # the worker ran it


def test_a_call_made_while_another_thread_runs_the_loop_is_handed_to_it(
    fake: FakeAircall,
) -> None:
    entered, release = threading.Event(), threading.Event()
    runners: list[int] = []

    async def hold_the_first(event: RequestEvent) -> None:
        runners.append(threading.get_ident())
        if len(runners) == 1:
            entered.set()
            # Keeps this thread running the loop meanwhile (a threading.Event, set by the
            # test's thread, cannot be awaited).
            while not release.is_set():  # noqa: ASYNC110
                await asyncio.sleep(0.01)

    with _held_client(fake, hold_the_first) as client:
        first: list[bool] = []
        holder = threading.Thread(target=lambda: first.append(client.ping()))
        holder.start()
        assert entered.wait(10)
        assert client.ping() is True  # answered while the first call still holds
        assert runners == [holder.ident, holder.ident]  # ... on the holder's loop run
        release.set()
        holder.join(10)
        assert first == [True]
        assert client.ping() is True  # and the baton came back: this thread runs it
        assert runners[-1] == threading.get_ident()


def test_prefetched_pages_keep_arriving_while_the_caller_pauses(fake: FakeAircall) -> None:
    release = threading.Event()
    answered: list[tuple[int, str]] = []  # (thread, page) of each page answered

    async def hold_prefetched_pages(event: RequestEvent) -> None:
        page = dict(event.params).get("page", "1")
        if page not in ("1", "2"):
            # Held until the caller has returned from its call, so that these pages can
            # only be answered by a loop that runs while the caller pauses (a
            # threading.Event, set by the test's thread, cannot be awaited).
            while not release.is_set():  # noqa: ASYNC110
                await asyncio.sleep(0.01)
        answered.append((threading.get_ident(), page))

    with _held_client(fake, hold_prefetched_pages) as client:
        listing = iter(client.calls.list(per_page=10))
        for _ in range(11):  # into the second page: the pages after it are requested
            next(listing)
        assert [page for _, page in answered] == ["1", "2"]
        release.set()  # the caller does not ask for more: the worker runs the pages
        for _ in range(1000):
            if len(answered) > 2:
                break
            threading.Event().wait(0.01)
        assert len(answered) > 2
        assert answered[2][0] != threading.get_ident()  # answered on the worker's run
        assert len(list(listing)) == 109  # and nothing was lost or fetched twice
        assert len(answered) == 12


def test_closing_ends_the_calls_other_threads_are_in_or_wait_for(
    fake: FakeAircall,
) -> None:
    hook = Holder()
    client = _held_client(fake, hook)
    hook.hold.set()
    outcomes: list[BaseException | bool] = []

    def call() -> None:
        try:
            outcomes.append(client.ping())
        except BaseException as exc:
            outcomes.append(exc)

    runner = threading.Thread(target=call)
    runner.start()
    assert hook.entered.wait(10)  # the runner runs the loop, held by its hook
    queued = threading.Thread(target=call)  # handed to the runner's loop, held too
    queued.start()
    before = set(threading.enumerate())
    client.close()
    for thread in (runner, queued):
        thread.join(10)
        assert not thread.is_alive()
    assert hook.cancelled.is_set()
    assert len(outcomes) == 2
    # "client is closed", or the async client's "client was closed during GET /ping".
    assert all(isinstance(o, AircallError) and "closed" in str(o) for o in outcomes)
    assert not [t for t in threading.enumerate() if t not in before and t.is_alive()]
    assert not any(t.name == "aircall-async" for t in threading.enumerate())


def test_closing_while_the_worker_runs_the_loop_ends_its_work(fake: FakeAircall) -> None:
    # The close cancels every task on the loop, the worker's own included; the worker
    # used to die of that CancelledError, and the close then waited for it forever.
    entered, cancelled = threading.Event(), threading.Event()

    async def hold_prefetched_pages(event: RequestEvent) -> None:
        if dict(event.params).get("page", "1") in ("1", "2"):
            return
        entered.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.set()
            raise

    client = _held_client(fake, hold_prefetched_pages)
    listing = iter(client.calls.list(per_page=10))
    for _ in range(11):  # into the second page: the pages after it are requested
        next(listing)
    assert entered.wait(10)  # held on the loop, which the worker now runs
    closer = threading.Thread(target=client.close)
    closer.start()
    closer.join(10)
    assert not closer.is_alive()
    assert cancelled.is_set()
    assert not any(t.name == "aircall-async" for t in threading.enumerate())


async def test_a_keep_alive_connection_the_server_closed_while_idle_is_not_reused() -> None:
    # Nobody runs the loop between two calls, so the server's FIN waits unread; the
    # call's first loop iteration reads it before a connection is taken from the pool.
    # Without that, this POST (never retried) would go out on the dead connection.
    posted: list[int] = []

    async def things(request: web.Request) -> web.Response:
        posted.append(1)
        return web.json_response({"id": len(posted)})

    app = web.Application()
    app.router.add_post("/v1/things", things)
    runner = web.AppRunner(app, keepalive_timeout=0.05)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    base = f"http://127.0.0.1:{runner.addresses[0][1]}/v1"

    def calls() -> list[Any]:
        with AircallClient(api_id="a", api_token="b", base_url=base, rate_limit=None) as client:
            first = client.request("POST", "/things", json={})
            threading.Event().wait(0.5)  # the server closes the idle connection
            return [first, client.request("POST", "/things", json={})]

    try:
        assert await asyncio.to_thread(calls) == [{"id": 1}, {"id": 2}]
    finally:
        await runner.cleanup()
