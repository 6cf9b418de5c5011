"""Upstream: (entry point: pytest)
Downstream: ginkgo_site.devstack, trading.storage.schema
Role: real services for integration tests: given by the environment, else spawned once per session.

Each service fixture yields its URL; the matching Django setting is applied per test that uses it.
Isolation between tests is by name, never by flushing shared state: every test gets its own
Kafka topic namespace, Redis key prefix and ClickHouse database, so tests (and concurrent
sessions on the machine's shared Redis) never see each other's data.
"""

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
from clickhouse_driver import Client

from ginkgo_site.devstack import (
    ServiceHandle,
    ServiceUnreachable,
    check_clickhouse,
    check_kafka,
    check_redis,
    start_clickhouse,
    start_redis,
    start_tansu,
)
from trading.storage.schema import schema_create

MACHINE_REDIS_URL = "redis://127.0.0.1:6379/0"


def _unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:8]}"


def _reachable(url: str, check: Callable[[str], float]) -> str | None:
    """None if ``url`` answers, else the one-line reason."""
    try:
        check(url)
    except ServiceUnreachable as exc:
        return str(exc)
    return None


def _given(name: str, url: str, check: Callable[[str], float]) -> ServiceHandle:
    failure = _reachable(url, check)
    if failure:
        # Failed outside the except block, so the report is the one line, not a chain.
        pytest.fail(failure, pytrace=False)
    return ServiceHandle(name, url, None)


def _spawned(start: Callable[[Path], ServiceHandle], workdir: Path) -> ServiceHandle:
    try:
        return start(workdir)
    except ServiceUnreachable as exc:
        failure = str(exc)
    pytest.fail(failure, pytrace=False)


def _serve(handle: ServiceHandle, setting: str) -> Iterator[str]:
    _STARTED[setting] = handle.url
    try:
        yield handle.url
    finally:
        _STARTED.pop(setting, None)
        handle.stop()


# Session services and the settings that name them. The settings are applied per test (below),
# never by a session-long override_settings: pytest-django's ``settings`` fixture restores the
# settings object it found, so a session override entered inside one test would be undone at
# that test's end and later tests would read a stale address.
_SERVICE_SETTINGS = {
    "kafka_bootstrap": "KAFKA_BOOTSTRAP_SERVERS",
    "redis_url": "REDIS_URL",
    "clickhouse_url": "CLICKHOUSE_URL",
}


# Settings of the session services started so far: once a service runs, every later test
# sees it, as code under test may reach a service its test did not ask for by name.
_STARTED: dict[str, str] = {}


@pytest.fixture(autouse=True)
def _service_settings(request: pytest.FixtureRequest, settings) -> None:
    """Points each setting at its session service: the ones already running, then the ones
    this test uses (started now if needed)."""
    for setting, url in _STARTED.items():
        setattr(settings, setting, url)
    # The test's own services win: tests/e2e/conftest.py imports these fixtures, so the e2e
    # tests run session instances of their own next to this directory's.
    for fixture, setting in _SERVICE_SETTINGS.items():
        if fixture in request.fixturenames:
            setattr(settings, setting, request.getfixturevalue(fixture))


@pytest.fixture(scope="session")
def kafka_bootstrap(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """KAFKA_BOOTSTRAP_SERVERS from the environment, else a Tansu broker for this session."""
    given = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    handle = (
        _given("kafka", given, check_kafka)
        if given
        else _spawned(start_tansu, tmp_path_factory.mktemp("kafka"))
    )
    yield from _serve(handle, "KAFKA_BOOTSTRAP_SERVERS")


@pytest.fixture
def topic_namespace(settings) -> str:
    """A fresh GINKGO_TOPIC_NAMESPACE for this test, so no two tests share a topic.

    Topics are not deleted afterwards: names never repeat, Tansu's memory store ends with the
    session, and a given broker is expected to be a throwaway one.
    """
    settings.GINKGO_TOPIC_NAMESPACE = namespace = f"{_unique('t')}."
    return namespace


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """REDIS_URL from the environment, else the machine's Redis, else one for this session."""
    given = os.environ.get("REDIS_URL")
    if given:
        handle = _given("redis", given, check_redis)
    elif _reachable(MACHINE_REDIS_URL, check_redis) is None:
        handle = ServiceHandle("redis", MACHINE_REDIS_URL, None)
    else:
        handle = _spawned(start_redis, tmp_path_factory.mktemp("redis"))
    yield from _serve(handle, "REDIS_URL")


@pytest.fixture
def redis_prefix(settings, redis_url: str) -> Iterator[str]:
    """A fresh GINKGO_REDIS_PREFIX for this test; its keys are deleted afterwards.

    A prefix rather than a db number: the machine's Redis is shared with other sessions
    (FLUSHDB would hit them, and there are only 16 dbs), and it exercises the same prefixing
    the application relies on to share one Redis between stacks.
    """
    settings.GINKGO_REDIS_PREFIX = prefix = f"{_unique('t')}:"
    yield prefix
    with redis.Redis.from_url(redis_url) as client:
        # The prefix is hex and ':' only, so it needs no escaping in a MATCH pattern.
        keys = list(client.scan_iter(match=f"{prefix}*", count=500))
        if keys:
            client.delete(*keys)


@pytest.fixture(autouse=True)
def cache_prefix(settings, redis_url: str) -> Iterator[str]:
    """Django's cache (the throttle's counts) on the test Redis under a key prefix of this
    test's own, deleted afterwards: anonymous clients of every test share an address, and
    other sessions share the machine's Redis."""
    prefix = _unique("c")
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "LOCATION": redis_url, "KEY_PREFIX": prefix}
    }
    yield prefix
    with redis.Redis.from_url(redis_url) as client:
        keys = list(client.scan_iter(match=f"{prefix}:*", count=500))
        if keys:
            client.delete(*keys)


@pytest.fixture
def redis_client(redis_url: str, redis_prefix: str) -> Iterator[redis.Redis]:
    """A client on the test Redis; keys under ``redis_prefix`` are the test's own."""
    with redis.Redis.from_url(redis_url) as client:
        yield client


@pytest.fixture(scope="session")
def clickhouse_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """CLICKHOUSE_URL from the environment, else a ClickHouse server for this session; its
    database has the schema (idempotent), so a later test that reaches it without asking
    (LiveCore storing its bars) finds the tables, as in any set-up deployment."""
    given = os.environ.get("CLICKHOUSE_URL")
    handle = (
        _given("clickhouse", given, check_clickhouse)
        if given
        else _spawned(start_clickhouse, tmp_path_factory.mktemp("clickhouse"))
    )
    schema_create(handle.url)
    yield from _serve(handle, "CLICKHOUSE_URL")


@pytest.fixture
def clickhouse_database(settings, clickhouse_url: str) -> Iterator[str]:
    """A fresh ClickHouse database for this test, dropped afterwards.

    settings.CLICKHOUSE_URL points at it, so code under test writes there.
    """
    name = _unique("t_")
    client = Client.from_url(clickhouse_url)
    try:
        client.execute(f"CREATE DATABASE {name}")
        settings.CLICKHOUSE_URL = urlunsplit(urlsplit(clickhouse_url)._replace(path=f"/{name}"))
        yield name
        client.execute(f"DROP DATABASE IF EXISTS {name}")
    finally:
        client.disconnect()


@pytest.fixture(params=["sql", "clickhouse"])
def bar_store_kind(request: pytest.FixtureRequest, settings) -> str:
    """Each bar store in turn for the code under test: the SQL database's (no
    CLICKHOUSE_URL), then a fresh ClickHouse database with the schema."""
    if request.param == "clickhouse":
        request.getfixturevalue("clickhouse_database")
        schema_create(settings.CLICKHOUSE_URL)
    else:
        settings.CLICKHOUSE_URL = ""
    return request.param
