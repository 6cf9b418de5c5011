"""Upstream: trading.core.backtest.engine, trading.core.backtest.result, trading.core.orders.book, trading.core.pipeline, trading.livecore.engine, trading.livecore.feedback, trading.node.loader, trading.node.sequencer, trading.services.orders, trading.services.portfolio_state
Downstream: trading.core.codec, trading.core.enums, trading.core.errors, trading.core.orders.events, trading.core.orders.order
Role: the order state machine: applies execution reports to one order through an explicit transition table."""

from decimal import Decimal
from typing import Any, Final, Self

from trading.core.codec import from_primitive, to_primitive
from trading.core.enums import OrderStatus
from trading.core.errors import InvalidOrderTransition, OrderError
from trading.core.orders.events import (
    ExecutionReport,
    Fill,
    OrderAccepted,
    OrderCancelled,
    OrderExpired,
    OrderRejected,
)
from trading.core.orders.order import Order

_S = OrderStatus
# Every legal move of the life cycle; anything else is a bug or a confused venue. A fill may
# arrive before the acknowledgement, hence SUBMITTED -> (PARTIALLY_)FILLED. A venue may
# reject a working order when it would fill (what is left of it): a simulated venue checks
# buying power at the fill price, known only then (backtrader's Margin status does the same).
ORDER_STATE_TABLE: Final[dict[OrderStatus, frozenset[OrderStatus]]] = {
    _S.NEW: frozenset({_S.SUBMITTED}),
    _S.SUBMITTED: frozenset(
        {_S.ACCEPTED, _S.REJECTED, _S.CANCELLED, _S.PARTIALLY_FILLED, _S.FILLED}
    ),
    _S.ACCEPTED: frozenset({_S.PARTIALLY_FILLED, _S.FILLED, _S.REJECTED, _S.CANCELLED, _S.EXPIRED}),
    _S.PARTIALLY_FILLED: frozenset(
        {_S.PARTIALLY_FILLED, _S.FILLED, _S.REJECTED, _S.CANCELLED, _S.EXPIRED}
    ),
    _S.FILLED: frozenset(),
    _S.REJECTED: frozenset(),
    _S.CANCELLED: frozenset(),
    _S.EXPIRED: frozenset(),
}
TERMINAL: Final = frozenset(status for status, nxt in ORDER_STATE_TABLE.items() if not nxt)

_REPORT_TARGET: Final[dict[type, OrderStatus]] = {
    OrderAccepted: _S.ACCEPTED,
    OrderRejected: _S.REJECTED,
    OrderCancelled: _S.CANCELLED,
    OrderExpired: _S.EXPIRED,
}


class TrackedOrder:
    """One order and everything that has happened to it: status, fills, average price.

    State changes only through :meth:`submit` and :meth:`apply`; an illegal move raises
    :class:`InvalidOrderTransition` and leaves the order untouched.
    """

    __slots__ = ("_fill_ids", "_notional", "filled_quantity", "order", "reason", "status")

    def __init__(self, order: Order) -> None:
        self.order = order
        self.status = OrderStatus.NEW
        self.filled_quantity = Decimal(0)
        self.reason = ""
        self._notional = Decimal(0)
        self._fill_ids: set[str] = set()

    @property
    def client_order_id(self) -> str:
        """The id the order travels under."""
        return self.order.client_order_id

    @property
    def leaves_quantity(self) -> Decimal:
        """Quantity still to be filled."""
        return self.order.quantity - self.filled_quantity

    @property
    def avg_price(self) -> Decimal | None:
        """Quantity-weighted average fill price, or None before the first fill."""
        return self._notional / self.filled_quantity if self.filled_quantity else None

    @property
    def is_closed(self) -> bool:
        """True once the order can change no more (filled, rejected, cancelled or expired)."""
        return self.status in TERMINAL

    def submit(self) -> None:
        """Record that the order left the portfolio."""
        self._move(OrderStatus.SUBMITTED)

    def apply(self, report: ExecutionReport) -> bool:
        """Apply a venue report; returns False when it is a fill already applied."""
        if isinstance(report, Fill):
            return self._apply_fill(report)
        self._move(_REPORT_TARGET[type(report)])
        if isinstance(report, OrderRejected | OrderCancelled):
            self.reason = report.reason
        return True

    def _apply_fill(self, fill: Fill) -> bool:
        if fill.fill_id in self._fill_ids:
            return False
        filled = self.filled_quantity + fill.quantity
        target = OrderStatus.FILLED if filled == self.order.quantity else _S.PARTIALLY_FILLED
        self._check_transition(target)
        self._check_fill(fill)
        self.status = target
        self.filled_quantity = filled
        self._notional += fill.quantity * fill.price
        self._fill_ids.add(fill.fill_id)
        return True

    def _check_fill(self, fill: Fill) -> None:
        order = self.order
        if (fill.client_order_id, fill.symbol, fill.side) != (
            order.client_order_id,
            order.symbol,
            order.side,
        ):
            raise OrderError(f"fill {fill.fill_id} does not match order {order.client_order_id}")
        if not 0 < fill.quantity <= self.leaves_quantity:
            raise OrderError(
                f"fill {fill.fill_id} of {fill.quantity} overfills order "
                f"{order.client_order_id} (leaves {self.leaves_quantity})"
            )

    def _move(self, target: OrderStatus) -> None:
        self._check_transition(target)
        self.status = target

    def _check_transition(self, target: OrderStatus) -> None:
        if target not in ORDER_STATE_TABLE[self.status]:
            raise InvalidOrderTransition(self.client_order_id, self.status.name, target.name)

    def snapshot(self) -> dict[str, Any]:
        """JSON-ready state, for checkpoints."""
        return {
            "order": to_primitive(self.order),
            "status": self.status.value,
            "filled_quantity": str(self.filled_quantity),
            "notional": str(self._notional),
            "reason": self.reason,
            "fill_ids": sorted(self._fill_ids),
        }

    @classmethod
    def from_snapshot(cls, data: dict[str, Any]) -> Self:
        """Rebuild an order from :meth:`snapshot` output."""
        tracked = cls(from_primitive(Order, data["order"]))
        tracked.status = OrderStatus(data["status"])
        tracked.filled_quantity = Decimal(data["filled_quantity"])
        tracked._notional = Decimal(data["notional"])
        tracked.reason = data["reason"]
        tracked._fill_ids = set(data["fill_ids"])
        return tracked
