"""Upstream: (entry point: pytest)
Downstream: ginkgo_site.devstack.waiting, trading.bus.mapping, trading.bus.messages, trading.bus.topics, trading.core.testing.builders, trading.livecore.sources, trading.redis_store
Role: a malformed message on each topic LiveCore consumes is dead-lettered and counted, and every consumer keeps going."""

import time

from confluent_kafka import Producer

from ginkgo_site.devstack.waiting import wait_until
from trading.bus.mapping import order_message, price_message
from trading.bus.messages import (
    CommandType,
    ControlCommand,
    DeadLetter,
    InterestUpdate,
    OrderFilledReport,
)
from trading.bus.topics import (
    CONTROL_COMMANDS,
    DEAD_LETTER,
    MARKET_DATA,
    ORDERS_FEEDBACK,
    ORDERS_SUBMISSION,
    SYSTEM_EVENTS,
)
from trading.core.testing.builders import T0, bar, order
from trading.livecore.sources import BarReplaySource
from trading.redis_store import engine_status_key

CONSUMED = (ORDERS_SUBMISSION, MARKET_DATA, CONTROL_COMMANDS, SYSTEM_EVENTS)


def test_malformed_messages_are_dead_lettered_counted_and_consumption_goes_on(
    bus, portfolio, start_livecore, publisher, record, redis_client
):
    core = start_livecore(source=BarReplaySource([]))
    letters = record(DEAD_LETTER)
    feedback = record(ORDERS_FEEDBACK)
    raw = Producer({"bootstrap.servers": bus.bootstrap})
    for topic in CONSUMED:
        raw.produce(bus.topic(topic), b"\x00 not json")
    # Well-formed but on the wrong topic: a handler refuses it.
    raw.produce(
        bus.topic(ORDERS_SUBMISSION),
        b'{"type": "node.offline", "schema": 1, "ts": 1, "node_id": "n"}',
    )
    assert raw.flush(10) == 0

    publisher.publish(
        ORDERS_SUBMISSION, order_message(order(client_order_id="P1-0-1", created_at=T0))
    )
    publisher.publish(MARKET_DATA, price_message(bar("10", time=T0.replace(hour=1))))
    publisher.publish(
        SYSTEM_EVENTS, InterestUpdate(ts=time.time_ns(), node_id="n1", symbols=["AAA"])
    )
    publisher.flush()

    dead = letters.wait_for(DeadLetter, len(CONSUMED) + 1)
    feedback.wait_for(OrderFilledReport)
    publisher.publish(
        CONTROL_COMMANDS,
        ControlCommand(ts=time.time_ns(), command_type=CommandType.ENGINE_STOP, target_id="paper"),
    )
    publisher.flush()
    wait_until(lambda: core.counters["interest_updates"] == 1 and core.counters["commands"] == 1)
    assert {d.topic for d in dead} == {bus.topic(t) for t in CONSUMED}
    assert sum(d.original == b"\x00 not json" for d in dead) == len(CONSUMED)
    assert any("NodeOffline on the submission topic" in d.reason for d in dead)
    key = engine_status_key("paper")
    wait_until(lambda: redis_client.hget(key, "dead_letters") == b"5", what="the Redis count")
