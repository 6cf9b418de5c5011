"""Upstream: trading.livecore.engine, trading.services.portfolio_state
Downstream: trading.bus.mapping, trading.bus.messages, trading.core.enums, trading.core.orders.events, trading.core.orders.state, trading.services.orders
Role: the feedback messages of execution reports, and an order's whole feedback history rebuilt from the database."""

from trading.bus.mapping import fill_message, status_message
from trading.bus.messages import Message
from trading.core.enums import OrderStatus
from trading.core.orders.events import (
    ExecutionReport,
    Fill,
    OrderAccepted,
    OrderCancelled,
    OrderExpired,
    OrderRejected,
)
from trading.core.orders.state import TrackedOrder
from trading.services.orders import StoredOrder


def feedback_message(report: ExecutionReport, tracked: TrackedOrder, source: str) -> Message:
    """The message telling the portfolio about ``report``, already applied to ``tracked``."""
    portfolio_id = tracked.order.portfolio_id
    if not isinstance(report, Fill):
        return status_message(report, portfolio_id, source)
    return fill_message(
        report,
        portfolio_id=portfolio_id,
        filled_quantity=tracked.filled_quantity,
        leaves_quantity=tracked.leaves_quantity,
        avg_price=tracked.avg_price or report.price,
        source=source,
    )


def replay(stored: StoredOrder) -> tuple[TrackedOrder, list[ExecutionReport]]:
    """The order's state machine rebuilt from its stored status and fills, with the reports
    that led there (acknowledgement and closing times are the stored ones: the order's
    creation and its last change). An order rejected after it filled in part (buying power
    at a later fill) was accepted first."""
    order = stored.order
    tracked = TrackedOrder(order)
    tracked.submit()
    reports: list[ExecutionReport] = []
    if stored.status is OrderStatus.REJECTED and not stored.fills:
        reports.append(OrderRejected(order.client_order_id, stored.reason, order.created_at))
    elif stored.status is not OrderStatus.SUBMITTED:
        reports.append(OrderAccepted(order.client_order_id, order.created_at))
        reports.extend(stored.fills)
        if stored.status is OrderStatus.CANCELLED:
            reports.append(OrderCancelled(order.client_order_id, stored.updated_at, stored.reason))
        elif stored.status is OrderStatus.EXPIRED:
            reports.append(OrderExpired(order.client_order_id, stored.updated_at))
        elif stored.status is OrderStatus.REJECTED:
            reports.append(OrderRejected(order.client_order_id, stored.reason, stored.updated_at))
    for report in reports:
        tracked.apply(report)
    return tracked, reports


def history_messages(stored: StoredOrder, source: str) -> list[Message]:
    """Every feedback message the order has caused so far, in order (for re-sending)."""
    order = stored.order
    tracked = TrackedOrder(order)
    tracked.submit()
    messages: list[Message] = []
    for report in replay(stored)[1]:
        tracked.apply(report)
        messages.append(feedback_message(report, tracked, source))
    return messages
