"""Upstream: bench.node_latency, bench.storage, trading.bus.mapping, trading.core.accounting.buying_power, trading.core.accounting.portfolio, trading.core.backtest.compare, trading.core.backtest.engine, trading.core.backtest.result, trading.core.events, trading.core.matching.engine, trading.core.orders.book, trading.core.orders.state, trading.core.pipeline, trading.core.testing.builders, trading.core.testing.harness, trading.livecore.engine, trading.livecore.feedback, trading.livecore.gateway, trading.livecore.paper, trading.node.loader, trading.node.processor, trading.node.sequencer, trading.selectors.trades, trading.services.orders, trading.services.portfolio_state
Downstream: trading.core.enums
Role: execution reports a venue sends back about an order: accepted, rejected, cancelled, expired, and fills."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from trading.core.enums import Side


@dataclass(frozen=True, slots=True)
class OrderAccepted:
    """The venue took the order and it is working."""

    client_order_id: str
    time: datetime


@dataclass(frozen=True, slots=True)
class OrderRejected:
    """The venue refused the order."""

    client_order_id: str
    reason: str
    time: datetime


@dataclass(frozen=True, slots=True)
class OrderCancelled:
    """The order's unfilled rest was withdrawn."""

    client_order_id: str
    time: datetime
    reason: str = ""


@dataclass(frozen=True, slots=True)
class OrderExpired:
    """The order's time in force ran out before it filled completely."""

    client_order_id: str
    time: datetime


@dataclass(frozen=True, slots=True)
class Fill:
    """One execution; ``fill_id`` is unique, so applying the same fill twice is a no-op."""

    fill_id: str
    client_order_id: str
    symbol: str
    side: Side
    quantity: Decimal
    price: Decimal
    commission: Decimal
    time: datetime


OrderStatusReport = OrderAccepted | OrderRejected | OrderCancelled | OrderExpired
ExecutionReport = OrderStatusReport | Fill
