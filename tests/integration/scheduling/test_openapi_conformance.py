"""Upstream: (entry point: pytest)
Downstream: scheduling.models, scheduling.services.schedule, tests.integration.conformance, tests.integration.scheduling.kit
Role: schemathesis against the scheduling operations of our OpenAPI schema, as an admin with nodes and placed portfolios: no 5xx, every answer as documented."""

import pytest
import schemathesis

from scheduling.models import RunTrigger
from scheduling.services.schedule import schedule_run
from tests.integration.conformance import CHECKS, admin_schema, wsgi_in_test_transaction
from tests.integration.scheduling.kit import announce, running

__all__ = ["wsgi_in_test_transaction"]

# Examples per operation: enough to reach the refusals, few enough for a few seconds each.
MAX_EXAMPLES = 5
OURS = r"^/api/(schedule|nodes)/"


@pytest.fixture
def scheduling_schema(db, services, wsgi_in_test_transaction):
    """The schema as an admin sees it, with live nodes n1, n2 and portfolios placed on them."""
    for node_id in ("n1", "n2"):
        announce(services, node_id)
    running("p1", "p2", "p3")
    schedule_run(trigger=RunTrigger.BEAT)
    return admin_schema(MAX_EXAMPLES)


schema = schemathesis.pytest.from_fixture("scheduling_schema").include(path_regex=OURS)


@schema.parametrize()
def test_every_scheduling_operation_answers_as_its_schema_says(case):
    case.call_and_validate(checks=CHECKS)
