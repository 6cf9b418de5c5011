"""Upstream: (entry point: pytest)
Downstream: ginkgo_site.devstack.waiting, tests.integration.node.conftest, tests.samples, trading.bus.mapping, trading.bus.messages, trading.bus.topics, trading.core.enums, trading.core.testing.builders, trading.node.telemetry, trading.redis_store
Role: a node on real Kafka, PostgreSQL and Redis reports each portfolio to Prometheus (updates routed, processing, signals, orders, fills, stale drops, risk blocks, start errors, dead letters), and a portfolio that leaves takes its series along."""

import time
from datetime import timedelta
from decimal import Decimal

from confluent_kafka import Producer

from ginkgo_site.devstack.waiting import wait_until
from tests.integration.node.conftest import make_portfolio, wait_status
from tests.samples import Baseline, sample
from trading.bus.mapping import fill_message, price_message
from trading.bus.messages import FillReport, OrderSubmit, ScheduleUpdate
from trading.bus.topics import MARKET_DATA, ORDERS_FEEDBACK, ORDERS_SUBMISSION, SCHEDULE_UPDATES
from trading.core.enums import Side
from trading.core.testing.builders import T0, bar, fill, tick
from trading.node.telemetry import Drop
from trading.redis_store import plan_key, redis_client

DAYS = 3
COUNTED = ("updates_routed", "signals", "orders", "fills")


def publish_bars(publisher, symbols: list[str]) -> None:
    for day in range(DAYS):
        for symbol in symbols:
            update = bar(100 + day, symbol=symbol, time=T0 + timedelta(days=day))
            publisher.publish(MARKET_DATA, price_message(update))
    publisher.flush()


def filled(order: OrderSubmit) -> FillReport:
    """The whole fill of ``order`` at 101."""
    coid = order.client_order_id
    booked = fill(Side.BUY, order.quantity, 101, fill_id=f"{coid}:1", client_order_id=coid)
    return fill_message(
        booked,
        portfolio_id=order.portfolio_id,
        filled_quantity=order.quantity,
        leaves_quantity=Decimal(0),
        avg_price=booked.price,
    )


def test_each_portfolio_is_counted_for_what_it_did_on_the_node(start_node, publisher, record):
    before = Baseline()
    make_portfolio("M1", ["AAA", "BBB"])
    make_portfolio("M2", ["AAA"])
    capped = make_portfolio("M3", ["BBB"])
    capped.risks = [{"name": "position_ratio", "params": {"max_ratio": "0.0001"}}]
    capped.save()
    orders = record(ORDERS_SUBMISSION)
    start_node(portfolios=frozenset({"M1", "M2", "M3"}))

    publish_bars(publisher, ["AAA", "BBB", "CCC"])
    for portfolio_id, processed in (("M1", 6), ("M2", 3), ("M3", 3)):
        wait_status(portfolio_id, processed=str(processed))
    m2 = next(o for o in orders.wait_for(OrderSubmit, count=3) if o.portfolio_id == "M2")
    publisher.publish(ORDERS_FEEDBACK, filled(m2))
    publisher.publish(MARKET_DATA, price_message(tick(100, time=T0)))  # long stale
    publisher.flush()
    wait_status("M2", fills="1")

    def counted(portfolio_id: str) -> dict[str, float]:
        deltas = {
            name: before.delta(f"ginkgo_portfolio_{name}_total", portfolio_id=portfolio_id)
            for name in COUNTED
        }
        deltas["processed"] = before.delta(
            "ginkgo_portfolio_processing_seconds_count", portfolio_id=portfolio_id
        )
        return deltas

    # Every bar makes a random portfolio signal; its first order per symbol stays working.
    expected = {
        "M1": {"updates_routed": 6, "signals": 6, "orders": 2, "fills": 0, "processed": 6},
        "M2": {"updates_routed": 3, "signals": 3, "orders": 1, "fills": 1, "processed": 3},
        "M3": {"updates_routed": 3, "signals": 3, "orders": 0, "fills": 0, "processed": 3},
    }
    wait_until(
        lambda: {p: counted(p) for p in expected} == expected, what="every portfolio counted"
    )
    dropped = "ginkgo_portfolio_dropped_total"
    # The stale tick travels on market data, the fill on feedback: neither waits for the other.
    wait_until(
        lambda: (
            {p: before.delta(dropped, portfolio_id=p, reason=Drop.STALE) for p in expected}
            == {"M1": 1, "M2": 1, "M3": 0}
        ),
        what="the stale tick dropped by both portfolios that hold AAA",
    )
    blocks = before.delta(
        "ginkgo_portfolio_risk_blocks_total", portfolio_id="M3", risk="PositionRatioRisk"
    )
    assert blocks == 3
    assert sample("ginkgo_portfolio_queue_depth", portfolio_id="M1") == 0


def test_undecodable_market_data_is_counted_as_a_dead_letter_of_its_topic(bus, start_node):
    before = Baseline()
    make_portfolio("M1", ["AAA"])
    start_node(portfolios=frozenset({"M1"}))
    raw = Producer({"bootstrap.servers": bus.bootstrap})
    raw.produce(bus.topic(MARKET_DATA), b"\x00 not json")
    assert raw.flush(10) == 0

    wait_until(
        lambda: before.delta("ginkgo_dead_letters_total", topic=bus.topic(MARKET_DATA)) == 1,
        what="the dead letter counted",
    )


def test_a_portfolio_that_leaves_the_node_takes_its_series_along(start_node, publisher):
    before = Baseline()
    make_portfolio("M4", ["AAA"])
    make_portfolio("M5", ["AAA"])
    redis_client().sadd(plan_key("n1"), "M4", "M5", "GHOST")  # GHOST is not in the database
    start_node(plan_interval=60.0)
    publish_bars(publisher, ["AAA"])
    routed = "ginkgo_portfolio_updates_routed_total"
    wait_until(
        lambda: [sample(routed, portfolio_id=p) for p in ("M4", "M5")] == [DAYS, DAYS],
        what="both portfolios' updates counted",
    )
    assert before.delta("ginkgo_portfolio_errors_total", portfolio_id="GHOST", kind="start") >= 1

    publisher.publish(
        SCHEDULE_UPDATES, ScheduleUpdate(ts=time.time_ns(), node_id="n1", portfolio_ids=["M5"])
    )
    publisher.flush()
    wait_status("M4", status="stopped")

    def series_of(portfolio_id: str) -> list[float | None]:
        return [
            sample(routed, portfolio_id=portfolio_id),
            sample("ginkgo_portfolio_queue_depth", portfolio_id=portfolio_id),
            sample("ginkgo_portfolio_processing_seconds_count", portfolio_id=portfolio_id),
            sample("ginkgo_portfolio_signals_total", portfolio_id=portfolio_id),
            sample("ginkgo_portfolio_dropped_total", portfolio_id=portfolio_id, reason="drain"),
            sample("ginkgo_portfolio_errors_total", portfolio_id=portfolio_id, kind="start"),
        ]

    wait_until(lambda: series_of("GHOST") == [None] * 6, what="GHOST forgotten")
    assert series_of("M4") == [None] * 6
    assert None not in series_of("M5")[:5]
