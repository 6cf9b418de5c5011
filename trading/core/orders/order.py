"""Upstream: bench.gateway_throughput, trading.bus.mapping, trading.core.events, trading.core.matching.engine, trading.core.matching.rules, trading.core.orders.state, trading.core.pipeline, trading.core.risk.base, trading.core.risk.engine, trading.core.risk.rules, trading.core.testing.builders, trading.livecore.engine, trading.livecore.gateway, trading.livecore.paper, trading.node.output, trading.node.processor, trading.services.orders
Downstream: trading.core.enums, trading.core.errors
Role: the Order command (market, limit, stop, stop-limit; time in force) and deterministic client order ids."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from trading.core.enums import OrderType, Side, TimeInForce
from trading.core.errors import OrderError

_NEEDS_LIMIT = frozenset({OrderType.LIMIT, OrderType.STOP_LIMIT})
_NEEDS_STOP = frozenset({OrderType.STOP, OrderType.STOP_LIMIT})


@dataclass(frozen=True, slots=True)
class Order:
    """An instruction to trade, exactly as it leaves the portfolio; never changes once built.

    ``expire_at`` is required for GTD orders and forbidden otherwise. ``tag`` records why the
    order exists (the signal's reason) for audits.
    """

    client_order_id: str
    portfolio_id: str
    symbol: str
    side: Side
    quantity: Decimal
    created_at: datetime
    order_type: OrderType = OrderType.MARKET
    limit_price: Decimal | None = None
    stop_price: Decimal | None = None
    time_in_force: TimeInForce = TimeInForce.GTC
    expire_at: datetime | None = None
    tag: str = ""

    def __post_init__(self) -> None:
        problem = _problem(self)
        if problem:
            raise OrderError(f"order {self.client_order_id}: {problem}")


def _problem(order: Order) -> str | None:
    if order.quantity <= 0:
        return f"quantity must be positive, got {order.quantity}"
    if (order.limit_price is not None) != (order.order_type in _NEEDS_LIMIT):
        return f"a {order.order_type} order {_rule(order.order_type in _NEEDS_LIMIT)} limit price"
    if (order.stop_price is not None) != (order.order_type in _NEEDS_STOP):
        return f"a {order.order_type} order {_rule(order.order_type in _NEEDS_STOP)} stop price"
    for price in (order.limit_price, order.stop_price):
        if price is not None and price <= 0:
            return f"prices must be positive, got {price}"
    if (order.expire_at is not None) != (order.time_in_force is TimeInForce.GTD):
        return "expire_at is required for GTD orders and only for them"
    if order.created_at.tzinfo is None:
        return "created_at must be timezone-aware"
    return None


def _rule(required: bool) -> str:
    return "needs a" if required else "takes no"


def client_order_id(portfolio_id: str, run_epoch: int, sequence: int) -> str:
    """The id of the ``sequence``-th order of a portfolio run; a resend reuses it verbatim."""
    return f"{portfolio_id}-{run_epoch}-{sequence}"


class ClientOrderIds:
    """Hands out client order ids for one portfolio run.

    A portfolio starting on a node should use a new ``run_epoch``: ids then never collide with
    ids issued by an earlier run whose last orders were not checkpointed.
    """

    __slots__ = ("next_sequence", "portfolio_id", "run_epoch")

    def __init__(self, portfolio_id: str, run_epoch: int, next_sequence: int = 1) -> None:
        self.portfolio_id = portfolio_id
        self.run_epoch = run_epoch
        self.next_sequence = next_sequence

    def next(self) -> str:
        """Return the next id and advance the sequence."""
        sequence = self.next_sequence
        self.next_sequence = sequence + 1
        return client_order_id(self.portfolio_id, self.run_epoch, sequence)
