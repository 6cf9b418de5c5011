"""Upstream: (entry point: pytest)
Downstream: monitoring.metrics, tests.samples, tests.unit.node.kit, trading.bus.mapping, trading.bus.messages, trading.core.registry, trading.core.testing.builders, trading.node.backpressure, trading.node.buffer, trading.node.inbox, trading.node.interest, trading.node.router, trading.node.stale, trading.node.telemetry
Role: a node's Prometheus series per portfolio where their events happen: routed updates, drops by reason, queue depth, processing, signals, orders, fills, risk blocks, errors, and their removal."""

import dataclasses
import time

from monitoring.metrics import forget_portfolio
from tests.samples import Baseline, sample
from tests.unit.node.kit import RecordingOutput, config, minute, processor, run
from trading.bus.mapping import price_message
from trading.bus.messages import PriceBar
from trading.core.registry import ComponentSpec
from trading.core.testing.builders import T0, bar, fill, tick
from trading.node.backpressure import Policy
from trading.node.buffer import ReloadBuffer
from trading.node.inbox import PortfolioInbox
from trading.node.interest import InterestMap
from trading.node.router import Router
from trading.node.stale import StaleGuard
from trading.node.telemetry import Drop, Fault, PortfolioSeries, count_fault, count_risk_block

ROUTED = "ginkgo_portfolio_updates_routed_total"
DROPPED = "ginkgo_portfolio_dropped_total"
DEPTH = "ginkgo_portfolio_queue_depth"


def fresh(symbol: str) -> PriceBar:
    return price_message(bar(100, symbol=symbol))


def test_the_router_counts_each_portfolios_updates_and_hands_them_to_prometheus_when_asked():
    before = Baseline()
    router = Router(InterestMap(), StaleGuard(60))
    for portfolio_id, symbols in {"T-R1": ["AAA", "BBB"], "T-R2": ["AAA"]}.items():
        router.attach(portfolio_id, PortfolioInbox(100))
        router.interest.set(portfolio_id, symbols)

    for symbol in ("AAA", "BBB", "AAA", "CCC"):
        router.route(fresh(symbol), time.time_ns())

    assert before.delta(ROUTED, portfolio_id="T-R1") == 0  # plain ints on the hot path
    router.export_routed()
    router.export_routed()
    assert before.delta(ROUTED, portfolio_id="T-R1") == 3
    assert before.delta(ROUTED, portfolio_id="T-R2") == 2
    assert sample(DEPTH, portfolio_id="T-R1") == 3


def test_a_stale_update_is_a_stale_drop_for_every_portfolio_that_wanted_it():
    before = Baseline()
    router = Router(InterestMap(), StaleGuard(30))
    for portfolio_id, symbols in {"T-S1": ["AAA"], "T-S2": ["AAA"], "T-S3": ["BBB"]}.items():
        router.attach(portfolio_id, PortfolioInbox(100))
        router.interest.set(portfolio_id, symbols)

    router.route(price_message(tick(100, time=T0)), time.time_ns())

    stale = [
        before.delta(DROPPED, portfolio_id=p, reason="stale") for p in ("T-S1", "T-S2", "T-S3")
    ]
    assert stale == [1, 1, 0]
    router.export_routed()
    assert before.delta(ROUTED, portfolio_id="T-S1") == 0


def test_the_queue_depth_is_read_from_the_inbox_attached_when_scraped():
    router = Router(InterestMap(), StaleGuard(60))
    router.attach("T-D1", PortfolioInbox(100))
    router.interest.set("T-D1", ["AAA"])
    for _ in range(4):
        router.route(fresh("AAA"), time.time_ns())
    assert sample(DEPTH, portfolio_id="T-D1") == 4

    router.attach("T-D1", PortfolioInbox(100))  # a reloaded portfolio's new inbox

    assert sample(DEPTH, portfolio_id="T-D1") == 0
    router.route(fresh("AAA"), time.time_ns())
    router.export_routed()
    assert sample(DEPTH, portfolio_id="T-D1") == 1
    assert sample(ROUTED, portfolio_id="T-D1") == 5  # the counts carry on


def test_an_inbox_counts_what_it_drops_by_reason():
    before = Baseline()
    dropping = PortfolioInbox(10, Policy.DROP, PortfolioSeries("T-I1"))
    conflating = PortfolioInbox(4, Policy.CONFLATE, PortfolioSeries("T-I2"))

    for _ in range(12):  # the newest go once the queue is 90% full
        dropping.offer(fresh("AAA"))
    for symbol in ("AAA", "BBB", "CCC", "CCC", "DDD", "EEE"):
        conflating.offer(fresh(symbol))
    drained = dropping.discard()
    dropping.close()
    dropping.offer(fresh("AAA"))  # routed just as the portfolio stopped

    assert before.delta(DROPPED, portfolio_id="T-I1", reason="backpressure") == 3
    assert before.delta(DROPPED, portfolio_id="T-I1", reason="drain") == drained + 1 == 10
    assert dropping.dropped == 13
    assert before.delta(DROPPED, portfolio_id="T-I2", reason="conflated") == conflating.conflated
    assert before.delta(DROPPED, portfolio_id="T-I2", reason="backpressure") == conflating.dropped
    assert (conflating.conflated, conflating.dropped) == (1, 1)


def test_a_full_reload_buffer_counts_its_drops():
    before = Baseline()
    buffer = ReloadBuffer(
        lambda text, kind: None, cap=2, alert_at=2, series=PortfolioSeries("T-B1")
    )

    for _ in range(5):
        buffer.offer(fresh("AAA"))

    assert before.delta(DROPPED, portfolio_id="T-B1", reason="reload_buffer") == 3


def test_the_processor_times_each_update_and_counts_signals_orders_and_fills():
    before = Baseline()
    proc = processor(config("T-P1"), RecordingOutput())

    booked = fill(fill_id="T-P1-3-1:1", client_order_id="T-P1-3-1")
    run(proc, minute(1), minute(2), minute(3), booked, booked)

    # Every bar signals; one order goes out and stays working, so the later signals drop.
    names = ("processing_seconds_count", "signals_total", "orders_total", "fills_total")
    delta = {n: before.delta(f"ginkgo_portfolio_{n}", portfolio_id="T-P1") for n in names}
    assert delta == {
        "processing_seconds_count": 3,
        "signals_total": 3,
        "orders_total": 1,
        "fills_total": 1,
    }
    assert before.delta("ginkgo_portfolio_processing_seconds_sum", portfolio_id="T-P1") > 0


def test_blocks_are_counted_by_risk_rule_and_errors_by_what_raised():
    before = Baseline()
    cap = ComponentSpec("position_ratio", {"max_ratio": "0.0001"})
    capped = dataclasses.replace(config("T-P2"), risks=(cap,))
    run(processor(capped, RecordingOutput()), minute(1), minute(2))
    run(processor(config("T-P3", strategy="explode"), RecordingOutput()), minute(1), minute(2))
    run(processor(config("T-P4"), RecordingOutput(fail_next=True)), minute(1), minute(2))

    assert (
        before.delta(
            "ginkgo_portfolio_risk_blocks_total", portfolio_id="T-P2", risk="PositionRatioRisk"
        )
        == 2
    )
    assert before.delta("ginkgo_portfolio_orders_total", portfolio_id="T-P2") == 0
    errors = {
        (p, kind): before.delta("ginkgo_portfolio_errors_total", portfolio_id=p, kind=kind)
        for p in ("T-P3", "T-P4")
        for kind in Fault
    }
    # One count per fall into error, however often it raises after.
    assert {key for key, count in errors.items() if count} == {
        ("T-P3", "strategy"),
        ("T-P4", "pipeline"),
    }
    assert max(errors.values()) == 1


def test_forgetting_a_portfolio_removes_every_series_of_it_and_only_it():
    series = PortfolioSeries("T-F1")
    series.routed.inc()
    series.drop(Drop.STALE)
    series.processing.observe(0.01)
    series.watch_queue([1, 2])
    count_fault("T-F1", Fault.START)
    count_risk_block("T-F1", "OrderRateRisk")
    PortfolioSeries("T-F2").orders.inc()

    forget_portfolio("T-F1")

    for name, labels in [
        (ROUTED, {}),
        (DROPPED, {"reason": "stale"}),
        (DROPPED, {"reason": "drain"}),
        ("ginkgo_portfolio_processing_seconds_count", {}),
        (DEPTH, {}),
        ("ginkgo_portfolio_errors_total", {"kind": "start"}),
        ("ginkgo_portfolio_risk_blocks_total", {"risk": "OrderRateRisk"}),
    ]:
        assert sample(name, portfolio_id="T-F1", **labels) is None, name
    assert sample("ginkgo_portfolio_orders_total", portfolio_id="T-F2") == 1
