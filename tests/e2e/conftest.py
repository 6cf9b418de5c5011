"""Upstream: (entry point: pytest)
Downstream: tests.integration.bus.fixtures, tests.integration.conftest
Role: gives the end-to-end tests the integration suite's service fixtures (one set of session services for every e2e module) and its per-test service settings."""

from tests.integration.bus.fixtures import bus, publisher, record
from tests.integration.conftest import (
    _service_settings,
    kafka_bootstrap,
    redis_client,
    redis_prefix,
    redis_url,
    topic_namespace,
)

__all__ = ["_service_settings", "bus", "kafka_bootstrap", "publisher", "record", "redis_client",
           "redis_prefix", "redis_url", "topic_namespace"]  # fmt: skip
