"""Upstream: bench.gateway_throughput, monitoring.notifications.service, trading.livecore.control, trading.livecore.datamanager, trading.livecore.engine, trading.livecore.runtime, trading.node.control, trading.node.feed, trading.node.runtime
Downstream: trading.bus.codec, trading.bus.config, trading.bus.deadletter, trading.bus.messages
Role: ConsumerLoop: poll, decode, handle (one message, or what is waiting as one batch), then store the offsets (at-least-once); dead-letters what fails and carries on; stoppable from any thread."""

import logging
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from confluent_kafka import (
    Consumer,
    KafkaError,
    KafkaException,
    TopicPartition,
)
from confluent_kafka import (
    Message as KafkaMessage,
)
from tenacity import RetryError, Retrying, retry_if_exception_type, wait_exponential

from trading.bus.codec import DecodeError, decode
from trading.bus.config import BusConfig
from trading.bus.deadletter import DeadLetters
from trading.bus.messages import AnyMessage

logger = logging.getLogger(__name__)

METADATA_TIMEOUT = 10.0
# The most messages a batch handler is given at once.
MAX_BATCH = 500


class TransientError(Exception):
    """A fault that will pass (a service briefly away): the message is retried, not dead-lettered."""


class UnexpectedMessage(ValueError):
    """A message of a type the topic does not carry (a handler raises it; it is dead-lettered)."""


@dataclass(frozen=True, slots=True)
class Delivery:
    """Where a message came from (broker-side topic name)."""

    topic: str
    partition: int
    offset: int
    key: bytes | None


Handler = Callable[[AnyMessage, Delivery], None]
Item = tuple[AnyMessage, Delivery]
Batch = Sequence[Item]
BatchHandler = Callable[[Batch], None]


@dataclass(frozen=True, slots=True)
class ConsumerSpec:
    """What one loop reads and how.

    ``group_id`` None reads every partition on its own (no group, nothing committed): what a
    reader that must see all keys wants. ``start`` is "latest" or "earliest" (where a new
    group, or a group-less reader, begins). ``rewind`` re-reads that many messages per
    partition before the committed offset on every assignment, to rebuild in-memory state
    (such as a window of recent prices) after a restart.
    """

    name: str
    topics: tuple[str, ...]
    group_id: str | None
    start: str = "latest"
    rewind: int = 0


class ConsumerLoop:
    """Runs one consumer until ``stop`` is set (from any thread).

    Each message is decoded and handed to ``handler``; its offset is stored only once the
    handler returned, and stored offsets are committed every second and on close, so a
    crash re-delivers at most what was not yet committed: handlers must be idempotent.
    Undecodable messages, and messages whose handler raised anything but a ``transient``
    error, go to the dead-letter topic; transient errors are retried with backoff until they
    pass or the loop is stopped.

    With a ``batch_handler``, what is already waiting when a message arrives (at most
    ``max_batch`` messages, in partition order) is decoded and handed to it at once, and the
    offsets are stored once it returned. It must do what ``handler`` would do for each
    message in turn. A transient error retries the whole batch; any other error has the
    batch handled again one message at a time by ``handler`` (each message then fares as
    above: only what fails on its own is dead-lettered), so a batch handler that fails must
    leave no trace.
    """

    def __init__(
        self,
        bus: BusConfig,
        spec: ConsumerSpec,
        handler: Handler,
        dead_letters: DeadLetters,
        *,
        stop: threading.Event,
        transient: tuple[type[BaseException], ...] = (TransientError,),
        poll_timeout: float = 0.2,
        batch_handler: BatchHandler | None = None,
        max_batch: int = MAX_BATCH,
    ) -> None:
        if max_batch < 2:
            raise ValueError("max_batch must be at least 2")
        self.spec = spec
        self.assigned = threading.Event()
        self.handled = 0
        self._bus = bus
        self._handler = handler
        self._batch_handler = batch_handler
        self._max_batch = max_batch
        self._dead_letters = dead_letters
        self._stop = stop
        self._poll_timeout = poll_timeout
        # Transient faults: back off (0.1 s doubling to 5 s) until they pass or we are stopped.
        self._retrying = Retrying(
            retry=retry_if_exception_type(transient),
            wait=wait_exponential(multiplier=0.1, max=5.0),
            stop=lambda _: stop.is_set(),
            sleep=stop.wait,
            before_sleep=lambda state: logger.warning(
                "consumer %s: transient failure, retrying: %s",
                spec.name,
                state.outcome.exception() if state.outcome else "?",
            ),
        )

    def run(self) -> None:
        """Consume until stopped; the consumer is always closed (committing stored offsets)."""
        spec = self.spec
        group = spec.group_id or f"reader-{uuid.uuid4().hex}"
        config = self._bus.consumer_config(group, spec.start)
        if spec.group_id is None:
            config["enable.auto.commit"] = False
        consumer = Consumer(config)
        try:
            self._attach(consumer)
            while not self._stop.is_set():
                raw = consumer.poll(self._poll_timeout)
                if raw is None:
                    continue
                if self._batch_handler is None:
                    self._consume_each(self._decoded([raw]), consumer)
                    continue
                # What else is already fetched, without waiting for more.
                waiting = consumer.consume(num_messages=self._max_batch - 1, timeout=0)
                self._consume_batch(self._batch_handler, [raw, *waiting], consumer)
        finally:
            consumer.close()
            logger.info("consumer %s closed after %d message(s)", spec.name, self.handled)

    def _attach(self, consumer: Consumer) -> None:
        topics = [self._bus.topic(name) for name in self.spec.topics]
        if self.spec.group_id is not None:
            consumer.subscribe(topics, on_assign=self._on_assign)
            return
        metadata = consumer.list_topics(timeout=METADATA_TIMEOUT)
        partitions = [
            TopicPartition(topic, partition)
            for topic in topics
            for partition in metadata.topics[topic].partitions
        ]
        consumer.assign(self._positions(consumer, partitions))
        self.assigned.set()

    def _on_assign(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        committed = consumer.committed(partitions, timeout=METADATA_TIMEOUT)
        consumer.assign(self._positions(consumer, committed))
        logger.info("consumer %s assigned %d partition(s)", self.spec.name, len(partitions))
        self.assigned.set()

    def _positions(
        self, consumer: Consumer, partitions: list[TopicPartition]
    ) -> list[TopicPartition]:
        """Explicit start offsets: "latest" resolved now rather than at the first fetch, so
        whatever is published once ``assigned`` is set is seen; committed offsets moved back
        by ``rewind``."""
        for partition in partitions:
            low, high = consumer.get_watermark_offsets(partition, timeout=METADATA_TIMEOUT)
            if partition.offset >= 0:
                partition.offset = max(low, partition.offset - self.spec.rewind)
            else:
                partition.offset = low if self.spec.start == "earliest" else high
        return partitions

    def _on_error(self, error: KafkaError) -> None:
        if error.fatal():
            raise KafkaException(error)
        logger.warning("consumer %s: %s", self.spec.name, error.str())

    def _decoded(self, raws: list[KafkaMessage]) -> list[tuple[KafkaMessage, Item | None]]:
        """The fetched messages with their decoding (None: undecodable, dead-lettered); fetch
        errors are reported and left out."""
        decoded: list[tuple[KafkaMessage, Item | None]] = []
        for raw in raws:
            if raw.error() is not None:
                self._on_error(raw.error())
            else:
                decoded.append((raw, self._decode(raw)))
        return decoded

    def _consume_each(
        self, decoded: list[tuple[KafkaMessage, Item | None]], consumer: Consumer
    ) -> None:
        """Handle messages one at a time, each offset stored once its message is done."""
        for raw, item in decoded:
            if item is not None and not self._handle(raw, item):
                return
            self._store(raw, consumer)

    def _consume_batch(
        self, batch_handler: BatchHandler, raws: list[KafkaMessage], consumer: Consumer
    ) -> None:
        """Handle messages as one batch, the offsets stored once the batch handler returned;
        after a failure (not a transient one) they are handled again one at a time."""
        decoded = self._decoded(raws)
        items = [item for _, item in decoded if item is not None]
        if items:
            try:
                self._retrying(batch_handler, items)
            except RetryError:
                return
            except Exception as exc:  # find the culprit: the messages one by one
                logger.warning(
                    "consumer %s: a batch of %d message(s) failed (%s: %s); "
                    "handling them one at a time",
                    self.spec.name,
                    len(items),
                    type(exc).__name__,
                    exc,
                )
                self._consume_each(decoded, consumer)
                return
        self.handled += len(items)
        for raw, _ in decoded:
            self._store(raw, consumer)

    def _decode(self, raw: KafkaMessage) -> Item | None:
        """The message and where it came from; None (dead-lettered) when undecodable."""
        try:
            message = decode(raw.value() or b"")
        except DecodeError as exc:
            self._dead_letter(raw, f"undecodable: {exc}")
            return None
        return message, Delivery(raw.topic(), raw.partition(), raw.offset(), raw.key())

    def _handle(self, raw: KafkaMessage, item: Item) -> bool:
        """Handle one message; False when stopped before it was handled."""
        try:
            self._retrying(self._handler, *item)
        except RetryError:
            return False
        except Exception as exc:  # any handler fault: park the message, keep consuming
            logger.exception("consumer %s: handler failed", self.spec.name)
            self._dead_letter(raw, f"handler error: {type(exc).__name__}: {exc}")
        self.handled += 1
        return True

    def _store(self, raw: KafkaMessage, consumer: Consumer) -> None:
        if self.spec.group_id is not None:
            consumer.store_offsets(message=raw)

    def _dead_letter(self, raw: KafkaMessage, reason: str) -> None:
        self._dead_letters.send(
            reason=reason,
            topic=raw.topic() or "",
            partition=raw.partition() or 0,
            offset=raw.offset() or 0,
            value=raw.value(),
            key=raw.key(),
        )
