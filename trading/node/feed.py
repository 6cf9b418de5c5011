"""Upstream: trading.node.runtime
Downstream: trading.bus.codec, trading.bus.config, trading.bus.consumer, trading.bus.deadletter, trading.bus.messages, trading.node.router
Role: MarketFeed: the node's own reader of the market-data topics (every partition, no group), batch-polled straight into the Router."""

import logging
import threading
import uuid
from collections.abc import Iterable

from confluent_kafka import TIMESTAMP_NOT_AVAILABLE, Consumer, KafkaException, TopicPartition
from confluent_kafka import Message as KafkaMessage

from trading.bus.codec import DecodeError, decode
from trading.bus.config import BusConfig
from trading.bus.consumer import METADATA_TIMEOUT
from trading.bus.deadletter import DeadLetters
from trading.bus.messages import PriceMessage
from trading.node.router import Router

logger = logging.getLogger(__name__)

NS_PER_MS = 1_000_000


class MarketFeed:
    """Reads every partition of the market-data topics from their end, as a reader of its own.

    Each node must see every symbol its portfolios want, so it never shares a consumer
    group with other nodes: it assigns itself all partitions and commits nothing (market
    data is only worth its newest values; a restarted node starts from the end). Messages
    are polled in batches and handed to the router with their broker timestamp (the stale
    guard's publish time). This is trading.bus.consumer.ConsumerLoop's group-less mode
    without its per-message retry machinery, which would cost more than routing itself, and
    with the broker timestamp its Delivery does not carry. Undecodable or foreign messages
    are dead-lettered; nothing here raises but a fatal broker error.
    """

    def __init__(
        self,
        bus: BusConfig,
        topics: Iterable[str],
        router: Router,
        dead_letters: DeadLetters,
        *,
        stop: threading.Event,
        batch: int = 500,
        poll_timeout: float = 0.1,
    ) -> None:
        self.topics = tuple(bus.topic(name) for name in topics)
        self.assigned = threading.Event()
        self.dead_lettered = 0
        self._bus = bus
        self._router = router
        self._dead_letters = dead_letters
        self._stop = stop
        self._batch = batch
        self._poll_timeout = poll_timeout

    def run(self) -> None:
        """Route until stopped; the consumer is always closed."""
        config = self._bus.consumer_config(f"node-feed-{uuid.uuid4().hex}", "latest")
        config["enable.auto.commit"] = False
        consumer = Consumer(config)
        try:
            consumer.assign(self._partitions_at_end(consumer))
            self.assigned.set()
            while not self._stop.is_set():
                for raw in consumer.consume(self._batch, self._poll_timeout):
                    self.handle(raw)
        finally:
            consumer.close()
            logger.info("market feed closed after %d update(s)", self._router.received)

    def handle(self, raw: KafkaMessage) -> None:
        """Decode one raw message and route it (or dead-letter it)."""
        error = raw.error()
        if error is not None:
            if error.fatal():
                raise KafkaException(error)
            logger.warning("market feed: %s", error.str())
            return
        try:
            message = decode(raw.value() or b"")
        except DecodeError as exc:
            self._dead_letter(raw, f"undecodable: {exc}")
            return
        if not isinstance(message, PriceMessage):
            self._dead_letter(raw, f"{type(message).__name__} on a market data topic")
            return
        kind, stamp = raw.timestamp()
        self._router.route(message, None if kind == TIMESTAMP_NOT_AVAILABLE else stamp * NS_PER_MS)

    def _partitions_at_end(self, consumer: Consumer) -> list[TopicPartition]:
        # "Latest" resolved now, not at the first fetch: what is published once ``assigned``
        # is set is sure to be seen.
        metadata = consumer.list_topics(timeout=METADATA_TIMEOUT)
        partitions = []
        for topic in self.topics:
            for number in metadata.topics[topic].partitions:
                partition = TopicPartition(topic, number)
                _, partition.offset = consumer.get_watermark_offsets(
                    partition, timeout=METADATA_TIMEOUT
                )
                partitions.append(partition)
        return partitions

    def _dead_letter(self, raw: KafkaMessage, reason: str) -> None:
        self.dead_lettered += 1
        self._dead_letters.send(
            reason=reason,
            topic=raw.topic() or "",
            partition=raw.partition() or 0,
            offset=raw.offset() or 0,
            value=raw.value(),
            key=raw.key(),
        )
