"""Upstream: bench.gateway_throughput, bench.storage, trading.apis.portfolio_verify, trading.apis.trades, trading.bus.messages, trading.core.accounting.buying_power, trading.core.accounting.position, trading.core.events, trading.core.matching.engine, trading.core.matching.rules, trading.core.matching.slippage, trading.core.orders.book, trading.core.orders.events, trading.core.orders.order, trading.core.orders.state, trading.core.pipeline, trading.core.ports, trading.core.risk.base, trading.core.risk.engine, trading.core.risk.rules, trading.core.signals, trading.core.strategies.base, trading.core.testing.builders, trading.core.testing.harness, trading.livecore.feedback, trading.livecore.gateway, trading.livecore.paper, trading.management.commands.backtest, trading.models, trading.node.processor, trading.selectors.trades, trading.services.orders, trading.services.portfolio_state, trading.services.trade_mirror, trading.storage.clickhouse_trades, trading.storage.sql_trades
Downstream: (none)
Role: the closed vocabularies of the domain (sides, order types, statuses, risk states)."""

from enum import StrEnum


class Side(StrEnum):
    """Direction of an order or fill."""

    BUY = "buy"
    SELL = "sell"

    @property
    def sign(self) -> int:
        """+1 for buys, -1 for sells: the sign a fill adds to a position."""
        return 1 if self is Side.BUY else -1

    @property
    def opposite(self) -> "Side":
        """The side that reduces a position this side opened."""
        return Side.SELL if self is Side.BUY else Side.BUY


class OrderType(StrEnum):
    """How an order's execution price is decided."""

    MARKET = "market"
    LIMIT = "limit"
    STOP = "stop"
    STOP_LIMIT = "stop_limit"


class TimeInForce(StrEnum):
    """How long an unfilled order stays working."""

    DAY = "day"
    GTC = "gtc"
    GTD = "gtd"


class OrderStatus(StrEnum):
    """States of the order life cycle (see trading.core.orders.state for the transitions)."""

    NEW = "new"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    PARTIALLY_FILLED = "partially_filled"
    FILLED = "filled"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class SignalDirection(StrEnum):
    """What a strategy (or a risk manager) wants done with a symbol."""

    BUY = "buy"
    SELL = "sell"
    CLOSE = "close"


class RiskState(StrEnum):
    """Portfolio-wide trading permission, after nautilus_trader's risk engine."""

    ACTIVE = "active"
    REDUCING = "reducing"
    HALTED = "halted"
