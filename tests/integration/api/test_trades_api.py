"""Upstream: (entry point: pytest)
Downstream: tests.integration.api.factories, trading.models
Role: positions, equity curve, orders and fills of a portfolio, rebuilt from the stored fills."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from tests.integration.api.factories import client_for, make_fill, make_portfolio
from trading import models

pytestmark = pytest.mark.django_db


@pytest.fixture
def traded() -> None:
    """alpha (capital 100000): buy 10 AAPL @100, buy 10 AAPL @110, sell 5 AAPL @120, buy 2 MSFT @50."""
    portfolio = make_portfolio("alpha")
    make_fill(portfolio, 1, price="100")
    make_fill(portfolio, 2, price="110")
    make_fill(portfolio, 3, side="sell", quantity="5", price="120")
    make_fill(portfolio, 4, quantity="2", price="50", symbol="MSFT")


def test_positions_are_rebuilt_from_fills_and_marked_at_the_last_fill(traded, redis_prefix):
    body = client_for("viewer").get("/api/portfolio/alpha/positions").json()

    aapl, msft = body["positions"]
    assert aapl["symbol"] == "AAPL"
    assert Decimal(aapl["quantity"]) == 15
    assert Decimal(aapl["avg_price"]) == 105
    assert Decimal(aapl["mark"]) == 120
    assert Decimal(aapl["realised_pnl"]) == 75
    assert Decimal(aapl["unrealised_pnl"]) == 225
    assert Decimal(msft["market_value"]) == 100
    assert Decimal(body["cash"]) == 100000 - 1000 - 1100 + 600 - 100
    assert Decimal(body["equity"]) == Decimal(body["cash"]) + 15 * 120 + 2 * 50
    assert body["as_of"] == "2026-01-04T15:00:00Z"
    assert body["source"] == "database"


def test_positions_come_from_redis_once_the_hot_tier_holds_them(traded, redis_prefix):
    client = client_for("viewer")
    client.get("/api/portfolio/alpha/positions")  # a read from the database re-warms Redis
    make_fill(models.Portfolio.objects.get(pk="alpha"), 5, price="130")  # not applied in Redis

    body = client.get("/api/portfolio/alpha/positions").json()

    assert body["source"] == "redis"
    aapl = body["positions"][0]
    assert Decimal(aapl["quantity"]) == 15
    assert Decimal(aapl["mark"]) == 130


def test_a_portfolio_without_fills_holds_its_capital(redis_prefix):
    make_portfolio("alpha")

    body = client_for("viewer").get("/api/portfolio/alpha/positions").json()

    assert body["positions"] == []
    assert Decimal(body["equity"]) == 100000
    assert body["as_of"] is None


def test_equity_curve_has_a_point_per_fill_time(traded, redis_prefix):
    body = client_for("viewer").get("/api/portfolio/alpha/equity").json()

    points = body["points"]
    assert [p["time"][:10] for p in points] == [
        "2026-01-01",
        "2026-01-02",
        "2026-01-03",
        "2026-01-04",
    ]
    assert Decimal(points[0]["equity"]) == 100000
    # Marked at 110 after the second buy, the first lot has gained 100.
    assert Decimal(points[1]["equity"]) == 100100
    assert Decimal(points[-1]["equity"]) == Decimal(
        client_for("viewer").get("/api/portfolio/alpha/positions").json()["equity"]
    )


def test_fills_at_the_same_time_make_one_equity_point():
    portfolio = make_portfolio("alpha")
    when = datetime(2026, 2, 1, tzinfo=UTC)
    make_fill(portfolio, 1, at=when)
    make_fill(portfolio, 2, at=when, symbol="MSFT")

    points = client_for("viewer").get("/api/portfolio/alpha/equity").json()["points"]

    assert len(points) == 1


def test_fills_are_paginated_in_execution_order_and_filtered_by_symbol_and_time(traded):
    client = client_for("viewer")

    page = client.get("/api/portfolio/alpha/fills?limit=2").json()
    msft = client.get("/api/portfolio/alpha/fills?symbol=MSFT").json()
    window = client.get(
        "/api/portfolio/alpha/fills?since=2026-01-02T00:00:00Z&until=2026-01-03T15:00:00Z"
    ).json()

    assert page["count"] == 4
    assert [f["fill_id"] for f in page["results"]] == ["F1", "F2"]
    assert [f["fill_id"] for f in msft["results"]] == ["F4"]
    assert [f["fill_id"] for f in window["results"]] == ["F2"]


def test_orders_are_newest_first_and_filtered_by_status_and_symbol(traded):
    client = client_for("viewer")

    orders = client.get("/api/portfolio/alpha/orders").json()
    aapl = client.get("/api/portfolio/alpha/orders?symbol=AAPL&status=filled").json()
    none = client.get("/api/portfolio/alpha/orders?status=rejected").json()

    assert [o["client_order_id"] for o in orders["results"]] == [
        "alpha-1-4",
        "alpha-1-3",
        "alpha-1-2",
        "alpha-1-1",
    ]
    assert aapl["count"] == 3
    assert none["count"] == 0


def test_bad_time_filter_is_a_400_naming_it(traded):
    response = client_for("viewer").get("/api/portfolio/alpha/fills?since=yesterday")

    assert response.status_code == 400
    assert "since" in response.json()["error"]["fields"]


def test_trades_of_an_unknown_portfolio_are_a_404(redis_prefix):
    client = client_for("viewer")

    statuses = {
        client.get(f"/api/portfolio/ghost/{what}").status_code
        for what in ("positions", "orders", "fills", "equity")
    }

    assert statuses == {404}
