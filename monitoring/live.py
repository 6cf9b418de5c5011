"""Upstream: monitoring.selectors
Downstream: trading.redis_store, trading.selectors.live
Role: many status hashes from Redis in one round trip: portfolio:{id}:status and execution_node:{id}:info (SPEC.md §4)."""

from collections.abc import Callable, Iterable

import redis

from trading.redis_store import node_info_key, portfolio_status_key, redis_client
from trading.selectors.live import LiveStateUnavailable

Hashes = dict[str, dict[str, str]]


def portfolio_statuses(portfolio_ids: Iterable[str]) -> Hashes:
    """Portfolio id -> its status hash, for those some node reported."""
    return _hashes(portfolio_ids, portfolio_status_key)


def node_infos(node_ids: Iterable[str]) -> Hashes:
    """Node id -> its info hash, for those that wrote one."""
    return _hashes(node_ids, node_info_key)


def _hashes(ids: Iterable[str], key: Callable[[str], str]) -> Hashes:
    wanted = sorted(set(ids))
    try:
        with redis_client().pipeline(transaction=False) as pipe:
            for item in wanted:
                pipe.hgetall(key(item))
            found = pipe.execute()
    except redis.RedisError as exc:
        raise LiveStateUnavailable(f"cannot read the live statuses from Redis: {exc}") from exc
    return {item: fields for item, fields in zip(wanted, found, strict=True) if fields}
