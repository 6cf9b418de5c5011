"""Upstream: bench.storage, trading.node.presence, trading.selectors.trades
Downstream: trading.core.accounting.portfolio, trading.models, trading.redis_store, trading.services.portfolio_state, trading.storage.hot_positions
Role: the hot tier: portfolios' cash and positions kept in Redis as fills are applied, read from Redis with the database as fallback (which re-warms Redis)."""

import logging
from dataclasses import dataclass
from typing import Literal

import redis

from trading import models
from trading.core.accounting.portfolio import Portfolio as Ledger
from trading.redis_store import redis_client
from trading.services.portfolio_state import portfolio_fill_list
from trading.storage.hot_positions import PositionsSnapshot, snapshot_load, snapshot_store

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class HotPositions:
    """A portfolio's positions and where they came from: Redis, or rebuilt from the database."""

    source: Literal["redis", "database"]
    snapshot: PositionsSnapshot


def hot_positions_write(*, portfolio_id: str, snapshot: PositionsSnapshot) -> bool:
    """Keep ``snapshot`` as the portfolio's hot state (a node calls this after applying fills;
    build it with ``PositionsSnapshot.of(ledger, fills=..., as_of=...)``).

    Never raises for Redis faults, so trading goes on: returns False when Redis failed (the
    next write carries the whole state again; reads meanwhile fall back to the database).
    A snapshot older than the stored one (fewer fills) is ignored.
    """
    try:
        snapshot_store(redis_client(), portfolio_id, snapshot)
    except redis.RedisError as exc:
        logger.warning("hot positions of %s not written to Redis: %s", portfolio_id, exc)
        return False
    return True


def hot_positions_read(*, portfolio_id: str) -> HotPositions:
    """The portfolio's cash and positions from Redis; if Redis has none (or fails), rebuilt
    from its fills in the database and written back to Redis.

    Raises ``Portfolio.DoesNotExist`` for an unknown portfolio.
    """
    client = redis_client()
    try:
        snapshot = snapshot_load(client, portfolio_id)
    except redis.RedisError as exc:
        logger.warning("hot positions of %s unreadable from Redis: %s", portfolio_id, exc)
        return HotPositions("database", positions_from_database(portfolio_id=portfolio_id))
    if snapshot is not None:
        return HotPositions("redis", snapshot)
    snapshot = positions_from_database(portfolio_id=portfolio_id)
    hot_positions_write(portfolio_id=portfolio_id, snapshot=snapshot)
    return HotPositions("database", snapshot)


def positions_from_database(*, portfolio_id: str) -> PositionsSnapshot:
    """Cash and positions rebuilt by the core's ledger from every stored fill."""
    portfolio = models.Portfolio.objects.get(pk=portfolio_id)
    fills = portfolio_fill_list(portfolio_id=portfolio_id)
    ledger = Ledger.rebuild(portfolio.initial_capital, fills)
    return PositionsSnapshot.of(ledger, fills=len(fills), as_of=fills[-1].time if fills else None)
