"""Upstream: (entry point: pytest)
Downstream: tests.integration.bus.fixtures, trading.services.control
Role: fixtures of the API tests: the bus fixtures (namespaced topics, recorders) and producers closed per test."""

from collections.abc import Iterator

import pytest

from tests.integration.bus.fixtures import bus, publisher, record
from trading.services.control import command_producers_close

__all__ = ["bus", "publisher", "record"]


@pytest.fixture(autouse=True)
def closed_producers() -> Iterator[None]:
    """The API's producers are per bus (per test namespace): close them with their test."""
    yield
    command_producers_close(timeout=1.0)
