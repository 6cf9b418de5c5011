"""Upstream: trading.core.testing.random_walk
Downstream: trading.core.enums, trading.core.market, trading.core.orders.events, trading.core.orders.order
Role: terse builders of bars, ticks, orders and fills for tests (strings for Decimals, defaults for the rest)."""

from datetime import UTC, datetime
from decimal import Decimal

from trading.core.enums import OrderType, Side, TimeInForce
from trading.core.market import Bar, Tick
from trading.core.orders.events import Fill
from trading.core.orders.order import Order

T0 = datetime(2024, 1, 2, tzinfo=UTC)
Num = str | int | Decimal


def utc(text: str) -> datetime:
    """An aware UTC datetime from ISO text: ``utc("2024-01-02T10:00")``."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def bar(
    close: Num,
    *,
    symbol: str = "AAA",
    open: Num | None = None,
    high: Num | None = None,
    low: Num | None = None,
    volume: Num = 1000,
    time: datetime = T0,
) -> Bar:
    """A bar; open defaults to close, high/low to the extremes of open and close."""
    c = Decimal(close)
    o = Decimal(open) if open is not None else c
    return Bar(
        symbol=symbol,
        open=o,
        high=Decimal(high) if high is not None else max(o, c),
        low=Decimal(low) if low is not None else min(o, c),
        close=c,
        volume=Decimal(volume),
        time=time,
    )


def tick(price: Num, *, symbol: str = "AAA", size: Num = 100, time: datetime = T0) -> Tick:
    """A trade tick."""
    return Tick(symbol, Decimal(price), Decimal(size), time)


def order(
    side: Side = Side.BUY,
    quantity: Num = 10,
    *,
    order_type: OrderType = OrderType.MARKET,
    limit: Num | None = None,
    stop: Num | None = None,
    time_in_force: TimeInForce = TimeInForce.GTC,
    expire_at: datetime | None = None,
    symbol: str = "AAA",
    client_order_id: str = "P1-0-1",
    created_at: datetime = T0,
) -> Order:
    """An order; pass ``limit``/``stop`` with the matching ``order_type``."""
    return Order(
        client_order_id=client_order_id,
        portfolio_id="P1",
        symbol=symbol,
        side=side,
        quantity=Decimal(quantity),
        created_at=created_at,
        order_type=order_type,
        limit_price=Decimal(limit) if limit is not None else None,
        stop_price=Decimal(stop) if stop is not None else None,
        time_in_force=time_in_force,
        expire_at=expire_at,
    )


def fill(
    side: Side = Side.BUY,
    quantity: Num = 10,
    price: Num = 100,
    *,
    commission: Num = 0,
    fill_id: str = "F-1",
    client_order_id: str = "P1-0-1",
    symbol: str = "AAA",
    time: datetime = T0,
) -> Fill:
    """A fill."""
    return Fill(
        fill_id=fill_id,
        client_order_id=client_order_id,
        symbol=symbol,
        side=side,
        quantity=Decimal(quantity),
        price=Decimal(price),
        commission=Decimal(commission),
        time=time,
    )
