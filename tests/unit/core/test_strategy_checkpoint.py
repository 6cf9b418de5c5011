"""Upstream: (entry point: pytest)
Downstream: trading.core.strategies.base, trading.core.strategies.builtin, trading.core.testing.harness, trading.core.testing.random_walk
Role: checkpoint continuity: a strategy split across two instances via get_state/set_state signals exactly like one."""

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from trading.core.strategies.base import Strategy
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
from trading.core.testing.harness import StrategyHarness
from trading.core.testing.random_walk import random_walk

FACTORIES: dict[str, Callable[[], Strategy[Any]]] = {
    "sma_cross": lambda: SmaCross(MovingAverageConfig(10, Decimal(3))),
    "sma_trend": lambda: SmaTrend(MovingAverageConfig(7, Decimal(2))),
    "rsi_reversion": lambda: RsiReversion(RsiReversionConfig(5, 35.0, 65.0, Decimal(1))),
    "buy_and_hold": lambda: BuyAndHold(BuyAndHoldConfig(Decimal(4))),
    "random": lambda: RandomStrategy(RandomConfig(11, 0.2, Decimal(1))),
}


@pytest.mark.parametrize("name", sorted(FACTORIES))
@pytest.mark.parametrize("split_at", [1, 37, 150])
def test_a_strategy_resumed_from_its_state_signals_like_one_that_never_stopped(
    name: str, split_at: int
) -> None:
    bars = list(random_walk(300, seed=5, volatility=0.02))
    whole = StrategyHarness(FACTORIES[name]())
    expected = whole.run(bars)
    split = StrategyHarness(FACTORIES[name]())
    before = split.run(bars[:split_at])

    state = json.loads(json.dumps(split.strategy.get_state()))
    split.restart_with(FACTORIES[name](), state)
    after = split.run(bars[split_at:])

    assert before + after == expected
    assert expected, "the scenario should trade at least once"
