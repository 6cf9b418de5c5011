"""Upstream: (entry point: pytest)
Downstream: ginkgo_site.devstack.waiting, tests.samples, tests.unit.node.kit, trading.core.enums, trading.core.testing.builders, trading.node.checkpoints, trading.node.inbox, trading.node.loader, trading.node.processor, trading.node.sequencer, trading.node.spans, trading.node.status
Role: a portfolio thread books the fills of a time before it trades on that time's bar, as a backtest does; a wait that runs out is counted in Prometheus and told in the status; live spans are opened, saved at once and carried on."""

import json
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from ginkgo_site.devstack.waiting import wait_until
from tests.samples import Baseline
from tests.unit.node.kit import SHORT_WAIT, RecordingOutput, config, minute, processor, run
from trading.core.enums import Side
from trading.core.testing.builders import T0, fill
from trading.node.checkpoints import Progress
from trading.node.inbox import PortfolioInbox
from trading.node.loader import PortfolioRun, build_loaded
from trading.node.processor import PortfolioProcessor
from trading.node.sequencer import ExecutedThrough
from trading.node.spans import SPANS_KEY, LiveSpan
from trading.node.status import portfolio_fields

EXPIRED = "ginkgo_portfolio_waits_expired_total"


def at(n: int):
    return T0 + timedelta(minutes=n)


def test_the_bar_after_an_order_waits_for_its_fill_so_the_strategy_decides_on_the_position():
    output = RecordingOutput()
    proc = PortfolioProcessor(
        build_loaded(PortfolioRun(config("P1", ("AAA",)), 3, (), ())),
        PortfolioInbox(100),
        output,
        wait=30.0,
    )
    proc.start()
    try:
        proc.inbox.offer(minute(1))
        wait_until(lambda: len(output.orders) == 1, what="the entry")
        proc.inbox.offer(minute(2))
        wait_until(lambda: len(proc.sequencer) == 1, what="bar 2 held")
        assert (proc.processed, len(output.orders)) == (1, 1)

        # LiveCore fills the entry at bar 2's open: booked first, then bar 2 closes it.
        entry = output.orders[0]
        proc.inbox.put_urgent(
            fill(Side.BUY, 10, 100, client_order_id=entry.client_order_id, time=at(2))
        )
        wait_until(lambda: len(output.orders) == 2, what="the exit")
    finally:
        proc.inbox.close()
        proc.thread.join(10)

    exit_order = output.orders[1]
    assert (exit_order.side, exit_order.quantity, exit_order.created_at) == (
        Side.SELL,
        Decimal(10),
        at(2),
    )
    assert (proc.processed, proc.sequencer.expired) == (2, 0)


def test_a_watermark_of_the_order_releases_the_bar_when_the_order_did_not_fill():
    output = RecordingOutput()
    proc = processor(config("P1", ("AAA",)), output)
    proc.start()
    try:
        proc.inbox.offer(minute(1))
        wait_until(lambda: len(output.orders) == 1, what="the entry")
        proc.inbox.put_urgent(ExecutedThrough(output.orders[0].client_order_id, "AAA", at(2)))
        proc.inbox.offer(minute(2))
        wait_until(lambda: proc.processed == 2, what="bar 2")
    finally:
        proc.inbox.close()
        proc.thread.join(10)

    # The order still works: bar 2's entry signal is dropped, nothing waited out.
    assert (len(output.orders), proc.sequencer.expired) == (1, 0)


def test_a_wait_that_runs_out_is_counted_and_told_in_the_status():
    before = Baseline()
    output = RecordingOutput()
    proc = processor(config("P-wait", ("AAA",)), output)

    run(proc, minute(1), minute(2))

    assert proc.processed == 2
    fields = portfolio_fields(proc, "n1")
    assert (fields["waits_expired"], fields["held"]) == (1, 0)
    assert fields["last_wait_expired"] == (
        f"the bar of AAA at {at(2).isoformat()} went after {SHORT_WAIT:g} s "
        "without the fills of AAA"
    )
    assert before.delta(EXPIRED, portfolio_id="P-wait", reason="fills") == 1
    assert before.delta(EXPIRED, portfolio_id="P-wait", reason="market") == 0


def test_the_first_update_of_a_version_opens_its_span_and_asks_for_a_checkpoint_at_once():
    asked = []
    loaded = build_loaded(PortfolioRun(config("P1", ("AAA",), rate=0.0001), 1, (), ()))
    proc = PortfolioProcessor(
        loaded, PortfolioInbox(100), RecordingOutput(), checkpoint_soon=lambda: asked.append(1)
    )

    run(proc, minute(1), minute(2), minute(3))

    assert asked == [1]
    assert proc.captured is not None
    assert proc.captured.state[SPANS_KEY] == [LiveSpan(1, at(1), at(1)).to_json()]
    fields = portfolio_fields(proc, "n1")
    assert (fields["first_event_time"], fields["last_event_time"]) == (
        at(1).isoformat(),
        at(3).isoformat(),
    )
    assert json.loads(str(fields["spans"])) == [
        {"version": 1, "first_event_time": at(1).isoformat(), "last_event_time": at(3).isoformat()}
    ]


def test_the_same_version_carries_its_span_on_and_a_new_version_starts_the_next_one():
    earlier = (LiveSpan(1, at(0), at(5)), LiveSpan(2, at(6), at(9)))
    progress = Progress(10, 0, {"AAA": at(9)})
    same = config("P1", ("AAA",), rate=0.0001)

    continued = PortfolioProcessor(
        build_loaded(PortfolioRun(replace(same, version=2), 1, (), ())),
        PortfolioInbox(100),
        RecordingOutput(),
        progress,
        spans=earlier,
    )
    run(continued, minute(10))
    assert continued.spans == (earlier[0], LiveSpan(2, at(6), at(10)))

    reloaded = PortfolioProcessor(
        build_loaded(PortfolioRun(replace(same, version=3), 1, (), ())),
        PortfolioInbox(100),
        RecordingOutput(),
        progress,
        spans=earlier,
    )
    assert (reloaded.first_event_time, reloaded.spans) == (None, earlier)
    run(reloaded, minute(11))
    assert reloaded.spans == (*earlier, LiveSpan(3, at(11), at(11)))
