"""Upstream: (entry point: pytest)
Downstream: ginkgo_site.devstack.waiting, tests.samples, trading.bus.codec, trading.bus.mapping, trading.bus.messages, trading.bus.topics, trading.core.enums, trading.core.testing.builders
Role: LiveCore on real Kafka, PostgreSQL and Redis counts in Prometheus its orders by outcome, its fills and their latency, and the messages it dead-letters by source topic."""

from datetime import timedelta
from decimal import Decimal

from confluent_kafka import Producer

from ginkgo_site.devstack.waiting import wait_until
from tests.samples import Baseline
from trading.bus.codec import to_ns
from trading.bus.mapping import order_message, price_message
from trading.bus.messages import OrderFilledReport, OrderRejectedReport, OrderSubmit
from trading.bus.topics import MARKET_DATA, ORDERS_FEEDBACK, ORDERS_SUBMISSION
from trading.core.enums import Side
from trading.core.testing.builders import T0, bar, order

ENGINE = "metered"


def test_orders_are_counted_by_outcome_and_fills_with_their_latency(
    bus, portfolio, start_livecore, publisher, record
):
    before = Baseline()
    start_livecore(engine_id=ENGINE)
    feedback = record(ORDERS_FEEDBACK)
    submitted = order_message(order(client_order_id="P1-0-1", created_at=T0))
    unknown = OrderSubmit(ts=to_ns(T0), portfolio_id="NOPE", symbol="AAA", side=Side.BUY,
                          client_order_id="NOPE-0-1", quantity=Decimal(1))  # fmt: skip

    for message in (submitted, submitted, unknown):
        publisher.publish(ORDERS_SUBMISSION, message)
    publisher.publish(MARKET_DATA, price_message(bar("101", time=T0 + timedelta(days=1))))
    publisher.flush()
    feedback.wait_for(OrderFilledReport)
    feedback.wait_for(OrderRejectedReport)

    def outcomes() -> dict[str, float]:
        return {
            outcome: before.delta("ginkgo_livecore_orders_total", engine_id=ENGINE, outcome=outcome)
            for outcome in ("accepted", "rejected", "duplicate")
        }

    wait_until(lambda: set(outcomes().values()) == {1}, what="one order of each outcome")
    assert before.delta("ginkgo_livecore_fills_total", engine_id=ENGINE) == 1
    latency = "ginkgo_livecore_fill_latency_seconds"
    assert before.delta(f"{latency}_count", engine_id=ENGINE) == 1
    # From the order's event time (T0, long ago) to now: the last bucket only.
    assert before.delta(f"{latency}_bucket", engine_id=ENGINE, le="10.0") == 0
    assert before.delta(f"{latency}_sum", engine_id=ENGINE) > 86_400


def test_dead_letters_are_counted_by_the_topic_they_came_from(bus, portfolio, start_livecore):
    before = Baseline()
    start_livecore(engine_id=ENGINE)
    raw = Producer({"bootstrap.servers": bus.bootstrap})
    for topic in (ORDERS_SUBMISSION, ORDERS_SUBMISSION, MARKET_DATA):
        raw.produce(bus.topic(topic), b"\x00 not json")
    assert raw.flush(10) == 0

    def letters() -> list[float]:
        return [
            before.delta("ginkgo_dead_letters_total", topic=bus.topic(topic))
            for topic in (ORDERS_SUBMISSION, MARKET_DATA)
        ]

    wait_until(lambda: letters() == [2, 1], what="three dead letters counted")
