"""Upstream: bench.gateway_throughput, trading.livecore.datamanager, trading.livecore.engine, trading.livecore.feedback, trading.node.output, trading.node.processor, trading.node.runtime
Downstream: trading.bus.codec, trading.bus.messages, trading.core.market, trading.core.orders.events, trading.core.orders.order
Role: maps the core's domain objects (bars, ticks, orders, execution reports) to bus messages and back."""

from decimal import Decimal

from trading.bus.codec import from_ns, to_ns
from trading.bus.messages import (
    FillReport,
    OrderAcceptedReport,
    OrderCancelledReport,
    OrderExpiredReport,
    OrderFilledReport,
    OrderPartiallyFilledReport,
    OrderRejectedReport,
    OrderSubmit,
    PriceBar,
    PriceMessage,
    PriceTick,
)
from trading.core.market import Bar, PriceUpdate, Tick
from trading.core.orders.events import (
    ExecutionReport,
    Fill,
    OrderAccepted,
    OrderCancelled,
    OrderExpired,
    OrderRejected,
    OrderStatusReport,
)
from trading.core.orders.order import Order

StatusMessage = (
    OrderAcceptedReport | OrderRejectedReport | OrderCancelledReport | OrderExpiredReport
)
ReportMessage = StatusMessage | FillReport


def price_message(update: PriceUpdate, source: str = "") -> PriceMessage:
    """The message of a bar or tick; ``ts`` is its event time."""
    if isinstance(update, Bar):
        return PriceBar(
            ts=to_ns(update.time),
            source=source,
            symbol=update.symbol,
            open=update.open,
            high=update.high,
            low=update.low,
            close=update.close,
            volume=update.volume,
            interval=update.interval,
        )
    return PriceTick(
        ts=to_ns(update.time),
        source=source,
        symbol=update.symbol,
        price=update.price,
        size=update.size,
    )


def price_update(message: PriceMessage) -> PriceUpdate:
    """The core's Bar or Tick of a price message."""
    time = from_ns(message.ts)
    if isinstance(message, PriceBar):
        return Bar(
            message.symbol,
            message.open,
            message.high,
            message.low,
            message.close,
            message.volume,
            time,
            message.interval,
        )
    return Tick(message.symbol, message.price, message.size, time)


def order_message(order: Order, source: str = "") -> OrderSubmit:
    """The submission message of an order; ``ts`` is its ``created_at``."""
    return OrderSubmit(
        ts=to_ns(order.created_at),
        source=source,
        client_order_id=order.client_order_id,
        portfolio_id=order.portfolio_id,
        symbol=order.symbol,
        side=order.side,
        quantity=order.quantity,
        order_type=order.order_type,
        limit_price=order.limit_price,
        stop_price=order.stop_price,
        time_in_force=order.time_in_force,
        expire_at=to_ns(order.expire_at) if order.expire_at is not None else None,
        tag=order.tag,
    )


def order_from_message(message: OrderSubmit) -> Order:
    """The core Order; raises trading.core.errors.OrderError when the order is inconsistent."""
    return Order(
        client_order_id=message.client_order_id,
        portfolio_id=message.portfolio_id,
        symbol=message.symbol,
        side=message.side,
        quantity=message.quantity,
        created_at=from_ns(message.ts),
        order_type=message.order_type,
        limit_price=message.limit_price,
        stop_price=message.stop_price,
        time_in_force=message.time_in_force,
        expire_at=from_ns(message.expire_at) if message.expire_at is not None else None,
        tag=message.tag,
    )


def status_message(report: OrderStatusReport, portfolio_id: str, source: str = "") -> StatusMessage:
    """The feedback message of an acknowledgement, rejection, cancellation or expiry."""
    common = {
        "ts": to_ns(report.time),
        "source": source,
        "client_order_id": report.client_order_id,
        "portfolio_id": portfolio_id,
    }
    if isinstance(report, OrderAccepted):
        return OrderAcceptedReport(**common)
    if isinstance(report, OrderRejected):
        return OrderRejectedReport(**common, reason=report.reason)
    if isinstance(report, OrderCancelled):
        return OrderCancelledReport(**common, reason=report.reason)
    return OrderExpiredReport(**common)


def fill_message(
    fill: Fill,
    *,
    portfolio_id: str,
    filled_quantity: Decimal,
    leaves_quantity: Decimal,
    avg_price: Decimal,
    source: str = "",
) -> FillReport:
    """The feedback message of a fill, with the order's totals after it; a fill that leaves
    nothing is an ``order.filled``, any other an ``order.partially_filled``."""
    kind = OrderPartiallyFilledReport if leaves_quantity else OrderFilledReport
    return kind(
        ts=to_ns(fill.time),
        source=source,
        client_order_id=fill.client_order_id,
        portfolio_id=portfolio_id,
        fill_id=fill.fill_id,
        symbol=fill.symbol,
        side=fill.side,
        quantity=fill.quantity,
        price=fill.price,
        commission=fill.commission,
        filled_quantity=filled_quantity,
        leaves_quantity=leaves_quantity,
        avg_price=avg_price,
    )


def report_from_message(message: ReportMessage) -> ExecutionReport:
    """The core execution report of a feedback message (what a portfolio applies)."""
    time = from_ns(message.ts)
    coid = message.client_order_id
    if isinstance(message, OrderAcceptedReport):
        return OrderAccepted(coid, time)
    if isinstance(message, OrderRejectedReport):
        return OrderRejected(coid, message.reason, time)
    if isinstance(message, OrderCancelledReport):
        return OrderCancelled(coid, time, message.reason)
    if isinstance(message, OrderExpiredReport):
        return OrderExpired(coid, time)
    return Fill(
        fill_id=message.fill_id,
        client_order_id=coid,
        symbol=message.symbol,
        side=message.side,
        quantity=message.quantity,
        price=message.price,
        commission=message.commission,
        time=time,
    )
