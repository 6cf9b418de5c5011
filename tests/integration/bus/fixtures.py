"""Upstream: (entry point: pytest, imported by the bus and livecore conftests)
Downstream: trading.bus.admin, trading.bus.config, trading.bus.producer, tests.integration.bus.helpers
Role: fixtures shared by the bus and LiveCore tests: a namespaced bus with its topics, a publisher, topic recorders."""

from collections.abc import Callable, Iterator

import pytest

from tests.integration.bus.helpers import TopicRecorder
from trading.bus.admin import ensure_topics
from trading.bus.config import BusConfig
from trading.bus.producer import BusProducer


@pytest.fixture
def bus(kafka_bootstrap: str, topic_namespace: str) -> BusConfig:
    """The session broker under this test's namespace, every contract topic created."""
    ensure_topics(kafka_bootstrap, topic_namespace)
    return BusConfig(kafka_bootstrap, topic_namespace)


@pytest.fixture
def publisher(bus: BusConfig) -> Iterator[BusProducer]:
    """A producer playing the other components (nodes, API, market data)."""
    producer = BusProducer(bus, source="test")
    yield producer
    producer.close()


@pytest.fixture
def record(bus: BusConfig, publisher: BusProducer) -> Iterator[Callable[..., TopicRecorder]]:
    """``record(topic, ...)`` starts a recorder of those contract topics (from the start)."""
    recorders: list[TopicRecorder] = []

    def start(*topics: str) -> TopicRecorder:
        recorder = TopicRecorder(bus, publisher, *topics)
        recorders.append(recorder)
        return recorder

    yield start
    for recorder in recorders:
        recorder.close()
