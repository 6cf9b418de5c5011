"""Upstream: trading.node.host
Downstream: trading.models, trading.redis_store, trading.services.portfolio_state
Role: the target side of a handover: before a node starts a portfolio that another live node still runs, wait (bounded) for that node to release it, then pick the checkpoint to continue from."""

import logging
import time
from datetime import datetime

import redis

from trading.models import PortfolioCheckpoint
from trading.redis_store import heartbeat_key, portfolio_status_key, redis_client
from trading.services.portfolio_state import portfolio_checkpoint_latest

logger = logging.getLogger(__name__)

# Statuses of a portfolio its node has not released yet.
HELD = frozenset({"running", "stopping", "reloading"})
PERIODIC = "periodic"
POLL_SECONDS = 0.05


def holder(portfolio_id: str, node_id: str) -> str | None:
    """The other live node that still holds ``portfolio_id`` (None: released, dead, unknown
    or Redis unreadable: nothing to wait for)."""
    try:
        client = redis_client()
        status = client.hgetall(portfolio_status_key(portfolio_id))
        node = status.get("node")
        if not node or node == node_id or status.get("status") not in HELD:
            return None
        return node if client.exists(heartbeat_key(node)) else None
    except redis.RedisError:
        return None


def await_release(
    portfolio_id: str, node_id: str, since: datetime, timeout: float
) -> PortfolioCheckpoint | None:
    """Wait up to ``timeout`` s while another live node holds the portfolio and has written
    no final checkpoint since ``since``; then the newest checkpoint (None: there is none).

    A checkpoint written at a clean stop is final; a periodic one taken while the source
    still runs does not count as a release.
    """
    deadline = time.monotonic() + timeout
    source = holder(portfolio_id, node_id)
    while source is not None:
        latest = portfolio_checkpoint_latest(portfolio_id=portfolio_id, since=since)
        if latest is not None and latest.reason != PERIODIC:
            return latest
        if time.monotonic() >= deadline:
            logger.warning("portfolio %s: %s did not release it in time", portfolio_id, source)
            break
        time.sleep(POLL_SECONDS)
        source = holder(portfolio_id, node_id)
    return portfolio_checkpoint_latest(portfolio_id=portfolio_id)
