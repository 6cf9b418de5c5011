"""Upstream: (entry point: pytest)
Downstream: scheduling.apis, scheduling.models, scheduling.plan_store, scheduling.services.nodes, scheduling.services.schedule, tests.integration.api.factories, tests.integration.scheduling.kit, trading.models
Role: /api/schedule/* and /api/nodes/* against real services: permissions (anonymous 401, viewer read-only), answers, refusals in the project's error shape."""

import pytest

from scheduling import apis, plan_store
from scheduling.models import RunTrigger
from scheduling.services.nodes import nodes_sync
from scheduling.services.schedule import heartbeat_check, schedule_run
from tests.integration.api.factories import client_for
from tests.integration.scheduling.kit import (
    announce,
    expire,
    recorded,
    redis_plan,
    running,
    withdraw,
)
from trading.models import Portfolio

GETS = ["/api/schedule/plan", "/api/schedule/runs", "/api/nodes/", "/api/nodes/n1/"]
POSTS = [
    "/api/schedule/rebalance",
    "/api/schedule/migrate",
    "/api/nodes/n1/enable",
    "/api/nodes/n1/disable",
    "/api/nodes/n1/drain",
]


@pytest.fixture
def placed(db, services) -> dict[str, str]:
    """n1 and n2 alive, p1..p3 placed on them."""
    for node_id in ("n1", "n2"):
        announce(services, node_id)
    running("p1", "p2", "p3")
    schedule_run(trigger=RunTrigger.BEAT)
    return recorded()


@pytest.fixture
def nodes(db, redis_client) -> None:
    """n1 and n2 known (no bus: permission checks answer before any service is used)."""
    for node_id in ("n1", "n2"):
        announce(redis_client, node_id)
    nodes_sync()


@pytest.mark.parametrize("path", GETS + POSTS)
def test_anonymous_requests_are_unauthenticated(nodes, path):
    client = client_for(None)

    response = client.post(path) if path in POSTS else client.get(path)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


@pytest.mark.parametrize("path", GETS)
def test_a_viewer_reads(nodes, path):
    assert client_for("viewer").get(path).status_code == 200


@pytest.mark.parametrize("path", POSTS)
def test_a_viewer_may_not_act(nodes, path):
    response = client_for("viewer").post(path, {"portfolio_id": "p1"}, format="json")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_the_plan_lists_each_nodes_portfolios_and_the_pending_ones(placed, settings):
    settings.GINKGO_NODE_CAPACITY = 2
    running("p4", "p5")
    schedule_run(trigger=RunTrigger.BEAT)

    body = client_for("viewer").get("/api/schedule/plan").json()

    nodes = {node["node_id"]: node for node in body["nodes"]}
    assert {pid for node in nodes.values() for pid in node["portfolio_ids"]} == {
        "p1",
        "p2",
        "p3",
        "p4",
    }
    assert body["pending"] == ["p5"]
    assert nodes["n1"]["alive"] is True and nodes["n1"]["capacity"] == 2


def test_nodes_show_status_heartbeat_age_load_and_portfolios(placed):
    body = client_for("viewer").get("/api/nodes/").json()

    assert body["count"] == 2
    node = next(n for n in body["results"] if n["node_id"] == "n1")
    assert node["status"] == "active" and node["alive"] is True
    assert node["host"] == "n1.test"
    assert 0 <= node["heartbeat_age"] < 60
    assert node["capacity"] == 5
    assert node["load"] == len(node["portfolio_ids"]) / 5
    assert sorted(node["portfolio_ids"]) == sorted(p for p, n in placed.items() if n == "n1")


def test_dead_and_left_nodes_hold_nothing_and_are_forgotten_after_a_while_unless_all(
    placed, services, settings
):
    for node_id in ("n3", "n4"):
        announce(services, node_id)
    running("p4", "p5")
    schedule_run(trigger=RunTrigger.BEAT)
    assert {recorded()["p4"], recorded()["p5"]} == {"n3", "n4"}
    expire(services, "n3")
    withdraw(services, "n4")
    heartbeat_check()
    client = client_for("viewer")

    listed = client.get("/api/nodes/").json()["results"]
    plan = client.get("/api/schedule/plan").json()
    settings.GINKGO_NODE_FORGET_AFTER = 0
    later = client.get("/api/nodes/").json()["results"]
    everything = client.get("/api/nodes/?all=1").json()["results"]
    later_plan = client.get("/api/schedule/plan").json()

    gone = {n["node_id"]: (n["status"], n["portfolio_ids"], n["forgotten"]) for n in listed}
    assert {k: gone[k] for k in ("n3", "n4")} == {
        "n3": ("dead", [], False),
        "n4": ("left", [], False),
    }
    assert {n["node_id"]: n["portfolio_ids"] for n in plan["nodes"]}.keys() == gone.keys()
    assert [n["node_id"] for n in later] == [n["node_id"] for n in later_plan["nodes"]]
    assert [n["node_id"] for n in later] == ["n1", "n2"]
    assert {n["node_id"]: n["forgotten"] for n in everything} == {
        "n1": False,
        "n2": False,
        "n3": True,
        "n4": True,
    }
    assert all(n["gone_at"] for n in everything if n["forgotten"])
    assert client.get("/api/nodes/n3/").json()["status"] == "dead"


def test_an_unknown_node_is_not_found(placed):
    for response in (
        client_for("admin").get("/api/nodes/ghost/"),
        client_for("admin").post("/api/nodes/ghost/drain"),
    ):
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"


def test_draining_a_node_empties_it_and_answers_with_the_node_and_the_run(placed, services):
    body = client_for("admin").post("/api/nodes/n1/drain").json()

    assert body["node"]["status"] == "draining" and body["node"]["portfolio_ids"] == []
    assert body["run"]["trigger"] == "api" and body["run"]["outcome"] == "ok"
    assert {m["reason"] for m in body["run"]["moves"]} <= {"draining"}
    assert redis_plan(services, "n1") == set()
    assert set(recorded().values()) == {"n2"}

    enabled = client_for("admin").post("/api/nodes/n1/enable").json()
    disabled = client_for("admin").post("/api/nodes/n2/disable").json()

    assert enabled["node"]["status"] == "active"
    assert disabled["node"]["status"] == "disabled"
    assert set(recorded().values()) == {"n1"}


def test_migrate_moves_the_portfolio_and_answers_with_the_placement(placed):
    source = placed["p1"]
    target = {"n1": "n2", "n2": "n1"}[source]

    response = client_for("admin").post(
        "/api/schedule/migrate", {"portfolio_id": "p1", "target_node": target}, format="json"
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["from_node"], body["to_node"]) == (source, target)
    assert body["run"]["moves_count"] == 1 and body["run"]["trigger"] == "api"
    assert recorded()["p1"] == target


@pytest.mark.parametrize(
    "payload, status, code",
    [
        ({"portfolio_id": "nope"}, 404, "not_found"),
        ({"portfolio_id": "stopped"}, 409, "conflict"),
        ({"portfolio_id": "p1", "target_node": "ghost"}, 400, "invalid"),
        ({"portfolio_id": "bad id!"}, 400, "invalid"),
        ({}, 400, "invalid"),
    ],
    ids=["unknown", "stopped", "unknown-node", "malformed", "missing"],
)
def test_migrate_refusals_use_the_error_shape(placed, payload, status, code):
    Portfolio.objects.create(portfolio_id="stopped", name="s", initial_capital=1, strategy={})

    response = client_for("admin").post("/api/schedule/migrate", payload, format="json")

    assert response.status_code == status
    assert response.json()["error"]["code"] == code


def test_rebalance_evens_out_a_node_that_joined_late(db, services):
    announce(services, "n1")
    running("p1", "p2", "p3", "p4")
    schedule_run(trigger=RunTrigger.BEAT)
    announce(services, "n2")
    quiet = schedule_run(trigger=RunTrigger.BEAT)  # joining moves nothing that runs

    response = client_for("admin").post("/api/schedule/rebalance", {}, format="json")

    assert quiet.moves == []
    assert response.status_code == 200
    run = response.json()
    assert run["rebalance"] is True and run["moves_count"] == 2
    assert {m["reason"] for m in run["moves"]} == {"rebalance"}
    assert sorted(recorded().values()) == ["n1", "n1", "n2", "n2"]


def test_rebalance_within_the_threshold_moves_nothing(placed):
    response = client_for("admin").post(
        "/api/schedule/rebalance", {"threshold": "1"}, format="json"
    )

    assert response.status_code == 200 and response.json()["moves"] == []


def test_rebalance_while_another_run_holds_the_lock_is_a_conflict(placed, monkeypatch):
    monkeypatch.setattr(apis, "LOCK_WAIT_SECONDS", 0.0)

    with plan_store.scheduler_lock() as held:
        assert held
        response = client_for("admin").post("/api/schedule/rebalance", {}, format="json")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"


def test_runs_are_listed_newest_first_and_filtered(placed):
    client_for("admin").post("/api/nodes/n1/drain")

    every = client_for("viewer").get("/api/schedule/runs").json()
    by_api = client_for("viewer").get("/api/schedule/runs?trigger=api").json()

    assert every["count"] == 2
    assert [r["trigger"] for r in every["results"]] == ["api", "beat"]
    assert by_api["count"] == 1 and by_api["results"][0]["trigger"] == "api"
    assert client_for("viewer").get("/api/schedule/runs?outcome=nope").status_code == 400
