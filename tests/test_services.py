"""The redis_url and postgres_dsn fixtures give servers that answer (raw protocol, no client)."""

from __future__ import annotations

import pytest

from . import services

pytest_plugins = ["pytester"]


def test_redis_url_answers_ping_and_keeps_a_value(redis_url: str) -> None:
    assert services.redis_command(redis_url, "PING") == b"+PONG"
    key = "aircall-async-tests:services"
    assert services.redis_command(redis_url, "SET", key, "42", "EX", "60") == b"+OK"
    assert services.redis_command(redis_url, "GET", key) == b"$2"  # a 2-byte bulk string


def test_postgres_dsn_runs_a_query(postgres_dsn: str) -> None:
    assert services.postgres_query(postgres_dsn, "SELECT 1 + 1, NULL, current_database()") == [
        ["2", None, postgres_dsn.rsplit("/", 1)[-1]]
    ]


def test_a_server_that_does_not_answer_is_described() -> None:
    problem = services.redis_problem("redis://127.0.0.1:1/0")
    assert problem is not None and "127.0.0.1:1" in problem
    problem = services.postgres_problem("postgresql://postgres@127.0.0.1:1/test")
    assert problem is not None and "127.0.0.1:1" in problem


def test_a_missing_server_skips_outside_ci_and_fails_in_ci(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makeconftest("from tests.conftest import redis_url  # noqa: F401\n")
    pytester.makepyfile("def test_needs_redis(redis_url):\n    pass\n")
    monkeypatch.setenv("AIRCALL_TEST_REDIS_URL", "redis://127.0.0.1:1/0")
    monkeypatch.delenv("CI", raising=False)
    pytester.runpytest("-p", "no:cacheprovider", "-rs").assert_outcomes(skipped=1)
    monkeypatch.setenv("CI", "true")
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(errors=1)
