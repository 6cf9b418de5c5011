"""Upstream: (entry point: pytest)
Downstream: tests.integration.bus.fixtures
Role: fixtures of the bus integration tests (shared with the LiveCore tests)."""

from tests.integration.bus.fixtures import bus, publisher, record

__all__ = ["bus", "publisher", "record"]
