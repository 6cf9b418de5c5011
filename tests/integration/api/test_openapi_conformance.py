"""Upstream: (entry point: pytest)
Downstream: ginkgo_site.wsgi, tests.integration.api.factories
Role: schemathesis against our OpenAPI schema through the WSGI app, as an admin: no 5xx, every answer as documented."""

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
from tests.integration.api.factories import make_portfolio, make_user

# Examples per operation: enough to hit the error paths, small enough for well under a minute.
MAX_EXAMPLES = 10
# The trading app's operations (every one of them: nothing excluded). Health, the schema
# itself and the other apps' endpoints (scheduling, data) are theirs to fuzz.
OURS = r"^/api/(portfolio|engine|components|audit)/"


@pytest.fixture
def wsgi_in_test_transaction() -> Iterator[None]:
    """Requests through the raw WSGI app, like Django's test client, must not close the
    connection that holds the test's transaction."""
    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (signals.request_started, signals.request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def api_schema(db, bus, redis_prefix, wsgi_in_test_transaction):
    """The schema as an admin sees it, with a real portfolio behind the path ids."""
    _, token = make_user("admin")
    make_portfolio("alpha")
    headers = {"Authorization": f"Token {token}"}
    schema = schemathesis.openapi.from_wsgi(
        "/api/schema/?format=json", application, headers=headers
    )
    schema.config.update(headers=headers)
    schema.config.generation.update(max_examples=MAX_EXAMPLES, no_shrink=True, deterministic=True)
    schema.config.phases.update(phases=["examples", "fuzzing"])
    return schema


schema = schemathesis.pytest.from_fixture("api_schema").include(path_regex=OURS)


@schema.parametrize()
def test_every_operation_answers_as_its_schema_says(case):
    case.call_and_validate(
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_headers_conformance,
            response_schema_conformance,
        ]
    )
