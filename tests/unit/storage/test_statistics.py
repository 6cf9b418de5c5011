"""Upstream: (entry point: pytest)
Downstream: trading.core.ports, trading.storage.statistics
Role: cross-portfolio statistics from per-symbol sums: realised P&L, turnover, commissions, totals."""

from decimal import Decimal

from trading.core.ports import SymbolTotals
from trading.storage.statistics import trade_statistics


def _totals(
    portfolio: str,
    symbol: str,
    bought: str,
    sold: str,
    bought_value: str,
    sold_value: str,
    trades: int = 2,
    commission: str = "1",
) -> SymbolTotals:
    return SymbolTotals(
        portfolio,
        symbol,
        trades,
        Decimal(bought),
        Decimal(sold),
        Decimal(bought_value),
        Decimal(sold_value),
        Decimal(commission),
    )


def test_a_round_trip_realises_sold_minus_bought_value():
    statistics = trade_statistics([_totals("alpha", "AAPL", "10", "10", "1000", "1100")])

    (alpha,) = statistics.portfolios
    assert alpha.realised_pnl == Decimal(100)
    assert alpha.turnover == Decimal(2100)
    assert alpha.net_pnl == Decimal(99)


def test_an_open_remainder_is_valued_at_the_average_buy_price():
    # Bought 10 at 100 and 10 at 120 (average 110), sold 5 at 130: 5 x (130 - 110).
    statistics = trade_statistics([_totals("alpha", "AAPL", "20", "5", "2200", "650", trades=3)])

    assert statistics.portfolios[0].realised_pnl == Decimal(100)


def test_buying_only_realises_nothing():
    statistics = trade_statistics([_totals("alpha", "AAPL", "20", "0", "2200", "0", trades=1)])

    assert statistics.portfolios[0].realised_pnl == 0


def test_figures_add_up_per_portfolio_and_in_total():
    statistics = trade_statistics(
        [
            _totals("beta", "MSFT", "1", "1", "10", "12"),
            _totals("alpha", "AAPL", "10", "10", "1000", "1100"),
            _totals("alpha", "MSFT", "5", "5", "500", "450"),
        ]
    )

    assert [p.portfolio_id for p in statistics.portfolios] == ["alpha", "beta"]
    assert [p.realised_pnl for p in statistics.portfolios] == [Decimal(50), Decimal(2)]
    assert [p.trades for p in statistics.portfolios] == [4, 2]
    assert statistics.total.portfolio_id is None
    assert (statistics.total.trades, statistics.total.realised_pnl) == (6, Decimal(52))
    assert statistics.total.commission == Decimal(3)


def test_no_trades_give_zero_totals():
    statistics = trade_statistics([])

    assert statistics.portfolios == []
    assert (statistics.total.trades, statistics.total.turnover) == (0, 0)
