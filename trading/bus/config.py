"""Upstream: bench.cluster_stack, bench.feed_storage, bench.gateway_throughput, bench.reload, ginkgo_site.devstack.cluster, monitoring.notifications.publish, monitoring.notifications.service, scheduling.services.publishing, trading.bus.consumer, trading.bus.producer, trading.livecore.runtime, trading.node.feed, trading.node.runtime, trading.services.control
Downstream: trading.bus.topics
Role: where the bus is (bootstrap servers, topic namespace) and the Kafka client settings every client shares."""

from dataclasses import dataclass
from typing import Any

from django.conf import settings

from trading.bus.topics import qualified

# Short enough that a dead group member is noticed within seconds (ARCHITECTURE.md).
SESSION_TIMEOUT_MS = 6000
HEARTBEAT_INTERVAL_MS = 500
# The longest a fetch waits for data. Kafka answers as soon as data arrives anyway; some
# brokers (Tansu) hold every fetch for the full wait, which then is the delivery latency.
# The cost is a few idle fetch requests a second per consumer.
FETCH_WAIT_MAX_MS = 20


@dataclass(frozen=True, slots=True)
class BusConfig:
    """The broker and the topic namespace; ``topic()`` is the only way names reach a client."""

    bootstrap: str
    namespace: str = ""

    @classmethod
    def from_settings(cls) -> "BusConfig":
        """KAFKA_BOOTSTRAP_SERVERS and GINKGO_TOPIC_NAMESPACE as the settings have them now."""
        return cls(settings.KAFKA_BOOTSTRAP_SERVERS, settings.GINKGO_TOPIC_NAMESPACE)

    def topic(self, name: str) -> str:
        """The broker-side name of contract topic ``name``."""
        return qualified(name, self.namespace)

    def producer_config(self, linger_ms: int) -> dict[str, Any]:
        """Idempotent, fully acknowledged production: no duplicates or reordering on retries."""
        return {
            "bootstrap.servers": self.bootstrap,
            "enable.idempotence": True,
            "acks": "all",
            "linger.ms": linger_ms,
        }

    def consumer_config(self, group_id: str, offset_reset: str) -> dict[str, Any]:
        """At-least-once consumption: offsets are stored by hand once a message was handled,
        and the stored ones are committed in the background and on close."""
        return {
            "bootstrap.servers": self.bootstrap,
            "group.id": group_id,
            "auto.offset.reset": offset_reset,
            "enable.auto.offset.store": False,
            "enable.auto.commit": True,
            "auto.commit.interval.ms": 1000,
            "session.timeout.ms": SESSION_TIMEOUT_MS,
            "heartbeat.interval.ms": HEARTBEAT_INTERVAL_MS,
            "fetch.wait.max.ms": FETCH_WAIT_MAX_MS,
        }
