"""Upstream: (entry point: pytest)
Downstream: trading.core.enums, trading.core.signals, trading.core.strategies.builtin, trading.core.testing.builders, trading.core.testing.harness
Role: the exact semantics of the built-in strategies, bar by bar, including the exactly-on-the-average case."""

from datetime import timedelta
from decimal import Decimal

from trading.core.enums import SignalDirection
from trading.core.signals import Signal
from trading.core.strategies.builtin import (
    BuyAndHold,
    BuyAndHoldConfig,
    MovingAverageConfig,
    RandomConfig,
    RandomStrategy,
    RsiReversion,
    RsiReversionConfig,
    SmaCross,
    SmaTrend,
)
from trading.core.testing.builders import T0, bar
from trading.core.testing.harness import StrategyHarness

BUY, SELL, CLOSE = SignalDirection.BUY, SignalDirection.SELL, SignalDirection.CLOSE


def _feed(harness: StrategyHarness, closes: list[str | int]) -> list[list[SignalDirection]]:
    """Directions signalled on each bar, one list per close."""
    return [
        [s.direction for s in harness.feed(bar(close, time=T0 + timedelta(days=i)))]
        for i, close in enumerate(closes)
    ]


def _sma_cross(period: int = 3, size: int = 5) -> StrategyHarness:
    return StrategyHarness(SmaCross(MovingAverageConfig(period, Decimal(size))))


def test_sma_cross_buys_size_units_when_flat_and_close_crosses_above() -> None:
    harness = _sma_cross()

    # SMA(3) at bar 3 is 11 (close 10 below); at bar 4 it is 11.33 with close 13 above.
    signals = _feed(harness, [12, 11, 10, 13])

    assert signals == [[], [], [], [BUY]]
    assert harness.portfolio.position("AAA").quantity == 5  # type: ignore[union-attr]


def test_sma_cross_needs_a_previous_side_so_the_first_ready_bar_never_trades() -> None:
    assert _feed(_sma_cross(), [10, 11, 12, 13]) == [[], [], [], []]


def test_sma_cross_sells_the_whole_position_when_long_and_close_crosses_below() -> None:
    harness = _sma_cross()

    signals = _feed(harness, [12, 11, 10, 13, 14, 9])

    assert signals[-1] == [SELL]
    assert harness.portfolio.position("AAA").quantity == 0  # type: ignore[union-attr]


def test_sma_cross_does_not_sell_when_flat() -> None:
    assert _feed(_sma_cross(), [10, 11, 12, 8]) == [[], [], [], []]


def test_sma_cross_does_not_buy_when_already_long() -> None:
    harness = _sma_cross()
    harness.hold("AAA", Decimal(7), Decimal(12))

    assert _feed(harness, [12, 11, 10, 13]) == [[], [], [], []]


def test_a_close_exactly_on_the_sma_keeps_the_last_non_zero_side() -> None:
    harness = _sma_cross()

    # Bar 3: below (10 < 11). Bar 4: 10.5 == SMA(11, 10, 10.5). Bar 5: 11 > SMA(10, 10.5, 11).
    signals = _feed(harness, ["12", "11", "10", "10.5", "11"])

    assert signals == [[], [], [], [], [BUY]]


def test_a_close_on_the_sma_then_back_on_the_same_side_is_not_a_cross() -> None:
    # Below, exactly on the average, below again: no cross in either direction.
    assert _feed(_sma_cross(), ["12", "11", "10", "10.5", "9"]) == [[], [], [], [], []]


def test_sma_trend_buys_when_flat_above_and_sells_when_long_below() -> None:
    harness = StrategyHarness(SmaTrend(MovingAverageConfig(2, Decimal(3))))

    signals = _feed(harness, [10, 11, 12, 13, 10, 9])

    assert signals == [[], [BUY], [], [], [SELL], []]


def test_sma_trend_does_nothing_on_the_average() -> None:
    harness = StrategyHarness(SmaTrend(MovingAverageConfig(2, Decimal(1))))

    assert _feed(harness, [10, 10, 10]) == [[], [], []]


def test_rsi_reversion_buys_on_low_rsi_and_sells_on_high_rsi() -> None:
    harness = StrategyHarness(RsiReversion(RsiReversionConfig(2, 30.0, 70.0, Decimal(1))))

    signals = _feed(harness, [10, 9, 8, 7, 8, 9])

    # Bar 3 gives the first RSI (0: only losses); bar 5 is back to 50, bar 6 reaches 75.
    assert signals == [[], [], [BUY], [], [], [SELL]]


def test_buy_and_hold_buys_once_and_never_sells() -> None:
    harness = StrategyHarness(BuyAndHold(BuyAndHoldConfig(Decimal(4))))

    signals = _feed(harness, [10, 5, 20, 1])

    assert signals == [[BUY], [], [], []]


def test_buy_and_hold_retries_until_a_position_exists() -> None:
    harness = StrategyHarness(BuyAndHold(BuyAndHoldConfig(Decimal(4))), execute=False)

    signals = _feed(harness, [10, 11])

    assert signals == [[BUY], [BUY]]


def test_random_strategy_is_reproducible_per_seed() -> None:
    def run(seed: int) -> list[Signal]:
        harness = StrategyHarness(RandomStrategy(RandomConfig(seed, 0.3, Decimal(1))))
        return [
            s for day in range(200) for s in harness.feed(bar(10, time=T0 + timedelta(days=day)))
        ]

    first, again, other = run(7), run(7), run(8)

    assert first == again
    assert first != other
    assert {s.direction for s in first} == {BUY, CLOSE}


def test_random_strategy_at_rate_one_alternates_entry_and_exit() -> None:
    harness = StrategyHarness(RandomStrategy(RandomConfig(1, 1.0, Decimal(2))))

    assert _feed(harness, [10, 10, 10, 10]) == [[BUY], [CLOSE], [BUY], [CLOSE]]
