"""Upstream: (entry point: pytest)
Downstream: ginkgo_site.devstack.waiting, monitoring.notifications.kinds, monitoring.notifications.publish, tests.integration.bus.fixtures, tests.integration.bus.helpers, tests.unit.node.kit, trading.bus.config, trading.bus.messages, trading.bus.producer, trading.bus.topics, trading.models, trading.node.config, trading.node.runtime, trading.redis_store
Role: fixtures of the node tests: the bus fixtures, stored portfolios, nodes running on threads, reads of their Redis state, every notice published about a portfolio (the LiveCore tests use it too)."""

import threading
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest

from ginkgo_site.devstack.waiting import wait_until
from monitoring.notifications import kinds
from monitoring.notifications.publish import notice_build
from tests.integration.bus.fixtures import bus, publisher, record
from tests.integration.bus.helpers import TopicRecorder
from tests.unit.node.kit import misbehaving_registry
from trading.bus.config import BusConfig
from trading.bus.messages import Notification
from trading.bus.producer import BusProducer
from trading.bus.topics import NOTIFICATIONS
from trading.models import Portfolio
from trading.node.config import NodeConfig
from trading.node.runtime import ExecutionNode
from trading.redis_store import portfolio_status_key, redis_client

__all__ = ["bus", "publisher", "record", "start_node"]

FAST = {
    "report_interval": 0.2,
    "heartbeat_interval": 0.5,
    "heartbeat_ttl": 5.0,
    "plan_interval": 1.0,
    "drain_timeout": 5.0,
    "ordering_wait": 0.5,
}


def make_portfolio(
    portfolio_id: str, symbols: list[str], strategy: str = "random", **params: Any
) -> Portfolio:
    """A stored portfolio; ``random`` acts on every bar unless told otherwise."""
    if strategy == "random":
        params = {"rate": 1.0, "size": 10, "seed": 0, **params}
    return Portfolio.objects.create(
        portfolio_id=portfolio_id,
        name=portfolio_id,
        symbols=symbols,
        initial_capital=Decimal(100_000),
        strategy={"name": strategy, "params": params},
    )


def status(portfolio_id: str) -> dict[str, str]:
    """The portfolio's status hash as Redis has it."""
    return redis_client().hgetall(portfolio_status_key(portfolio_id))  # type: ignore[return-value]


def wait_status(portfolio_id: str, **expected: str) -> dict[str, str]:
    """Wait until the portfolio's status hash has every ``expected`` field value."""
    return wait_until(
        lambda: (
            (s := status(portfolio_id)) and all(s.get(k) == v for k, v in expected.items()) and s
        ),
        what=f"{portfolio_id} status {expected}",
    )


def notices_about(
    notices: TopicRecorder, publisher: BusProducer, portfolio_id: str
) -> list[Notification]:
    """Every notice about ``portfolio_id`` the recorder will ever see, once its publishers
    have stopped (their producers flushed): a marker keyed like those notices follows them
    on their partition, so once the marker is in, nothing more is coming."""
    marker = f"marker {portfolio_id}"
    publisher.publish(
        NOTIFICATIONS,
        notice_build(kind=kinds.OTHER, message=marker, source="test", portfolio_id=portfolio_id),
    )
    publisher.flush()

    def about() -> list[Notification]:
        return [n for n in notices.of(Notification) if n.portfolio_id == portfolio_id]

    wait_until(lambda: any(n.message == marker for n in about()), what=marker)
    return [n for n in about() if n.message != marker]


@pytest.fixture
def start_node(
    bus: BusConfig, redis_prefix: str, transactional_db: None
) -> Iterator[Callable[..., ExecutionNode]]:
    """``start_node(node_id, **config)`` runs a node on a thread and returns it once ready.

    Test intervals are short and the test registry (with ``explode`` and ``slow``) is used.
    """
    running: list[tuple[ExecutionNode, threading.Thread]] = []

    def start(node_id: str = "n1", **options: Any) -> ExecutionNode:
        config = NodeConfig(
            node_id=node_id, **{**FAST, "registry": misbehaving_registry(), **options}
        )
        node = ExecutionNode(config, bus)
        thread = threading.Thread(target=node.run, daemon=True)
        thread.start()
        running.append((node, thread))
        assert node.ready.wait(60), "node did not become ready"
        return node

    yield start
    for node, thread in running:
        node.stop()
        thread.join(60)
        assert not thread.is_alive()
