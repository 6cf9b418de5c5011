"""Upstream: (entry point: pytest)
Downstream: ginkgo_site.devstack.waiting, trading.bus.config, trading.bus.consumer, trading.bus.deadletter, trading.bus.messages, trading.bus.producer, trading.bus.topics
Role: the producer and the consumer loop on a real broker: keys, committed offsets, dead letters, retries, batches."""

import threading
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import msgspec
import pytest
from confluent_kafka import Producer

from ginkgo_site.devstack.waiting import wait_until
from trading.bus.config import BusConfig
from trading.bus.consumer import Batch, ConsumerLoop, ConsumerSpec, Delivery, TransientError
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
        self,
        bus: BusConfig,
        publisher: BusProducer,
        spec: ConsumerSpec,
        handler: Handler,
        **options: Any,
    ):
        self.stop = threading.Event()
        self.dead_letters = DeadLetters(publisher)
        self.loop = ConsumerLoop(bus, spec, handler, self.dead_letters, stop=self.stop, **options)
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

    def start(spec: ConsumerSpec, handler: Handler, **options: Any) -> Running:
        running.append(Running(bus, publisher, spec, handler, **options))
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


def publish_ticks(publisher: BusProducer, stamps: range) -> None:
    for ts in stamps:
        publisher.publish(MARKET_DATA, tick(ts))
    publisher.flush()


def stamps(batch: Batch) -> list[int]:
    return [message.ts for message, _ in batch]


def refuse(message: AnyMessage, delivery: Delivery) -> None:
    raise AssertionError(f"handled alone: {message}")


def test_what_is_waiting_is_handled_in_batches_in_order_and_offsets_follow_them(publisher, consume):
    spec = ConsumerSpec("c", (MARKET_DATA,), "group-b", "earliest")
    batches: list[list[int]] = []
    publish_ticks(publisher, range(1, 41))
    running = consume(spec, refuse, batch_handler=lambda b: batches.append(stamps(b)))
    wait_until(lambda: sum(map(len, batches)) == 40, what="the forty ticks")
    running.close()

    publish_ticks(publisher, range(41, 43))
    again: list[list[int]] = []
    consume(spec, refuse, batch_handler=lambda b: again.append(stamps(b)), max_batch=25)

    wait_until(lambda: sum(map(len, again)) == 2, what="the two new ticks")
    assert [ts for batch in batches for ts in batch] == list(range(1, 41))
    assert len(batches) < 10
    assert [ts for batch in again for ts in batch] == [41, 42]
    assert running.dead_letters.count == 0


def test_a_failed_batch_is_handled_again_one_by_one_and_only_its_culprits_are_dead_lettered(
    bus, publisher, consume, record
):
    spec = ConsumerSpec("c", (MARKET_DATA,), "group-c", "earliest")
    batched: list[int] = []
    failed: list[list[int]] = []
    alone: list[int] = []

    def batch_handler(batch: Batch) -> None:
        if 3 in stamps(batch):
            failed.append(stamps(batch))
            raise ValueError("one of these is bad")
        batched.extend(stamps(batch))

    def handler(message: AnyMessage, delivery: Delivery) -> None:
        if message.ts == 3:
            raise ValueError("cannot handle 3")
        alone.append(message.ts)

    publish_ticks(publisher, range(1, 4))
    raw_publish(bus, MARKET_DATA, b"garbage")
    publish_ticks(publisher, range(4, 7))
    letters = record(DEAD_LETTER)
    running = consume(spec, handler, batch_handler=batch_handler)

    wait_until(lambda: sorted(alone + batched) == [1, 2, 4, 5, 6], what="the good ones")
    dead = letters.wait_for(DeadLetter, 2)
    running.close()
    (culprit_batch,) = failed
    assert alone == [ts for ts in culprit_batch if ts != 3]  # alone, in order
    handled, undecodable = sorted(letter.reason for letter in dead)
    assert handled == "handler error: ValueError: cannot handle 3"
    assert undecodable.startswith("undecodable")
    assert running.dead_letters.count == 2

    # Every offset was stored, the dead-lettered ones too: a restart reads nothing again.
    publish_ticks(publisher, range(7, 8))
    later: list[int] = []
    consume(spec, refuse, batch_handler=lambda b: later.extend(stamps(b)))
    wait_until(lambda: later == [7], what="only the new tick")


def test_a_transient_failure_retries_the_whole_batch(publisher, consume):
    spec = ConsumerSpec("c", (MARKET_DATA,), "group-d", "earliest")
    attempts: list[list[int]] = []

    def batch_handler(batch: Batch) -> None:
        attempts.append(stamps(batch))
        if len(attempts) == 1:
            raise TransientError("database restarting")

    publish_ticks(publisher, range(1, 6))
    running = consume(spec, refuse, batch_handler=batch_handler)

    wait_until(lambda: sum(map(len, attempts[1:])) == 5, what="the retried batch")
    assert attempts[0] == attempts[1]
    assert running.dead_letters.count == 0
