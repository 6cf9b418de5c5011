"""Upstream: (entry point: pytest, imported by the storage tests)
Downstream: trading.core.testing.builders, trading.models
Role: rows the storage tests need: portfolios, and orders with their fills at chosen times."""

from datetime import datetime, timedelta
from decimal import Decimal

from trading import models
from trading.core.testing.builders import T0


def portfolio(portfolio_id: str = "alpha", capital: str = "100000") -> models.Portfolio:
    return models.Portfolio.objects.create(
        portfolio_id=portfolio_id,
        name=portfolio_id,
        symbols=["AAPL", "MSFT"],
        initial_capital=Decimal(capital),
        strategy={"name": "sma_cross", "params": {}},
    )


def fill(
    owner: models.Portfolio,
    number: int,
    *,
    side: str = "buy",
    quantity: str = "10",
    price: str = "100",
    commission: str = "1",
    symbol: str = "AAPL",
    at: datetime | None = None,
) -> models.Fill:
    """Order ``{portfolio}-{number}`` and its one fill ``{portfolio}-F{number}``, executed at
    ``at`` (default: ``number`` days after 2024-01-02, with microseconds)."""
    when = at or T0 + timedelta(days=number, microseconds=number)
    order = models.Order.objects.create(
        client_order_id=f"{owner.pk}-{number}",
        portfolio=owner,
        symbol=symbol,
        side=side,
        order_type="market",
        quantity=Decimal(quantity),
        time_in_force="gtc",
        status="filled",
        filled_quantity=Decimal(quantity),
        average_price=Decimal(price),
        created_at=when,
    )
    return models.Fill.objects.create(
        fill_id=f"{owner.pk}-F{number}",
        order=order,
        portfolio=owner,
        symbol=symbol,
        side=side,
        quantity=Decimal(quantity),
        price=Decimal(price),
        commission=Decimal(commission),
        executed_at=when,
    )
