"""Upstream: (entry point: pytest)
Downstream: monitoring.metrics, monitoring.models, tests.integration.api.factories, tests.integration.monitoring.kit, trading.models, trading.redis_store
Role: /api/metrics/summary, /api/notices/, /dashboard/data and /metrics against a stack seeded in PostgreSQL and Redis: permissions, figures, filters, series."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from monitoring.metrics import PORTFOLIO_ORDERS
from monitoring.models import Notice
from tests.integration.api.factories import client_for
from tests.integration.monitoring.kit import announce, dead_node, portfolio, trade
from trading.models import Fill, Order
from trading.redis_store import heartbeat_key

pytestmark = pytest.mark.django_db

NOW = datetime.now(UTC)
ENDPOINTS = ("/api/metrics/summary", "/api/notices/", "/dashboard/data")


@pytest.fixture
def stack(redis_client):
    """n1 alive hosting P1 (running, 5 dropped) and P2 (in error); n2 dead; P3 stopped."""
    announce(redis_client, "n1", portfolios=["P1", "P2"], age=2.0)
    dead_node("n2")
    p1 = portfolio(redis_client, "P1", node="n1", queue_size=10, dropped=5)
    portfolio(redis_client, "P2", node="n1", status="error", dropped=2)
    portfolio(redis_client, "P3")
    trade(p1, 1, price="100", at=NOW - timedelta(hours=2))
    trade(p1, 2, price="110")
    return redis_client


def notice(
    kind: str, level: str, *, age: timedelta = timedelta(0), count: int = 1, **subject: str
) -> Notice:
    at = NOW - age
    return Notice.objects.create(
        kind=kind,
        level=level,
        message=f"{kind} happened",
        count=count,
        first_seen=at,
        last_seen=at,
        last_event_ns=0,
        **subject,
    )


@pytest.mark.parametrize("path", ENDPOINTS)
def test_anonymous_requests_are_refused(path, redis_prefix):
    response = APIClient().get(path)

    assert response.status_code in (401, 403)
    assert response.json()["error"]["code"] == "not_authenticated"


@pytest.mark.parametrize("path", ENDPOINTS)
def test_a_user_without_a_role_is_forbidden(path, redis_prefix):
    user = get_user_model().objects.create_user("nobody")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")

    response = client.get(path)

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_summary_counts_nodes_portfolios_throughput_drops_and_recent_alerts(stack):
    notice("queue.warning", "warning", count=3, portfolio_id="P1")
    notice("node.dead", "critical", node_id="n2")
    notice("strategy.error", "error", age=timedelta(hours=2), portfolio_id="P2")

    response = client_for("viewer").get("/api/metrics/summary")

    assert response.status_code == 200
    body = response.json()
    assert body["live_state_error"] is None
    assert (body["nodes"]["alive"], body["nodes"]["dead"], body["nodes"]["left"]) == (1, 1, 0)
    n1, n2 = body["nodes"]["items"]
    assert (n1["node_id"], n1["alive"], n1["portfolios"]) == ("n1", True, 2)
    assert 1.5 < n1["heartbeat_age"] < 30
    assert (n2["node_id"], n2["status"], n2["alive"], n2["heartbeat_age"]) == (
        "n2",
        "dead",
        False,
        None,
    )
    assert body["portfolios"] == {
        "total": 3,
        "by_status": {"running": 1, "error": 1, "unreported": 1},
        "by_desired_state": {"running": 2, "stopped": 1},
        "not_running": ["P2"],
    }
    # Counted by when they were recorded (both just now), whatever their event times.
    assert body["throughput"] == {"window_seconds": 60, "orders": 2, "fills": 2}
    assert body["drops"] == {"total": 7, "by_portfolio": {"P1": 5, "P2": 2}}
    assert body["alerts"] == {
        "window_seconds": 3600,
        "notices": 2,
        "occurrences": 4,
        "by_level": {
            "warning": {"notices": 1, "occurrences": 3},
            "critical": {"notices": 1, "occurrences": 1},
        },
    }


def test_rates_count_orders_and_fills_by_when_they_were_recorded_not_their_event_time(
    redis_client,
):
    announce(redis_client, "n1", portfolios=["P1"])
    p1 = portfolio(redis_client, "P1", node="n1")
    replayed = datetime(2012, 3, 5, 14, 30, tzinfo=UTC)  # a replay's event time
    for number in (1, 2, 3):
        trade(p1, number, price="100", at=replayed)
    stale = trade(p1, 4, price="100")  # its event time is now, but it was recorded long ago
    Order.objects.filter(pk=stale.order_id).update(recorded_at=NOW - timedelta(minutes=5))
    Fill.objects.filter(pk=stale.pk).update(recorded_at=NOW - timedelta(minutes=5))

    summary = client_for("viewer").get("/api/metrics/summary").json()
    dashboard = client_for("viewer").get("/dashboard/data").json()

    assert summary["throughput"] == {"window_seconds": 60, "orders": 3, "fills": 3}
    assert dashboard["summary"]["throughput"] == summary["throughput"]


def test_a_dead_nodes_last_report_is_not_shown_and_gone_nodes_are_forgotten_in_time(
    redis_client, settings
):
    settings.GINKGO_NODE_FORGET_AFTER = 60
    announce(redis_client, "n1", portfolios=["P1"])
    # n2 died 10 s ago; its info hash still says what it ran then.
    announce(redis_client, "n2", portfolios=["P2", "P3"])
    redis_client.delete(heartbeat_key("n2"))
    dead_node("n2", gone=timedelta(seconds=10))
    dead_node("n3", status="left", gone=timedelta(seconds=30))
    dead_node("n4", gone=timedelta(seconds=61))
    dead_node("n5", status="left", gone=timedelta(hours=5))
    client = client_for("viewer")

    summary = client.get("/api/metrics/summary").json()["nodes"]
    dashboard = client.get("/dashboard/data").json()["nodes"]
    nodes = client.get("/api/nodes/").json()
    everything = client.get("/api/nodes/?all=1").json()

    shown = {row["node_id"]: (row["status"], row["portfolios"]) for row in summary["items"]}
    assert shown == {"n1": ("active", 1), "n2": ("dead", 0), "n3": ("left", 0)}
    assert (summary["alive"], summary["dead"], summary["left"]) == (1, 1, 1)
    rows = {row["node_id"]: row for row in dashboard}
    assert rows.keys() == shown.keys()
    assert (rows["n2"]["portfolio_ids"], rows["n2"]["throughput"]) == ([], None)
    assert [row["node_id"] for row in nodes["results"]] == ["n1", "n2", "n3"]
    assert {row["node_id"]: row["forgotten"] for row in everything["results"]} == {
        "n1": False,
        "n2": False,
        "n3": False,
        "n4": True,
        "n5": True,
    }
    assert everything["count"] == 5


def test_notices_are_listed_latest_first_and_filtered(redis_prefix):
    old = notice("node.dead", "critical", age=timedelta(hours=3), node_id="n2")
    queue = notice("queue.warning", "warning", age=timedelta(minutes=5), portfolio_id="P1")
    risk = notice("risk.kill_switch", "critical", portfolio_id="P2", node_id="n1")
    client = client_for("viewer")

    def ids(query: str) -> list[int]:
        response = client.get(f"/api/notices/{query}")
        assert response.status_code == 200, response.json()
        return [row["id"] for row in response.json()["results"]]

    assert ids("") == [risk.pk, queue.pk, old.pk]
    assert ids("?level=critical") == [risk.pk, old.pk]
    assert ids("?kind=queue.warning") == [queue.pk]
    assert ids("?portfolio=P2") == [risk.pk]
    assert ids("?node=n2") == [old.pk]
    since = (NOW - timedelta(hours=1)).isoformat().replace("+00:00", "Z")
    assert ids(f"?since={since}") == [risk.pk, queue.pk]
    page = client.get("/api/notices/?limit=1").json()
    assert (page["count"], len(page["results"])) == (3, 1)
    assert page["results"][0]["count"] == 1 and "last_event_ns" not in page["results"][0]


def test_notices_reject_an_unknown_level(redis_prefix):
    response = client_for("viewer").get("/api/notices/?level=loud")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


def test_dashboard_data_has_nodes_portfolios_with_equity_and_the_recent_activity(stack):
    notice("queue.warning", "warning", portfolio_id="P1")

    response = client_for("viewer").get("/dashboard/data")

    assert response.status_code == 200
    body = response.json()
    assert [n["node_id"] for n in body["nodes"]] == ["n1", "n2"]
    assert (body["nodes"][0]["throughput"], body["nodes"][0]["dropped"]) == (42.5, 7)
    p1, p2, p3 = body["portfolios"]
    assert (p1["status"], p1["node"], p1["version"], p1["queue_size"]) == ("running", "n1", 3, 10)
    # Bought 10 at 100, then 10 at 110 (the mark): cash 97,900 + 20 x 110.
    assert (p1["equity"], p1["pnl"]) == (100_100.0, 100.0)
    assert p1["positions"] == [{"symbol": "AAA", "quantity": 20.0, "unrealised_pnl": 100.0}]
    assert (p2["status"], p3["status"]) == ("error", "unreported")
    assert [o["client_order_id"] for o in body["orders"]] == ["P1-1-2", "P1-1-1"]
    assert [f["fill_id"] for f in body["fills"]] == ["P1-F2", "P1-F1"]
    assert [n["kind"] for n in body["notices"]] == ["queue.warning"]
    assert body["summary"]["drops"]["total"] == 7


def test_metrics_exposes_every_series_and_the_live_node_state(stack):
    PORTFOLIO_ORDERS.labels("P1").inc()

    response = Client().get("/metrics")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    for series in (
        "ginkgo_portfolio_updates_routed_total",
        "ginkgo_portfolio_queue_depth",
        "ginkgo_portfolio_dropped_total",
        "ginkgo_portfolio_processing_seconds",
        "ginkgo_portfolio_signals_total",
        "ginkgo_portfolio_fills_total",
        "ginkgo_portfolio_risk_blocks_total",
        "ginkgo_portfolio_errors_total",
        "ginkgo_livecore_orders_total",
        "ginkgo_livecore_fills_total",
        "ginkgo_livecore_fill_latency_seconds",
        "ginkgo_dead_letters_total",
        "ginkgo_scheduler_runs_total",
        "ginkgo_scheduler_moves_total",
        "ginkgo_scheduler_failovers_total",
        "ginkgo_notices_total",
        "ginkgo_notice_deliveries_total",
    ):
        assert f"# TYPE {series} " in text, series
    assert 'ginkgo_portfolio_orders_total{portfolio_id="P1"}' in text
    assert 'ginkgo_node_alive{node_id="n1"} 1.0' in text
    assert 'ginkgo_node_alive{node_id="n2"} 0.0' in text
    assert 'ginkgo_node_portfolios{node_id="n1"} 2.0' in text
    assert 'ginkgo_node_heartbeat_age_seconds{node_id="n1"}' in text
    assert 'ginkgo_portfolios{status="unreported"} 1.0' in text
    assert "ginkgo_live_state_up 1.0" in text
