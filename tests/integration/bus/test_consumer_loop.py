"""Upstream: (entry point: pytest)
Downstream: ginkgo_site.devstack.waiting, trading.bus.config, trading.bus.consumer, trading.bus.deadletter, trading.bus.messages, trading.bus.producer, trading.bus.topics
Role: the producer and the consumer loop on a real broker: keys, committed offsets, dead letters, retries."""

import threading
from collections.abc import Callable, Iterator
from decimal import Decimal

import msgspec
import pytest
from confluent_kafka import Producer

from ginkgo_site.devstack.waiting import wait_until
from trading.bus.config import BusConfig
from trading.bus.consumer import ConsumerLoop, ConsumerSpec, Delivery, TransientError
from trading.bus.deadletter import DeadLetters
from trading.bus.messages import AnyMessage, DeadLetter, PriceTick
from trading.bus.producer import BusProducer
from trading.bus.topics import DEAD_LETTER, MARKET_DATA

Handler = Callable[[AnyMessage, Delivery], None]


def tick(ts: int, symbol: str = "AAA") -> PriceTick:
    return PriceTick(ts=ts, symbol=symbol, price=Decimal("10.5"), size=Decimal(100))


class Running:
    """A consumer loop on its own thread, with what it handled."""

    def __init__(
        self, bus: BusConfig, publisher: BusProducer, spec: ConsumerSpec, handler: Handler
    ):
        self.stop = threading.Event()
        self.dead_letters = DeadLetters(publisher)
        self.loop = ConsumerLoop(bus, spec, handler, self.dead_letters, stop=self.stop)
        self.thread = threading.Thread(target=self.loop.run, daemon=True)
        self.thread.start()
        assert self.loop.assigned.wait(30)

    def close(self) -> None:
        self.stop.set()
        self.thread.join(30)
        assert not self.thread.is_alive()


@pytest.fixture
def consume(bus: BusConfig, publisher: BusProducer) -> Iterator[Callable[..., Running]]:
    running: list[Running] = []

    def start(spec: ConsumerSpec, handler: Handler) -> Running:
        running.append(Running(bus, publisher, spec, handler))
        return running[-1]

    yield start
    for item in running:
        item.close()


def raw_publish(bus: BusConfig, topic: str, value: bytes) -> None:
    producer = Producer({"bootstrap.servers": bus.bootstrap})
    producer.produce(bus.topic(topic), value)
    assert producer.flush(10) == 0


def test_a_published_message_arrives_decoded_under_its_symbol_key(publisher, consume):
    seen: list[tuple[AnyMessage, Delivery]] = []
    consume(ConsumerSpec("c", (MARKET_DATA,), None, "earliest"), lambda m, d: seen.append((m, d)))

    publisher.publish(MARKET_DATA, tick(1, "MSFT"))
    publisher.flush()

    wait_until(lambda: seen, what="the tick")
    message, delivery = seen[0]
    assert message == msgspec.structs.replace(tick(1, "MSFT"), source="test")
    assert delivery.key == b"MSFT"
    assert publisher.stats.delivered == 1


def test_a_group_that_restarts_resumes_after_what_it_handled(bus, publisher, consume):
    spec = ConsumerSpec("c", (MARKET_DATA,), "group-a", "earliest")
    first: list[int] = []
    for ts in (1, 2, 3):
        publisher.publish(MARKET_DATA, tick(ts))
    publisher.flush()
    running = consume(spec, lambda m, d: first.append(m.ts))
    wait_until(lambda: len(first) == 3, what="three ticks")
    running.close()

    for ts in (4, 5):
        publisher.publish(MARKET_DATA, tick(ts))
    publisher.flush()
    second: list[int] = []
    consume(spec, lambda m, d: second.append(m.ts))

    wait_until(lambda: len(second) >= 2, what="the two new ticks")
    assert sorted(first) == [1, 2, 3]
    assert sorted(second) == [4, 5]


def test_undecodable_bytes_are_dead_lettered_and_the_loop_goes_on(bus, publisher, consume, record):
    seen: list[int] = []
    running = consume(
        ConsumerSpec("c", (MARKET_DATA,), None, "earliest"), lambda m, d: seen.append(m.ts)
    )
    letters = record(DEAD_LETTER)

    raw_publish(bus, MARKET_DATA, b'{"type": "price.tick", "schema": 1')
    publisher.publish(MARKET_DATA, tick(7))
    publisher.flush()

    wait_until(lambda: seen == [7], what="the valid tick after the garbage")
    (letter,) = letters.wait_for(DeadLetter)
    assert letter.original == b'{"type": "price.tick", "schema": 1'
    assert letter.reason.startswith("undecodable")
    assert letter.topic == bus.topic(MARKET_DATA)
    assert running.dead_letters.count == 1


def test_a_failing_handler_dead_letters_the_message_but_transient_faults_are_retried(
    publisher, consume, record
):
    handled: list[int] = []
    transient_left = [2]

    def handler(message: AnyMessage, delivery: Delivery) -> None:
        if message.ts == 1:
            raise ValueError("cannot handle this one")
        if transient_left[0]:
            transient_left[0] -= 1
            raise TransientError("database restarting")
        handled.append(message.ts)

    running = consume(ConsumerSpec("c", (MARKET_DATA,), None, "earliest"), handler)
    letters = record(DEAD_LETTER)

    publisher.publish(MARKET_DATA, tick(1))
    publisher.publish(MARKET_DATA, tick(2))
    publisher.flush()

    wait_until(lambda: handled == [2], what="the retried message")
    (letter,) = letters.wait_for(DeadLetter)
    assert letter.reason == "handler error: ValueError: cannot handle this one"
    assert running.dead_letters.count == 1
    assert transient_left == [0]
