"""Upstream: bench.feed_storage, bench.gateway_throughput, ginkgo_site.devstack.feed, monitoring.notifications.publish, monitoring.notifications.service, scheduling.services.publishing, trading.bus.admin, trading.bus.config, trading.bus.deadletter, trading.livecore.datamanager, trading.livecore.engine, trading.livecore.runtime, trading.management.commands.run_livecore, trading.node.config, trading.node.output, trading.node.runtime, trading.services.control
Downstream: (none)
Role: the topic names of SPEC.md §3 and their partition counts, in one place."""

from dataclasses import dataclass

MARKET_DATA = "ginkgo.live.market.data"
MARKET_DATA_HK = "ginkgo.live.market.data.hk"
MARKET_DATA_US = "ginkgo.live.market.data.us"
MARKET_DATA_FUTURES = "ginkgo.live.market.data.futures"
ORDERS_SUBMISSION = "ginkgo.live.orders.submission"
ORDERS_FEEDBACK = "ginkgo.live.orders.feedback"
CONTROL_COMMANDS = "ginkgo.live.control.commands"
SCHEDULE_UPDATES = "ginkgo.live.schedule.updates"
SYSTEM_EVENTS = "ginkgo.live.system.events"
NOTIFICATIONS = "ginkgo.notifications"
DEAD_LETTER = "ginkgo.deadletter"


@dataclass(frozen=True)
class TopicSpec:
    name: str
    partitions: int
    purpose: str


# Market data and order flow are keyed (symbol / portfolio), so they get several partitions
# for parallelism while keeping per-key order; control-plane topics are low volume.
TOPICS: tuple[TopicSpec, ...] = (
    TopicSpec(MARKET_DATA, 6, "price updates, keyed by symbol"),
    TopicSpec(MARKET_DATA_HK, 6, "price updates for the HK market"),
    TopicSpec(MARKET_DATA_US, 6, "price updates for the US market"),
    TopicSpec(MARKET_DATA_FUTURES, 6, "price updates for futures"),
    TopicSpec(ORDERS_SUBMISSION, 6, "orders from nodes, keyed by portfolio"),
    TopicSpec(ORDERS_FEEDBACK, 6, "acks and fills to nodes, keyed by portfolio"),
    TopicSpec(CONTROL_COMMANDS, 3, "control commands, keyed by target id"),
    TopicSpec(SCHEDULE_UPDATES, 3, "plan changes, one per node"),
    TopicSpec(SYSTEM_EVENTS, 3, "interest updates and node events"),
    TopicSpec(NOTIFICATIONS, 3, "notices for the notification service"),
    TopicSpec(DEAD_LETTER, 1, "messages that could not be decoded or handled"),
)


# The market setting of a portfolio or a LiveCore (trading.models.Market values) -> its topic.
MARKET_TOPICS: dict[str, str] = {
    "default": MARKET_DATA,
    "hk": MARKET_DATA_HK,
    "us": MARKET_DATA_US,
    "futures": MARKET_DATA_FUTURES,
}


def qualified(name: str, namespace: str) -> str:
    """The broker-side name of a topic: tests and shared brokers prefix a namespace."""
    return f"{namespace}{name}"


def market_data_topic(market: str) -> str:
    """The contract topic price updates of ``market`` travel on; unknown markets raise KeyError."""
    return MARKET_TOPICS[market]
