"""Upstream: (entry point: pytest)
Downstream: tests.unit.core.desk, trading.core.clock, trading.core.config, trading.core.enums, trading.core.errors, trading.core.events, trading.core.market, trading.core.matching.engine, trading.core.orders.events, trading.core.orders.state, trading.core.pipeline, trading.core.registry, trading.core.testing.builders, trading.core.testing.random_walk
Role: pipeline checkpoints: JSON-ready, restorable elsewhere, and a restored portfolio carries on exactly."""

import json
from collections.abc import Iterable
from decimal import Decimal

import pytest

from tests.unit.core.desk import Desk
from trading.core.clock import TestClock
from trading.core.config import PortfolioConfig, build_pipeline
from trading.core.enums import OrderStatus, RiskState, Side
from trading.core.errors import PipelineError
from trading.core.events import DomainEvent, OrderFilled, OrderSubmitted
from trading.core.market import Bar
from trading.core.matching.engine import PaperMatchingEngine
from trading.core.orders.events import Fill
from trading.core.orders.state import TrackedOrder
from trading.core.pipeline import PortfolioPipeline
from trading.core.registry import ComponentSpec
from trading.core.testing.builders import fill
from trading.core.testing.random_walk import random_walk

CONFIG = PortfolioConfig(
    portfolio_id="P1",
    symbols=("AAA",),
    initial_capital=Decimal(10_000),
    strategy=ComponentSpec("sma_cross", {"period": 8, "size": 3}),
    risks=(ComponentSpec("loss_limit", {"max_loss": "0.02"}), ComponentSpec("daily_loss")),
)


def _through_json(state: dict) -> dict:
    return json.loads(json.dumps(state))


def _drive(
    pipeline: PortfolioPipeline, venue: PaperMatchingEngine, clock: TestClock, bars: Iterable[Bar]
) -> list[object]:
    """The backtest loop, by hand: venue first, then the pipeline; returns everything said."""
    said: list[object] = []

    def deliver(events: list[DomainEvent]) -> None:
        said.extend(events)
        for event in events:
            if isinstance(event, OrderSubmitted):
                for report in venue.submit(event.order, clock.now()):
                    said.append(report)
                    deliver(pipeline.on_order_event(report))  # type: ignore[arg-type]

    for item in bars:
        clock.set(item.time)
        for report in venue.on_price(item):
            said.append(report)
            deliver(
                pipeline.on_fill(report)
                if isinstance(report, Fill)
                else pipeline.on_order_event(report)
            )
        deliver(pipeline.on_price(item))
    return said


@pytest.mark.parametrize("split_at", [5, 60, 123])
def test_a_portfolio_restored_elsewhere_continues_like_one_that_never_moved(split_at: int) -> None:
    bars = list(random_walk(250, seed=9, volatility=0.015))
    clock = TestClock()
    whole = build_pipeline(CONFIG, clock=clock)
    whole.start()
    expected = _drive(whole, PaperMatchingEngine("V"), clock, bars)

    clock = TestClock()
    venue = PaperMatchingEngine("V")
    first = build_pipeline(CONFIG, clock=clock)
    first.start()
    before = _drive(first, venue, clock, bars[:split_at])
    saved = _through_json(first.checkpoint())
    second = build_pipeline(CONFIG, clock=clock)
    assert second.restore(saved) == []
    second.start()
    after = _drive(second, venue, clock, bars[split_at:])

    assert before + after == expected
    assert any(isinstance(e, OrderFilled) for e in expected)
    assert second.checkpoint() == whole.checkpoint()


def test_a_working_order_survives_the_move_and_ids_continue() -> None:
    desk = Desk()
    desk.pipeline.start()
    desk.strategy.will_buy("AAA", 10)
    desk.bar()
    saved = _through_json(desk.pipeline.checkpoint())

    moved = Desk()
    moved.pipeline.restore(saved)
    moved.pipeline.start()
    events = moved.pipeline.on_fill(fill(Side.BUY, 10, 100, fill_id="X-1"))
    moved.strategy.will_buy("AAA", 1)
    moved.minute = desk.minute
    next_order = moved.submitted(moved.bar())[0].order

    assert [type(e) for e in events] == [OrderFilled]
    assert next_order.client_order_id == "P1-0-2"


def test_restore_carries_the_risk_state_and_a_failed_strategy() -> None:
    desk = Desk()
    desk.pipeline.start()
    desk.pipeline.set_risk_state(RiskState.HALTED, "ops")
    desk.strategy.will_raise(RuntimeError("x"))
    desk.bar()
    moved = Desk()

    moved.pipeline.restore(_through_json(desk.pipeline.checkpoint()))

    assert moved.pipeline.risk_state is RiskState.HALTED
    assert moved.pipeline.strategy_failed


def test_restore_is_refused_once_running_or_for_another_portfolio() -> None:
    desk = Desk()
    saved = desk.pipeline.checkpoint()
    desk.pipeline.start()

    with pytest.raises(PipelineError, match="restore before start"):
        desk.pipeline.restore(saved)
    with pytest.raises(PipelineError, match="does not fit portfolio 'P1'"):
        Desk().pipeline.restore({**saved, "portfolio_id": "P2"})


def test_checkpoint_records_open_orders_with_their_status() -> None:
    desk = Desk()
    desk.pipeline.start()
    desk.strategy.will_buy("AAA", 10)
    desk.bar()

    (saved_order,) = desk.pipeline.checkpoint()["open_orders"]

    assert saved_order["status"] == OrderStatus.SUBMITTED.value
    assert saved_order["order"]["client_order_id"] == "P1-0-1"


def test_working_orders_rebuilt_elsewhere_can_be_loaded_before_start() -> None:
    desk = Desk()
    desk.pipeline.start()
    desk.strategy.will_buy("AAA", 10)
    desk.bar()
    (working,) = desk.pipeline.open_orders
    rebuilt = Desk()

    rebuilt.pipeline.load_orders([TrackedOrder.from_snapshot(working.snapshot())])
    rebuilt.pipeline.start()
    rebuilt.strategy.will_buy("AAA", 1)
    rebuilt.minute = desk.minute
    events = rebuilt.bar()

    assert [o.client_order_id for o in rebuilt.pipeline.open_orders] == ["P1-0-1"]
    assert "order P1-0-1 is still working for AAA" in events[0].reason  # type: ignore[union-attr]
    with pytest.raises(PipelineError, match="load orders before start"):
        rebuilt.pipeline.load_orders([])
