"""Upstream: bench.feed_storage, bench.gateway_throughput, monitoring.notifications.service, trading.bus.consumer, trading.livecore.datamanager, trading.livecore.runtime, trading.node.feed, trading.node.runtime
Downstream: monitoring.metrics, trading.bus.messages, trading.bus.producer, trading.bus.topics
Role: sends a message that could not be decoded or handled to ginkgo.deadletter, with the reason and its original bytes, and counts it."""

import logging
import threading
import time

from monitoring.metrics import DEAD_LETTERS
from trading.bus.messages import DeadLetter
from trading.bus.producer import BusProducer
from trading.bus.topics import DEAD_LETTER

logger = logging.getLogger(__name__)


class DeadLetters:
    """The dead-letter sink of every consumer of a process (thread-safe); counts what it
    parks per source topic in Prometheus too."""

    def __init__(self, producer: BusProducer) -> None:
        self._producer = producer
        self._lock = threading.Lock()
        self._count = 0

    @property
    def count(self) -> int:
        """Messages dead-lettered so far."""
        return self._count

    def send(
        self,
        *,
        reason: str,
        topic: str,
        partition: int,
        offset: int,
        value: bytes | None,
        key: bytes | None,
    ) -> None:
        """Publish the original message with why it failed; ``ts`` is when that was found."""
        with self._lock:
            self._count += 1
        DEAD_LETTERS.labels(topic).inc()
        logger.warning("dead letter from %s[%d]@%d: %s", topic, partition, offset, reason)
        self._producer.publish(
            DEAD_LETTER,
            DeadLetter(
                ts=time.time_ns(),
                reason=reason,
                topic=topic,
                partition=partition,
                offset=offset,
                original=value or b"",
                original_key=key,
            ),
        )
