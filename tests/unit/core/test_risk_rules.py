"""Upstream: (entry point: pytest)
Downstream: trading.core.accounting.portfolio, trading.core.accounting.view, trading.core.clock, trading.core.enums, trading.core.risk.base, trading.core.risk.rules, trading.core.signals, trading.core.testing.builders
Role: each built-in risk rule on its own: loss limit, position ratio, order rate, daily loss."""

import json
from datetime import timedelta
from decimal import Decimal

from trading.core.accounting.portfolio import Portfolio
from trading.core.accounting.view import PortfolioView
from trading.core.clock import TestClock
from trading.core.enums import OrderType, Side, SignalDirection
from trading.core.risk.base import Blocked, Halt, RiskContext
from trading.core.risk.rules import (
    DailyLossConfig,
    DailyLossLimit,
    LossLimitConfig,
    LossLimitRisk,
    OrderRateConfig,
    OrderRateRisk,
    PositionRatioConfig,
    PositionRatioRisk,
)
from trading.core.signals import Signal
from trading.core.testing.builders import T0, bar, fill, order


class World:
    """A portfolio, a clock and the pending-order map a rule looks at."""

    def __init__(self, capital: int = 10_000) -> None:
        self.portfolio = Portfolio(Decimal(capital))
        self.clock = TestClock(T0)
        self.pending: dict[str, str] = {}
        self.context = RiskContext("P1", PortfolioView(self.portfolio), self.clock, self.pending)
        self._fills = 0

    def hold(self, side: Side, quantity: int, price: int) -> None:
        self._fills += 1
        self.portfolio.apply_fill(fill(side, quantity, price, fill_id=f"F{self._fills}"))

    def price(self, symbol: str, price: str | int) -> None:
        self.portfolio.mark(symbol, Decimal(price))


# --- loss limit ---------------------------------------------------------------------------


def test_loss_limit_closes_a_long_down_more_than_the_limit() -> None:
    world = World()
    world.hold(Side.BUY, 10, 100)
    world.price("AAA", 89)
    rule = LossLimitRisk(LossLimitConfig(Decimal("0.10")))

    actions = rule.on_price(bar(89), world.context)

    assert len(actions) == 1
    signal = actions[0]
    assert isinstance(signal, Signal)
    assert (signal.symbol, signal.direction) == ("AAA", SignalDirection.CLOSE)
    assert "down 11.00%" in signal.reason


def test_loss_limit_leaves_a_position_at_exactly_the_limit_alone() -> None:
    world = World()
    world.hold(Side.BUY, 10, 100)
    world.price("AAA", 90)

    assert LossLimitRisk(LossLimitConfig(Decimal("0.10"))).on_price(bar(90), world.context) == ()


def test_loss_limit_measures_shorts_against_rising_prices() -> None:
    world = World()
    world.hold(Side.SELL, 10, 100)
    world.price("AAA", 115)

    actions = LossLimitRisk(LossLimitConfig(Decimal("0.10"))).on_price(bar(115), world.context)

    assert [a.direction for a in actions] == [SignalDirection.CLOSE]  # type: ignore[union-attr]


def test_loss_limit_blocks_buys_while_breached_but_lets_reductions_pass() -> None:
    world = World()
    world.hold(Side.BUY, 10, 100)
    world.price("AAA", 80)
    rule = LossLimitRisk(LossLimitConfig(Decimal("0.10")))
    rule.on_price(bar(80), world.context)

    buy = rule.check(order(Side.BUY, 5), world.context)
    sell = rule.check(order(Side.SELL, 10), world.context)

    assert isinstance(buy, Blocked)
    assert "past its loss limit" in buy.reason
    assert sell == order(Side.SELL, 10)


def test_loss_limit_waits_while_an_order_is_working_and_forgets_once_flat() -> None:
    world = World()
    world.hold(Side.BUY, 10, 100)
    world.price("AAA", 80)
    world.pending["AAA"] = "P1-0-9"
    rule = LossLimitRisk(LossLimitConfig(Decimal("0.10")))

    assert rule.on_price(bar(80), world.context) == ()
    world.portfolio.apply_fill(fill(Side.SELL, 10, 80, fill_id="close"))
    rule.on_price(bar(80), world.context)

    assert rule.check(order(Side.BUY, 5), world.context) == order(Side.BUY, 5)


def test_loss_limit_state_survives_json() -> None:
    world = World()
    world.hold(Side.BUY, 10, 100)
    world.price("AAA", 50)
    rule, resumed = LossLimitRisk(LossLimitConfig()), LossLimitRisk(LossLimitConfig())
    rule.on_price(bar(50), world.context)

    resumed.set_state(json.loads(json.dumps(rule.get_state())))

    assert isinstance(resumed.check(order(Side.BUY, 1), world.context), Blocked)


# --- position ratio -----------------------------------------------------------------------


def _ratio() -> PositionRatioRisk:
    return PositionRatioRisk(PositionRatioConfig(Decimal("0.20")))


def test_position_ratio_cuts_an_order_to_the_allowed_whole_quantity() -> None:
    world = World()
    world.price("AAA", 100)  # 20% of 10,000 is 2,000: 20 units

    assert _ratio().check(order(Side.BUY, 30), world.context) == order(Side.BUY, 20)


def test_position_ratio_counts_what_is_already_held() -> None:
    world = World()
    world.hold(Side.BUY, 15, 100)

    assert _ratio().check(order(Side.BUY, 10), world.context) == order(Side.BUY, 5)


def test_position_ratio_blocks_when_no_whole_unit_fits() -> None:
    world = World()
    world.hold(Side.BUY, 20, 100)

    verdict = _ratio().check(order(Side.BUY, 1), world.context)

    assert isinstance(verdict, Blocked)
    assert "would exceed 20% of equity" in verdict.reason


def test_position_ratio_lets_orders_within_the_ratio_through() -> None:
    world = World()
    world.price("AAA", 100)

    assert _ratio().check(order(Side.BUY, 20), world.context) == order(Side.BUY, 20)


def test_position_ratio_always_lets_reductions_through() -> None:
    world = World()
    world.hold(Side.BUY, 50, 100)  # already far above the ratio

    assert _ratio().check(order(Side.SELL, 50), world.context) == order(Side.SELL, 50)


def test_position_ratio_allows_a_flip_up_to_the_ratio_on_the_other_side() -> None:
    world = World()
    world.hold(Side.BUY, 10, 100)

    assert _ratio().check(order(Side.SELL, 50), world.context) == order(Side.SELL, 30)


def test_position_ratio_values_limit_orders_at_their_limit() -> None:
    world = World()
    world.price("AAA", 100)
    limit = order(Side.BUY, 100, order_type=OrderType.LIMIT, limit=50)

    assert _ratio().check(limit, world.context).quantity == 40  # type: ignore[union-attr]


# --- order rate ---------------------------------------------------------------------------


def test_order_rate_blocks_orders_beyond_the_limit_within_one_second() -> None:
    world = World()
    rule = OrderRateRisk(OrderRateConfig(2))
    for _ in range(2):
        assert rule.check(order(), world.context) == order()
        rule.on_submitted(order(), world.context)

    verdict = rule.check(order(), world.context)

    assert isinstance(verdict, Blocked)
    assert verdict.reason == "more than 2 orders in one second"


def test_order_rate_allows_again_once_the_second_has_passed() -> None:
    world = World()
    rule = OrderRateRisk(OrderRateConfig(1))
    rule.on_submitted(order(), world.context)

    world.clock.advance(timedelta(seconds=1))

    assert rule.check(order(), world.context) == order()


def test_order_rate_only_counts_orders_that_actually_left() -> None:
    world = World()
    rule = OrderRateRisk(OrderRateConfig(1))

    rule.check(order(), world.context)  # checked, then blocked further down the chain

    assert rule.check(order(), world.context) == order()


# --- daily loss ---------------------------------------------------------------------------


def test_daily_loss_halts_when_equity_falls_past_the_limit_within_a_day() -> None:
    world = World()
    world.hold(Side.BUY, 100, 100)
    world.price("AAA", 100)
    rule = DailyLossLimit(DailyLossConfig(Decimal("0.05")))
    assert rule.on_price(bar(100), world.context) == ()

    world.price("AAA", 94)  # equity 9,400: down 6% on the day
    actions = rule.on_price(bar(94, time=T0 + timedelta(hours=3)), world.context)

    assert len(actions) == 1
    assert isinstance(actions[0], Halt)
    assert actions[0].reason == "daily loss 6.00% exceeds 5.00%"


def test_daily_loss_measures_from_the_previous_close_so_gaps_count() -> None:
    world = World()
    world.hold(Side.BUY, 100, 100)
    world.price("AAA", 100)
    rule = DailyLossLimit(DailyLossConfig(Decimal("0.05")))
    rule.on_price(bar(100), world.context)

    world.price("AAA", 90)
    actions = rule.on_price(bar(90, time=T0 + timedelta(days=1)), world.context)

    assert [type(a) for a in actions] == [Halt]


def test_daily_loss_starts_a_new_day_from_the_last_equity() -> None:
    world = World()
    world.hold(Side.BUY, 100, 100)
    rule = DailyLossLimit(DailyLossConfig(Decimal("0.05")))
    world.price("AAA", 96)
    rule.on_price(bar(96), world.context)  # 4% down on day one: fine

    world.price("AAA", 93)  # 3.1% below day two's start
    assert rule.on_price(bar(93, time=T0 + timedelta(days=1)), world.context) == ()
