"""Upstream: (entry point: pytest)
Downstream: monitoring.notifications.kinds, tests.unit.node.kit, trading.bus.mapping, trading.bus.messages, trading.core.config, trading.core.enums, trading.core.testing.builders, trading.node.inbox, trading.node.loader, trading.node.processor
Role: a portfolio thread: orders out, fills booked once, a raising strategy or a failing pipeline call puts it in error and the thread lives on."""

from datetime import timedelta
from decimal import Decimal

from monitoring.notifications import kinds
from tests.unit.node.kit import RecordingOutput, config, misbehaving_registry
from trading.bus.mapping import price_message
from trading.bus.messages import NoticeLevel, PriceBar
from trading.core.config import PortfolioConfig
from trading.core.enums import Side
from trading.core.testing.builders import T0, bar, fill
from trading.node.inbox import PortfolioInbox
from trading.node.loader import PortfolioRun, build_loaded
from trading.node.processor import PortfolioProcessor, Status


def processor(portfolio: PortfolioConfig, output: RecordingOutput) -> PortfolioProcessor:
    loaded = build_loaded(PortfolioRun(portfolio, 3, (), ()), misbehaving_registry())
    return PortfolioProcessor(loaded, PortfolioInbox(100), output)


def run(proc: PortfolioProcessor, *items: object) -> None:
    """Queue ``items`` (bar messages as market data, the rest as feedback), then drain and stop."""
    for item in items:
        if isinstance(item, PriceBar):
            proc.inbox.offer(item)
        else:
            proc.inbox.put_urgent(item)
    proc.inbox.close()
    proc.start()
    proc.thread.join(10)
    assert not proc.thread.is_alive()


def minute(n: int) -> PriceBar:
    return price_message(bar(100, time=T0 + timedelta(minutes=n)))


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
    assert [(level, pid, kind) for level, pid, _, kind in output.notices] == [
        (NoticeLevel.ERROR, "P1", kinds.STRATEGY_ERROR)
    ]
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
