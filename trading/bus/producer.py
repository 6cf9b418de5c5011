"""Upstream: bench.feed_storage, bench.gateway_throughput, bench.reload, ginkgo_site.devstack.feed, monitoring.notifications.publish, monitoring.notifications.service, scheduling.services.publishing, trading.bus.deadletter, trading.livecore.datamanager, trading.livecore.engine, trading.livecore.runtime, trading.node.output, trading.node.runtime, trading.services.control
Downstream: trading.bus.codec, trading.bus.config, trading.bus.messages
Role: BusProducer: publishes messages (idempotent, acks=all, keyed by the message), retries failed deliveries with backoff, counts them."""

import heapq
import itertools
import logging
import threading
import time
from dataclasses import dataclass
from functools import partial

import msgspec
from confluent_kafka import KafkaError, Producer
from confluent_kafka import Message as KafkaMessage
from tenacity import Retrying, retry_if_exception_type, stop_after_delay, wait_exponential

from trading.bus.codec import encode
from trading.bus.config import BusConfig
from trading.bus.messages import Message

logger = logging.getLogger(__name__)

RETRY_BASE_SECONDS = 0.2
RETRY_CAP_SECONDS = 5.0
# How long publish() waits for room when librdkafka's local queue is full.
QUEUE_FULL_PATIENCE_SECONDS = 30.0


@dataclass(frozen=True, slots=True)
class DeliveryStats:
    """What happened to published messages so far."""

    delivered: int
    failed: int
    retried: int
    dropped: int


@dataclass(frozen=True, slots=True)
class _Outgoing:
    topic: str
    key: bytes | None
    value: bytes
    attempt: int


class BusProducer:
    """Publishes bus messages; safe to share between threads.

    ``publish`` takes a contract topic name (the namespace is applied here) and keys the
    message as the contract says (``Message.key()``: symbol, portfolio id, target id ...).
    A message without a ``source`` gets this producer's. Deliveries that fail are counted
    and re-sent with exponential backoff up to ``max_attempts`` times, then dropped (logged
    and counted); librdkafka's own retries come first, so this is rare. Call ``close`` on
    shutdown: it flushes.
    """

    def __init__(
        self, bus: BusConfig, *, source: str, linger_ms: int = 5, max_attempts: int = 5
    ) -> None:
        self.source = source
        self._bus = bus
        self._producer = Producer(bus.producer_config(linger_ms))
        self._max_attempts = max_attempts
        self._lock = threading.Lock()
        # Re-sends waiting out their backoff: a heap of (due time, tie-breaker, message).
        self._due: list[tuple[float, int, _Outgoing]] = []
        self._tie = itertools.count()
        self._delivered = self._failed = self._retried = self._dropped = 0

    def publish(self, topic: str, message: Message) -> None:
        """Queue ``message`` for ``topic`` (a contract name such as topics.ORDERS_FEEDBACK)."""
        if not message.source:
            message = msgspec.structs.replace(message, source=self.source)
        key = message.key()
        outgoing = _Outgoing(
            self._bus.topic(topic), key.encode() if key is not None else None, encode(message), 1
        )
        self._produce(outgoing)
        self.poll(0)

    def poll(self, timeout: float = 0) -> None:
        """Serve delivery reports and re-send failed deliveries whose backoff has passed."""
        self._producer.poll(timeout)
        now = time.monotonic()
        while True:
            with self._lock:
                if not self._due or self._due[0][0] > now:
                    return
                _, _, outgoing = heapq.heappop(self._due)
            self._produce(outgoing)

    def flush(self, timeout: float = 10.0) -> int:
        """Wait until everything queued (retries included) is delivered; returns what is left."""
        deadline = time.monotonic() + timeout
        while True:
            left = self._producer.flush(max(0.0, deadline - time.monotonic()))
            self.poll(0)
            with self._lock:
                waiting = len(self._due)
            if (not left and not waiting) or time.monotonic() >= deadline:
                return left + waiting
            if waiting:
                time.sleep(min(0.05, max(0.0, deadline - time.monotonic())))

    def close(self, timeout: float = 10.0) -> None:
        """Flush; what could not be delivered in ``timeout`` is logged as lost."""
        left = self.flush(timeout)
        if left:
            logger.error("producer %s closed with %d message(s) undelivered", self.source, left)

    @property
    def stats(self) -> DeliveryStats:
        """Counters of delivered, failed, re-sent and dropped messages."""
        with self._lock:
            return DeliveryStats(self._delivered, self._failed, self._retried, self._dropped)

    def _produce(self, outgoing: _Outgoing) -> None:
        callback = partial(self._on_delivery, outgoing)
        try:
            self._producer.produce(
                outgoing.topic, outgoing.value, outgoing.key, on_delivery=callback
            )
        except BufferError:
            # The local queue is full: serve deliveries to make room, backing off meanwhile.
            for attempt in Retrying(
                retry=retry_if_exception_type(BufferError),
                wait=wait_exponential(multiplier=0.01, max=0.5),
                stop=stop_after_delay(QUEUE_FULL_PATIENCE_SECONDS),
                before_sleep=lambda _: self._producer.poll(0.05),
                reraise=True,
            ):
                with attempt:
                    self._producer.produce(
                        outgoing.topic, outgoing.value, outgoing.key, on_delivery=callback
                    )

    def _on_delivery(
        self, outgoing: _Outgoing, error: KafkaError | None, _message: KafkaMessage
    ) -> None:
        if error is None:
            with self._lock:
                self._delivered += 1
            return
        with self._lock:
            self._failed += 1
            if outgoing.attempt >= self._max_attempts or error.fatal():
                self._dropped += 1
                dropped = True
            else:
                self._retried += 1
                delay = min(RETRY_CAP_SECONDS, RETRY_BASE_SECONDS * 2 ** (outgoing.attempt - 1))
                retry = _Outgoing(
                    outgoing.topic, outgoing.key, outgoing.value, outgoing.attempt + 1
                )
                heapq.heappush(self._due, (time.monotonic() + delay, next(self._tie), retry))
                dropped = False
        if dropped:
            logger.error(
                "dropped a message for %s after %d attempt(s): %s",
                outgoing.topic,
                outgoing.attempt,
                error.str(),
            )
        else:
            logger.warning("delivery to %s failed (%s); retrying", outgoing.topic, error.str())
