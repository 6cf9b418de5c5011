"""Upstream: (entry point: pytest)
Downstream: tests.unit.core.desk, trading.core.enums, trading.core.errors, trading.core.events, trading.core.orders.events, trading.core.sizers, trading.core.testing.builders, trading.core.testing.doubles
Role: the portfolio pipeline: signals to orders, one working order per symbol, fills, reports, isolation of strategies."""

from decimal import Decimal

import pytest

from tests.unit.core.desk import Desk
from trading.core.enums import OrderStatus, OrderType, Side, TimeInForce
from trading.core.errors import PipelineError
from trading.core.events import (
    OrderFilled,
    OrderPartiallyFilled,
    OrderReportIgnored,
    OrderSubmitted,
    PositionClosed,
    SignalDropped,
    StrategyErrored,
)
from trading.core.orders.events import OrderAccepted, OrderRejected
from trading.core.sizers import FixedSizer
from trading.core.testing.builders import T0, fill, tick
from trading.core.testing.doubles import ScriptedStrategy


@pytest.fixture
def desk() -> Desk:
    desk = Desk()
    desk.pipeline.start()
    return desk


def test_price_updates_before_start_are_refused() -> None:
    with pytest.raises(PipelineError, match="P1 is not running"):
        Desk().bar()


def test_start_and_stop_call_the_strategy_hooks() -> None:
    desk = Desk()

    desk.pipeline.start()
    desk.pipeline.stop()

    assert desk.strategy.started and desk.strategy.stopped
    assert not desk.pipeline.is_running


def test_updates_for_other_symbols_are_ignored(desk: Desk) -> None:
    assert desk.bar(symbol="ZZZ") == []
    assert desk.strategy.seen == []


def test_a_buy_signal_becomes_a_submitted_market_order_with_a_deterministic_id() -> None:
    desk = Desk(run_epoch=3)
    desk.pipeline.start()
    desk.strategy.will_buy("AAA", 10)

    events = desk.bar(100)

    (submitted,) = desk.submitted(events)
    order = submitted.order
    assert order.client_order_id == "P1-3-1"
    assert (order.symbol, order.side, order.quantity) == ("AAA", Side.BUY, 10)
    assert (order.order_type, order.time_in_force) == (OrderType.MARKET, TimeInForce.DAY)
    assert order.created_at == desk.clock.now()
    assert order.tag == "scripted buy"
    assert desk.pipeline.order("P1-3-1").status is OrderStatus.SUBMITTED  # type: ignore[union-attr]


def test_the_sizer_decides_the_quantity_of_buys() -> None:
    desk = Desk(sizer=FixedSizer(Decimal(3)))
    desk.pipeline.start()
    desk.strategy.will_buy("AAA", 10)

    (submitted,) = desk.submitted(desk.bar())

    assert submitted.order.quantity == 3


def test_signals_for_a_symbol_with_a_working_order_are_dropped(desk: Desk) -> None:
    desk.strategy.will_buy("AAA", 10)
    desk.bar()
    desk.bar(symbol="BBB")  # gives BBB a price, so a BBB buy can be sized

    desk.strategy.will_buy("AAA", 5)
    dropped = desk.bar()
    desk.strategy.will_buy("BBB", 1)
    other_symbol = desk.bar(symbol="BBB")

    assert [type(e) for e in dropped] == [SignalDropped]
    assert "order P1-0-1 is still working for AAA" in dropped[0].reason  # type: ignore[union-attr]
    assert [e.order.symbol for e in desk.submitted(other_symbol)] == ["BBB"]


def test_two_signals_on_one_update_send_only_the_first(desk: Desk) -> None:
    desk.strategy.will(
        lambda s: (s.buy("AAA", quantity=Decimal(1)), s.buy("AAA", quantity=Decimal(2)))
    )

    events = desk.bar()

    assert [type(e) for e in events] == [OrderSubmitted, SignalDropped]


def test_a_fill_completes_the_order_and_frees_the_symbol(desk: Desk) -> None:
    desk.strategy.will_buy("AAA", 10)
    desk.bar()
    desk.pipeline.on_order_event(OrderAccepted("P1-0-1", desk.clock.now()))

    events = desk.pipeline.on_fill(fill(Side.BUY, 10, 101, fill_id="X-1"))

    assert events == [OrderFilled("P1", "P1-0-1", "X-1", Decimal(10), Decimal(101), T0)]
    assert desk.pipeline.open_orders == []
    assert desk.pipeline.view.quantity("AAA") == 10
    desk.strategy.will_buy("AAA", 1)
    assert len(desk.submitted(desk.bar())) == 1


def test_a_partial_fill_keeps_the_symbol_busy(desk: Desk) -> None:
    desk.strategy.will_buy("AAA", 10)
    desk.bar()

    events = desk.pipeline.on_fill(fill(Side.BUY, 4, 100, fill_id="X-1"))

    assert events == [
        OrderPartiallyFilled("P1", "P1-0-1", "X-1", Decimal(4), Decimal(6), Decimal(100), T0)
    ]
    desk.strategy.will_buy("AAA", 1)
    assert [type(e) for e in desk.bar()] == [SignalDropped]


def test_a_rejection_frees_the_symbol(desk: Desk) -> None:
    desk.strategy.will_buy("AAA", 10)
    desk.bar()

    assert desk.pipeline.on_order_event(OrderRejected("P1-0-1", "closed", T0)) == []

    assert desk.pipeline.open_orders == []


def test_the_same_fill_twice_is_booked_once(desk: Desk) -> None:
    desk.strategy.will_buy("AAA", 10)
    desk.bar()
    desk.pipeline.on_fill(fill(Side.BUY, 4, 100, fill_id="X-1"))
    before = desk.pipeline.checkpoint()

    assert desk.pipeline.on_fill(fill(Side.BUY, 4, 100, fill_id="X-1")) == []

    assert desk.pipeline.checkpoint() == before


def test_a_fill_for_an_unknown_order_is_booked_and_reported(desk: Desk) -> None:
    events = desk.pipeline.on_fill(fill(Side.BUY, 2, 50, client_order_id="elsewhere-1"))

    assert [type(e) for e in events] == [OrderReportIgnored]
    assert desk.pipeline.view.quantity("AAA") == 2


def test_a_duplicated_acknowledgement_is_reported_not_raised(desk: Desk) -> None:
    desk.strategy.will_buy("AAA", 10)
    desk.bar()
    desk.pipeline.on_order_event(OrderAccepted("P1-0-1", T0))

    (event,) = desk.pipeline.on_order_event(OrderAccepted("P1-0-1", T0))

    assert isinstance(event, OrderReportIgnored)
    assert "illegal transition ACCEPTED -> ACCEPTED" in event.reason


def test_sell_and_close_trade_the_whole_position_whatever_the_sizer() -> None:
    desk = Desk(sizer=FixedSizer(Decimal(1)))
    desk.pipeline.start()
    desk.pipeline.on_fill(fill(Side.BUY, 7, 100, client_order_id="seed", fill_id="S-1"))
    desk.pipeline.on_fill(
        fill(Side.SELL, 3, 100, client_order_id="seed", fill_id="S-2", symbol="BBB")
    )
    desk.strategy.will_sell("AAA").will_close("BBB")

    sell = desk.submitted(desk.bar())[0].order
    close = desk.submitted(desk.bar(symbol="BBB"))[0].order

    assert (sell.side, sell.quantity) == (Side.SELL, 7)
    assert (close.side, close.quantity) == (Side.BUY, 3)


def test_selling_when_flat_is_dropped_as_nothing_to_trade(desk: Desk) -> None:
    desk.strategy.will_sell("AAA")

    (event,) = desk.bar()

    assert isinstance(event, SignalDropped)
    assert event.reason == "nothing to trade"


def test_a_round_trip_ends_with_a_position_closed_event(desk: Desk) -> None:
    desk.strategy.will_buy("AAA", 5)
    desk.bar()
    desk.pipeline.on_fill(fill(Side.BUY, 5, 100, commission=1, fill_id="X-1"))
    desk.strategy.will_sell("AAA")
    desk.bar()

    events = desk.pipeline.on_fill(
        fill(Side.SELL, 5, 110, commission=1, fill_id="X-2", client_order_id="P1-0-2")
    )

    assert events[-1] == PositionClosed("P1", "AAA", Decimal(48), T0)


def test_a_raising_strategy_becomes_an_event_and_is_not_fed_again(desk: Desk) -> None:
    desk.strategy.will_buy("AAA", 1).will_raise(ValueError("bad maths"))
    desk.bar()

    events = desk.bar()
    failed_at = desk.clock.now()
    later = desk.bar()

    assert events == [StrategyErrored("P1", "ScriptedStrategy", "ValueError: bad maths", failed_at)]
    assert later == []
    assert len(desk.strategy.seen) == 2
    assert desk.pipeline.strategy_failed


def test_signals_of_a_hook_that_raised_are_not_traded(desk: Desk) -> None:
    def buy_then_fail(strategy: ScriptedStrategy) -> None:
        strategy.buy("AAA", quantity=Decimal(1))
        raise RuntimeError("half way")

    desk.strategy.will(buy_then_fail)

    events = desk.bar()

    assert [type(e) for e in events] == [StrategyErrored]
    assert desk.pipeline.open_orders == []


def test_a_strategy_failing_to_start_is_reported_by_start() -> None:
    desk = Desk()
    desk.strategy.on_start = lambda: 1 / 0  # type: ignore[method-assign]

    (event,) = desk.pipeline.start()

    assert isinstance(event, StrategyErrored)
    assert event.error == "ZeroDivisionError: division by zero"


def test_ticks_reach_on_tick_and_mark_the_portfolio(desk: Desk) -> None:
    desk.pipeline.on_fill(fill(Side.BUY, 2, 100, client_order_id="seed"))

    desk.pipeline.on_price(tick("105.5"))

    assert desk.strategy.seen == [tick("105.5")]
    assert desk.pipeline.view.equity == Decimal(10_000) - 200 + 211
