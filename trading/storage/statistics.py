"""Upstream: bench.storage, trading.services.storage
Downstream: trading.core.ports
Role: cross-portfolio trade statistics (trades, turnover, commissions, realised P&L) from per-symbol sums, per portfolio and in total."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from trading.core.ports import SymbolTotals

ZERO = Decimal(0)
_QUANTUM = Decimal("1e-8")


@dataclass(frozen=True, slots=True)
class TradeFigures:
    """What a set of trades adds up to.

    ``realised_pnl`` matches the bought and sold quantity of each symbol at the period's
    average buy and sell prices: ``min(bought, sold) * (avg sell - avg buy)``. For a symbol
    that is flat at the period's end (or traded one way only) this is exact under any cost
    method; for one still open it is the period-average-cost estimate. ``net_pnl`` is
    realised P&L minus commissions.
    """

    portfolio_id: str | None = None
    trades: int = 0
    turnover: Decimal = ZERO
    commission: Decimal = ZERO
    realised_pnl: Decimal = ZERO

    @property
    def net_pnl(self) -> Decimal:
        return self.realised_pnl - self.commission

    def __add__(self, other: "TradeFigures") -> "TradeFigures":
        """Both sets of trades; keeps the portfolio id only when both share it."""
        return TradeFigures(
            self.portfolio_id if self.portfolio_id == other.portfolio_id else None,
            self.trades + other.trades,
            self.turnover + other.turnover,
            self.commission + other.commission,
            self.realised_pnl + other.realised_pnl,
        )


@dataclass(frozen=True, slots=True)
class TradeStatistics:
    """Figures per portfolio (sorted by id) and over all of them (``portfolio_id`` None)."""

    portfolios: list[TradeFigures]
    total: TradeFigures


def trade_statistics(totals: Iterable[SymbolTotals]) -> TradeStatistics:
    """Fold per (portfolio, symbol) sums into per-portfolio and overall figures."""
    portfolios: dict[str, TradeFigures] = {}
    for row in totals:
        figures = TradeFigures(
            portfolio_id=row.portfolio_id,
            trades=row.trades,
            turnover=row.bought_value + row.sold_value,
            commission=row.commission,
            realised_pnl=_realised(row),
        )
        known = portfolios.get(row.portfolio_id)
        portfolios[row.portfolio_id] = figures if known is None else known + figures
    ordered = [portfolios[portfolio_id] for portfolio_id in sorted(portfolios)]
    return TradeStatistics(ordered, sum(ordered, TradeFigures()))


def _realised(row: SymbolTotals) -> Decimal:
    matched = min(row.bought, row.sold)
    if not matched:
        return ZERO
    if matched == row.bought == row.sold:
        return row.sold_value - row.bought_value
    average_buy = row.bought_value / row.bought
    average_sell = row.sold_value / row.sold
    return (matched * (average_sell - average_buy)).quantize(_QUANTUM)
