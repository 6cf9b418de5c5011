"""Upstream: (entry point: pytest)
Downstream: ginkgo_site.devstack.waiting, trading.bus.config, trading.bus.consumer, trading.bus.deadletter, trading.bus.messages, trading.bus.producer
Role: test helpers: a recorder of everything a topic carries."""

import threading
from typing import TypeVar

from ginkgo_site.devstack.waiting import DEFAULT_TIMEOUT, wait_until
from trading.bus.config import BusConfig
from trading.bus.consumer import ConsumerLoop, ConsumerSpec, Delivery
from trading.bus.deadletter import DeadLetters
from trading.bus.messages import AnyMessage
from trading.bus.producer import BusProducer

T = TypeVar("T")


class TopicRecorder:
    """Reads every partition of some topics from the beginning (no group) into a list."""

    def __init__(self, bus: BusConfig, producer: BusProducer, *topics: str) -> None:
        self.messages: list[tuple[AnyMessage, Delivery]] = []
        self._stop = threading.Event()
        self._loop = ConsumerLoop(
            bus,
            ConsumerSpec("recorder", topics, None, "earliest"),
            lambda message, delivery: self.messages.append((message, delivery)),
            DeadLetters(producer),
            stop=self._stop,
            poll_timeout=0.05,
        )
        self._thread = threading.Thread(target=self._loop.run, daemon=True)
        self._thread.start()
        self._loop.assigned.wait(DEFAULT_TIMEOUT)

    def of(self, kind: type[T] | tuple[type, ...]) -> list[T]:
        """The recorded messages of a type (or types), in arrival order."""
        return [message for message, _ in list(self.messages) if isinstance(message, kind)]  # type: ignore[misc]

    def wait_for(self, kind: type[T], count: int = 1, timeout: float = DEFAULT_TIMEOUT) -> list[T]:
        """Wait until at least ``count`` messages of ``kind`` arrived; returns them all."""
        return wait_until(
            lambda: (found := self.of(kind)) and len(found) >= count and found,
            timeout,
            f"{count} {kind.__name__} message(s)",
        )

    def close(self) -> None:
        self._stop.set()
        self._thread.join(DEFAULT_TIMEOUT)
