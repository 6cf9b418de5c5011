"""Upstream: (entry point: pytest)
Downstream: tests.integration.api.factories, tests.integration.conformance
Role: schemathesis against our OpenAPI schema through the WSGI app, as an admin: no 5xx, every answer as documented."""

import pytest
import schemathesis

from tests.integration.api.factories import make_portfolio
from tests.integration.conformance import CHECKS, admin_schema, wsgi_in_test_transaction

__all__ = ["wsgi_in_test_transaction"]

# Examples per operation: enough to hit the error paths, small enough for well under a minute.
MAX_EXAMPLES = 10
# The trading app's operations (every one of them: nothing excluded). Health, the schema
# itself and the other apps' endpoints (scheduling, data) are theirs to fuzz.
OURS = r"^/api/(portfolio|engine|components|audit)/"


@pytest.fixture
def api_schema(db, bus, redis_prefix, wsgi_in_test_transaction):
    """The schema as an admin sees it, with a real portfolio behind the path ids."""
    make_portfolio("alpha")
    return admin_schema(MAX_EXAMPLES)


schema = schemathesis.pytest.from_fixture("api_schema").include(path_regex=OURS)


@schema.parametrize()
def test_every_operation_answers_as_its_schema_says(case):
    case.call_and_validate(checks=CHECKS)
