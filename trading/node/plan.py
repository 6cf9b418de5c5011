"""Upstream: trading.node.host
Downstream: trading.redis_store
Role: which portfolios a node should run: plan reconciliation (pure) and reading schedule:plan:{node_id} from Redis."""

import logging
from collections.abc import Set

import redis

from trading.redis_store import plan_key, redis_client

logger = logging.getLogger(__name__)


def reconcile(planned: Set[str], running: Set[str]) -> tuple[list[str], list[str]]:
    """(to start, to stop): planned but not running, running but not planned; sorted."""
    return sorted(planned - running), sorted(running - planned)


def read_plan(node_id: str) -> frozenset[str] | None:
    """The node's plan in Redis; None when Redis cannot be read (keep what runs).

    A missing key is an empty plan: Redis holds no empty sets, so a scheduler that takes a
    node's last portfolio away deletes the key; reading it as "no data" instead would leave
    that portfolio running here while the scheduler starts it elsewhere.
    """
    try:
        members = redis_client().smembers(plan_key(node_id))
    except redis.RedisError as exc:
        logger.warning("cannot read the plan of node %s (%s); keeping what runs", node_id, exc)
        return None
    return frozenset(members)  # type: ignore[arg-type]
