"""Upstream: (entry point: pytest)
Downstream: scheduling.models, scheduling.services.schedule, tests.integration.api.factories, tests.integration.scheduling.kit, trading.models
Role: the scheduling admin: nodes changed through the services (audited, the schedule runs), assignments and runs read-only, pages by role."""

from django.test import Client

from scheduling.models import RunTrigger, SchedulingRun
from scheduling.services.schedule import schedule_run
from tests.integration.api.factories import make_user
from tests.integration.scheduling.kit import announce, recorded, running
from trading.models import AuditEntry

NODE = "/admin/scheduling/executionnode/n1/change/"


def browser(role: str) -> Client:
    client = Client()
    client.force_login(make_user(role)[0])
    return client


def test_an_admin_drains_a_node_in_the_admin_and_the_schedule_runs(db, services):
    for node_id in ("n1", "n2"):
        announce(services, node_id)
    running("p1", "p2")
    schedule_run(trigger=RunTrigger.BEAT)

    response = browser("admin").post(NODE, {"status": "draining", "capacity": ""})

    assert response.status_code == 302
    assert set(recorded().values()) == {"n2"}
    assert SchedulingRun.objects.first().trigger == RunTrigger.MANUAL
    assert AuditEntry.objects.filter(action="node.status", target_id="n1").exists()


def test_dead_is_not_for_an_operator_to_set(db, services):
    announce(services, "n1")
    schedule_run(trigger=RunTrigger.BEAT)

    response = browser("admin").post(NODE, {"status": "dead", "capacity": ""})

    assert response.status_code == 200 and response.context["adminform"].form.errors


def test_a_viewer_sees_nodes_assignments_and_runs_but_changes_nothing(db, services):
    announce(services, "n1")
    running("p1")
    schedule_run(trigger=RunTrigger.BEAT)
    client = browser("viewer")

    pages = ["executionnode/", "assignment/", "schedulingrun/", "executionnode/n1/change/"]

    assert all(client.get(f"/admin/scheduling/{page}").status_code == 200 for page in pages)
    assert client.post(NODE, {"status": "disabled", "capacity": ""}).status_code == 403
