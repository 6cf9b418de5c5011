"""Upstream: trading.core.backtest.engine, trading.management.commands.backtest
Downstream: trading.core.codec, trading.core.orders.events, trading.core.orders.state
Role: the outcome of a backtest run: money, metrics, trades and orders, with a JSON-ready form."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Self

from trading.core.codec import to_primitive
from trading.core.orders.events import Fill
from trading.core.orders.state import TrackedOrder


@dataclass(frozen=True, slots=True)
class OrderRecord:
    """An order as it stood at the end of the run."""

    client_order_id: str
    created_at: datetime
    symbol: str
    side: str
    order_type: str
    quantity: Decimal
    filled_quantity: Decimal
    avg_price: Decimal | None
    status: str
    reason: str
    tag: str

    @classmethod
    def of(cls, tracked: TrackedOrder) -> Self:
        """Freeze a tracked order's final state."""
        order = tracked.order
        return cls(
            client_order_id=order.client_order_id,
            created_at=order.created_at,
            symbol=order.symbol,
            side=order.side.value,
            order_type=order.order_type.value,
            quantity=order.quantity,
            filled_quantity=tracked.filled_quantity,
            avg_price=tracked.avg_price,
            status=tracked.status.value,
            reason=tracked.reason,
            tag=order.tag,
        )


@dataclass(frozen=True, slots=True)
class BacktestResult:
    """Scores and records of one run.

    ``final_value`` is cash plus positions at the last price; ``total_return`` is
    final/initial - 1; ``max_drawdown`` a fraction of the peak; ``sharpe`` annualised from
    daily returns (see PerformanceTracker); ``win_rate`` is the share of closed round trips
    whose P&L net of commissions was positive (None without round trips).
    """

    initial_capital: Decimal
    final_value: Decimal
    cash: Decimal
    total_return: float
    max_drawdown: float
    sharpe: float | None
    round_trips: int
    win_rate: float | None
    trades: tuple[Fill, ...]
    orders: tuple[OrderRecord, ...]
    bars: int
    start: datetime | None
    end: datetime | None
    strategy_error: str | None

    @property
    def trade_count(self) -> int:
        """Number of fills."""
        return len(self.trades)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: money as exact decimal strings, ratios as floats."""
        return {
            "initial_capital": str(self.initial_capital),
            "final_value": str(self.final_value),
            "cash": str(self.cash),
            "return": self.total_return,
            "max_drawdown": self.max_drawdown,
            "sharpe": self.sharpe,
            "trade_count": self.trade_count,
            "round_trips": self.round_trips,
            "win_rate": self.win_rate,
            "bars": self.bars,
            "start": to_primitive(self.start),
            "end": to_primitive(self.end),
            "strategy_error": self.strategy_error,
            "trades": [_trade(fill) for fill in self.trades],
            "orders": [to_primitive(order) for order in self.orders],
        }


def _trade(fill: Fill) -> dict[str, Any]:
    return {
        "datetime": fill.time.isoformat(),
        "symbol": fill.symbol,
        "side": fill.side.value,
        "quantity": str(fill.quantity),
        "price": str(fill.price),
        "commission": str(fill.commission),
        "order_id": fill.client_order_id,
        "fill_id": fill.fill_id,
    }
