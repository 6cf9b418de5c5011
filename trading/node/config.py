"""Upstream: trading.management.commands.run_node, trading.node.host, trading.node.runtime, trading.node.status, trading.node_worker
Downstream: trading.bus.topics, trading.core.registry, trading.node.backpressure, trading.node.sequencer, trading.node.stale
Role: NodeConfig: what one execution node runs and how (fixed set or plan, backpressure policy, stale limit, intervals), from the GINKGO_* settings."""

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from trading.bus.topics import MARKET_TOPICS
from trading.core.registry import ComponentRegistry
from trading.node.backpressure import Policy
from trading.node.sequencer import DEFAULT_WAIT_SECONDS
from trading.node.stale import DEFAULT_MAX_AGE_SECONDS


@dataclass(frozen=True)
class NodeConfig:
    """What one node runs and how.

    ``portfolios`` set: run exactly those (a single node without a scheduler); None: run
    what ``schedule:plan:{node_id}`` says. ``max_age`` None disables the stale-data guard.
    ``capacity`` is announced in the heartbeat for the scheduler (it places, the node runs
    what it is told). ``ordering_wait`` bounds how long a portfolio holds a price update for
    the fills (or other symbols' bars) that go before it. ``registry`` replaces the built-in
    component catalogue (tests register their own).
    Portfolios read every market-data topic: the DataManager publishes only what some node
    wants, and the router drops the rest at the cost of a dict lookup.
    """

    node_id: str
    portfolios: frozenset[str] | None = None
    policy: Policy = Policy.DROP
    max_age: float | None = DEFAULT_MAX_AGE_SECONDS
    queue_maxsize: int = 1000
    capacity: int = 5
    heartbeat_interval: float = 10.0
    heartbeat_ttl: float = 30.0
    plan_interval: float = 30.0
    report_interval: float = 1.0
    drain_timeout: float = 30.0
    checkpoint_interval: float = 30.0
    handover_timeout: float = 5.0
    ordering_wait: float = DEFAULT_WAIT_SECONDS
    ready_timeout: float = 60.0
    market_topics: tuple[str, ...] = tuple(MARKET_TOPICS.values())
    registry: ComponentRegistry | None = field(default=None, compare=False)

    @classmethod
    def from_settings(cls, node_id: str, **options: Any) -> "NodeConfig":
        """The GINKGO_* settings (queue size, heartbeat, plan interval, ordering wait), then
        ``options``."""
        defaults: dict[str, Any] = {
            "queue_maxsize": settings.GINKGO_QUEUE_MAXSIZE,
            "capacity": settings.GINKGO_NODE_CAPACITY,
            "heartbeat_interval": settings.GINKGO_HEARTBEAT_INTERVAL,
            "heartbeat_ttl": settings.GINKGO_HEARTBEAT_TTL,
            "plan_interval": settings.GINKGO_SCHEDULE_INTERVAL,
            "ordering_wait": settings.GINKGO_ORDERING_WAIT,
        }
        return cls(node_id=node_id, **{**defaults, **options})
