"""Upstream: (entry point: pytest, imported by the api and storage test factories)
Downstream: trading.models
Role: a filled market order and its one fill as database rows, the record several test factories build on."""

from datetime import datetime
from decimal import Decimal

from trading import models


def filled_order(
    owner: models.Portfolio,
    *,
    client_order_id: str,
    fill_id: str,
    side: str,
    quantity: str,
    price: str,
    symbol: str,
    at: datetime,
    commission: str = "0",
) -> models.Fill:
    """Order ``client_order_id`` (market, filled) and its fill ``fill_id``, executed at ``at``."""
    order = models.Order.objects.create(
        client_order_id=client_order_id,
        portfolio=owner,
        symbol=symbol,
        side=side,
        order_type="market",
        quantity=Decimal(quantity),
        time_in_force="gtc",
        status="filled",
        filled_quantity=Decimal(quantity),
        average_price=Decimal(price),
        created_at=at,
    )
    return models.Fill.objects.create(
        fill_id=fill_id,
        order=order,
        portfolio=owner,
        symbol=symbol,
        side=side,
        quantity=Decimal(quantity),
        price=Decimal(price),
        commission=Decimal(commission),
        executed_at=at,
    )
