"""Upstream: (entry point: pytest)
Downstream: ginkgo_site.devstack, ginkgo_site.devstack.waiting, tests.integration.node.conftest, trading.bus.mapping, trading.bus.topics, trading.core.testing.builders, trading.redis_store
Role: Redis away for 20 s and back: the node keeps trading, retries with backoff, and re-announces itself (heartbeat, nodes:active, statuses)."""

import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from ginkgo_site.devstack import ServiceHandle, start_redis
from ginkgo_site.devstack.waiting import wait_until
from tests.integration.node.conftest import make_portfolio
from trading.bus.mapping import price_message
from trading.bus.topics import MARKET_DATA
from trading.core.testing.builders import T0, bar
from trading.redis_store import (
    heartbeat_key,
    node_processors_key,
    nodes_active_key,
    portfolio_status_key,
    redis_client,
)

OUTAGE_SECONDS = 20.0


@pytest.fixture
def own_redis(settings, tmp_path: Path) -> Iterator[list[ServiceHandle]]:
    """A Redis spawned for this test (never the machine's shared one), as settings.REDIS_URL.

    The list holds the current server; the test replaces it when it restarts Redis.
    """
    servers = [start_redis(tmp_path / "redis")]
    settings.REDIS_URL = servers[0].url
    yield servers
    servers[-1].stop()


def publish_bar(publisher, minute: int) -> None:
    publisher.publish(MARKET_DATA, price_message(bar(100, time=T0 + timedelta(minutes=minute))))
    publisher.flush()


def test_a_node_outlives_a_redis_outage_and_reannounces_itself_when_redis_is_back(
    own_redis, start_node, publisher, tmp_path
):
    make_portfolio("P1", ["AAA"])
    node = start_node(portfolios=frozenset({"P1"}))
    client = redis_client()
    wait_until(lambda: client.get(heartbeat_key("n1")), what="a first heartbeat")
    port = int(own_redis[0].url.rsplit(":", 1)[1].split("/")[0])

    own_redis[0].stop()
    stopped_at = time.monotonic()
    publish_bar(publisher, 1)
    # Several failed writes, spaced by the backoff: the retry path, not a lucky moment.
    wait_until(lambda: node.presence.failures >= 4, timeout=30, what="retries against no Redis")
    wait_until(lambda: node.processors["P1"].processed == 1, what="trading during the outage")
    # The outage the issue names: Redis stays away for OUTAGE_SECONDS in all.
    wait_until(
        lambda: time.monotonic() - stopped_at >= OUTAGE_SECONDS,
        timeout=OUTAGE_SECONDS + 5,
        what="the whole outage",
    )
    assert not node.stopped.is_set()
    own_redis.append(start_redis(tmp_path / "redis-again", port=port))

    wait_until(lambda: client.get(heartbeat_key("n1")), timeout=30, what="the heartbeat back")
    assert client.sismember(nodes_active_key(), "n1")
    assert client.smembers(node_processors_key("n1")) == {"P1"}
    wait_until(
        lambda: client.hget(portfolio_status_key("P1"), "processed") == "1",
        what="the status re-announced",
    )
    assert node.presence.failures == 0
    assert not node.stopped.is_set()
    publish_bar(publisher, 2)
    wait_until(lambda: node.processors["P1"].processed == 2, what="trading after the outage")
