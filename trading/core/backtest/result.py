"""Upstream: trading.core.backtest.engine, trading.management.commands.backtest, trading.services.replays, trading.services.twins
Downstream: trading.core.backtest.metrics, trading.core.codec, trading.core.orders.events, trading.core.orders.state
Role: the outcome of a backtest run: money, statistics, trades, round trips, orders, the per-bar equity and the prices, with a JSON-ready form."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Self

from trading.core.backtest.metrics import EquitySeries, PriceSeries, RoundTrip, Statistics
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

    ``final_value`` is cash plus positions at the last price; ``statistics`` scores the run
    (see trading.core.backtest.metrics); ``trips`` are the closed round trips; ``equity`` has
    one point per event time (equity marked at that bar's close); ``prices`` the price each
    symbol's updates marked at (a bar's close), in time order.
    """

    initial_capital: Decimal
    final_value: Decimal
    cash: Decimal
    statistics: Statistics
    trades: tuple[Fill, ...]
    trips: tuple[RoundTrip, ...]
    orders: tuple[OrderRecord, ...]
    equity: EquitySeries
    prices: Mapping[str, PriceSeries]
    bars: int
    start: datetime | None
    end: datetime | None
    strategy_error: str | None

    @property
    def trade_count(self) -> int:
        """Number of fills."""
        return len(self.trades)

    @property
    def total_return(self) -> float:
        """final/initial - 1."""
        return self.statistics.total_return

    @property
    def max_drawdown(self) -> float:
        """The largest fall from a peak, as a fraction of that peak."""
        return self.statistics.max_drawdown.depth

    @property
    def sharpe(self) -> float | None:
        """Annualised Sharpe ratio of the daily returns (None when undefined)."""
        return self.statistics.sharpe

    @property
    def round_trips(self) -> int:
        """Number of closed round trips."""
        return len(self.trips)

    @property
    def win_rate(self) -> float | None:
        """Share of round trips with a positive net P&L (None without round trips)."""
        return self.statistics.win_rate

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: money as exact decimal strings, ratios as floats."""
        return {
            "initial_capital": str(self.initial_capital),
            "final_value": str(self.final_value),
            "cash": str(self.cash),
            **self.statistics.to_dict(),
            "trade_count": self.trade_count,
            "bars": self.bars,
            "start": to_primitive(self.start),
            "end": to_primitive(self.end),
            "strategy_error": self.strategy_error,
            "trades": [_trade(fill) for fill in self.trades],
            "trips": [
                {"symbol": t.symbol, "time": t.closed_at.isoformat(), "pnl": str(t.pnl)}
                for t in self.trips
            ],
            "orders": [to_primitive(order) for order in self.orders],
            "equity": [
                {"time": when.isoformat(), "equity": str(equity), "cash": str(cash)}
                for when, equity, cash in zip(
                    self.equity.times, self.equity.equity, self.equity.cash, strict=True
                )
            ],
            "prices": {
                symbol: [
                    {"time": when.isoformat(), "price": str(price)}
                    for when, price in zip(series.times, series.prices, strict=True)
                ]
                for symbol, series in self.prices.items()
            },
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
