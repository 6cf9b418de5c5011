"""Upstream: trading.core.pipeline
Downstream: trading.core.enums, trading.core.errors, trading.core.events, trading.core.orders.events, trading.core.orders.state
Role: the working orders of one portfolio (at most one per symbol): applies venue reports and reports what changed."""

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

from trading.core.enums import OrderStatus
from trading.core.errors import InvalidOrderTransition, OrderError
from trading.core.events import DomainEvent, OrderFilled, OrderPartiallyFilled, OrderReportIgnored
from trading.core.orders.events import Fill, OrderStatusReport
from trading.core.orders.state import TrackedOrder


class OrderBook:
    """Orders a portfolio sent and that are not finished yet, by id and by symbol.

    Finished orders are forgotten at once, so a long-running portfolio keeps no history here.
    Reports that do not fit (unknown id, illegal transition, overfill) become
    :class:`OrderReportIgnored` events instead of exceptions: a venue's duplicate must not
    stop a portfolio.
    """

    __slots__ = ("_by_symbol", "_open", "portfolio_id", "working")

    def __init__(self, portfolio_id: str) -> None:
        self.portfolio_id = portfolio_id
        self._open: dict[str, TrackedOrder] = {}
        self._by_symbol: dict[str, str] = {}
        # Symbol -> id of its working order: a live read-only view, safe to hand to rules.
        self.working: Mapping[str, str] = MappingProxyType(self._by_symbol)

    @property
    def orders(self) -> list[TrackedOrder]:
        """Working orders, oldest first."""
        return list(self._open.values())

    def get(self, client_order_id: str) -> TrackedOrder | None:
        """A working order by id."""
        return self._open.get(client_order_id)

    def add(self, tracked: TrackedOrder) -> None:
        """Start following an order; it becomes the symbol's working order."""
        self._open[tracked.client_order_id] = tracked
        self._by_symbol[tracked.order.symbol] = tracked.client_order_id

    def apply_report(self, report: OrderStatusReport) -> list[DomainEvent]:
        """Apply an acknowledgement, rejection, cancellation or expiry."""
        tracked = self._open.get(report.client_order_id)
        if tracked is None:
            return [OrderReportIgnored(self.portfolio_id, report, "no working order has this id")]
        try:
            tracked.apply(report)
        except InvalidOrderTransition as exc:
            return [OrderReportIgnored(self.portfolio_id, report, str(exc))]
        self._forget_if_closed(tracked)
        return []

    def apply_fill(self, fill: Fill) -> list[DomainEvent]:
        """Apply a fill to its order; the caller books it into the portfolio regardless."""
        tracked = self._open.get(fill.client_order_id)
        if tracked is None:
            reason = "no working order has this id; the fill is booked anyway"
            return [OrderReportIgnored(self.portfolio_id, fill, reason)]
        try:
            if not tracked.apply(fill):
                return []
        except (InvalidOrderTransition, OrderError) as exc:
            return [OrderReportIgnored(self.portfolio_id, fill, f"{exc}; booked anyway")]
        self._forget_if_closed(tracked)
        average = tracked.avg_price or fill.price
        if tracked.status is OrderStatus.FILLED:
            return [
                OrderFilled(
                    self.portfolio_id,
                    fill.client_order_id,
                    fill.fill_id,
                    tracked.filled_quantity,
                    average,
                    fill.time,
                )
            ]
        return [
            OrderPartiallyFilled(
                self.portfolio_id,
                fill.client_order_id,
                fill.fill_id,
                tracked.filled_quantity,
                tracked.leaves_quantity,
                average,
                fill.time,
            )
        ]

    def snapshot(self) -> list[dict[str, Any]]:
        """JSON-ready state of every working order."""
        return [tracked.snapshot() for tracked in self._open.values()]

    def load(self, saved: list[dict[str, Any]]) -> None:
        """Replace the working orders with :meth:`snapshot` output."""
        self.replace(TrackedOrder.from_snapshot(item) for item in saved)

    def replace(self, orders: Iterable[TrackedOrder]) -> None:
        """Make ``orders`` the working orders (any previous ones are dropped)."""
        self._open.clear()
        self._by_symbol.clear()
        for tracked in orders:
            self.add(tracked)

    def _forget_if_closed(self, tracked: TrackedOrder) -> None:
        if not tracked.is_closed:
            return
        del self._open[tracked.client_order_id]
        if self._by_symbol.get(tracked.order.symbol) == tracked.client_order_id:
            del self._by_symbol[tracked.order.symbol]
