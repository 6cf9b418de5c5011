"""Upstream: (entry point: pytest)
Downstream: monitoring.models, tests.e2e.chromium, tests.integration.monitoring.kit
Role: the dashboard in headless Chromium (selenium + chromedriver): log in through the admin form, see the seeded stack's nodes, portfolios, equity charts and notices, and keep a screenshot."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model

from monitoring.models import Notice
from tests.e2e.chromium import HEIGHT, WIDTH, browser, log_in, png_size, screenshot, wait_for
from tests.integration.monitoring.kit import (
    announce,
    dead_node,
    portfolio,
    trade,
)

__all__ = ["browser"]

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


@pytest.fixture
def stack(redis_client):
    """An operator, three nodes (n2 dead, n3 left), three portfolios (P1 trading, P2 in error, P3
    stopped) and a notice: what a running stack leaves in PostgreSQL and Redis."""
    get_user_model().objects.create_superuser("ops", "ops@example.com", PASSWORD)
    announce(redis_client, "n1", portfolios=["P1", "P2"])
    dead_node("n2")
    dead_node("n3", status="left")
    p1 = portfolio(redis_client, "P1", node="n1", queue_size=420, dropped=3)
    portfolio(redis_client, "P2", node="n1", status="error")
    portfolio(redis_client, "P3")
    now = datetime.now(UTC)
    trade(p1, 1, price="100", at=now - timedelta(hours=3))
    trade(p1, 2, price="104", at=now - timedelta(hours=2))
    trade(p1, 3, price="110", side="sell", at=now - timedelta(hours=1))
    Notice.objects.create(
        kind="node.dead",
        level="critical",
        node_id="n2",
        message="node n2: heartbeat expired, the node is dead",
        first_seen=now,
        last_seen=now,
        last_event_ns=0,
    )


# Read in one script run: the page redraws its tables every poll, and elements found in one
# call could be replaced before the next.
SNAPSHOT = """
const rows = (table, key) => Object.fromEntries(
  [...document.querySelectorAll(`#${table} tbody tr[${key}]`)].map(r => [r.getAttribute(key), r.innerText]));
const text = (selector) => [...document.querySelectorAll(selector)].map(e => e.textContent);
return {
  connection: text("#connection"),
  error_hidden: document.getElementById("error").hidden,
  nodes_alive: text("#sum-nodes-alive"),
  nodes_gone: text("#sum-nodes-dead"),
  portfolios_running: text("#sum-portfolios-running"),
  nodes: rows("nodes-table", "data-node-id"),
  portfolios: rows("portfolios-table", "data-portfolio-id"),
  statuses: Object.fromEntries([...document.querySelectorAll("#portfolios-table tbody tr")]
    .map(r => [r.dataset.portfolioId, r.dataset.status])),
  chart_lines: document.querySelectorAll("#equity-charts svg path").length,
  fills: document.querySelectorAll("#fills-table tbody tr").length,
  notices: text("#notices-table tbody tr[data-kind='node.dead'] td.message"),
};
"""


def test_an_operator_logs_in_and_sees_the_running_stack(live_server, browser, stack, tmp_path):
    log_in(browser, f"{live_server.url}/dashboard/", "ops", PASSWORD)

    wait_for(browser, "body[data-loaded=true]")
    wait_for(browser, "svg[data-portfolio-id=P1][data-points='3']")
    shot = screenshot(browser, tmp_path / "dashboard.png")

    page = browser.execute_script(SNAPSHOT)

    assert browser.current_url == f"{live_server.url}/dashboard/"
    assert (page["connection"], page["error_hidden"]) == (["live"], True)
    assert (page["nodes_alive"], page["portfolios_running"]) == (["1"], ["1"])
    assert page["nodes_gone"] == ["1 dead, 1 left"]
    assert set(page["nodes"]) == {"n1", "n2", "n3"}
    assert "healthy" in page["nodes"]["n1"] and "P1, P2" in page["nodes"]["n1"]
    assert "42.5" in page["nodes"]["n1"]
    assert "dead" in page["nodes"]["n2"] and "left" in page["nodes"]["n3"]
    assert page["statuses"] == {"P1": "running", "P2": "error", "P3": "unreported"}
    p1 = page["portfolios"]["P1"]
    # Bought 10 at 100 and 10 at 104, sold 10 at 110: cash 99,060 + 10 x 110.
    assert "100,160.00" in p1 and "+160.00" in p1 and "AAA 10" in p1 and "420" in p1
    assert page["chart_lines"] == 1
    assert page["fills"] == 3
    assert page["notices"] == ["node n2: heartbeat expired, the node is dead"]
    assert shot.stat().st_size > 30_000
    width, height = png_size(shot)
    assert width == WIDTH and height > HEIGHT // 2
