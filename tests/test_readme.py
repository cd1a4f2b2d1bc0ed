"""Every ```python block of README.md runs, against the shipped fake Aircall server.

How a block runs (one test per block, named after its first line in README.md):

- A block that defines ``test_`` functions is a pytest module: it is written to a file and
  run with pytester, with the pytest-asyncio ``asyncio_mode = "auto"`` setting the README
  states next to it.
- A block with top-level ``await``/``async for``/``async with`` is a fragment of a coroutine:
  it runs in an event loop with ``client``, an open ``AircallClient`` on the fake (the README
  says "Below, ``client`` is an open AircallClient"), ``fake``, the ``FakeAircall``, and the
  OAuth names the README introduces before its OAuth snippet (``CLIENT_ID``,
  ``CLIENT_SECRET``, ``REDIRECT_URI``, ``csrf_token``, ``code``, ``token``, ``BASE_URL``).
- Any other block is a program: it runs as it is, outside any event loop (it may call
  ``asyncio.run``), with ``__name__`` set to ``"readme"`` (so a server block's
  ``if __name__ == "__main__": web.run_app(app)`` builds the app without serving it).

Every block sees the environment a reader sets to try the README against the fake:
``AIRCALL_API_ID``, ``AIRCALL_API_TOKEN`` and ``AIRCALL_BASE_URL`` point at a fresh
``FakeAircall`` (in a background thread, rate limit off, default seed), so the ids the
README uses must exist there. Blocks that are not Python to run are fenced ```sh / ```text.
"""

from __future__ import annotations

import ast
import asyncio
import re
import secrets
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from aircall_async.oauth import exchange_code
from aircall_async.testing import FakeAircall
from tests.redis_support import fresh_redis_url

pytest_plugins = ["pytester"]

README = Path(__file__).resolve().parent.parent / "README.md"
FENCE = re.compile(r"^```(\S*)\s*$")


def python_blocks(text: str) -> list[tuple[int, str]]:
    """(line number of the block's first line, source) of every ```python block."""
    blocks: list[tuple[int, str]] = []
    language: str | None = None
    start = 0
    lines: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        fence = FENCE.match(line)
        if fence is None:
            if language is not None:
                lines.append(line)
            continue
        if language is None:
            language, start, lines = fence.group(1), number + 1, []
        else:
            if language == "python":
                blocks.append((start, "\n".join(lines) + "\n"))
            language = None
    assert language is None, f"README.md: the block opened at line {start - 1} is not closed"
    return blocks


BLOCKS = python_blocks(README.read_text(encoding="utf-8"))


def test_the_readme_has_python_blocks() -> None:
    assert len(BLOCKS) >= 10


def test_unclosed_fences_and_languages_are_read() -> None:
    text = "x\n```python\na = 1\n```\n```sh\nls\n```\n```python\nb = 2\nc = 3\n```\n"
    assert python_blocks(text) == [(3, "a = 1\n"), (9, "b = 2\nc = 3\n")]
    with pytest.raises(AssertionError, match="line 1 "):
        python_blocks("```python\na = 1\n")


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeAircall]:
    """A fresh fake with its credentials in the environment a README reader would set."""
    with FakeAircall(rate_limit=None) as server:
        monkeypatch.setenv("AIRCALL_API_ID", server.api_id)
        monkeypatch.setenv("AIRCALL_API_TOKEN", server.api_token)
        monkeypatch.setenv("AIRCALL_BASE_URL", str(server.base_url))
        yield server


def _compile(line: int, source: str) -> Any:
    try:
        return compile(source, f"README.md:{line}", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    except SyntaxError as exc:
        pytest.fail(f"README.md block at line {line} is not valid Python: {exc}")


def _pad(line: int, source: str) -> str:
    # Blank lines in front, so that tracebacks give README.md's own line numbers.
    return "\n" * (line - 1) + source


@pytest.mark.parametrize(("line", "source"), BLOCKS, ids=[f"README.md:{n}" for n, _ in BLOCKS])
def test_readme_block_runs(
    line: int,
    source: str,
    fake: FakeAircall,
    pytester: pytest.Pytester,
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if "aircall_async.redis" in source:  # it reads REDIS_URL: the Redis tests' own database
        monkeypatch.setenv("REDIS_URL", fresh_redis_url(request.getfixturevalue("redis_url")))
    if re.search(r"^\s*(async\s+)?def test_", source, re.MULTILINE):
        _run_as_pytest_module(line, source, pytester)
        return
    code = _compile(line, _pad(line, source))
    namespace: dict[str, Any] = {"__name__": "readme"}
    try:
        if code.co_flags & 0x80:  # CO_COROUTINE: top-level await, a fragment of a coroutine
            asyncio.run(_run_fragment(code, namespace, fake))
        else:
            exec(code, namespace)
    except Exception as exc:
        raise AssertionError(
            f"README.md block at line {line} failed: {type(exc).__name__}: {exc}\n"
            + textwrap.indent(source, "    ")
        ) from exc


async def _run_fragment(code: Any, namespace: dict[str, Any], fake: FakeAircall) -> None:
    namespace.update(await _oauth_names(fake))
    async with fake.client(rate_limit=None) as client:
        namespace.update(client=client, fake=fake)
        await eval(code, namespace)


async def _oauth_names(fake: FakeAircall) -> dict[str, Any]:
    """The names the README's OAuth and integration snippets say an app has: its client
    credentials, redirect URI, a CSRF token, the ``code`` of the callback, the ``token`` an
    earlier exchange gave, and ``BASE_URL`` (the fake's)."""
    redirect_uri = "https://my.app/aircall/callback"
    earlier_code = fake.issue_oauth_code(redirect_uri=redirect_uri)
    token = await exchange_code(
        client_id=fake.client_id,
        client_secret=fake.client_secret,
        code=earlier_code,
        redirect_uri=redirect_uri,
        base_url=fake.base_url,
    )
    return {
        "BASE_URL": fake.base_url,
        "CLIENT_ID": fake.client_id,
        "CLIENT_SECRET": fake.client_secret,
        "REDIRECT_URI": redirect_uri,
        "csrf_token": secrets.token_urlsafe(16),
        "code": fake.issue_oauth_code(redirect_uri=redirect_uri),
        "token": token,
    }


def _run_as_pytest_module(line: int, source: str, pytester: pytest.Pytester) -> None:
    assert 'asyncio_mode = "auto"' in README.read_text(encoding="utf-8"), (
        "the README must state the asyncio_mode its pytest snippet needs"
    )
    pytester.makeini(
        "[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n"
    )
    pytester.makepyfile(**{f"test_readme_{line}": source})
    result = pytester.runpytest("-p", "no:cacheprovider", "-q")
    outcomes = result.parseoutcomes()
    assert result.ret == 0 and outcomes.get("passed", 0) >= 1, (
        f"README.md block at line {line} (a pytest module) failed:\n" + result.stdout.str()
    )
