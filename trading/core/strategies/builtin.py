"""Upstream: trading.core.catalog
Downstream: trading.core.amounts, trading.core.market, trading.core.params, trading.core.strategies.base, trading.core.strategies.indicators
Role: the built-in strategies (sma_cross, sma_trend, rsi_reversion, buy_and_hold, random) and their configs."""

import random
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any

from trading.core.amounts import MAX_UNITS
from trading.core.market import Bar
from trading.core.params import Param
from trading.core.strategies.base import Strategy
from trading.core.strategies.indicators import MovingAverage, WilderRsi

# Every built-in strategy buys a fixed number of units, passed to the sizer as a hint.
Size = Annotated[
    Decimal,
    Param("units to buy on entry", minimum=Decimal(0), min_exclusive=True, maximum=MAX_UNITS),
]
# The longest indicator window a strategy may ask for.
MAX_PERIOD = 10_000


@dataclass(frozen=True, slots=True)
class MovingAverageConfig:
    """Settings of the moving-average strategies."""

    period: Annotated[
        int, Param("moving-average window, in bars", minimum=2, maximum=MAX_PERIOD)
    ] = 20
    size: Size = Decimal(1)


class _PerSymbolAverages(Strategy[MovingAverageConfig]):
    """Keeps one exact moving average per symbol, checkpointed with the strategy."""

    def __init__(self, config: MovingAverageConfig) -> None:
        super().__init__(config)
        self._averages: dict[str, MovingAverage] = {}

    def _average(self, symbol: str) -> MovingAverage:
        average = self._averages.get(symbol)
        if average is None:
            average = self._averages[symbol] = MovingAverage(self.config.period)
        return average

    def get_state(self) -> dict[str, Any]:
        return {"averages": {s: a.get_state() for s, a in self._averages.items()}}

    def set_state(self, state: Mapping[str, Any]) -> None:
        for symbol, saved in state["averages"].items():
            self._average(symbol).set_state(saved)


class SmaCross(_PerSymbolAverages):
    """Buys when the close crosses above its SMA, sells the position when it crosses below.

    A cross is a change of sign of (close - SMA) against the last non-zero sign: a bar closing
    exactly on the average neither counts as a side nor resets the comparison.
    """

    def __init__(self, config: MovingAverageConfig) -> None:
        super().__init__(config)
        self._signs: dict[str, int] = {}

    def on_bar(self, bar: Bar) -> None:
        symbol = bar.symbol
        average = self._average(symbol)
        if not average.update(bar.close):
            return
        sign = average.compare(bar.close)
        previous = self._signs.get(symbol, 0)
        if not sign or sign == previous:
            return
        self._signs[symbol] = sign
        if not previous:
            return
        if sign > 0:
            if self.portfolio.is_flat(symbol):
                self.buy(symbol, quantity=self.config.size, reason="close crossed above SMA")
        elif self.portfolio.is_long(symbol):
            self.sell(symbol, reason="close crossed below SMA")

    def get_state(self) -> dict[str, Any]:
        return {**super().get_state(), "signs": dict(self._signs)}

    def set_state(self, state: Mapping[str, Any]) -> None:
        super().set_state(state)
        self._signs = dict(state["signs"])


class SmaTrend(_PerSymbolAverages):
    """Holds a long position while the close is above its SMA: buys when flat and above,
    sells everything when long and below."""

    def on_bar(self, bar: Bar) -> None:
        symbol = bar.symbol
        average = self._average(symbol)
        if not average.update(bar.close):
            return
        side = average.compare(bar.close)
        if side > 0 and self.portfolio.is_flat(symbol):
            self.buy(symbol, quantity=self.config.size, reason="close above SMA")
        elif side < 0 and self.portfolio.is_long(symbol):
            self.sell(symbol, reason="close below SMA")


@dataclass(frozen=True, slots=True)
class RsiReversionConfig:
    """Settings of rsi_reversion."""

    period: Annotated[int, Param("RSI window (Wilder), in bars", minimum=2, maximum=MAX_PERIOD)] = (
        14
    )
    low: Annotated[float, Param("buy below this RSI", minimum=0, maximum=100)] = 30.0
    high: Annotated[float, Param("sell above this RSI", minimum=0, maximum=100)] = 70.0
    size: Size = Decimal(1)

    def __post_init__(self) -> None:
        if self.low >= self.high:
            raise ValueError(f"low ({self.low}) must be below high ({self.high})")


class RsiReversion(Strategy[RsiReversionConfig]):
    """Mean reversion on Wilder's RSI: buys when flat and RSI < low, sells all when long and
    RSI > high."""

    def __init__(self, config: RsiReversionConfig) -> None:
        super().__init__(config)
        self._indicators: dict[str, WilderRsi] = {}

    def on_bar(self, bar: Bar) -> None:
        symbol = bar.symbol
        indicator = self._indicators.get(symbol)
        if indicator is None:
            indicator = self._indicators[symbol] = WilderRsi(self.config.period)
        rsi = indicator.update(bar.close)
        if rsi is None:
            return
        if rsi < self.config.low and self.portfolio.is_flat(symbol):
            self.buy(symbol, quantity=self.config.size, reason=f"RSI {rsi:.2f} below low")
        elif rsi > self.config.high and self.portfolio.is_long(symbol):
            self.sell(symbol, reason=f"RSI {rsi:.2f} above high")

    def get_state(self) -> dict[str, Any]:
        return {"rsi": {s: i.get_state() for s, i in self._indicators.items()}}

    def set_state(self, state: Mapping[str, Any]) -> None:
        for symbol, saved in state["rsi"].items():
            indicator = self._indicators[symbol] = WilderRsi(self.config.period)
            indicator.set_state(saved)


@dataclass(frozen=True, slots=True)
class BuyAndHoldConfig:
    """Settings of buy_and_hold."""

    size: Size = Decimal(1)


class BuyAndHold(Strategy[BuyAndHoldConfig]):
    """Buys ``size`` units of each symbol once and never sells."""

    def __init__(self, config: BuyAndHoldConfig) -> None:
        super().__init__(config)
        self._held: set[str] = set()

    def on_bar(self, bar: Bar) -> None:
        symbol = bar.symbol
        if symbol in self._held:
            return
        if self.portfolio.is_flat(symbol):
            self.buy(symbol, quantity=self.config.size, reason="initial entry")
        else:
            # Only once a position exists is the entry done: a blocked buy is retried.
            self._held.add(symbol)

    def get_state(self) -> dict[str, Any]:
        return {"held": sorted(self._held)}

    def set_state(self, state: Mapping[str, Any]) -> None:
        self._held = set(state["held"])


@dataclass(frozen=True, slots=True)
class RandomConfig:
    """Settings of the random strategy."""

    seed: Annotated[int, Param("seed of the random generator", minimum=0, maximum=2**32 - 1)] = 0
    rate: Annotated[
        float, Param("chance of acting on a bar", minimum=0, min_exclusive=True, maximum=1)
    ] = 0.1
    size: Size = Decimal(1)


class RandomStrategy(Strategy[RandomConfig]):
    """Flips between flat and long at random (seeded, so reproducible); for load tests."""

    def __init__(self, config: RandomConfig) -> None:
        super().__init__(config)
        self._random = random.Random(config.seed)

    def on_bar(self, bar: Bar) -> None:
        if self._random.random() >= self.config.rate:
            return
        symbol = bar.symbol
        if self.portfolio.is_flat(symbol):
            self.buy(symbol, quantity=self.config.size, reason="random entry")
        else:
            self.close(symbol, reason="random exit")

    def get_state(self) -> dict[str, Any]:
        version, internal, gauss = self._random.getstate()
        return {"random": [version, list(internal), gauss]}

    def set_state(self, state: Mapping[str, Any]) -> None:
        version, internal, gauss = state["random"]
        self._random.setstate((version, tuple(internal), gauss))
