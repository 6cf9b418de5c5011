"""Upstream: (entry point: pytest)
Downstream: monitoring.notifications.kinds, tests.unit.node.kit, trading.core.config, trading.core.enums, trading.core.registry, trading.core.testing.builders, trading.node.processor
Role: a portfolio thread: orders out, fills booked once, a raising strategy or a failing pipeline call puts it in error and the thread lives on."""

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from monitoring.notifications import kinds
from tests.unit.node.kit import RecordingOutput, config, minute, processor, run
from trading.core.config import PortfolioConfig
from trading.core.enums import Side
from trading.core.registry import ComponentSpec
from trading.core.testing.builders import T0, fill
from trading.node.processor import Status


def with_risks(portfolio: PortfolioConfig, *risks: tuple[str, dict[str, str]]) -> PortfolioConfig:
    return replace(portfolio, risks=tuple(ComponentSpec(name, params) for name, params in risks))


def test_price_updates_turn_into_orders_sent_through_the_output() -> None:
    output = RecordingOutput()
    proc = processor(config(), output)

    run(proc, minute(1))

    assert [(o.client_order_id, o.side, o.quantity) for o in output.orders] == [
        ("P1-3-1", Side.BUY, Decimal(10))
    ]
    assert output.orders[0].created_at == T0 + timedelta(minutes=1)
    assert (proc.processed, proc.orders, proc.status) == (1, 1, Status.STOPPED)
    assert proc.symbols_seen == {"AAA"}


def test_a_fill_is_booked_once_however_often_it_arrives() -> None:
    output = RecordingOutput()
    proc = processor(config(), output)
    once = fill(Side.BUY, 10, 100, client_order_id="P1-3-1", fill_id="P1-3-1:1")

    run(proc, once, once)

    held = proc.positions
    assert (held.fills, held.cash, held.as_of) == (1, Decimal(99_000), T0)
    assert [(p.symbol, p.quantity) for p in held.positions] == [("AAA", Decimal(10))]


def test_a_raising_strategy_puts_the_portfolio_in_error_and_fills_are_still_booked() -> None:
    output = RecordingOutput()
    proc = processor(config(strategy="explode", after=1), output)

    run(proc, minute(1), minute(2), minute(3), fill(client_order_id="X", fill_id="F1"))

    assert proc.status is Status.ERROR
    assert "RuntimeError: strategy bug" in proc.error
    assert [(pid, kind) for pid, _, kind in output.notices] == [("P1", kinds.STRATEGY_ERROR)]
    assert proc.processed == 3
    assert proc.positions.fills == 1


def test_a_failing_pipeline_call_is_contained_and_the_thread_keeps_booking_fills() -> None:
    output = RecordingOutput(fail_next=True)
    proc = processor(config(), output)

    run(proc, minute(1), minute(2), fill(fill_id="F1", client_order_id="P1-3-1"))

    assert proc.status is Status.ERROR
    assert "BufferError" in proc.error
    assert proc.skipped == 1
    assert proc.positions.fills == 1


def test_orders_a_risk_rule_blocks_raise_one_notice_naming_the_rule_not_one_per_bar() -> None:
    output = RecordingOutput()
    capped = with_risks(config(), ("position_ratio", {"max_ratio": "0.0001"}))
    proc = processor(capped, output)

    run(proc, minute(1), minute(2), minute(3))

    assert (proc.orders, proc.blocked, proc.status) == (0, 3, Status.STOPPED)
    assert output.notices == [
        (
            "P1",
            "buy 10 AAA blocked by PositionRatioRisk: "
            "AAA would exceed 0% of equity and no whole quantity fits",
            kinds.RISK_BLOCK,
        )
    ]


def test_a_halted_portfolio_blocks_orders_under_its_kill_switch_notice_alone() -> None:
    output = RecordingOutput()
    guarded = with_risks(config(size=500), ("daily_loss", {"max_daily_loss": "0.05"}))
    proc = processor(guarded, output)
    bought = fill(Side.BUY, 500, 100, client_order_id="P1-3-1", fill_id="P1-3-1:1")

    # The fill (feedback goes first) holds 500 AAA; AAA falls by half: halted; BBB's entry
    # after that adds exposure and is blocked.
    run(proc, minute(1), bought, minute(2, close=50), minute(3, symbol="BBB"))

    assert proc.blocked == 1
    assert [kind for _, _, kind in output.notices] == [kinds.KILL_SWITCH]
