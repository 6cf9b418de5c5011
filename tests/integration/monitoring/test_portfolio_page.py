"""Upstream: (entry point: pytest)
Downstream: tests.integration.api.factories, tests.integration.monitoring.live_twin, trading.core.testing.random_walk, trading.models, trading.redis_store
Role: the dashboard's portfolio page and its data against PostgreSQL and Redis: the live equity, the backtest twin over the same stored bars, the first divergence, permissions."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tests.integration.api.factories import client_for
from tests.integration.monitoring.live_twin import DRIFT, live_portfolio
from trading.core.testing.random_walk import random_walk
from trading.models import Portfolio
from trading.redis_store import portfolio_status_key

pytestmark = pytest.mark.django_db

BARS = list(random_walk(300, seed=11, symbol="AAPL", volatility=0.02))


@pytest.fixture(autouse=True)
def sql_bar_store(request, settings) -> None:
    """The SQL bar store (rolled back with each test), unless the test asks for each store."""
    if "bar_store_kind" not in request.fixturenames:
        settings.CLICKHOUSE_URL = ""


def _data(portfolio_id: str = "P1", role: str = "viewer") -> dict:
    response = client_for(role).get(f"/dashboard/portfolios/{portfolio_id}/data")
    assert response.status_code == 200, response.content
    return response.json()


def test_a_portfolio_that_traded_as_its_backtest_has_no_divergence(redis_client, bar_store_kind):
    _, backtest = live_portfolio(redis_client, "P1", BARS)

    data = _data()
    twin = data["twin"]

    assert twin["span_from"] == "live status"
    assert twin["bars"] == len(BARS) == len(twin["t"]) == len(twin["v"])
    assert len(twin["fills"]) == len(data["fills"]) == backtest.trade_count > 10
    assert twin["comparison"] == {
        "equal": True,
        "live": backtest.trade_count,
        "twin": backtest.trade_count,
        "matched": backtest.trade_count,
        "divergence": None,
    }
    assert twin["v"][-1] == pytest.approx(float(backtest.final_value))
    assert twin["statistics"]["return"] == pytest.approx(backtest.total_return)


def test_the_first_fill_that_differs_is_the_divergence(redis_client):
    _, backtest = live_portfolio(redis_client, "P1", BARS, drift_at=4)

    comparison = _data()["twin"]["comparison"]
    divergence = comparison["divergence"]

    drifted = backtest.trades[4]
    assert (comparison["equal"], comparison["matched"]) == (False, 4)
    assert divergence["index"] == 4
    assert divergence["t"] == int(drifted.time.timestamp() * 1000)
    assert divergence["live"]["price"] == f"{(drifted.price + DRIFT).normalize():f}"
    assert divergence["replayed"]["price"] == f"{drifted.price.normalize():f}"


def test_live_equity_steps_at_each_fill_and_positions_orders_and_fills_are_listed(redis_client):
    live_portfolio(redis_client, "P1", BARS, live_until=3)

    data = _data()

    # Bought, sold, bought: one position open, three fills, three orders.
    assert len(data["live"]["t"]) == len(data["fills"]) == len(data["orders"]) == 3
    assert data["live"]["source"] == "fills"
    assert [p["symbol"] for p in data["positions"]["positions"]] == ["AAPL"]
    assert data["portfolio"]["live"]["node"] == "n1"
    assert data["twin"]["comparison"]["divergence"]["index"] == 3


def test_without_a_live_span_the_twin_runs_over_every_stored_bar(redis_client):
    live_portfolio(redis_client, "P1", BARS)
    redis_client.hdel(portfolio_status_key("P1"), "first_event_time", "last_event_time")

    twin = _data()["twin"]

    assert twin["span_from"] == "stored bars"
    assert twin["bars"] == len(BARS)


def test_without_stored_bars_the_page_says_there_is_nothing_to_compare_with(redis_client):
    Portfolio.objects.create(
        portfolio_id="P2",
        name="empty",
        symbols=["ZZZ"],
        initial_capital=100_000,
        strategy={"name": "sma_cross", "params": {}},
    )

    data = _data("P2")

    assert data["twin"]["problem"] == "no stored bars of its symbols"
    assert "comparison" not in data["twin"]
    assert data["live"]["t"] == [] and data["fills"] == []


def test_an_unknown_portfolio_is_a_404_and_anonymous_is_refused(redis_client):
    assert client_for("viewer").get("/dashboard/portfolios/ghost/data").status_code == 404
    assert client_for(None).get("/dashboard/portfolios/ghost/data").status_code == 401


def test_the_page_needs_a_login_and_names_its_data(redis_client):
    live_portfolio(redis_client, "P1", BARS, live_until=2)
    browser = Client()

    anonymous = browser.get("/dashboard/portfolios/P1/")
    browser.force_login(get_user_model().objects.create_superuser("ops", "ops@example.com", "x"))
    page = browser.get("/dashboard/portfolios/P1/")
    missing = browser.get("/dashboard/portfolios/ghost/")

    assert anonymous.status_code == 302 and "/admin/login/" in anonymous["Location"]
    assert page.status_code == 200
    assert b'data-data-url="/dashboard/portfolios/P1/data"' in page.content
    assert b"trading/charts.js" in page.content
    assert missing.status_code == 404


def test_the_dashboard_links_each_portfolio_to_its_page(redis_client):
    live_portfolio(redis_client, "P1", BARS, live_until=2)

    data = client_for("viewer").get("/dashboard/data").json()

    assert [p["url"] for p in data["portfolios"]] == ["/dashboard/portfolios/P1/"]
