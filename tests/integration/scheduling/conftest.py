"""Upstream: (entry point: pytest)
Downstream: scheduling.services.publishing, tests.integration.bus.fixtures, trading.bus.config, trading.services.control
Role: fixtures of the scheduling tests: the bus fixtures, a namespaced Redis, producers closed per test."""

from collections.abc import Iterator

import pytest
import redis

from scheduling.services.publishing import scheduler_producers_close
from tests.integration.bus.fixtures import bus, publisher, record
from trading.bus.config import BusConfig
from trading.services.control import command_producers_close

__all__ = ["bus", "publisher", "record"]


@pytest.fixture
def services(bus: BusConfig, redis_client: redis.Redis) -> Iterator[redis.Redis]:
    """The test's own topics and Redis prefix; yields a raw client on that Redis."""
    yield redis_client
    scheduler_producers_close(timeout=1.0)
    command_producers_close(timeout=1.0)
