"""Upstream: (entry point: pytest)
Downstream: trading.core.enums, trading.core.events, trading.core.orders.events, trading.core.risk.rules, trading.core.testing.builders, tests.unit.core.desk
Role: the risk chain inside the pipeline: rule order, shrinking, blocking, risk-made orders, risk states and halts."""

from decimal import Decimal

from tests.unit.core.desk import Desk
from trading.core.enums import RiskState, Side
from trading.core.events import (
    OrderBlocked,
    OrderSubmitted,
    RiskHalted,
    RiskStateChanged,
    SignalDropped,
    StrategyErrored,
)
from trading.core.orders.events import OrderCancelled
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
from trading.core.testing.builders import fill


def _started(*risks: object) -> Desk:
    desk = Desk(risks=risks)  # type: ignore[arg-type]
    desk.pipeline.start()
    return desk


def _hold(desk: Desk, quantity: int, price: int, symbol: str = "AAA") -> None:
    desk.pipeline.on_fill(
        fill(
            Side.BUY,
            quantity,
            price,
            client_order_id="seed",
            fill_id=f"seed-{symbol}",
            symbol=symbol,
        )
    )


def test_loss_limit_sends_its_own_close_order_on_the_price_update() -> None:
    desk = _started(LossLimitRisk(LossLimitConfig(Decimal("0.10"))))
    _hold(desk, 10, 100)
    desk.strategy.will_buy("AAA", 5)

    events = desk.bar(85)

    assert [type(e) for e in events] == [OrderSubmitted, SignalDropped]
    close = events[0].order  # type: ignore[union-attr]
    assert (close.side, close.quantity) == (Side.SELL, 10)
    assert close.tag.startswith("loss limit: down 15.00%")


def test_loss_limit_keeps_blocking_buys_until_the_position_is_closed() -> None:
    desk = _started(LossLimitRisk(LossLimitConfig(Decimal("0.10"))))
    _hold(desk, 10, 100)
    desk.bar(85)
    desk.pipeline.on_fill(fill(Side.SELL, 4, 85, fill_id="part"))
    desk.pipeline.on_order_event(OrderCancelled("P1-0-1", desk.clock.now()))

    desk.strategy.will_buy("AAA", 5)
    blocked = desk.bar(95)  # back within the limit, but the position is not closed yet
    desk.strategy.will_sell("AAA")
    desk.bar(95)
    desk.pipeline.on_fill(fill(Side.SELL, 6, 95, fill_id="rest", client_order_id="P1-0-3"))
    desk.strategy.will_buy("AAA", 5)
    allowed = desk.bar(95)

    assert [(type(e), getattr(e, "blocked_by", None)) for e in blocked] == [
        (OrderBlocked, "LossLimitRisk")
    ]
    assert [type(e) for e in allowed] == [OrderSubmitted]


def test_risk_rules_keep_guarding_after_the_strategy_failed() -> None:
    desk = _started(LossLimitRisk(LossLimitConfig(Decimal("0.10"))))
    _hold(desk, 10, 100)
    desk.strategy.will_raise(RuntimeError("boom"))

    events = desk.bar(80)

    assert [type(e) for e in events] == [StrategyErrored, OrderSubmitted]


def test_position_ratio_shrinks_a_strategy_order_before_it_leaves() -> None:
    desk = _started(PositionRatioRisk(PositionRatioConfig(Decimal("0.20"))))
    desk.strategy.will_buy("AAA", 50)

    (event,) = desk.bar(100)

    assert isinstance(event, OrderSubmitted)
    assert event.order.quantity == 20


def test_a_block_is_an_event_naming_the_rule_and_the_reason() -> None:
    desk = _started(PositionRatioRisk(PositionRatioConfig(Decimal("0.20"))))
    _hold(desk, 20, 100)
    desk.strategy.will_buy("AAA", 1)

    (event,) = desk.bar(100)

    assert isinstance(event, OrderBlocked)
    assert event.blocked_by == "PositionRatioRisk"
    assert "would exceed 20% of equity" in event.reason
    assert desk.pipeline.open_orders == []


def test_rules_run_in_order_and_the_first_block_wins() -> None:
    rate = OrderRateRisk(OrderRateConfig(1))
    desk = _started(rate, PositionRatioRisk(PositionRatioConfig(Decimal("0.20"))))
    desk.strategy.will_buy("AAA", 5)
    desk.bar(100)
    desk.strategy.will_buy("BBB", 1000)

    (event,) = desk.bar(100, symbol="BBB", same_time=True)

    assert isinstance(event, OrderBlocked)
    assert event.blocked_by == "OrderRateRisk"


def test_daily_loss_halts_the_portfolio_and_only_reductions_pass() -> None:
    desk = _started(DailyLossLimit(DailyLossConfig(Decimal("0.05"))))
    _hold(desk, 50, 100)
    desk.bar(100)

    halted = desk.bar(80)  # 1,000 of 10,000 lost today
    desk.strategy.will_buy("BBB", 1)
    blocked = desk.bar(80, symbol="BBB")
    desk.strategy.will_sell("AAA")
    reduced = desk.bar(80)

    assert [type(e) for e in halted] == [RiskHalted]
    assert desk.pipeline.risk_state is RiskState.HALTED
    assert isinstance(blocked[0], OrderBlocked)
    assert blocked[0].blocked_by == "RiskEngine"
    assert [type(e) for e in reduced] == [OrderSubmitted]


def test_an_explicit_reset_lifts_the_halt() -> None:
    desk = _started(DailyLossLimit(DailyLossConfig(Decimal("0.05"))))
    _hold(desk, 50, 100)
    desk.bar(100)
    desk.bar(80)

    (event,) = desk.pipeline.reset_risk("checked by ops")
    desk.strategy.will_buy("BBB", 1)
    events = desk.bar(10, symbol="BBB")

    assert isinstance(event, RiskStateChanged)
    assert (event.previous, event.state, event.reason) == (
        RiskState.HALTED,
        RiskState.ACTIVE,
        "checked by ops",
    )
    # The day's loss is measured again from the reset, so the halt does not come straight back.
    assert [type(e) for e in events] == [OrderSubmitted]


def test_reducing_state_set_by_hand_blocks_new_risk() -> None:
    desk = _started()
    desk.pipeline.set_risk_state(RiskState.REDUCING, "end of quarter")
    desk.strategy.will_buy("AAA", 1)

    (event,) = desk.bar(100)

    assert isinstance(event, OrderBlocked)
    assert event.reason == "risk state is reducing: only position-reducing orders pass"
