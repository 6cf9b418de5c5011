"""Upstream: (entry point: pytest)
Downstream: trading.core.backtest.engine, trading.core.catalog, trading.core.config, trading.core.enums, trading.core.market, trading.core.matching.commissions, trading.core.registry, trading.core.strategies.base, trading.core.testing.builders, trading.core.testing.random_walk
Role: the backtest driver and its scores: fills at the next open, final value, trades and orders, metrics, determinism."""

import json
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest

from trading.core.backtest.engine import BacktestEngine, ExecutionSettings
from trading.core.catalog import builtin_registry
from trading.core.config import PortfolioConfig
from trading.core.enums import OrderStatus
from trading.core.market import Bar
from trading.core.matching.commissions import PerShareCommission
from trading.core.registry import ComponentKind, ComponentRegistry, ComponentSpec
from trading.core.strategies.base import Strategy
from trading.core.testing.builders import T0, bar
from trading.core.testing.random_walk import random_walk


@dataclass(frozen=True, slots=True)
class NoParams:
    """No parameters."""


class FlipFlop(Strategy[NoParams]):
    """Buys one unit whenever flat and sells whenever long: a round trip every two bars."""

    def on_bar(self, bar: Bar) -> None:
        if self.portfolio.is_flat(bar.symbol):
            self.buy(bar.symbol, quantity=Decimal(1))
        else:
            self.sell(bar.symbol)


class Explodes(Strategy[NoParams]):
    """Fails on its third bar."""

    def __init__(self, config: NoParams) -> None:
        super().__init__(config)
        self.bars = 0

    def on_bar(self, bar: Bar) -> None:
        self.bars += 1
        if self.bars == 3:
            raise KeyError("missing")


def _registry() -> ComponentRegistry:
    registry = builtin_registry()
    registry.register(ComponentKind.STRATEGY, "flip_flop", NoParams, FlipFlop)
    registry.register(ComponentKind.STRATEGY, "explodes", NoParams, Explodes)
    return registry


def _run(strategy: str, bars: list[Bar], params: dict | None = None, **execution: object):
    config = PortfolioConfig("bt", ("AAA",), Decimal(10_000), ComponentSpec(strategy, params or {}))
    return BacktestEngine(config, ExecutionSettings(**execution), _registry()).run(bars)  # type: ignore[arg-type]


def _days(*opens_and_closes: tuple[int, int]) -> list[Bar]:
    return [
        bar(c, open=o, time=T0 + timedelta(days=i)) for i, (o, c) in enumerate(opens_and_closes)
    ]


def test_an_order_made_on_a_close_fills_at_the_next_open_and_is_valued_at_the_last_close() -> None:
    result = _run("buy_and_hold", _days((100, 101), (102, 105), (104, 110)), {"size": 10})

    (trade,) = result.trades
    assert (trade.price, trade.quantity, trade.time) == (102, 10, T0 + timedelta(days=1))
    assert result.cash == Decimal(8_980)
    assert result.final_value == Decimal(10_080)
    assert result.total_return == pytest.approx(0.008)
    assert [o.status for o in result.orders] == [OrderStatus.FILLED.value]


def test_an_order_made_on_the_last_bar_never_fills() -> None:
    result = _run("buy_and_hold", _days((100, 101)), {"size": 10})

    assert result.trades == ()
    assert result.final_value == result.cash == Decimal(10_000)
    assert [o.status for o in result.orders] == [OrderStatus.ACCEPTED.value]


def test_commissions_are_paid_out_of_cash() -> None:
    result = _run(
        "buy_and_hold",
        _days((100, 101), (102, 105)),
        {"size": 10},
        commission=PerShareCommission(Decimal("0.005"), Decimal(1)),
    )

    assert result.trades[0].commission == 1
    assert result.cash == Decimal(8_979)


def test_round_trips_and_win_rate_count_closed_positions() -> None:
    bars = _days((100, 100), (100, 100), (110, 110), (105, 105), (100, 100), (120, 120))

    result = _run("flip_flop", bars)

    assert [(t.side.value, t.price) for t in result.trades] == [
        ("buy", 100),
        ("sell", 110),
        ("buy", 105),
        ("sell", 100),
        ("buy", 120),
    ]
    assert (result.round_trips, result.win_rate) == (2, 0.5)
    assert result.trade_count == 5
    assert len(result.orders) == 6
    assert result.final_value == Decimal(10_000) + 10 - 5


def test_a_failing_strategy_is_reported_and_the_run_completes() -> None:
    result = _run("explodes", list(random_walk(10)))

    assert result.strategy_error == "KeyError: 'missing'"
    assert result.bars == 10


def test_the_same_input_gives_the_same_output() -> None:
    bars = list(random_walk(500, seed=4, volatility=0.02))

    first = _run("sma_cross", bars, {"period": 10}).to_dict()
    second = _run("sma_cross", bars, {"period": 10}).to_dict()

    assert first == second
    assert first["trade_count"] > 10


def test_the_json_form_has_money_as_strings_and_every_trade_and_order() -> None:
    result = _run("flip_flop", _days((100, 100), (101, 102), (103, 104)))

    data = json.loads(json.dumps(result.to_dict()))

    assert data["final_value"] == str(result.final_value)
    assert data["trades"][0] == {
        "datetime": (T0 + timedelta(days=1)).isoformat(),
        "symbol": "AAA",
        "side": "buy",
        "quantity": "1",
        "price": "101",
        "commission": "0",
        "order_id": "bt-0-1",
        "fill_id": "backtest:bt-0-1:1",
    }
    assert {"return", "max_drawdown", "sharpe", "win_rate", "orders", "cash"} <= set(data)
    assert data["orders"][0]["status"] == "filled"


def test_equity_has_one_point_per_bar_marked_at_its_close() -> None:
    result = _run("buy_and_hold", _days((100, 101), (102, 105), (104, 110)), {"size": 10})

    assert result.equity.times == tuple(T0 + timedelta(days=day) for day in range(3))
    assert result.equity.equity == (10_000, 8_980 + 1_050, 8_980 + 1_100)
    assert result.equity.cash == (10_000, 8_980, 8_980)
    assert result.prices["AAA"].prices == (101, 105, 110)
    assert result.statistics.exposure == pytest.approx(2 / 3)


def test_bars_of_several_symbols_at_one_time_make_one_equity_point() -> None:
    config = PortfolioConfig(
        "bt", ("AAA", "BBB"), Decimal(10_000), ComponentSpec("buy_and_hold", {"size": 1})
    )
    bars = [
        bar(c, symbol=symbol, time=T0 + timedelta(days=day))
        for day, c in enumerate((10, 11, 12))
        for symbol in ("AAA", "BBB")
    ]

    result = BacktestEngine(config, registry=_registry()).run(bars)

    assert result.equity.times == tuple(T0 + timedelta(days=day) for day in range(3))
    assert set(result.prices) == {"AAA", "BBB"}
    assert result.bars == 6


def test_the_json_form_carries_the_equity_curve_prices_and_round_trips() -> None:
    bars = _days((100, 100), (100, 100), (110, 110), (105, 105))

    data = json.loads(json.dumps(_run("flip_flop", bars).to_dict()))

    assert data["equity"][2] == {
        "time": (T0 + timedelta(days=2)).isoformat(),
        "equity": "10010",
        "cash": "10010",
    }
    assert data["prices"]["AAA"][0] == {"time": T0.isoformat(), "price": "100"}
    assert data["trips"] == [
        {"symbol": "AAA", "time": (T0 + timedelta(days=2)).isoformat(), "pnl": "10"}
    ]
    assert (data["average_win"], data["average_loss"], data["win_rate"]) == ("10", None, 1.0)
