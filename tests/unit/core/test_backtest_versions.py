"""Upstream: (entry point: pytest)
Downstream: trading.core.backtest.compare, trading.core.backtest.engine, trading.core.config, trading.core.enums, trading.core.market, trading.core.registry, trading.core.reload, trading.core.testing.builders, trading.core.testing.random_walk
Role: a backtest over several configuration versions reloads as a node does: positions, cash and working orders carried, strategy and risk state kept or reset by the reload rule."""

import dataclasses
from datetime import timedelta
from decimal import Decimal

import pytest

from trading.core.backtest.compare import compare_fills
from trading.core.backtest.engine import BacktestEngine, Span, backtest_versions
from trading.core.config import PortfolioConfig
from trading.core.enums import Side
from trading.core.market import Bar
from trading.core.registry import ComponentSpec
from trading.core.reload import reload_carry
from trading.core.testing.builders import T0, bar
from trading.core.testing.random_walk import random_walk

V1 = PortfolioConfig(
    portfolio_id="p",
    symbols=("AAA",),
    initial_capital=Decimal(100_000),
    strategy=ComponentSpec("sma_cross", {"period": 5, "size": 10}),
)
# Only the risk rules change: the strategy's state is kept.
SAME_STRATEGY = dataclasses.replace(
    V1, version=2, risks=(ComponentSpec("order_rate", {"max_per_second": 100}),)
)
# The strategy's parameters change: its state starts afresh.
NEW_STRATEGY = dataclasses.replace(
    V1, version=2, strategy=ComponentSpec("sma_cross", {"period": 5, "size": 11})
)


def _days(closes: list[int], start: int = 0) -> list[Bar]:
    return [bar(c, time=T0 + timedelta(days=start + i)) for i, c in enumerate(closes)]


# Falling closes (below their average), then a jump above it at the reload.
FALLING = _days(list(range(120, 108, -1)))
RISING = _days(list(range(130, 140)), start=len(FALLING))


def test_one_span_is_the_plain_backtest() -> None:
    bars = list(random_walk(200, seed=5, volatility=0.02, symbol="AAA"))

    spans = backtest_versions([Span(V1, bars)])
    plain = BacktestEngine(V1).run(bars)

    assert spans.to_dict() == plain.to_dict()


def test_a_reload_that_keeps_the_strategy_trades_as_one_run_would() -> None:
    bars = list(random_walk(300, seed=9, volatility=0.03, symbol="AAA"))

    reloaded = backtest_versions([Span(V1, bars[:150]), Span(SAME_STRATEGY, bars[150:])])
    one_run = BacktestEngine(V1).run(bars)

    assert one_run.trades, "the scenario should trade"
    assert compare_fills(one_run.trades, reloaded.trades).equal
    assert reloaded.bars == 300
    assert (reloaded.start, reloaded.end) == (bars[0].time, bars[-1].time)


def test_the_strategy_state_is_kept_or_reset_as_the_reload_rule_says() -> None:
    kept = backtest_versions([Span(V1, FALLING), Span(SAME_STRATEGY, RISING)])
    reset = backtest_versions([Span(V1, FALLING), Span(NEW_STRATEGY, RISING)])

    # Kept: the averages know the falling closes, so the jump is a cross: buy, filled at the
    # next bar's open. Reset: the averages start over on rising closes: no cross at all.
    assert [(f.side, f.quantity, f.time) for f in kept.trades] == [
        (Side.BUY, Decimal(10), RISING[1].time)
    ]
    assert reset.trades == ()
    assert reload_carry(V1, SAME_STRATEGY).strategy
    assert not reload_carry(V1, NEW_STRATEGY).strategy


def test_positions_cash_and_working_orders_carry_over_a_reload() -> None:
    buy_once = dataclasses.replace(V1, strategy=ComponentSpec("buy_and_hold", {"size": 3}))
    bigger = dataclasses.replace(
        buy_once, version=2, strategy=ComponentSpec("buy_and_hold", {"size": 5})
    )
    first, second = _days([100, 101]), _days([102, 103], start=2)

    # The buy made on the last bar of v1 fills on the first bar of v2; v2's fresh strategy
    # finds the position and buys nothing more.
    result = backtest_versions([Span(buy_once, first), Span(bigger, second)])

    assert [(f.quantity, f.price, f.time) for f in result.trades] == [
        (Decimal(3), Decimal(101), first[1].time)
    ]
    assert result.cash == Decimal(100_000) - 3 * 101


def test_no_span_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one span"):
        backtest_versions([])
