"""Upstream: bench.storage, ginkgo_site.devstack.cluster, monitoring.live, monitoring.notifications.rules, scheduling.plan_store, trading.livecore.status, trading.node.handover, trading.node.plan, trading.node.presence, trading.selectors.live, trading.services.data_health, trading.services.hot_positions, trading.services.portfolio_verify
Downstream: (none)
Role: the Redis key names of SPEC.md §4 (with GINKGO_REDIS_PREFIX) and a pooled client that reconnects on its own."""

from functools import cache

import redis
from django.conf import settings
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

SOCKET_TIMEOUT = 2.0
HEALTH_CHECK_INTERVAL = 15
RETRIES = 3


def _key(name: str) -> str:
    # Read at call time: tests (and two stacks on one Redis) switch the prefix.
    return f"{settings.GINKGO_REDIS_PREFIX}{name}"


def heartbeat_key(node_id: str) -> str:
    """String with a TTL, refreshed by the node every heartbeat."""
    return _key(f"heartbeat:node:{node_id}")


def nodes_active_key() -> str:
    """Set of node ids believed alive."""
    return _key("nodes:active")


def plan_key(node_id: str) -> str:
    """Set of portfolio ids the node should run."""
    return _key(f"schedule:plan:{node_id}")


def portfolio_status_key(portfolio_id: str) -> str:
    """Hash: status, node, version, buffer and queue sizes, timestamps."""
    return _key(f"portfolio:{portfolio_id}:status")


def portfolio_diverged_key(portfolio_id: str) -> str:
    """String: the first divergence of the portfolio's paper twin already noticed."""
    return _key(f"portfolio:{portfolio_id}:diverged")


def node_info_key(node_id: str) -> str:
    """Hash of node metrics."""
    return _key(f"execution_node:{node_id}:info")


def node_processors_key(node_id: str) -> str:
    """Set of portfolios the node actually runs."""
    return _key(f"node:{node_id}:processors")


def engine_status_key(engine_id: str) -> str:
    """Hash: a LiveEngine's status and counters."""
    return _key(f"engine:{engine_id}:status")


def redis_client(url: str | None = None) -> redis.Redis:
    """A client on ``url`` (default settings.REDIS_URL) sharing one pool per URL per process.

    Commands that hit a timeout or a dropped connection are retried with exponential backoff
    on a fresh connection, and idle connections are health-checked before use, so a Redis
    restart heals by itself; what still fails raises redis.RedisError for the caller to
    handle (log, retry later).
    """
    return _client(url or settings.REDIS_URL)


@cache
def _client(url: str) -> redis.Redis:
    return redis.Redis.from_url(
        url,
        socket_timeout=SOCKET_TIMEOUT,
        socket_connect_timeout=SOCKET_TIMEOUT,
        health_check_interval=HEALTH_CHECK_INTERVAL,
        retry=Retry(ExponentialBackoff(cap=1.0, base=0.05), RETRIES),
        retry_on_error=[redis.ConnectionError, redis.TimeoutError],
        decode_responses=True,
    )
