"""Upstream: bench.feed_storage, monitoring.notifications.service, trading.livecore.runtime, trading.management.commands.kafka_topics, trading.node.runtime
Downstream: trading.bus.topics
Role: creates the contract topics with their partition counts and lists what the broker has."""

import time
from collections.abc import Iterable
from dataclasses import dataclass

from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient, NewTopic

from trading.bus.topics import TOPICS, TopicSpec, qualified


@dataclass(frozen=True)
class TopicState:
    name: str
    partitions: int
    created: bool


class BrokerUnavailable(RuntimeError):
    """The broker did not answer; str() is one line naming it."""


def _admin(bootstrap: str) -> AdminClient:
    return AdminClient({"bootstrap.servers": bootstrap, "socket.timeout.ms": 5000})


def existing_topics(bootstrap: str, timeout: float = 10.0) -> dict[str, int]:
    """Topic name -> partition count, as the broker reports it."""
    try:
        metadata = _admin(bootstrap).list_topics(timeout=timeout)
    except KafkaException as exc:
        raise BrokerUnavailable(f"Kafka at {bootstrap} is unreachable: {exc.args[0]}") from exc
    return {name: len(t.partitions) for name, t in metadata.topics.items()}


def ensure_topics(
    bootstrap: str, namespace: str = "", specs: Iterable[TopicSpec] = TOPICS, timeout: float = 15.0
) -> list[TopicState]:
    """Create every missing topic; existing ones are left alone (idempotent)."""
    present = existing_topics(bootstrap, timeout)
    wanted = [(qualified(spec.name, namespace), spec) for spec in specs]
    missing = [NewTopic(name, spec.partitions, 1) for name, spec in wanted if name not in present]
    if missing:
        # The client must outlive its futures: a destroyed handle fails them all.
        admin = _admin(bootstrap)
        for name, future in admin.create_topics(missing, request_timeout=timeout).items():
            try:
                future.result(timeout)
            except KafkaException as exc:
                if "TOPIC_ALREADY_EXISTS" not in str(exc):
                    raise BrokerUnavailable(
                        f"Kafka at {bootstrap}: creating {name} failed: {exc}"
                    ) from exc
        _await_metadata(bootstrap, {t.topic for t in missing}, timeout)
    created = {t.topic for t in missing}
    return [
        TopicState(name, present.get(name, spec.partitions), name in created)
        for name, spec in wanted
    ]


def _await_metadata(bootstrap: str, names: set[str], timeout: float) -> None:
    """Return once the broker's metadata lists ``names``: a creation can be acknowledged
    before every broker (or Tansu's metadata) shows the topic, and a producer or consumer
    started at that moment would not find it."""
    deadline = time.monotonic() + timeout
    while not names <= existing_topics(bootstrap, timeout).keys():
        if time.monotonic() > deadline:
            raise BrokerUnavailable(f"Kafka at {bootstrap}: created topics did not appear in time")
        time.sleep(0.05)
