"""Upstream: (entry point: pytest)
Downstream: tests.unit.node.kit, trading.core.accounting.portfolio, trading.core.enums, trading.core.events, trading.core.orders.events, trading.core.orders.state, trading.core.testing.builders, trading.node.loader
Role: a portfolio rebuilt from stored state: cash and positions from fills, working orders restored, order ids of the new run, a clock that never goes back."""

from datetime import timedelta
from decimal import Decimal

from tests.unit.node.kit import config
from trading.core.accounting.portfolio import Portfolio
from trading.core.enums import Side
from trading.core.events import OrderFilled, OrderSubmitted, SignalDropped
from trading.core.orders.events import OrderAccepted
from trading.core.orders.state import TrackedOrder
from trading.core.testing.builders import T0, bar, fill, order
from trading.node.loader import PortfolioRun, build_loaded

FILLS = (
    fill(Side.BUY, 10, 100, fill_id="F1", client_order_id="P1-1-1", time=T0),
    fill(Side.BUY, 5, 110, fill_id="F2", client_order_id="P1-1-2", symbol="BBB", time=T0),
    fill(Side.SELL, 4, 120, fill_id="F3", client_order_id="P1-1-3", time=T0 + timedelta(days=1)),
)


def working_order(symbol: str = "BBB") -> TrackedOrder:
    tracked = TrackedOrder(order(Side.SELL, 5, symbol=symbol, client_order_id="P1-1-4"))
    tracked.submit()
    tracked.apply(OrderAccepted("P1-1-4", T0))
    return tracked


def test_cash_and_positions_are_rebuilt_from_the_stored_fills() -> None:
    loaded = build_loaded(PortfolioRun(config(), 2, FILLS, ()))

    expected = Portfolio.rebuild(Decimal(100_000), FILLS)
    assert loaded.ledger.cash == expected.cash == Decimal(100_000 - 1000 - 550 + 480)
    assert {s: p.quantity for s, p in loaded.ledger.positions.items()} == {"AAA": 6, "BBB": 5}
    assert loaded.fills == 3


def test_orders_of_the_new_run_carry_its_epoch() -> None:
    loaded = build_loaded(PortfolioRun(config(), 7, (), ()))
    loaded.pipeline.start()

    events = loaded.pipeline.on_price(bar(100, time=T0))

    assert [e.order.client_order_id for e in events if isinstance(e, OrderSubmitted)] == ["P1-7-1"]


def test_a_restored_working_order_holds_its_symbol_until_its_fill_arrives() -> None:
    loaded = build_loaded(PortfolioRun(config(), 2, FILLS, (working_order(),)))
    pipeline = loaded.pipeline
    pipeline.start()

    blocked = pipeline.on_price(bar(100, symbol="BBB", time=T0 + timedelta(days=2)))
    filled = pipeline.on_fill(
        fill(Side.SELL, 5, 100, symbol="BBB", fill_id="F4", client_order_id="P1-1-4")
    )

    assert [type(e) for e in blocked] == [SignalDropped]
    assert OrderFilled in [type(e) for e in filled]
    assert pipeline.open_orders == []


def test_the_clock_starts_at_the_newest_stored_event() -> None:
    loaded = build_loaded(PortfolioRun(config(), 2, FILLS, (working_order(),)))

    assert loaded.clock.now() == T0 + timedelta(days=1)
