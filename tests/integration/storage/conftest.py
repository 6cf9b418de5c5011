"""Upstream: (entry point: pytest)
Downstream: ginkgo_site.devstack, trading.storage.schema
Role: fixtures of the storage tests: the ClickHouse store with its schema, the SQL store, a ClickHouse that is down."""

import pytest

from ginkgo_site.devstack import free_port
from trading.storage.schema import schema_create


@pytest.fixture
def clickhouse_store(settings, clickhouse_database: str) -> str:
    """CLICKHOUSE_URL points at a fresh database with the schema: stores are ClickHouse's."""
    schema_create(settings.CLICKHOUSE_URL)
    return settings.CLICKHOUSE_URL


@pytest.fixture
def sql_store(settings) -> None:
    """No CLICKHOUSE_URL: bars and trades are the SQL database's."""
    settings.CLICKHOUSE_URL = ""


@pytest.fixture
def clickhouse_down(settings) -> str:
    """CLICKHOUSE_URL names a port nothing listens on."""
    settings.CLICKHOUSE_URL = url = f"clickhouse://127.0.0.1:{free_port()}/default"
    return url


@pytest.fixture
def sql_fallback(settings) -> None:
    settings.GINKGO_STORAGE_FALLBACK = "sql"
