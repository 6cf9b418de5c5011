"""Upstream: (entry point: pytest, imported by the storage tests)
Downstream: tests.integration.rows, trading.core.testing.builders, trading.models
Role: rows the storage tests need: portfolios, and orders with their fills at chosen times."""

from datetime import datetime, timedelta
from decimal import Decimal

from tests.integration.rows import filled_order
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
    return filled_order(
        owner,
        client_order_id=f"{owner.pk}-{number}",
        fill_id=f"{owner.pk}-F{number}",
        side=side,
        quantity=quantity,
        price=price,
        symbol=symbol,
        at=at or T0 + timedelta(days=number, microseconds=number),
        commission=commission,
    )
