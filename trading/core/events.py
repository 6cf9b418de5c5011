"""Upstream: trading.core.backtest.engine, trading.core.orders.book, trading.core.pipeline, trading.core.risk.engine, trading.node.processor
Downstream: trading.core.enums, trading.core.orders.events, trading.core.orders.order, trading.core.signals
Role: domain events a portfolio pipeline records for its callers (orders sent or blocked, fills applied, errors, halts)."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from trading.core.enums import RiskState
from trading.core.orders.events import ExecutionReport
from trading.core.orders.order import Order
from trading.core.signals import Signal


@dataclass(frozen=True, slots=True)
class OrderSubmitted:
    """The order passed every risk manager and must now be sent to the venue."""

    portfolio_id: str
    order: Order


@dataclass(frozen=True, slots=True)
class OrderBlocked:
    """A risk rule stopped the order; ``blocked_by`` names the rule."""

    portfolio_id: str
    order: Order
    reason: str
    blocked_by: str


@dataclass(frozen=True, slots=True)
class SignalDropped:
    """A signal led to no order (an order for the symbol is pending, nothing to trade, ...)."""

    portfolio_id: str
    signal: Signal
    reason: str


@dataclass(frozen=True, slots=True)
class OrderPartiallyFilled:
    """A fill left part of the order open."""

    portfolio_id: str
    client_order_id: str
    fill_id: str
    filled_quantity: Decimal
    leaves_quantity: Decimal
    avg_price: Decimal
    time: datetime


@dataclass(frozen=True, slots=True)
class OrderFilled:
    """A fill completed the order."""

    portfolio_id: str
    client_order_id: str
    fill_id: str
    filled_quantity: Decimal
    avg_price: Decimal
    time: datetime


@dataclass(frozen=True, slots=True)
class PositionClosed:
    """A position went back to flat (or flipped): one round trip ended.

    ``realised_pnl`` is the trip's price P&L net of the commissions paid during the trip.
    """

    portfolio_id: str
    symbol: str
    realised_pnl: Decimal
    time: datetime


@dataclass(frozen=True, slots=True)
class OrderReportIgnored:
    """A venue report that does not fit the order's state (late, duplicated or unknown order).

    Fills are still booked into the portfolio: an execution is a fact even when its order
    bookkeeping disagrees.
    """

    portfolio_id: str
    report: ExecutionReport
    reason: str


@dataclass(frozen=True, slots=True)
class StrategyErrored:
    """The strategy raised; the pipeline stops feeding it, the rest of the portfolio runs on."""

    portfolio_id: str
    strategy: str
    error: str
    time: datetime


@dataclass(frozen=True, slots=True)
class RiskHalted:
    """A kill switch tripped: only position-reducing orders pass until an explicit reset."""

    portfolio_id: str
    reason: str
    time: datetime


@dataclass(frozen=True, slots=True)
class RiskStateChanged:
    """The risk state was changed by hand (operator action or reset)."""

    portfolio_id: str
    previous: RiskState
    state: RiskState
    reason: str
    time: datetime


DomainEvent = (
    OrderSubmitted
    | OrderBlocked
    | SignalDropped
    | OrderPartiallyFilled
    | OrderFilled
    | PositionClosed
    | OrderReportIgnored
    | StrategyErrored
    | RiskHalted
    | RiskStateChanged
)
