"""Upstream: (entry point: pytest)
Downstream: tests.integration.conftest
Role: gives the e2e tests the integration suite's per-test service settings."""

from tests.integration.conftest import _service_settings

__all__ = ["_service_settings"]
