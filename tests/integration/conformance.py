"""Upstream: (entry point: pytest, imported by the OpenAPI conformance tests)
Downstream: ginkgo_site.wsgi, tests.integration.api.factories, (computed)
Role: what the schemathesis conformance tests share: requests through the WSGI app inside the test's transaction, the schema as an admin sees it, and the checks every answer must pass."""

from collections.abc import Iterator

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from ginkgo_site.wsgi import application
from tests.integration.api.factories import make_user

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def wsgi_in_test_transaction() -> Iterator[None]:
    """Requests through the raw WSGI app, like Django's test client, must not close the
    connection that holds the test's transaction."""
    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (signals.request_started, signals.request_finished):
        signal.connect(close_old_connections)


def admin_schema(max_examples: int) -> schemathesis.BaseSchema:
    """Our schema as a new admin sees it, fuzzed with ``max_examples`` per operation
    (deterministic, not shrunk: examples first, then fuzzing)."""
    _, token = make_user("admin")
    headers = {"Authorization": f"Token {token}"}
    schema = schemathesis.openapi.from_wsgi(
        "/api/schema/?format=json", application, headers=headers
    )
    schema.config.update(headers=headers)
    schema.config.generation.update(max_examples=max_examples, no_shrink=True, deterministic=True)
    schema.config.phases.update(phases=["examples", "fuzzing"])
    return schema
